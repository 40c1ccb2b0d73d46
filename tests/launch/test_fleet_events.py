"""GoldenFleet.on_refresh_failed() against AWS's sample instance refresh event (the matcher and
fixtures of tests/pipeline/test_pipeline_events.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from aws_cdk import aws_ec2 as ec2

from constructs_lib import GoldenFleet, GoldenLaunchTemplate
from tests.conftest import template
from tests.pipeline.test_pipeline_events import PSEUDO, _patterns, _pipeline_stack, matches, resolved, sample


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


def test_not_converged_rule_of_a_fleet_matches_awss_alarm_sample_for_its_rollouts_alarm(tmp_path: Path) -> None:
    from constructs_lib import ImageRollout

    stack, pipeline = _pipeline_stack(tmp_path)
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)
    template_ = GoldenLaunchTemplate(stack, "Template", image=pipeline, instance_type="m7i.large")
    fleet = GoldenFleet(stack, "Fleet", launch_template=template_, vpc=vpc)
    with pytest.raises(ValueError, match=r"on_not_converged: the fleet follows no rollout.*add_fleet"):
        fleet.on_not_converged("Early")
    rollout = ImageRollout(stack, "Rollout", parameter_name=template_.parameter_name)
    rollout.add_fleet(fleet)
    fleet.on_not_converged("NotConverged")
    event = sample("alarm_state_change")
    alarm = stack.get_logical_id(rollout.alarm.node.default_child)  # type: ignore[arg-type]
    rules = template(stack).find_resources("AWS::Events::Rule")
    (raw,) = [r["Properties"]["EventPattern"] for k, r in rules.items() if k.startswith("FleetNotConverged")]
    pattern = resolved(raw, {**PSEUDO, alarm: event["resources"][0]})
    assert matches(pattern, event)
    assert not matches(pattern, {**event, "resources": [event["resources"][0] + "Other"]})
