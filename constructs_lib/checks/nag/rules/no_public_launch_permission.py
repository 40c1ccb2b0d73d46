"""No AMI is shared publicly unless the finding is acknowledged."""

from __future__ import annotations

from ..rule import Compliance, Properties, Rule, Siblings, verdict


def check(properties: Properties, _: Siblings) -> Compliance:
    groups = [
        group
        for d in properties.get("Distributions", [])
        for group in d.get("AmiDistributionConfiguration", {})
        .get("LaunchPermissionConfiguration", {})
        .get("UserGroups", [])
    ]
    return verdict("all" not in groups)


RULE = Rule(
    id="NoPublicLaunchPermission",
    resource_type="AWS::ImageBuilder::DistributionConfiguration",
    info="The distribution shares AMIs with every AWS account (UserGroups: all).",
    explanation="A public AMI can be launched and inspected by anyone, including whatever was baked into it. "
    "Share with accounts, organizations or OUs; if the image is meant to be public, acknowledge this finding.",
    check=check,
)
