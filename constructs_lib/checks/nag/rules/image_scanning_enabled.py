"""Image pipelines scan their images for vulnerabilities."""

from __future__ import annotations

from ..rule import Compliance, Properties, Rule, Siblings, unresolved, verdict


def check(properties: Properties, _: Siblings) -> Compliance:
    enabled = properties.get("ImageScanningConfiguration", {}).get("ImageScanningEnabled")
    if unresolved(enabled):
        return Compliance.NOT_APPLICABLE
    return verdict(enabled is True)


RULE = Rule(
    id="ImageScanningEnabled",
    resource_type="AWS::ImageBuilder::ImagePipeline",
    info="The image pipeline does not scan its images for vulnerabilities.",
    explanation="Golden images are launched everywhere; a known vulnerability in one is in every fleet. Set "
    "ImageScanningConfiguration.ImageScanningEnabled: true (it needs Amazon Inspector in the account).",
    check=check,
)
