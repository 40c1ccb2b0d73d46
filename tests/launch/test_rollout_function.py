"""The rollout function against moto (SSM, EC2) and botocore's Stubber (Auto Scaling's instance
refresh calls, which moto lacks). No test reaches AWS."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber
from moto import mock_aws

from constructs_lib.launch.rollout_function.index import (
    IMAGE_TAG,
    PREFERENCES_TAG,
    ROLLOUT_TAG,
    RolloutError,
    parse_preferences,
    rollout,
)

REGION = "eu-west-1"
PARAMETER = "/golden-ami/web-server/latest"


def event(operation: str = "Update", name: str = PARAMETER) -> dict[str, Any]:
    return {
        "source": "aws.ssm",
        "detail-type": "Parameter Store Change",
        "detail": {"name": name, "operation": operation, "type": "String"},
    }


class World:
    """moto's SSM and EC2 with two AMIs, a launch template and running instances."""

    def __init__(self) -> None:
        self.ssm = boto3.client("ssm", region_name=REGION)
        self.ec2 = boto3.client("ec2", region_name=REGION)
        self.autoscaling = boto3.client("autoscaling", region_name=REGION)
        images = self.ec2.describe_images(Owners=["amazon"])["Images"]
        self.old, self.new = images[0]["ImageId"], images[1]["ImageId"]
        self.ssm.put_parameter(Name=PARAMETER, Value=self.new, Type="String")
        self.template = self.ec2.create_launch_template(
            LaunchTemplateName="web", LaunchTemplateData={"ImageId": f"resolve:ssm:{PARAMETER}"}
        )["LaunchTemplate"]["LaunchTemplateId"]

    def instances(self, image: str, count: int = 2) -> list[dict[str, str]]:
        run = self.ec2.run_instances(ImageId=image, MinCount=count, MaxCount=count)
        return [{"InstanceId": i["InstanceId"]} for i in run["Instances"]]

    def group(self, name: str, instances: list[dict[str, str]], **tags: str) -> dict[str, Any]:
        all_tags = {ROLLOUT_TAG: PARAMETER, PREFERENCES_TAG: "min=90;checkpoints=50,100;delay=600;warmup=120", **tags}
        return {
            "AutoScalingGroupName": name,
            "Instances": instances,
            "LaunchTemplate": {"LaunchTemplateId": self.template, "Version": "1"},
            "Tags": [{"Key": k, "Value": v} for k, v in all_tags.items()],
        }


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(key, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        yield World()


def describe(stub: Stubber, *groups: dict[str, Any]) -> None:
    stub.add_response(
        "describe_auto_scaling_groups",
        {"AutoScalingGroups": [_full(g) for g in groups]},
        {"Filters": [{"Name": f"tag:{ROLLOUT_TAG}", "Values": [PARAMETER]}]},
    )


def _full(group: dict[str, Any]) -> dict[str, Any]:
    return {
        "MinSize": 1,
        "MaxSize": 4,
        "DesiredCapacity": len(group["Instances"]),
        "DefaultCooldown": 300,
        "AvailabilityZones": [f"{REGION}a"],
        "HealthCheckType": "EC2",
        "CreatedTime": "2026-11-01T00:00:00Z",
        **{
            **group,
            "Instances": [
                {
                    "InstanceId": i["InstanceId"],
                    "AvailabilityZone": f"{REGION}a",
                    "LifecycleState": "InService",
                    "HealthStatus": "Healthy",
                    "ProtectedFromScaleIn": False,
                }
                for i in group["Instances"]
            ],
        },
    }


def no_refresh_running(stub: Stubber, name: str) -> None:
    stub.add_response(
        "describe_instance_refreshes",
        {"InstanceRefreshes": [{"InstanceRefreshId": "old", "Status": "Successful"}]},
        {"AutoScalingGroupName": name, "MaxRecords": 1},
    )


def expect_refresh(stub: Stubber, world: World, name: str, version: int, rollback: bool = True) -> None:
    stub.add_response(
        "start_instance_refresh",
        {"InstanceRefreshId": f"refresh-{name}"},
        {
            "AutoScalingGroupName": name,
            "Strategy": "Rolling",
            "DesiredConfiguration": {"LaunchTemplate": {"LaunchTemplateId": world.template, "Version": str(version)}},
            "Preferences": {
                "SkipMatching": False,
                "MinHealthyPercentage": 90,
                "CheckpointPercentages": [50, 100],
                "CheckpointDelay": 600,
                "InstanceWarmup": 120,
                "AutoRollback": rollback,
            },
        },
    )


def expect_tag(stub: Stubber, world: World, name: str) -> None:
    stub.add_response(
        "create_or_update_tags",
        {},
        {
            "Tags": [
                {
                    "ResourceId": name,
                    "ResourceType": "auto-scaling-group",
                    "Key": IMAGE_TAG,
                    "Value": world.new,
                    "PropagateAtLaunch": False,
                }
            ]
        },
    )


def run(world: World, stub: Stubber, evt: dict[str, Any] | None = None) -> dict[str, str]:
    with stub:
        outcome = rollout(evt or event(), ssm=world.ssm, ec2=world.ec2, autoscaling=world.autoscaling)
    stub.assert_no_pending_responses()
    return outcome


def test_success_starts_a_refresh_on_a_numbered_version_with_the_new_ami(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    group = world.group("web", world.instances(world.old))
    stub = Stubber(world.autoscaling)
    describe(stub, group)
    no_refresh_running(stub, "web")
    expect_refresh(stub, world, "web", version=2)
    expect_tag(stub, world, "web")
    with caplog.at_level(logging.INFO):
        assert run(world, stub) == {"web": "started: launch template version 2"}
    version = world.ec2.describe_launch_template_versions(LaunchTemplateId=world.template, Versions=["2"])
    assert version["LaunchTemplateVersions"][0]["LaunchTemplateData"]["ImageId"] == world.new
    assert f'"group": "web", "image": "{world.new}", "outcome": "started' in caplog.text


def test_repeat_event_for_the_same_image_does_nothing(world: World) -> None:
    group = world.group("web", world.instances(world.old), **{IMAGE_TAG: world.new})
    stub = Stubber(world.autoscaling)
    describe(stub, group)  # and nothing else: no refresh, no tag, no new version
    assert run(world, stub) == {"web": f"skipped: a refresh to {world.new} was already started"}
    versions = world.ec2.describe_launch_template_versions(LaunchTemplateId=world.template)
    assert len(versions["LaunchTemplateVersions"]) == 1


def test_group_already_running_the_image_is_skipped(world: World) -> None:
    group = world.group("web", world.instances(world.new))
    stub = Stubber(world.autoscaling)
    describe(stub, group)
    assert run(world, stub) == {"web": f"skipped: every instance already runs {world.new}"}


def test_group_with_a_refresh_in_progress_is_skipped(world: World) -> None:
    group = world.group("web", world.instances(world.old))
    stub = Stubber(world.autoscaling)
    describe(stub, group)
    stub.add_response(
        "describe_instance_refreshes",
        {"InstanceRefreshes": [{"InstanceRefreshId": "r-1", "Status": "InProgress"}]},
        {"AutoScalingGroupName": "web", "MaxRecords": 1},
    )
    assert run(world, stub) == {"web": "skipped: instance refresh r-1 is InProgress"}


def test_empty_group_is_skipped(world: World) -> None:
    stub = Stubber(world.autoscaling)
    describe(stub, world.group("web", []))
    assert run(world, stub) == {"web": "skipped: no instances; new instances launch the latest AMI"}


def test_aws_error_on_one_group_does_not_stop_the_others_and_fails_the_invocation(world: World) -> None:
    first = world.group("api", world.instances(world.old))
    second = world.group("web", world.instances(world.old))
    stub = Stubber(world.autoscaling)
    describe(stub, first, second)
    no_refresh_running(stub, "api")
    stub.add_client_error(
        "start_instance_refresh", service_error_code="ResourceContention", service_message="busy", http_status_code=500
    )
    no_refresh_running(stub, "web")
    expect_refresh(stub, world, "web", version=3)
    expect_tag(stub, world, "web")
    with pytest.raises(RolloutError, match=r"instance refresh failed for api"), stub:
        rollout(event(), ssm=world.ssm, ec2=world.ec2, autoscaling=world.autoscaling)
    stub.assert_no_pending_responses()


def test_first_refresh_after_deploy_falls_back_to_no_automatic_rollback(world: World) -> None:
    group = world.group("web", world.instances(world.old))
    stub = Stubber(world.autoscaling)
    describe(stub, group)
    no_refresh_running(stub, "web")
    stub.add_client_error(
        "start_instance_refresh",
        service_error_code="ValidationError",
        service_message="Rollback is not supported when the launch template uses an SSM parameter",
        expected_params={
            "AutoScalingGroupName": "web",
            "Strategy": "Rolling",
            "DesiredConfiguration": ANY,
            "Preferences": ANY,
        },
    )
    expect_refresh(stub, world, "web", version=2, rollback=False)
    expect_tag(stub, world, "web")
    outcome = run(world, stub)
    assert outcome["web"].startswith("started: launch template version 2 (without automatic rollback")


def test_other_operations_are_ignored(world: World) -> None:
    stub = Stubber(world.autoscaling)  # no call expected
    assert run(world, stub, event(operation="Delete")) == {}


def test_missing_parameter_is_an_error(world: World) -> None:
    stub = Stubber(world.autoscaling)
    with pytest.raises(world.ssm.exceptions.ParameterNotFound):
        run(world, stub, event(name="/golden-ami/missing/latest"))


def test_preferences_default_to_automatic_rollback() -> None:
    assert parse_preferences("") == {"SkipMatching": False, "AutoRollback": True}
    assert parse_preferences("min=100;max=200;rollback=false") == {
        "SkipMatching": False,
        "MinHealthyPercentage": 100,
        "MaxHealthyPercentage": 200,
        "AutoRollback": False,
    }
