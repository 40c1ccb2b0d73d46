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


def test_three_triggers_invoke_the_function_each_with_a_dead_letter_queue(stack: cdk.Stack) -> None:
    ImageRollout(stack, "Rollout", parameter_name=PARAMETER)
    found = template(stack).find_resources("AWS::Events::Rule")
    patterns = [r["Properties"].get("EventPattern") for r in found.values()]
    assert {
        "source": ["aws.ssm"],
        "detail-type": ["Parameter Store Change"],
        "detail": {"name": [PARAMETER], "operation": ["Create", "Update"]},
    } in patterns
    assert {
        "source": ["aws.autoscaling"],
        "detail-type": [
            "EC2 Auto Scaling Instance Refresh Succeeded",
            "EC2 Auto Scaling Instance Refresh Failed",
            "EC2 Auto Scaling Instance Refresh Cancelled",
            "EC2 Auto Scaling Instance Refresh Rollback Succeeded",
            "EC2 Auto Scaling Instance Refresh Rollback Failed",
        ],
    } in patterns
    assert [
        r["Properties"]["ScheduleExpression"] for r in found.values() if "ScheduleExpression" in r["Properties"]
    ] == ["rate(15 minutes)"]
    queues = template(stack).find_resources("AWS::SQS::Queue")
    target_queue = next(k for k in queues if k.startswith("RolloutTargetDeadLetters"))
    for rule in found.values():
        (target,) = rule["Properties"]["Targets"]
        assert target["RetryPolicy"] == {"MaximumEventAgeInSeconds": 7200, "MaximumRetryAttempts": 2}
        assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [target_queue, "Arn"]}}
    (function,) = template(stack).find_resources("AWS::Lambda::Function").values()
    props = function["Properties"]
    assert props["Handler"] == "index.handler" and props["Runtime"] == "python3.14"
    assert "ReservedConcurrentExecutions" not in props
    assert props["Environment"]["Variables"] == {
        "PARAMETER_NAME": PARAMETER,
        "MAX_GROUPS": "50",
        "CONVERGE_SECONDS": "7200",
    }
    assert "DeadLetterConfig" in props
    assert [s["id"] for s in function["Metadata"]["checkov"]["skip"]] == ["CKV_AWS_117", "CKV_AWS_115", "CKV_AWS_173"]


