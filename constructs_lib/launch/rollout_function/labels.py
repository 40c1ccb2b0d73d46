"""Image version labels on the latest-AMI parameter, kept so that they never block a write.

Parameter Store keeps the 100 most recent versions of a parameter and deletes the oldest when a
new one is written, "however, if the oldest version has a label attached to it, Parameter Store
won't delete the version" and ``PutParameter`` fails with ``ParameterMaxVersionLimitExceeded``
(https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html, Errors). A
version carries at most 10 labels, a label sits on one version of a parameter at a time, and
labelling a version with a label another version has moves it
(https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_LabelParameterVersion.html).

What is kept, and why:

- Each new version gets its image version's label (``v1.2.3-4``); writing an older AMI back (a
  revoke, a rollback) moves that image's label onto the new version, so a label always names the
  newest version holding its AMI, and the function never puts a second label on a version.
- Labels stay on the newest :data:`LABEL_WINDOW` (90) versions: every image built in that span
  can be pinned or rolled back to by label. Older labels of the function's own form are removed
  with ``UnlabelParameterVersion``, so the oldest version of a full history never carries one and
  Image Builder's next write succeeds, with 10 writes of slack for runs that were missed.
- A pin (a launch template tagged ``golden-ami:pinned`` whose image reads
  ``resolve:ssm:<parameter>:<label or version>``) on a version older than the newest
  :data:`PIN_WARNING_WINDOW` (70) is counted in the ``PinsExpiring`` metric, on which the
  rollout's alarm fires, at least 20 writes before its label would go (a parameter version pinned
  by number goes when 100 newer ones exist). A pin whose label or version is gone stays counted:
  such a template can no longer launch. The way out is to pin a newer image version, or to lift
  the pin. A write is never blocked for a pin.
- Labels of another form (someone's own ``stable``) are never removed; one outside the window is
  counted too and reported as a problem of the run (the function's errors), since it will block a
  write.
- Removal comes first and each later step (labelling, finding the pins) fails on its own, so a
  failed look-up never leaves an old label in place.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, Final

from botocore.exceptions import ClientError

try:  # in the package (tests, synthesis)
    from .tags import IMAGE_BUILDER_ARN_TAG, PIN_TAG, names_parameter, split_reference, version_label
except ImportError:  # in Lambda, where these files are top-level modules
    from tags import (  # type: ignore[no-redef,import-not-found]
        IMAGE_BUILDER_ARN_TAG,
        PIN_TAG,
        names_parameter,
        split_reference,
        version_label,
    )

MAX_VERSIONS: Final = 100
"""Versions Parameter Store keeps of a parameter (PutParameter, ParameterMaxVersionLimitExceeded)."""
MAX_LABELS: Final = 10
"""Labels one parameter version may carry (LabelParameterVersion)."""
LABEL_WINDOW: Final = 90
"""Labels stay on the newest this many versions; 10 writes of slack before the oldest of 100."""
PIN_WARNING_WINDOW: Final = 70
"""A pin on a version older than the newest this many is reported, 20 writes before removal."""
OWN_LABEL: Final = re.compile(r"v[0-9]{1,9}\.[0-9]{1,9}\.[0-9]{1,9}-[0-9]{1,9}", re.ASCII)
"""The labels the function writes (:func:`tags.version_label`), the only ones it removes."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Tidied:
    """What :func:`keep_labels` did and found."""

    label: str | None
    """The current version's image version label, or None when its AMI carries no Image Builder ARN."""
    removed: tuple[tuple[int, str], ...] = ()
    """``(version, label)`` removed because the version fell out of :data:`LABEL_WINDOW`."""
    expiring: tuple[str, ...] = ()
    """Pins (and foreign labels) whose version is older than :data:`PIN_WARNING_WINDOW`, or gone: the alarm."""
    problems: tuple[str, ...] = ()
    """What blocks a write or a label and needs a person, each with the way out."""


def history(ssm: Any, parameter: str) -> list[dict[str, Any]]:
    """Every version Parameter Store still holds (at most 100), oldest first, with its labels."""
    found: list[dict[str, Any]] = []
    for page in ssm.get_paginator("get_parameter_history").paginate(Name=parameter, MaxResults=50):
        found.extend(page["Parameters"])
    return sorted(found, key=lambda p: int(p["Version"]))


def pins(ec2: Any, parameter: str) -> set[str]:
    """The labels (and parameter versions) that launch templates here are pinned to for
    ``parameter``: templates tagged ``golden-ami:pinned`` (as the library's pinned templates are)
    whose default or latest version reads ``resolve:ssm:<parameter>:<label or version>``. A
    template deleted meanwhile is passed over."""
    found: set[str] = set()
    pages = ec2.get_paginator("describe_launch_templates").paginate(Filters=[{"Name": "tag-key", "Values": [PIN_TAG]}])
    for template in (t for page in pages for t in page["LaunchTemplates"]):
        try:
            versions = ec2.describe_launch_template_versions(
                LaunchTemplateId=template["LaunchTemplateId"], Versions=["$Default", "$Latest"]
            )["LaunchTemplateVersions"]
        except ClientError as error:
            if not error.response.get("Error", {}).get("Code", "").startswith("InvalidLaunchTemplateId"):
                raise
            continue
        for version in versions:
            name, pin = split_reference(version.get("LaunchTemplateData", {}).get("ImageId", ""))
            if pin is not None and names_parameter(name, parameter):
                found.add(pin)
    return found


