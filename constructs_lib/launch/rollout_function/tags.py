"""Tag keys shared by the rollout function and the constructs that opt groups in.

This module imports nothing but the standard library, so that synthesis can read these names without botocore: the
function's own dependencies (boto3) exist only in the Lambda runtime and the ``[cli]`` extra.
"""

from __future__ import annotations

import hashlib
from typing import Final

ROLLOUT_TAG: Final = "golden-ami:rollout"
"""On a group and its launch template: the latest-AMI parameter the group follows (opt-in)."""
IMAGE_TAG: Final = "golden-ami:rollout-image"
"""Written by the function: the AMI of the last refresh it started on the group."""
STATE_TAG: Final = "golden-ami:rollout-state"
"""Written by the function: ``<ami> <refreshes started for it> <epoch second of the next retry>``."""
PREFERENCES_TAG: Final = "golden-ami:refresh"
"""On a group: its refresh preferences (``InstanceRefresh.tag_value()``)."""
FUNCTION_TAGS: Final = (IMAGE_TAG, STATE_TAG)
"""The only tag keys the function may write (its role's ``aws:TagKeys`` condition)."""
VERSION_DESCRIPTION: Final = "golden-ami rollout to "
"""Prefix of the description of every launch template version the function makes (and prunes)."""
METRIC_NAMESPACE: Final = "GoldenAmi/Rollout"
NOT_CONVERGED_METRIC: Final = "GroupsNotConverged"
IMAGE_AGE_METRIC: Final = "ImageAgeDays"
"""Days since the parameter's value last changed: the age of the image converged groups run."""
CONTINUE_DETAIL_TYPE: Final = "Golden AMI Rollout Continue"
"""The event the function sends itself to handle the next page of groups."""
REFRESH_DETAIL_TYPES: Final = tuple(
    f"EC2 Auto Scaling Instance Refresh {outcome}"
    for outcome in ("Succeeded", "Failed", "Cancelled", "Rollback Succeeded", "Rollback Failed")
)
"""The instance refresh events that end a refresh (best effort, hence the schedule as well).
Source: https://docs.aws.amazon.com/autoscaling/ec2/userguide/instance-refresh-eventbridge-events.html"""
IMAGE_BUILDER_ARN_TAG: Final = "Ec2ImageBuilderArn"
"""Added by Image Builder to the AMIs it creates: the image build version's ARN."""
PIN_TAG: Final = "golden-ami:pinned"
"""On a launch template pinned to one image version: the label (or parameter version) it reads."""
PINS_EXPIRING_METRIC: Final = "PinsExpiring"
"""Pins whose label is near the end of the parameter's history, or gone (labels.py)."""
REVOKED_TAG: Final = "golden-ami:revoked"
"""On a revoked AMI: who revoked it, when and why."""


def version_label(image_builder_arn: str) -> str | None:
    """The SSM parameter label for an image build version: ``.../image/web/1.2.3/4`` gives
    ``v1.2.3-4``. A label may not start with a digit, hence the ``v``; None for another ARN.

    Source: https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-labels.html
    """
    parts = image_builder_arn.split(":image/", 1)
    if len(parts) != 2:
        return None
    pieces = parts[1].split("/")
    if len(pieces) != 3:
        return None
    _, version, build = pieces
    numbers = version.split(".")
    if len(numbers) != 3 or not all(n.isascii() and n.isdigit() for n in [*numbers, build]):
        return None
    return f"v{version}-{build}"


MAX_OWNER: Final = 180
"""Longest group name written as is into a version description: the prefix (22), an AMI ID (21) and
" for " leave 207 of EC2's 255 characters (CreateLaunchTemplateVersion, VersionDescription)."""


def owner(group: str) -> str:
    """How a launch template version's description names the group it was made for: the group's
    name, or a digest of a name too long for the description (a group's name may have 255)."""
    return group if len(group) <= MAX_OWNER else f"sha256:{hashlib.sha256(group.encode()).hexdigest()[:32]}"


def made_for(description: str, group: str) -> bool | None:
    """Whether a version the function made (``description`` starts with :data:`VERSION_DESCRIPTION`)
    is ``group``'s: True or False when the description names a group, None for one made before
    descriptions named their group."""
    _, sep, named = description.partition(" for ")
    return named == owner(group) if sep else None


def split_reference(image_id: str) -> tuple[str, str | None]:
    """``resolve:ssm:<name or ARN>[:<version or label>]`` as ``(name or ARN, pin or None)``; an AMI ID
    gives ``(image_id, None)``. A parameter ARN holds five colons of its own before ``parameter/``.
    A copy of ``_core/ssm_reference.py``'s for the deployed function, which cannot import the package."""
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