def test_alarm_fires_when_a_group_has_not_converged(stack: cdk.Stack) -> None:
    rollout = ImageRollout(stack, "Rollout", parameter_name=PARAMETER, schedule=cdk.Duration.minutes(10))
    alarms = template(stack).find_resources("AWS::CloudWatch::Alarm")
    alarm = alarms[stack.get_logical_id(rollout.alarm.node.default_child)]  # type: ignore[arg-type]
    props = alarm["Properties"]
    assert (props["Namespace"], props["MetricName"], props["Statistic"], props["Period"]) == (
        "GoldenAmi/Rollout",
        "GroupsNotConverged",
        "Maximum",
        600,
    )
    assert props["Dimensions"] == [{"Name": "Parameter", "Value": PARAMETER}]
    assert props["Threshold"] == 1 and props["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert props["TreatMissingData"] == "notBreaching"


def test_pins_alarm_fires_when_a_pin_nears_the_end_of_the_parameter_history(stack: cdk.Stack) -> None:
    rollout = ImageRollout(stack, "Rollout", parameter_name=PARAMETER, schedule=cdk.Duration.minutes(10))
    alarms = template(stack).find_resources("AWS::CloudWatch::Alarm")
    props = alarms[stack.get_logical_id(rollout.pins_alarm.node.default_child)]["Properties"]  # type: ignore[arg-type]
    assert (props["Namespace"], props["MetricName"], props["Statistic"], props["Period"]) == (
        "GoldenAmi/Rollout",
        "PinsExpiring",
        "Maximum",
        600,
    )
    assert props["Dimensions"] == [{"Name": "Parameter", "Value": PARAMETER}]
    assert props["Threshold"] == 1 and props["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    # Only the runs that read the history publish it: a period without one keeps the state.
    assert props["TreatMissingData"] == "ignore"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"schedule": cdk.Duration.days(2)}, r"schedule: 2880 minutes is outside"),
        (
            {"converge_within": cdk.Duration.minutes(5)},
            r"converge_within: 5 minutes is outside AWS's range; use one from 15",
        ),
        ({"groups_per_run": 101}, r"groups_per_run: 101 is outside AWS's range; use one from 1 to 100"),
    ],
)
def test_rejects_schedule_convergence_and_page_size_out_of_range(
    stack: cdk.Stack, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        ImageRollout(stack, "Rollout", parameter_name=PARAMETER, **kwargs)


def test_role_may_only_touch_groups_and_templates_tagged_for_the_parameter(stack: cdk.Stack) -> None:
    ImageRollout(stack, "Rollout", parameter_name=PARAMETER)
    found = statements(stack)
    tagged = {"aws:ResourceTag/golden-ami:rollout": PARAMETER}
    assert found["RefreshOptedInGroups"]["Condition"] == {"StringEquals": tagged}
    assert found["RefreshOptedInGroups"]["Action"] == [
        "autoscaling:CancelInstanceRefresh",
        "autoscaling:StartInstanceRefresh",
    ]
    assert found["TagOptedInGroupsWithOwnKeysOnly"] == {
        "Sid": "TagOptedInGroupsWithOwnKeysOnly",
        "Action": "autoscaling:CreateOrUpdateTags",
        "Effect": "Allow",
        "Resource": "arn:aws:autoscaling:eu-west-1:111111111111:autoScalingGroup:*:autoScalingGroupName/*",
        "Condition": {
            "StringEquals": tagged,
            "ForAllValues:StringEquals": {"aws:TagKeys": ["golden-ami:rollout-image", "golden-ami:rollout-state"]},
            "Null": {"aws:TagKeys": "false"},
        },
    }
    assert found["VersionAndPruneOptedInTemplates"]["Condition"] == {"StringEquals": tagged}
    assert found["TagOnLaunch"]["Condition"] == {"StringEquals": {"ec2:CreateAction": "RunInstances"}}
    assert found["PublishNotConverged"]["Condition"] == {"StringEquals": {"cloudwatch:namespace": "GoldenAmi/Rollout"}}
    assert found["ReadAndLabelTheParameter"]["Resource"] == f"arn:aws:ssm:eu-west-1:111111111111:parameter{PARAMETER}"
    # labels.py: the history, and labels removed when their version leaves the window.
    assert found["ReadAndLabelTheParameter"]["Action"] == [
        "ssm:GetParameter",
        "ssm:GetParameterHistory",
        "ssm:LabelParameterVersion",
        "ssm:UnlabelParameterVersion",
    ]
    assert "ec2:DescribeLaunchTemplates" in found["FindGroupsInstancesImagesAndRefreshes"]["Action"]
    assert found["InvokeSelfForTheNextPage"]["Action"] == "lambda:InvokeFunction"
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


def test_alarm_topic_is_notified_when_the_alarm_fires_and_clears(stack: cdk.Stack) -> None:
    from aws_cdk import aws_sns as sns

    topic = sns.Topic(stack, "Pager", enforce_ssl=True)
    ImageRollout(stack, "Rollout", parameter_name=PARAMETER, alarm_topic=topic, groups_per_run=100)
    alarms = template(stack).find_resources("AWS::CloudWatch::Alarm").values()
    topic_ref = {"Ref": stack.get_logical_id(topic.node.default_child)}  # type: ignore[arg-type]
    assert [a["Properties"]["MetricName"] for a in alarms] == ["GroupsNotConverged", "PinsExpiring"]
    for alarm in alarms:
        assert alarm["Properties"]["AlarmActions"] == [topic_ref]
        assert alarm["Properties"]["OKActions"] == [topic_ref]
    (function,) = template(stack).find_resources("AWS::Lambda::Function").values()
    assert function["Properties"]["Environment"]["Variables"]["MAX_GROUPS"] == "100"
