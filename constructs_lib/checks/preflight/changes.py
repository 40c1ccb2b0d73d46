"""The change report: what a deploy of this synth would replace, rename or leave behind, against
the lock file's record of the last synth.

The record keeps, per stack, the logical ID, type and physical name of every resource whose
replacement a team feels: a fleet, launch template, pipeline, recipe, role, key alias, lifecycle
policy. CloudFormation replaces a resource whose logical ID changes (a delete and a create) and
most of these when their name changes; a removed lifecycle policy leaves its AMIs unretired.

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
from .replacement import fingerprint

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
        for logical_id, resource in stack.resources.items():
            result.setdefault(stack.name, {})[logical_id] = _entry(assembly, stack, resource)
    return result


def _entry(assembly: Assembly, stack: Stack, resource: Mapping[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {"type": resource["Type"]}
    path = resource.get("Metadata", {}).get("aws:cdk:path")
    if isinstance(path, str):
        entry["path"] = path
    entry.update(fingerprint(resource, stack.resources))
    if resource["Type"] in NAMES:
        properties = resource.get("Properties", {})
        entry["name"] = None
        if NAMES[resource["Type"]]:
            entry["name"] = assembly.text(stack, properties.get(NAMES[resource["Type"]]))
        image = properties.get("LaunchTemplateData", {}).get("ImageId")
        if isinstance(image, str):
            entry["image"] = image
        if resource["Type"] == "AWS::ImageBuilder::DistributionConfiguration":
            canonical = json.dumps(properties.get("Distributions"), sort_keys=True).encode()
            entry["digest"] = hashlib.sha256(canonical).hexdigest()[:16]
        distribution = assembly.resolve(stack, properties.get("DistributionConfigurationArn"))
        if resource["Type"] == "AWS::ImageBuilder::Image" and isinstance(distribution, Reference):
            entry["distribution"] = distribution.logical_id
    return entry


def _sensitive(resources: Mapping[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in resources.items() if v["type"] in NAMES}


def _label(entry: Mapping[str, Any]) -> str:
    return f"{entry['type']} {entry['name']!r}" if entry.get("name") else str(entry["type"])


def report(previous: Record | None, current: Record) -> list[str]:
    """Lines saying what changed from ``previous`` to ``current``; empty when nothing did."""
    if previous is None:
        return ["no record of the last synth: this synth's resources are recorded for the next report"]
    lines = []
    for stack in sorted(set(previous) | set(current)):
        before, after = _sensitive(previous.get(stack, {})), _sensitive(current.get(stack, {}))
        if stack not in current:
            lines.append(f"{stack}: stack removed ({len(before)} recorded resources deleted with it)")
            continue
        if stack not in previous:
            lines.append(f"{stack}: new stack ({len(after)} resources)")
            continue
        added = {k: v for k, v in after.items() if k not in before}
        for logical_id in sorted(set(before) - set(after)):
            old = before[logical_id]
            twin = [k for k, v in added.items() if old["name"] and (v["type"], v["name"]) == (old["type"], old["name"])]
            if twin:
                lines.append(f"{stack}/{logical_id}: REPLACED as {twin[0]} ({_label(old)}: logical ID changed)")
                added.pop(twin[0])
            elif old["type"] == "AWS::ImageBuilder::LifecyclePolicy":
                lines.append(f"{stack}/{logical_id}: REMOVED {_label(old)}: the AMIs it selected are no longer retired")
            elif old["type"] == "AWS::AutoScaling::AutoScalingGroup":
                lines.append(f"{stack}/{logical_id}: REMOVED fleet: its instances are terminated")
            else:
                lines.append(f"{stack}/{logical_id}: REMOVED {_label(old)}")
        for logical_id, entry in sorted(added.items()):
            if entry["type"] == "AWS::AutoScaling::AutoScalingGroup":
                lines.append(f"{stack}/{logical_id}: NEW fleet (instances launched from the current image)")
            else:
                lines.append(f"{stack}/{logical_id}: new {_label(entry)}")
        for logical_id in sorted(set(before) & set(after)):
            old, new = before[logical_id], after[logical_id]
            if old.get("digest") != new.get("digest"):
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
            if old["name"] != new["name"]:
                lines.append(
                    f"{stack}/{logical_id}: renamed {old['name']!r} -> {new['name']!r} ({new['type']}; "
                    "a new name replaces the resource)"
                )
            if old.get("image") != new.get("image"):
                lines.append(f"{stack}/{logical_id}: launch template reads {new.get('image')} (was {old.get('image')})")
    return lines
