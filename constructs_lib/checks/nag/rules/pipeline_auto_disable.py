"""Scheduled pipelines disable themselves after repeated failures."""

from __future__ import annotations

from ..rule import Compliance, Properties, Rule, Siblings, verdict


def check(properties: Properties, _: Siblings) -> Compliance:
    schedule = properties.get("Schedule")
    if not schedule or not schedule.get("ScheduleExpression"):
        return Compliance.NOT_APPLICABLE
    return verdict(bool(schedule.get("AutoDisablePolicy", {}).get("FailureCount")))


RULE = Rule(
    id="PipelineAutoDisable",
    resource_type="AWS::ImageBuilder::ImagePipeline",
    info="The scheduled pipeline never disables itself, however often it fails.",
    explanation="A pipeline that fails on every run starts a build instance each time and hides the failure in "
    "noise. Set Schedule.AutoDisablePolicy.FailureCount.",
    check=check,
)
