"""What the rollout function sees of one group: read from AWS as it is now, nothing trusted
from earlier runs but the group's own state tag. ``index.py`` acts on it."""

from __future__ import annotations

import dataclasses
from typing import Any

try:  # in the package (tests, synthesis)
    from . import decide as d
    from .tags import STATE_TAG, VERSION_DESCRIPTION, made_for, split_reference
except ImportError:  # in Lambda, where these files are top-level modules
    import decide as d  # type: ignore[no-redef,import-not-found]
    from tags import (  # type: ignore[no-redef,import-not-found]
        STATE_TAG,
        VERSION_DESCRIPTION,
        made_for,
        split_reference,
    )

# A refresh in these states blocks a new one (StartInstanceRefresh answers InstanceRefreshInProgress).
RUNNING_STATES = ("Pending", "InProgress", "Cancelling", "RollbackInProgress", "Baking")


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Clients:
    """The AWS clients the function uses (boto3 in Lambda; moto or Stubber in tests)."""

    ssm: Any
    ec2: Any
    autoscaling: Any
    cloudwatch: Any
    lambda_: Any = None
    function_arn: str = ""


def _resolve(clients: Clients, image_id: str) -> str:
    """A launch template's ``ImageId``: an AMI ID, or ``resolve:ssm:<name>[:<version or label>]``."""
    if image_id.startswith("resolve:ssm:"):
        return str(clients.ssm.get_parameter(Name=image_id.removeprefix("resolve:ssm:"))["Parameter"]["Value"])
    return image_id


def _template_version(clients: Clients, template_id: str, version: str) -> dict[str, Any]:
    found = clients.ec2.describe_launch_template_versions(LaunchTemplateId=template_id, Versions=[version])
    return dict(found["LaunchTemplateVersions"][0])


def _running_images(clients: Clients, group: dict[str, Any]) -> set[str]:
    """Images of the group's instances that EC2 knows; one Auto Scaling lists but EC2 no longer
    knows (terminated meanwhile) is left out instead of failing the group."""
    ids = [i["InstanceId"] for i in group.get("Instances", []) if not i.get("LifecycleState", "").startswith("Termin")]
    images: set[str] = set()
    for start in range(0, len(ids), 100):
        chunk = {"Name": "instance-id", "Values": ids[start : start + 100]}
        for page in clients.ec2.get_paginator("describe_instances").paginate(Filters=[chunk]):
            for reservation in page["Reservations"]:
                images.update(i["ImageId"] for i in reservation["Instances"])
    return images


def _desired_relation(clients: Clients, desired: str, running: set[str]) -> d.Desired:
    if running == {desired}:
        return d.Desired.SAME
    ids = sorted(running | {desired})
    found = clients.ec2.describe_images(Filters=[{"Name": "image-id", "Values": ids}])["Images"]
    created = {i["ImageId"]: i.get("CreationDate", "") for i in found}
    others = [created.get(i, "") for i in running - {desired}]
    if desired in created and others and all(created[desired] < o for o in others if o):
        return d.Desired.OLDER
    return d.Desired.NEWER


def _state(tags: dict[str, str], desired: str) -> tuple[int, float]:
    """Refreshes started for ``desired`` and when the next may start, from the state tag."""
    parts = tags.get(STATE_TAG, "").split()
    if len(parts) != 3 or parts[0] != desired or not parts[1].isdigit():
        return 0, 0.0
    try:
        return int(parts[1]), float(parts[2])
    except ValueError:
        return 0, 0.0


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class GroupView:
    """What the handler needs besides :class:`decide.Observed` to act on a group."""

    observed: d.Observed
    template_id: str
    version: str
    rollback_ok: bool
    attempts: int
    refresh: dict[str, Any] | None
    pin: str = ""
    """The label or version the group's template reads the parameter at, when pinned."""


