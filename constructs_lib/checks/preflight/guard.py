"""The replacement guard's refusals: what a deploy must not replace or delete without a reason
(the classification is :mod:`.replacement`'s), and how an acknowledgement covers a finding.

Refused (``GA-C001`` replace, ``GA-C002`` delete, ``GA-C003`` parameter): replacing or deleting an
Auto Scaling group, a launch template or a KMS key; replacing or deleting an
``AWS::ImageBuilder::Image`` that CloudFormation would delete (not kept by ``Retain``,
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html);
pointing a launch template at another latest-AMI parameter.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, Final

from .replacement import Change, Kind, Record, change_of, keeps

REPLACE_RULE: Final = "GA-C001"
DELETE_RULE: Final = "GA-C002"
PARAMETER_RULE: Final = "GA-C003"
GUARDED: Final[Mapping[str, str]] = {
    "AWS::AutoScaling::AutoScalingGroup": "fleet (its instances are terminated)",
    "AWS::EC2::LaunchTemplate": "launch template (its versions, and any pin on them, are lost)",
    "AWS::KMS::Key": "KMS key (what it encrypts, AMI copies or logs, stays on a key no stack manages)",
    "AWS::ImageBuilder::Image": "image (CloudFormation deletes the image and its AMIs with it)",
}
"""Types whose replacement or deletion the guard refuses, and what that costs. A key without
``Retain`` is deleted after its waiting period ("the number of days in the waiting period before
AWS KMS deletes a KMS key that has been removed from a CloudFormation stack", ``PendingWindowInDays``,
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-kms-key.html)."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Refusal:
    """One change the guard refuses: the rule, the change and the message with the way out."""

    rule: str
    change: Change
    message: str


def _accept(rule: str, where: str) -> str:
    """How to accept ``rule`` for the construct at ``where`` (:func:`constructs_lib.acknowledge`)."""
    return (
        f"accept it on purpose with a reason: in the factory file 'acknowledge: [{{id: {rule}, path: {where}, "
        f"reason: ...}}]', in Python acknowledge(scope, '{rule}', reason, path='{where}')"
    )


def _image_kept(entry: Mapping[str, Any], change: Change, current: Record) -> bool:
    """Whether CloudFormation keeps the recorded image through ``change``. A record from before
    the guard (no ``props``) does not say; the images of the same stack in this synth do, as the
    same construct sets the policies of the image it replaces."""
    if "props" in entry or entry.get("retain"):
        return keeps(entry, change)
    images = [e for e in current.get(change.stack, {}).values() if e["type"] == change.type]
    return bool(images) and all(keeps(e, change) for e in images)


def refusals(changes: list[Change], previous: Record, current: Record) -> list[Refusal]:
    """The changes of ``changes`` that replace or delete what :data:`GUARDED` names, and the
    launch templates that switch latest-AMI parameter."""
    found: list[Refusal] = []
    for change in changes:
        if change.type not in GUARDED or change.kind not in (Kind.REPLACE, Kind.DELETE):
            continue
        entry = previous.get(change.stack, {}).get(change.logical_id, {})
        if change.type == "AWS::ImageBuilder::Image" and _image_kept(entry, change, current):
            continue  # CloudFormation keeps the image and its AMIs (Retain); a new one is built
        rule = REPLACE_RULE if change.kind is Kind.REPLACE else DELETE_RULE
        where = change.path or change.address
        cost = GUARDED[change.type]
        if change.type == "AWS::KMS::Key" and not keeps(entry, change):
            cost = "KMS key (CloudFormation schedules it for deletion: what it encrypts becomes unreadable)"
        found.append(
            Refusal(
                rule=rule,
                change=change,
                message=(
                    f"{where}: this deploy would {change.kind.value} the {cost}: {change.reason}. "
                    f"Undo the edit that causes it, or {_accept(rule, where)}"
                ),
            )
        )
    for stack, resources in current.items():
        for lid, new in resources.items():
            old = previous.get(stack, {}).get(lid)
            if old is None or new["type"] != "AWS::EC2::LaunchTemplate" or old.get("image") == new.get("image"):
                continue
            if old.get("image") is None:
                continue
            where = new.get("path") or f"{stack}/{lid}"
            change = change_of(stack, lid, new, Kind.UPDATE, f"reads {new.get('image')} (was {old.get('image')})")
            found.append(
                Refusal(
                    rule=PARAMETER_RULE,
                    change=change,
                    message=(
                        f"{where}: the launch template would read {new.get('image')} instead of "
                        f"{old.get('image')}: its fleet launches whatever the new parameter holds (nothing, in a "
                        "region or account no build has reached) and the old parameter's pins stop applying. "
                        f"Keep the image's name and architectures, or {_accept(PARAMETER_RULE, where)}"
                    ),
                )
            )
    return found


def covers(acknowledged: Mapping[str, Mapping[str, str]], rule: str, *paths: str | None) -> str | None:
    """The reason ``rule`` is acknowledged for the construct at one of ``paths`` (a construct path
    or ``stack/logicalId``) or one of its parents, either on that construct or anywhere as
    ``rule[path]``; None when it is not."""
    parents = {
        path.strip("/").rsplit("/", n)[0] for path in paths if path for n in range(path.strip("/").count("/") + 1)
    }
    for at, rules in acknowledged.items():
        for rule_id, reason in rules.items():
            if rule_id == rule and at.strip("/") in parents:
                return reason
            named = rule_id[len(rule) + 1 : -1].strip("/") if rule_id.startswith(f"{rule}[") else None
            if named in parents and rule_id.endswith("]"):
                return reason
    return None
