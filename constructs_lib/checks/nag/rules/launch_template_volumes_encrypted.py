"""Launch templates encrypt every EBS volume they define."""

from __future__ import annotations

from ..rule import Compliance, Properties, Rule, Siblings, verdict


def check(properties: Properties, _: Siblings) -> Compliance:
    volumes = [m["Ebs"] for m in properties.get("LaunchTemplateData", {}).get("BlockDeviceMappings", []) if "Ebs" in m]
    if not volumes:
        return Compliance.NOT_APPLICABLE
    return verdict(all(v.get("Encrypted") is True for v in volumes))


RULE = Rule(
    id="LaunchTemplateVolumesEncrypted",
    resource_type="AWS::EC2::LaunchTemplate",
    info="The launch template defines an EBS volume that is not encrypted.",
    explanation="Instance volumes hold application data and logs; unencrypted, their snapshots expose them. "
    "Set Encrypted: true on every block device mapping.",
    check=check,
)
