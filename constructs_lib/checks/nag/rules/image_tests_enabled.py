"""Image pipelines run the recipe's tests."""

from __future__ import annotations

from ..rule import Compliance, Properties, Rule, Siblings, unresolved, verdict


def check(properties: Properties, _: Siblings) -> Compliance:
    enabled = properties.get("ImageTestsConfiguration", {}).get("ImageTestsEnabled", True)
    if unresolved(enabled):
        return Compliance.NOT_APPLICABLE
    return verdict(enabled is not False)


RULE = Rule(
    id="ImageTestsEnabled",
    resource_type="AWS::ImageBuilder::ImagePipeline",
    info="The image pipeline turns image tests off.",
    explanation="Without the test phase an image that does not boot or serve is distributed and launched "
    "everywhere. Leave ImageTestsConfiguration.ImageTestsEnabled on.",
    check=check,
)
