"""Build and test instances require IMDSv2."""

from __future__ import annotations

from ..rule import Compliance, Properties, Rule, Siblings, unresolved, verdict


def check(properties: Properties, _: Siblings) -> Compliance:
    tokens = properties.get("InstanceMetadataOptions", {}).get("HttpTokens")
    if unresolved(tokens):
        return Compliance.NOT_APPLICABLE
    return verdict(tokens == "required")


RULE = Rule(
    id="BuildInstancesImdsv2",
    resource_type="AWS::ImageBuilder::InfrastructureConfiguration",
    info="The build infrastructure does not require IMDSv2 on build and test instances.",
    explanation="Components run arbitrary scripts on the build instance; IMDSv1 lets a request forgery in any of "
    "them read the instance role's credentials. Set InstanceMetadataOptions.HttpTokens to required.",
    check=check,
)
