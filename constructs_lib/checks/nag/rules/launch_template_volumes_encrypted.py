"""Launch templates define their EBS volumes, every one encrypted."""

from __future__ import annotations

from ..rule import Compliance, Properties, Rule, Siblings, verdict


def check(properties: Properties, _: Siblings) -> Compliance:
    volumes = [m["Ebs"] for m in properties.get("LaunchTemplateData", {}).get("BlockDeviceMappings", []) if "Ebs" in m]
    return verdict(bool(volumes) and all(v.get("Encrypted") is True for v in volumes))


RULE = Rule(
    id="LaunchTemplateVolumesEncrypted",
    resource_type="AWS::EC2::LaunchTemplate",
    info="The launch template defines an EBS volume that is not encrypted, or no volume at all.",
    explanation="Instance volumes hold application data and logs; unencrypted, their snapshots expose them. "
    "Set Encrypted: true on every block device mapping; a template without one leaves the volumes to the "
    "AMI's mapping, which the template then does not hold to encryption (acknowledge it where the AMI's "
    "encryption is checked elsewhere, as for EC2 Fast Launch).",
    check=check,
)
