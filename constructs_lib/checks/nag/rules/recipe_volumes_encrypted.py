"""Every EBS volume of an image recipe is encrypted."""

from __future__ import annotations

from ..rule import Compliance, Properties, Rule, Siblings, verdict


def check(properties: Properties, _: Siblings) -> Compliance:
    volumes = [m["Ebs"] for m in properties.get("BlockDeviceMappings", []) if "Ebs" in m]
    if not volumes:
        return Compliance.NOT_APPLICABLE
    return verdict(all(v.get("Encrypted") is True for v in volumes))


RULE = Rule(
    id="RecipeVolumesEncrypted",
    resource_type="AWS::ImageBuilder::ImageRecipe",
    info="The image recipe has an EBS volume that is not encrypted.",
    explanation="Snapshots of unencrypted volumes, and every AMI copied or shared from them, expose the image's "
    "data to anyone who can read the snapshot. Set Encrypted: true on every block device mapping.",
    check=check,
)
