"""GoldenFleet.on_refresh_failed() against AWS's sample instance refresh event (the matcher and
fixtures of tests/pipeline/test_pipeline_events.py)."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import aws_ec2 as ec2

from constructs_lib import GoldenFleet, GoldenLaunchTemplate
from tests.pipeline.test_pipeline_events import _patterns, _pipeline_stack, matches, sample


def test_refresh_failed_rule_matches_awss_sample_for_this_group(tmp_path: Path) -> None:
    stack, pipeline = _pipeline_stack(tmp_path)
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)
    template_ = GoldenLaunchTemplate(stack, "Template", image=pipeline, instance_type="m7i.large")
    fleet = GoldenFleet(stack, "Fleet", launch_template=template_, vpc=vpc)
    fleet.on_refresh_failed("RefreshFailed")
    event = sample("instance_refresh_failed")
    group = stack.get_logical_id(fleet.group.node.default_child)  # type: ignore[arg-type]
    (pattern,) = _patterns(stack, {group: "my-asg"}).values()
    assert matches(pattern, event)
    for outcome in ("Rollback Succeeded", "Rollback Failed"):
        assert matches(pattern, {**event, "detail-type": f"EC2 Auto Scaling Instance Refresh {outcome}"})
    assert not matches(pattern, {**event, "detail-type": "EC2 Auto Scaling Instance Refresh Succeeded"})
    (other,) = _patterns(stack, {group: "another-asg"}).values()
    assert not matches(other, event)
