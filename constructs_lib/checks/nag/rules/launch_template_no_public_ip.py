"""Launch templates assign no public IP address."""

from __future__ import annotations

from ..rule import Compliance, Properties, Rule, Siblings, verdict


def check(properties: Properties, _: Siblings) -> Compliance:
    interfaces = properties.get("LaunchTemplateData", {}).get("NetworkInterfaces", [])
    return verdict(not any(i.get("AssociatePublicIpAddress") is True for i in interfaces))


RULE = Rule(
    id="LaunchTemplateNoPublicIp",
    resource_type="AWS::EC2::LaunchTemplate",
    info="The launch template gives instances a public IP address.",
    explanation="Fleets launched from golden images belong behind load balancers or in private subnets; a "
    "public address puts every instance on the internet. Set AssociatePublicIpAddress: false.",
    check=check,
)
