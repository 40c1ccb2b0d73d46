"""Failed build instances are terminated."""

from __future__ import annotations

from ..rule import Compliance, Properties, Rule, Siblings, unresolved, verdict


def check(properties: Properties, _: Siblings) -> Compliance:
    value = properties.get("TerminateInstanceOnFailure")
    if unresolved(value):
        return Compliance.NOT_APPLICABLE
    return verdict(value is True)


RULE = Rule(
    id="BuildInstancesTerminateOnFailure",
    resource_type="AWS::ImageBuilder::InfrastructureConfiguration",
    info="The build infrastructure does not state that failed build instances are terminated.",
    explanation="A failed build instance left running keeps its role, costs money and drifts out of patching. "
    "Set TerminateInstanceOnFailure: true; keep instances only while debugging, on purpose.",
    check=check,
)
