"""A VM import is encrypted with a customer managed key."""

from __future__ import annotations

from ..rule import Compliance, Properties, Rule, Siblings, verdict


def check(properties: Properties, _: Siblings) -> Compliance:
    encrypted = str(properties.get("Encrypted", "")).lower() == "true"
    return verdict(encrypted and bool(properties.get("KmsKeyId")))


RULE = Rule(
    id="VmImportEncrypted",
    resource_type="Custom::GoldenAmiVmImport",
    info="The VM import is not encrypted with a KMS key.",
    explanation="ImportImage makes an unencrypted AMI unless Encrypted is true, and uses the account's default EBS key "
    "unless KmsKeyId names one; snapshots encrypted with the default key can be neither shared nor copied to another "
    "account (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ImportImage.html). Encrypt with the "
    "factory's key.",
    check=check,
)
