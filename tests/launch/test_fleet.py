from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2

from constructs_lib import GoldenFleet, GoldenLaunchTemplate, InstanceRefresh
from tests.conftest import template


def vpc(stack: cdk.Stack) -> ec2.IVpc:
    """An existing VPC with two isolated subnets, as platform teams usually bring one."""
    return ec2.Vpc.from_vpc_attributes(
        stack,
        "Vpc",
        vpc_id="vpc-0123456789abcdef0",
        availability_zones=["eu-west-1a", "eu-west-1b"],
        isolated_subnet_ids=["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
    )


def group(stack: cdk.Stack) -> dict[str, Any]:
    (resource,) = template(stack).find_resources("AWS::AutoScaling::AutoScalingGroup").values()
    props: dict[str, Any] = resource["Properties"]
    return props


def tags(props: dict[str, Any]) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in props.get("Tags", [])}


def test_defaults_opt_in_to_rollouts_with_safe_preferences(stack: cdk.Stack) -> None:
    launch = GoldenLaunchTemplate(stack, "Template", parameter_name="/golden-ami/web/latest", instance_type="m7i.large")
    GoldenFleet(stack, "Fleet", launch_template=launch, vpc=vpc(stack))
    props = group(stack)
    assert props["MinSize"] == "1" and props["MaxSize"] == "2"
    assert tags(props)["golden-ami:rollout"] == "/golden-ami/web/latest"
    assert tags(props)["golden-ami:refresh"] == "min=90;max=100;checkpoints=50,100;delay=600;warmup=300;rollback=true"
    assert all(not t["PropagateAtLaunch"] for t in props["Tags"] if t["Key"].startswith("golden-ami:"))
    assert props["MetricsCollection"] == [{"Granularity": "1Minute"}]
    (lt,) = template(stack).find_resources("AWS::EC2::LaunchTemplate").values()
    assert {"Key": "golden-ami:rollout", "Value": "/golden-ami/web/latest"} in lt["Properties"]["TagSpecifications"][0][
        "Tags"
    ]


def test_pinned_template_and_refresh_none_do_not_roll(stack: cdk.Stack) -> None:
    pinned = GoldenLaunchTemplate(
        stack, "Pinned", parameter_name="/golden-ami/web/latest", pin=4, instance_type="m7i.large"
    )
    fleet = GoldenFleet(stack, "Fleet", launch_template=pinned, vpc=vpc(stack))
    assert fleet.refresh is None
    assert "golden-ami:rollout" not in tags(group(stack))


def test_custom_refresh_preferences() -> None:
    refresh = InstanceRefresh(
        min_healthy_percentage=50,
        max_healthy_percentage=150,
        checkpoints=(),
        instance_warmup_seconds=0,
        auto_rollback=False,
    )
    assert refresh.tag_value() == "min=50;max=150;warmup=0;rollback=false"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"min_healthy_percentage": 101},
            r"refresh.min_healthy_percentage: 101% is outside AWS's range; use one from 0 to 100%",
        ),
        (
            {"max_healthy_percentage": 99},
            r"refresh.max_healthy_percentage: 99% is outside AWS's range; use one from 100 to 200%",
        ),
        ({"min_healthy_percentage": 0, "max_healthy_percentage": 150}, r"more than 100 above min_healthy_percentage"),
        ({"checkpoints": (50, 20, 100)}, r"refresh.checkpoints: \(50, 20, 100\) must rise strictly"),
        ({"checkpoints": (20, 50)}, r"refresh.checkpoints: \(20, 50\) ends below 100"),
        ({"checkpoints": (0, 100)}, r"refresh.checkpoints: 0% is outside AWS's range; use one from 1 to 100%"),
        (
            {"checkpoint_delay_seconds": 172_801},
            r"refresh.checkpoint_delay_seconds: 172801 s is outside AWS's range; use one from 0 to 172800 s",
        ),
        ({"instance_warmup_seconds": -1}, r"refresh.instance_warmup_seconds: -1 s is outside"),
    ],
)
def test_refresh_rejects_settings_outside_aws_ranges(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        InstanceRefresh(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"min_capacity": 3, "max_capacity": 2},
            r"^min_capacity: 3 is above max_capacity \(2\); a group cannot keep more instances than it may hold: "
            r"raise max_capacity to at least 3 or lower min_capacity$",
        ),
        ({"max_capacity": 0}, r"max_capacity: 0 is outside AWS's range; use one from 1 to 10000"),
        (
            {"desired_capacity": 5},
            r"^desired_capacity: 5 is outside the group's own bounds, min_capacity 1 to max_capacity 2; give one "
            r"within them$",
        ),
    ],
)
def test_rejects_capacities_that_do_not_fit(stack: cdk.Stack, kwargs: dict[str, Any], message: str) -> None:
    launch = GoldenLaunchTemplate(stack, "Template", parameter_name="/x", instance_type="t3.micro")
    with pytest.raises(ValueError, match=message):
        GoldenFleet(stack, "Fleet", launch_template=launch, vpc=vpc(stack), **kwargs)


def test_rejects_a_template_without_instance_type(stack: cdk.Stack) -> None:
    launch = GoldenLaunchTemplate(stack, "Template", parameter_name="/x")
    with pytest.raises(ValueError, match=r"launch_template: it names no instance type"):
        GoldenFleet(stack, "Fleet", launch_template=launch, vpc=vpc(stack))