def image_label(ec2: Any, ami: str) -> str | None:
    """The image version label of ``ami`` from the ``Ec2ImageBuilderArn`` tag Image Builder puts on
    the AMIs it creates; None when it carries none."""
    images = ec2.describe_images(Filters=[{"Name": "image-id", "Values": [ami]}])["Images"]
    found = {t["Key"]: t["Value"] for image in images for t in image.get("Tags", [])}
    return version_label(found.get(IMAGE_BUILDER_ARN_TAG, ""))


def keep_labels(ssm: Any, ec2: Any, parameter: str, current: dict[str, Any], *, label: str | None = None) -> Tidied:
    """Keep every label of the history inside the window, then label ``current`` (the parameter's
    newest version) with its image version, then judge the pins (module docstring). Removal comes
    first and each later step fails on its own: a failed label or pin look-up never keeps an old
    label in place. A ``ClientError`` of the history read or of a removal is raised.

    ``label``: the image version label of ``current``'s AMI when the caller knows it (the
    labeller, from the image it was told about); else it is read from the AMI's Image Builder
    ARN tag with ``ec2``. Without ``ec2`` no pins are looked up (the labeller's role may not)."""
    versions = history(ssm, parameter)
    newest = max([int(current["Version"]), *(int(v["Version"]) for v in versions)])
    problems: list[str] = []
    removed: list[tuple[int, str]] = []
    for v in versions:
        number, age = int(v["Version"]), newest - int(v["Version"])
        own = [x for x in v.get("Labels", []) if OWN_LABEL.fullmatch(x)]
        if age >= LABEL_WINDOW and own:
            ssm.unlabel_parameter_version(Name=parameter, ParameterVersion=number, Labels=own)
            removed.extend((number, x) for x in own)
            v["Labels"] = [x for x in v["Labels"] if x not in own]
        for x in v.get("Labels", []) if age >= LABEL_WINDOW else ():
            problems.append(
                f"{parameter} version {number} carries the label {x!r}, {age} versions old: when it is the "
                f"oldest of {MAX_VERSIONS}, writing the parameter fails (ParameterMaxVersionLimitExceeded); "
                "move the label to a newer version or remove it (aws ssm unlabel-parameter-version)"
            )
    known = label
    label = None
    try:
        label = _label_current(ssm, ec2, parameter, current, versions, problems, known)
    except ClientError as error:
        problems.append(f"labelling {parameter} version {current.get('Version')} failed ({error})")
    try:
        pinned = pins(ec2, parameter) if ec2 is not None else set()
    except ClientError as error:
        problems.append(f"finding the launch templates pinned to {parameter} failed ({error})")
        pinned = set()
    labelled = {x: int(v["Version"]) for v in versions for x in v.get("Labels", [])}
    numbers = {int(v["Version"]) for v in versions}
    expiring: list[str] = []
    for x in sorted(labelled):
        age = newest - labelled[x]
        if age >= PIN_WARNING_WINDOW and (x in pinned or not OWN_LABEL.fullmatch(x)):
            expiring.append(x)
    for pin in sorted(pinned):
        if pin.isdigit():  # a parameter version: gone once 100 newer versions exist
            if int(pin) not in numbers or newest - int(pin) >= PIN_WARNING_WINDOW:
                expiring.append(pin)
        elif pin not in labelled:
            expiring.append(pin)  # resolves to nothing: the templates cannot launch
    return Tidied(label=label, removed=tuple(removed), expiring=tuple(expiring), problems=tuple(problems))


def _label_current(
    ssm: Any,
    ec2: Any,
    parameter: str,
    current: dict[str, Any],
    versions: list[dict[str, Any]],
    problems: list[str],
    known: str | None = None,
) -> str | None:
    """Give the current version its image version's label (moving it from an older version);
    ``versions`` is updated to match. A version with 10 labels already is left as it is, reported."""
    label = known or (image_label(ec2, current["Value"]) if ec2 is not None else None)
    if label is None:
        return None
    number = int(current["Version"])
    entry = next((v for v in versions if int(v["Version"]) == number), None)
    if entry is None:
        entry = {"Version": number, "Labels": []}
        versions.append(entry)
    on_current: list[str] = entry.setdefault("Labels", [])
    if label in on_current:
        return label
    if len(on_current) >= MAX_LABELS:
        problems.append(
            f"{parameter} version {number} carries {len(on_current)} labels, AWS's most; {label} was not added: "
            "remove a label of your own from it (aws ssm unlabel-parameter-version)"
        )
        return label
    ssm.label_parameter_version(Name=parameter, ParameterVersion=number, Labels=[label])
    for v in versions:  # the label moved here from wherever it was
        if label in v.get("Labels", []):
            v["Labels"] = [x for x in v["Labels"] if x != label]
    on_current.append(label)
    return label