def template_spec(group: dict[str, Any]) -> tuple[str, str] | None:
    """The group's launch template ID and version (``$Default`` when unset), or None."""
    spec = group.get("LaunchTemplate") or group.get("MixedInstancesPolicy", {}).get("LaunchTemplate", {}).get(
        "LaunchTemplateSpecification"
    )
    if not spec or "LaunchTemplateId" not in spec:
        return None
    return str(spec["LaunchTemplateId"]), str(spec.get("Version", "$Default"))


def observe(clients: Clients, group: dict[str, Any], desired: str, now: float) -> GroupView:
    """Everything :func:`decide.decide` needs about one group, from AWS as it is now."""
    name = group["AutoScalingGroupName"]
    tags = {t["Key"]: t["Value"] for t in group.get("Tags", [])}
    spec = template_spec(group)
    if not spec:
        raise ValueError(f"{name}: the group has no launch template; the rollout refreshes launch template groups")
    template_id, version = spec
    configured = _template_version(clients, template_id, version)["LaunchTemplateData"].get("ImageId", "")
    _, pin = split_reference(configured)
    if pin is not None:  # a pinned template wins over the rollout tag: nothing more to read
        observed = d.Observed(
            desired=d.Desired.SAME, in_flight=d.InFlight.NONE, last=d.Outcome.NONE, retry_due=False, pinned=True
        )
        return GroupView(
            observed=observed,
            template_id=template_id,
            version=version,
            rollback_ok=False,
            attempts=0,
            refresh=None,
            pin=pin,
        )
    # AWS: no rollback when the group's current template uses an SSM parameter for ImageId, or
    # $Latest / $Default. https://docs.aws.amazon.com/autoscaling/ec2/userguide/instance-refresh-rollback.html
    rollback_ok = version not in ("$Latest", "$Default") and not configured.startswith("resolve:ssm:")
    running = _running_images(clients, group) | {_resolve(clients, configured)}
    refreshes = clients.autoscaling.describe_instance_refreshes(AutoScalingGroupName=name, MaxRecords=1)
    latest = refreshes["InstanceRefreshes"][0] if refreshes["InstanceRefreshes"] else None
    attempts, next_at = _state(tags, desired)
    in_flight, last = d.InFlight.NONE, d.Outcome.NONE
    if latest is not None and latest["Status"] in RUNNING_STATES:
        target = latest.get("DesiredConfiguration", {}).get("LaunchTemplate")
        own = False
        if target:
            found = _template_version(clients, target["LaunchTemplateId"], str(target["Version"]))
            image = _resolve(clients, found["LaunchTemplateData"].get("ImageId", ""))
            # Only a refresh onto a version this function made for this group is its own to replace.
            description = str(found.get("VersionDescription", ""))
            own = description.startswith(VERSION_DESCRIPTION) and made_for(description, name) is not False
        else:
            image = _resolve(clients, configured)
        # Cancelling or rolling back cannot be stopped or replaced: wait for it like a refresh to
        # the desired image, then decide again. Another's refresh is never cancelled.
        stoppable = latest["Status"] not in ("Cancelling", "RollbackInProgress")
        if image == desired or not stoppable:
            in_flight = d.InFlight.TO_DESIRED
        else:
            in_flight = d.InFlight.TO_OTHER if own else d.InFlight.FOREIGN
    elif attempts:
        if attempts > d.MAX_RETRIES:
            last = d.Outcome.RETRIES_EXHAUSTED
        elif latest is not None and latest["Status"] in {o.value for o in d.Outcome}:
            last = d.Outcome(latest["Status"])
        else:
            last = d.Outcome.FAILED
    observed = d.Observed(
        desired=_desired_relation(clients, desired, running), in_flight=in_flight, last=last, retry_due=now >= next_at
    )
    return GroupView(
        observed=observed,
        template_id=template_id,
        version=version,
        rollback_ok=rollback_ok,
        attempts=attempts,
        refresh=latest,
    )
