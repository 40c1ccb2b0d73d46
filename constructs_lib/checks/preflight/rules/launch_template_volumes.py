"""GA-P014: a consumer's launch template carries the whole block device mapping of its AMI.

A layered image inherits its ancestors' volumes: its AMI's block device mapping is the union of
its recipe's and its parents' recipes'. A launch template that describes some of those devices
and not the others leaves the rest to the AMI's own mapping, outside the template's sizes and
encryption, so the template must name every device, encrypted. (The launch templates of an image
with EC2 Fast Launch carry no mapping at all, as a mapping keeps EC2 from using the pre-provisioned
snapshots; the recipe's encryption is held by GA-P017 instead, and distributions with Fast Launch
are skipped here.)

https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/block-device-mapping-concepts.html (an
instance's block device mapping: the AMI's, with the launch's own entries for the devices it
names; ``NoDevice`` omits one). Not a deploy failure: the devices left out launch as the AMI
describes them; the rule holds the library's promise that the template decides every volume.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .._model import IMAGE_ARN, builds, consumers, parameters_written
from ..assembly import Assembly, Stack
from ..finding import Finding, Rule


def _devices(mappings: Any) -> set[str]:
    return {
        str(m["DeviceName"])
        for m in mappings or []
        if isinstance(m, Mapping) and "DeviceName" in m and "Ebs" in m and "NoDevice" not in m
    }


def _chain(
    assembly: Assembly,
    stack: Stack,
    recipe: Mapping[str, Any],
    recipes: Mapping[tuple[str | None, str], tuple[Stack, Mapping[str, Any]]],
    seen: set[str],
) -> dict[str, str]:
    """Device -> the recipe it comes from, through the recipe's parents of this account."""
    properties = recipe.get("Properties", {})
    name = assembly.text(stack, properties.get("Name")) or "?"
    devices = dict.fromkeys(_devices(properties.get("BlockDeviceMappings")), name)
    parent = assembly.text(stack, properties.get("ParentImage"))
    match = IMAGE_ARN.fullmatch(parent) if parent else None
    if match and match.group(3) not in seen:
        seen.add(match.group(3))
        found = recipes.get((match.group(2), match.group(3)))
        if found:
            for device, origin in _chain(assembly, found[0], found[1], recipes, seen).items():
                devices.setdefault(device, origin)
    return devices


def check(assembly: Assembly) -> Iterator[Finding]:
    recipes = {
        (stack.account, assembly.text(stack, r.get("Properties", {}).get("Name")) or ""): (stack, r)
        for stack, _, r in assembly.resources("AWS::ImageBuilder::ImageRecipe")
    }
    all_builds = list(builds(assembly))
    for consumer in consumers(assembly):
        template = consumer.stack.resources.get(consumer.logical_id, {})
        if template.get("Type") != "AWS::EC2::LaunchTemplate":
            continue
        listed = _devices(template.get("Properties", {}).get("LaunchTemplateData", {}).get("BlockDeviceMappings"))
        if not listed:
            continue
        where = (str(consumer.stack.region), str(consumer.stack.account), consumer.parameter)
        inherited: dict[str, str] = {}
        for build in all_builds:
            distribution = assembly.resource(build.distribution) if build.distribution else None
            recipe = assembly.resource(build.recipe) if build.recipe else None
            if not (distribution and recipe and build.distribution and build.recipe):
                continue
            entries = distribution.get("Properties", {}).get("Distributions", [])
            if any(e.get("FastLaunchConfigurations") and str(e.get("Region")) == where[0] for e in entries):
                continue  # Fast Launch here: the template carries no mapping, the recipe's applies
            if where in parameters_written(assembly, assembly.stacks[build.distribution.stack], distribution):
                inherited.update(_chain(assembly, assembly.stacks[build.recipe.stack], recipe, recipes, set()))
        missing = sorted(set(inherited) - listed)
        if missing:
            origins = ", ".join(f"{d} (from {inherited[d]})" for d in missing)
            yield RULE.error(
                (consumer.path,),
                f"launches {consumer.parameter} but its block device mapping leaves out {origins}, which the AMI "
                "inherits; list every device of the AMI's mapping in the launch template, encrypted",
            )


RULE = Rule(
    id="GA-P014",
    title="a launch template carries its AMI's whole block device mapping",
    citation="https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/block-device-mapping-concepts.html",
    check=check,
)
