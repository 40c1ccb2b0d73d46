"""Copies into other accounts are encrypted with a key for the region."""

from __future__ import annotations

from ..rule import Compliance, Properties, Rule, Siblings, verdict


def check(properties: Properties, _: Siblings) -> Compliance:
    copying = [
        d.get("AmiDistributionConfiguration", {})
        for d in properties.get("Distributions", [])
        if d.get("AmiDistributionConfiguration", {}).get("TargetAccountIds")
    ]
    if not copying:
        return Compliance.NOT_APPLICABLE
    return verdict(all(c.get("KmsKeyId") for c in copying))


RULE = Rule(
    id="CrossAccountCopiesEncrypted",
    resource_type="AWS::ImageBuilder::DistributionConfiguration",
    info="The distribution copies AMIs into other accounts without a KMS key for that region.",
    explanation="A copy into another account without a customer managed key is either unencrypted or fails "
    "after the build (the default EBS key cannot be shared). Set KmsKeyId in every region with TargetAccountIds.",
    check=check,
)
