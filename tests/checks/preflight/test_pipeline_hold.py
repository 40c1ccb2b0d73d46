"""GA-P018: a pipeline's status survives a deploy only when its hold repeats every other property
of it (good and bad assemblies, as ``assemble`` takes them)."""

from __future__ import annotations

import copy
from typing import Any

from constructs_lib.checks.preflight import Severity
from constructs_lib.checks.preflight.rules import pipeline_hold
from tests.checks.preflight.scenario import assemble

F = "111111111111"
PROPERTIES = {
    "Name": "web",
    "ImageRecipeArn": {"Fn::GetAtt": ["Recipe", "Arn"]},
    "Schedule": {"ScheduleExpression": "cron(0 4 ? * SUN *)"},
    "Tags": {"team": "platform"},
}
REVOKER = {"Revoker": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "GoldenAmiRevoker"}}}


def factory(status: Any = None, watch: Any = None) -> dict[str, dict[str, Any]]:
    pipeline = {**copy.deepcopy(PROPERTIES), "Status": status or {"Fn::GetAtt": ["Hold", "Status"]}}
    hold = {
        "Type": "Custom::PipelineHold",
        "Properties": {
            "Name": "/golden-ami/web/status",
            "Watch": copy.deepcopy(PROPERTIES) if watch is None else watch,
        },
    }
    resources = {
        "Pipeline": {"Type": "AWS::ImageBuilder::ImagePipeline", "Properties": pipeline},
        "Hold": hold,
        **REVOKER,
    }
    return {"Factory": {"account": F, "region": "eu-west-1", "resources": resources}}


def findings(stacks: dict[str, dict[str, Any]]) -> list[tuple[Severity, tuple[str, ...], str]]:
    return [(f.severity, f.resources, f.message) for f in pipeline_hold.RULE.check(assemble(stacks))]


def test_good_a_pipeline_whose_hold_repeats_every_other_property() -> None:
    assert findings(factory()) == []


def test_bad_a_hold_that_misses_a_property_or_repeats_it_otherwise() -> None:
    watch = {k: v for k, v in PROPERTIES.items() if k != "Schedule"}
    watch["Tags"] = {"team": "other"}
    ((severity, resources, message),) = findings(factory(watch=watch))
    assert (severity, resources) == (Severity.ERROR, ("Factory/Pipeline", "Factory/Hold"))
    assert message == (
        "its hold does not repeat Schedule, Tags, so a deploy that changes only that updates the pipeline with the "
        "status the hold read last, enabling a pipeline a revoke disabled; give the hold every property of the "
        "pipeline but Status (PipelineHolds does)"
    )


def test_bad_a_fixed_status_where_the_revoke_command_can_act() -> None:
    ((severity, resources, message),) = findings(factory(status="ENABLED"))
    assert (severity, resources) == (Severity.WARNING, ("Factory/Pipeline",))
    assert message.startswith("its status is fixed in the template, so the next deploy that changes it enables")


def test_a_fixed_status_without_the_revoke_command_is_not_reported() -> None:
    stacks = factory(status="ENABLED")
    stacks["Factory"]["resources"].pop("Revoker")
    assert findings(stacks) == []


def test_a_pipeline_created_disabled_is_not_reported() -> None:
    assert findings(factory(status="DISABLED")) == []
