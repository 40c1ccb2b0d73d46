"""PipelineHolds: one retained hold per held pipeline repeating every other property of it, one
function per stack allowed to read and create status parameters only (synthesis)."""

from __future__ import annotations

import aws_cdk as cdk
import pytest

from constructs_lib.bake.version_lock import VersionLock
from tests.conftest import lint_errors, make_pipeline, make_stack, synth_with_nag, template


def test_a_held_pipeline_takes_its_status_from_a_retained_hold_that_repeats_the_rest(
    stack: cdk.Stack, lock: VersionLock
) -> None:
    made = make_pipeline(stack, lock, hold_status=True)
    t = template(stack).to_json()
    (pipeline_id, pipeline), (hold_id, hold) = (
        next((k, r) for k, r in t["Resources"].items() if r["Type"] == kind)
        for kind in ("AWS::ImageBuilder::ImagePipeline", "Custom::PipelineHold")
    )
    assert pipeline["Properties"]["Status"] == {"Fn::GetAtt": [hold_id, "Status"]}
    assert hold["Properties"]["Name"] == "/golden-ami/web/status" == made.status_parameter
    assert hold["Properties"]["Watch"] == {k: v for k, v in pipeline["Properties"].items() if k != "Status"}
    assert (hold["DeletionPolicy"], hold["UpdateReplacePolicy"]) == ("Retain", "Retain")
    (policy,) = [
        r for r in t["Resources"].values() if r["Type"] == "AWS::IAM::Policy" and "Holds" in str(r["Properties"])
    ]
    statements = {s["Sid"]: s for s in policy["Properties"]["PolicyDocument"]["Statement"]}
    assert statements["ReadStatusParameters"]["Action"] == ["ssm:GetParameter", "ssm:PutParameter"]
    assert statements["ReadStatusParameters"]["Resource"] == (
        f"arn:aws:ssm:{stack.region}:{stack.account}:parameter/golden-ami/*/status"
    )
    assert set(statements) == {"WriteOwnLogs", "ReadStatusParameters"}
    assert pipeline_id
    assert not lint_errors(t)
    synth_with_nag(stack)


def test_settings_made_after_the_hold_are_repeated_too(stack: cdk.Stack, lock: VersionLock) -> None:
    made = make_pipeline(stack, lock, hold_status=True)
    made.resource.description = "changed after construction"
    cdk.Tags.of(stack).add("cost-centre", "42")
    t = template(stack).to_json()
    (hold,) = [r for r in t["Resources"].values() if r["Type"] == "Custom::PipelineHold"]
    assert hold["Properties"]["Watch"]["Description"] == "changed after construction"
    assert hold["Properties"]["Watch"]["Tags"]["cost-centre"] == "42"


def test_one_function_per_stack_whatever_the_number_of_held_pipelines(stack: cdk.Stack, lock: VersionLock) -> None:
    make_pipeline(stack, lock, hold_status=True)
    make_pipeline(stack, lock, construct_id="Api", image_name="api", hold_status=True)
    t = template(stack)
    assert len(t.find_resources("Custom::PipelineHold")) == 2
    assert len(t.find_resources("AWS::Lambda::Function")) == 1


def test_a_pipeline_not_held_has_no_hold_and_no_function(stack: cdk.Stack, lock: VersionLock) -> None:
    made = make_pipeline(stack, lock)
    t = template(stack)
    assert not t.find_resources("Custom::PipelineHold") and not t.find_resources("AWS::Lambda::Function")
    assert made.status_parameter is None


def test_a_bad_name_is_refused_before_a_hold_is_made() -> None:
    from constructs_lib.retire.pipeline_holds import PipelineHolds

    stack = make_stack()
    with pytest.raises(ValueError) as raised:
        PipelineHolds.of(stack).hold(stack, cdk.CfnResource(stack, "R", type="AWS::ImageBuilder::ImagePipeline"), "a/b")
    assert str(raised.value).startswith("image_name: 'a/b' is not a valid Image Builder name")
