"""The change report: what a deploy of this synth would create, replace or delete, against the
lock file's record of the last clean synth (:func:`record`), in the words of
:func:`replacement.classify` plus what a change costs beyond the resource (a fleet's instances, a
lifecycle policy's AMIs, a distribution's regions without an image).

https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html
("Replacement: AWS CloudFormation recreates the resource during an update, which also generates a
new physical ID").
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from .assembly import Assembly, Reference, Stack
from .replacement import Change, Kind, classify, fingerprint

NAMES: Mapping[str, str] = {
    "AWS::AutoScaling::AutoScalingGroup": "AutoScalingGroupName",
    "AWS::CloudFormation::StackSet": "StackSetName",
    "AWS::EC2::LaunchTemplate": "LaunchTemplateName",
    "AWS::IAM::Role": "RoleName",
    "AWS::ImageBuilder::Component": "Name",
    "AWS::ImageBuilder::DistributionConfiguration": "Name",
    "AWS::ImageBuilder::Image": "",
    "AWS::ImageBuilder::ImagePipeline": "Name",
    "AWS::ImageBuilder::ImageRecipe": "Name",
    "AWS::ImageBuilder::InfrastructureConfiguration": "Name",
    "AWS::ImageBuilder::LifecyclePolicy": "Name",
    "AWS::KMS::Alias": "AliasName",
    "AWS::KMS::Key": "",
    "AWS::SSM::Parameter": "Name",
}
"""Replace-sensitive resource types and the property holding their physical name."""

Record = dict[str, dict[str, dict[str, Any]]]


def record(assembly: Assembly) -> Record:
    """Per stack, per logical ID of every resource: its type, construct path and what the
    replacement guard compares (:func:`fingerprint`); for each replace-sensitive resource
    (:data:`NAMES`) its physical name (``None`` when CloudFormation names it); for a launch
    template, the image it reads."""
    result: Record = {}
    for stack in assembly.stacks.values():
        for logical_id in stack.resources:
            result.setdefault(stack.name, {})[logical_id] = _entry(assembly, stack, logical_id)
    return result


def _entry(assembly: Assembly, stack: Stack, logical_id: str) -> dict[str, Any]:
    resource = stack.resources[logical_id]
    entry: dict[str, Any] = {"type": resource["Type"]}
    path = stack.path_of(logical_id)
    if path is not None:
        entry["path"] = path
    entry.update(fingerprint(resource, stack.resources))
    if resource["Type"] in NAMES:
        properties = resource.get("Properties", {})
        entry["name"] = None
        if NAMES[resource["Type"]]:
            entry["name"] = assembly.text(stack, properties.get(NAMES[resource["Type"]]))
        # A literal resolve:ssm: reference, or the name a Ref'd SSM-typed stack parameter reads.
        image = assembly.text(stack, properties.get("LaunchTemplateData", {}).get("ImageId"))
        if image is not None:
            entry["image"] = image
        if resource["Type"] == "AWS::ImageBuilder::DistributionConfiguration":
            canonical = json.dumps(properties.get("Distributions"), sort_keys=True).encode()
            entry["digest"] = hashlib.sha256(canonical).hexdigest()[:16]
        distribution = assembly.resolve(stack, properties.get("DistributionConfigurationArn"))
        if resource["Type"] == "AWS::ImageBuilder::Image" and isinstance(distribution, Reference):
            entry["distribution"] = distribution.logical_id
    return entry


CONSEQUENCES: Mapping[tuple[str, Kind], str] = {
    ("AWS::AutoScaling::AutoScalingGroup", Kind.REPLACE): "its instances are terminated and launched again",
    ("AWS::AutoScaling::AutoScalingGroup", Kind.DELETE): "its instances are terminated",
    ("AWS::AutoScaling::AutoScalingGroup", Kind.CREATE): "a new fleet, launched from the current image",
    ("AWS::ImageBuilder::LifecyclePolicy", Kind.DELETE): "the AMIs it selected are no longer retired",
}
"""What a change of these types means beyond CloudFormation's own words."""


def report(previous: Record | None, current: Record, changes: list[Change] | None = None) -> list[str]:
    """Lines saying what a deploy of ``current`` does against ``previous`` (:func:`classify`):
    each replacement and deletion with its reason, a removed stack in one line, what a change
    costs where it costs more than a resource (:data:`CONSEQUENCES`), and distributions whose
    new regions or accounts get no image from this deploy. Empty when nothing changes but updates.
    ``changes``: :func:`classify` of the two, when the caller has it already."""
    if previous is None:
        return ["no record of the last synth: this synth's resources are recorded for the next report"]
    lines: list[str] = []
    gone: dict[str, int] = {}
    for change in changes if changes is not None else classify(previous, current):
        if change.stack not in current:
            gone[change.stack] = gone.get(change.stack, 0) + 1
            continue
        consequence = CONSEQUENCES.get((change.type, change.kind))
        if change.stack not in previous or not (consequence or change.kind in (Kind.REPLACE, Kind.DELETE)):
            continue
        where = change.path or change.address
        lines.append(
            f"{change.kind.value.upper()} {where} ({change.type}): {change.reason}"
            + (f"; {consequence}" if consequence else "")
        )
    lines += [f"DELETE stack {stack}: its {count} resources with it" for stack, count in gone.items()]
    lines += [
        f"CREATE stack {stack}: {len(current[stack])} resources" for stack in sorted(set(current) - set(previous))
    ]
    return lines + _distributions(previous, current)


def _distributions(previous: Record, current: Record) -> list[str]:
    """Distributions that changed, and whether an image built at deploy brings the change now."""
    lines = []
    for stack in sorted(set(previous) & set(current)):
        before, after = previous[stack], current[stack]
        for logical_id, new in sorted(after.items()):
            old = before.get(logical_id)
            if new["type"] != "AWS::ImageBuilder::DistributionConfiguration" or old is None:
                continue
            if old.get("digest") == new.get("digest"):
                continue
            images = [k for k, v in after.items() if v.get("distribution") == logical_id]
            if images and all(k in before for k in images):
                lines.append(
                    f"{stack}/{logical_id}: distribution changed but image {images[0]} is not rebuilt: a region "
                    "or account it adds gets no AMI and no parameter until the next build"
                )
            elif not images:
                lines.append(
                    f"{stack}/{logical_id}: distribution changed: a region or account it adds gets the image at "
                    "the pipeline's next build (start it with aws imagebuilder start-image-pipeline-execution)"
                )
    return lines
