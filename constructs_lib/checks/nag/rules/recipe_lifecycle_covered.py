"""Every image recipe is covered by a lifecycle policy in its stack."""

from __future__ import annotations

from ..rule import Compliance, Properties, Rule, Siblings, unresolved, verdict


def check(properties: Properties, siblings: Siblings) -> Compliance:
    name = properties.get("Name")
    if not name or unresolved(name):
        return Compliance.NOT_APPLICABLE
    policies = [
        p for p in siblings("AWS::ImageBuilder::LifecyclePolicy") if p.get("ResourceType", "AMI_IMAGE") == "AMI_IMAGE"
    ]
    covered = any(
        r.get("Name") == name for p in policies for r in p.get("ResourceSelection", {}).get("Recipes", [])
    ) or any(p.get("ResourceSelection", {}).get("TagMap") for p in policies)
    return verdict(covered)


RULE = Rule(
    id="RecipeLifecycleCovered",
    resource_type="AWS::ImageBuilder::ImageRecipe",
    info="No lifecycle policy in the stack selects this image recipe.",
    explanation="Every build leaves AMIs and snapshots in every region and account it reaches, billed until "
    "deleted. Select the recipe in an AWS::ImageBuilder::LifecyclePolicy (by name, or by the tags its AMIs carry).",
    check=check,
)
