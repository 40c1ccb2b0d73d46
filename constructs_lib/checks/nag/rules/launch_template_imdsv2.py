"""Launch templates require IMDSv2 with a hop limit of 1."""

from __future__ import annotations

from ..rule import Compliance, Properties, Rule, Siblings, unresolved, verdict


def check(properties: Properties, _: Siblings) -> Compliance:
    options = properties.get("LaunchTemplateData", {}).get("MetadataOptions", {})
    tokens, hops = options.get("HttpTokens"), options.get("HttpPutResponseHopLimit", 1)
    if unresolved(tokens) or unresolved(hops):
        return Compliance.NOT_APPLICABLE
    return verdict(tokens == "required" and hops == 1)


RULE = Rule(
    id="LaunchTemplateImdsv2",
    resource_type="AWS::EC2::LaunchTemplate",
    info="The launch template does not require IMDSv2 with a hop limit of 1.",
    explanation="IMDSv1, or a hop limit above 1, lets a request forgery or a container on the instance read the "
    "instance role's credentials. Set MetadataOptions.HttpTokens: required and HttpPutResponseHopLimit: 1.",
    check=check,
)
