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
  ``resolve:ssm:<parameter>:<label>``) on a version older than the newest :data:`PIN_WARNING_WINDOW`
  (70) is reported: counted in the ``PinsExpiring`` metric, on which the rollout's alarm fires,
  at least 20 writes before its label would go. The way out is to pin a newer image version, or
  to lift the pin; a label the function removes is gone, and a template still reading it can no
  longer launch. A write is never blocked for a pin.
- Labels of another form (someone's own ``stable``) are never removed; one outside the window is
  reported as a problem of the run (the function's errors), since it would block a write.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, Final

try:  # in the package (tests, synthesis)
    from .tags import IMAGE_BUILDER_ARN_TAG, PIN_TAG, version_label
except ImportError:  # in Lambda, where these files are top-level modules
    from tags import IMAGE_BUILDER_ARN_TAG, PIN_TAG, version_label  # type: ignore[no-redef,import-not-found]

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


def split_reference(image_id: str) -> tuple[str, str | None]:
    """``resolve:ssm:<name or ARN>[:<version or label>]`` as ``(name or ARN, pin or None)``; an AMI ID
    gives ``(image_id, None)``. A parameter ARN holds five colons of its own before ``parameter/``."""
    if not image_id.startswith("resolve:ssm:"):
        return image_id, None
    rest, head = image_id.removeprefix("resolve:ssm:"), ""
    if rest.startswith("arn:"):
        parts = rest.split(":", 5)
        if len(parts) < 6:
            return rest, None
        head, rest = ":".join(parts[:5]) + ":", parts[5]
    name, sep, pin = rest.partition(":")
    return head + name, (pin or None) if sep else None


def names_parameter(reference: str, parameter: str) -> bool:
    """Whether a name or ARN from :func:`split_reference` is ``parameter`` (a name)."""
    return reference == parameter or reference.endswith(f":parameter{parameter}")


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Tidied:
    """What :func:`keep_labels` did and found."""

    label: str | None
    """The current version's image version label, or None when its AMI carries no Image Builder ARN."""
    removed: tuple[tuple[int, str], ...] = ()
    """``(version, label)`` removed because the version fell out of :data:`LABEL_WINDOW`."""
    expiring: tuple[str, ...] = ()
    """Pins (and foreign labels) whose version is older than :data:`PIN_WARNING_WINDOW`: the alarm."""
    problems: tuple[str, ...] = ()
    """What blocks a write or a label and needs a person, each with the way out."""


def history(ssm: Any, parameter: str) -> list[dict[str, Any]]:
    """Every version Parameter Store still holds (at most 100), oldest first, with its labels."""
    found: list[dict[str, Any]] = []
    for page in ssm.get_paginator("get_parameter_history").paginate(Name=parameter, MaxResults=50):
        found.extend(page["Parameters"])
    return sorted(found, key=lambda p: int(p["Version"]))


def pins(ec2: Any, parameter: str) -> set[str]:
    """The labels that launch templates here are pinned to for ``parameter``: templates tagged
    ``golden-ami:pinned`` (as the library's pinned templates are) whose default or latest version
    reads ``resolve:ssm:<parameter>:<label>``."""
    found: set[str] = set()
    pages = ec2.get_paginator("describe_launch_templates").paginate(Filters=[{"Name": "tag-key", "Values": [PIN_TAG]}])
    for template in (t for page in pages for t in page["LaunchTemplates"]):
        versions = ec2.describe_launch_template_versions(
            LaunchTemplateId=template["LaunchTemplateId"], Versions=["$Default", "$Latest"]
        )["LaunchTemplateVersions"]
        for version in versions:
            name, pin = split_reference(version.get("LaunchTemplateData", {}).get("ImageId", ""))
            if pin is not None and not pin.isdigit() and names_parameter(name, parameter):
                found.add(pin)
    return found


def image_label(ec2: Any, ami: str) -> str | None:
    """The image version label of ``ami`` from the ``Ec2ImageBuilderArn`` tag Image Builder puts on
    the AMIs it creates; None when it carries none."""
    images = ec2.describe_images(Filters=[{"Name": "image-id", "Values": [ami]}])["Images"]
    found = {t["Key"]: t["Value"] for image in images for t in image.get("Tags", [])}
    return version_label(found.get(IMAGE_BUILDER_ARN_TAG, ""))


def keep_labels(ssm: Any, ec2: Any, parameter: str, current: dict[str, Any]) -> Tidied:
    """Label ``current`` (the parameter's newest version) with its image version and keep every
    label of the history inside the window (module docstring)."""
    versions = history(ssm, parameter)
    newest = max([int(current["Version"]), *(int(v["Version"]) for v in versions)])
    label = image_label(ec2, current["Value"])
    problems: list[str] = []
    if label is not None:
        on_current: list[str] = next(
            (v.get("Labels", []) for v in versions if int(v["Version"]) == int(current["Version"])), []
        )
        if label not in on_current and len(on_current) >= MAX_LABELS:
            problems.append(
                f"{parameter} version {current['Version']} carries {len(on_current)} labels, AWS's most; "
                f"{label} was not added: remove a label of your own from it (aws ssm unlabel-parameter-version)"
            )
        elif label not in on_current:
            ssm.label_parameter_version(Name=parameter, ParameterVersion=int(current["Version"]), Labels=[label])
            for v in versions:  # the label moved here from wherever it was
                if label in v.get("Labels", []) and int(v["Version"]) != int(current["Version"]):
                    v["Labels"] = [x for x in v["Labels"] if x != label]
    pinned = pins(ec2, parameter)
    removed: list[tuple[int, str]] = []
    expiring: list[str] = []
    for v in versions:
        number, age = int(v["Version"]), newest - int(v["Version"])
        if number == int(current["Version"]):
            continue
        own = [x for x in v.get("Labels", []) if OWN_LABEL.fullmatch(x)]
        foreign = [x for x in v.get("Labels", []) if not OWN_LABEL.fullmatch(x)]
        if age >= LABEL_WINDOW:
            if own:
                ssm.unlabel_parameter_version(Name=parameter, ParameterVersion=number, Labels=own)
                removed.extend((number, x) for x in own)
            expiring.extend(x for x in own if x in pinned)
            for x in foreign:
                expiring.append(x)
                problems.append(
                    f"{parameter} version {number} carries the label {x!r}, {age} versions old: when it is the "
                    f"oldest of {MAX_VERSIONS}, writing the parameter fails (ParameterMaxVersionLimitExceeded); "
                    "move the label to a newer version or remove it (aws ssm unlabel-parameter-version)"
                )
        elif age >= PIN_WARNING_WINDOW:
            expiring.extend(x for x in v.get("Labels", []) if x in pinned or not OWN_LABEL.fullmatch(x))
    held = {x for v in versions for x in v.get("Labels", [])} - {x for _, x in removed}
    if label is not None and not problems:
        held.add(label)
    for pin in sorted(pinned - held):
        if pin not in expiring:
            expiring.append(pin)
        problems.append(
            f"launch templates pinned to {parameter}:{pin} resolve to nothing (no version carries the label any "
            "more, or never did) and cannot launch; pin a newer image version or lift the pin"
        )
    return Tidied(label=label, removed=tuple(removed), expiring=tuple(expiring), problems=tuple(problems))
