from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam

from constructs_lib import GoldenFleet, GoldenLaunchTemplate, ImageRollout, InstanceRefresh
from tests.conftest import lint_errors, synth_with_nag, template
from tests.launch.test_fleet import vpc

PARAMETER = "/golden-ami/web/latest"


def statements(stack: cdk.Stack) -> dict[str, dict[str, Any]]:
    policies = template(stack).find_resources("AWS::IAM::Policy")
    found: dict[str, dict[str, Any]] = {}
    for policy in policies.values():
        for i, s in enumerate(policy["Properties"]["PolicyDocument"]["Statement"]):
            found[s.get("Sid", f"unnamed{i}")] = s
    return found


def fleet(stack: cdk.Stack, **kwargs: Any) -> GoldenFleet:
    role = iam.Role(stack, "InstanceRole", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))
    launch = GoldenLaunchTemplate(
        stack, "Template", parameter_name=PARAMETER, instance_type="m7i.large", role=role, **kwargs
    )
    return GoldenFleet(stack, "Fleet", launch_template=launch, vpc=vpc(stack))


def test_rule_follows_the_parameter_and_invokes_the_function(stack: cdk.Stack) -> None:
    ImageRollout(stack, "Rollout", parameter_name=PARAMETER)
    (rule,) = template(stack).find_resources("AWS::Events::Rule").values()
    assert rule["Properties"]["EventPattern"] == {
        "source": ["aws.ssm"],
        "detail-type": ["Parameter Store Change"],
        "detail": {"name": [PARAMETER], "operation": ["Create", "Update"]},
    }
    target = rule["Properties"]["Targets"][0]
    assert target["RetryPolicy"] == {"MaximumEventAgeInSeconds": 7200, "MaximumRetryAttempts": 2}
    (function,) = template(stack).find_resources("AWS::Lambda::Function").values()
    props = function["Properties"]
    assert props["Handler"] == "index.handler" and props["Runtime"] == "python3.14"
    assert props["ReservedConcurrentExecutions"] == 1
    assert "DeadLetterConfig" in props
    assert function["Metadata"]["checkov"]["skip"][0]["id"] == "CKV_AWS_117"


def test_role_may_only_touch_groups_and_templates_tagged_for_the_parameter(stack: cdk.Stack) -> None:
    ImageRollout(stack, "Rollout", parameter_name=PARAMETER)
    found = statements(stack)
    tagged = {"StringEquals": {"aws:ResourceTag/golden-ami:rollout": PARAMETER}}
    assert found["RefreshAndTagOptedInGroups"]["Condition"] == tagged
    assert found["RefreshAndTagOptedInGroups"]["Action"] == [
        "autoscaling:CreateOrUpdateTags",
        "autoscaling:StartInstanceRefresh",
    ]
    assert found["VersionOptedInTemplates"]["Condition"] == tagged
    assert found["ReadTheParameter"]["Resource"] == f"arn:aws:ssm:eu-west-1:111111111111:parameter{PARAMETER}"
    (role,) = template(stack).find_resources("AWS::IAM::Role").values()
    assert "ManagedPolicyArns" not in role["Properties"]


def test_add_fleet_grants_launch_with_its_template_and_pass_its_role(stack: cdk.Stack) -> None:
    rollout = ImageRollout(stack, "Rollout", parameter_name=PARAMETER)
    rollout.add_fleet(fleet(stack))
    found = statements(stack)
    run = next(s for s in found.values() if s["Action"] == "ec2:RunInstances")
    assert "launch-template/" in json.dumps(run["Condition"]["ArnLike"]["ec2:LaunchTemplate"])
    passes = [s for s in found.values() if s["Action"] == "iam:PassRole"]
    assert len(passes) == 1
    # Only to EC2 ("IAM role for applications that run on Amazon EC2 instances", us-iam-role.html).
    assert passes[0]["Condition"] == {
        "StringEquals": {"iam:PassedToService": ["ec2.amazonaws.com", "ec2.amazonaws.com.cn"]}
    }
    assert not lint_errors(template(stack).to_json())
    synth_with_nag(stack)


def test_add_fleet_rejects_another_parameter_and_opted_out_fleets(stack: cdk.Stack) -> None:
    rollout = ImageRollout(stack, "Rollout", parameter_name="/golden-ami/api/latest")
    with pytest.raises(
        ValueError, match=r"add_fleet: the fleet launches '/golden-ami/web/latest', but this rollout follows"
    ):
        rollout.add_fleet(fleet(stack))
    other = cdk.Stack(
        stack.node.root, "Other", env=stack.environment and cdk.Environment(account="111111111111", region="eu-west-1")
    )  # type: ignore[arg-type]
    pinned = ImageRollout(other, "Rollout", parameter_name=PARAMETER)
    with pytest.raises(ValueError, match=r"add_fleet: the fleet opted out of refreshes"):
        pinned.add_fleet(fleet(other, pin=2))


def test_rejects_a_bad_parameter_name(stack: cdk.Stack) -> None:
    with pytest.raises(ValueError, match=r"parameter_name: 'latest' is not an SSM parameter name"):
        ImageRollout(stack, "Rollout", parameter_name="latest")


def test_refresh_preferences_reach_the_function_through_the_group_tag(stack: cdk.Stack) -> None:
    from constructs_lib.launch.rollout_function.index import parse_preferences

    refresh = InstanceRefresh(min_healthy_percentage=75, checkpoints=(20, 100), checkpoint_delay_seconds=900)
    assert parse_preferences(refresh.tag_value()) == {
        "SkipMatching": False,
        "MinHealthyPercentage": 75,
        "MaxHealthyPercentage": 100,
        "CheckpointPercentages": [20, 100],
        "CheckpointDelay": 900,
        "InstanceWarmup": 300,
        "AutoRollback": True,
    }
