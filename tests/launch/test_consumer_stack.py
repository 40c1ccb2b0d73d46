from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
import pytest

from constructs_lib import (
    Architecture,
    BaseImage,
    ConsumerStack,
    FleetNetwork,
    OperatingSystem,
    RegionTarget,
    VersionLock,
)
from tests.conftest import lint_errors, make_pipeline, make_stack, synth_with_nag


def test_builds_template_fleet_and_rollout_without_lookups(lock: VersionLock) -> None:
    home = make_stack()
    pipeline = make_pipeline(home, lock, distributions=[RegionTarget(region="us-east-1")])
    app = home.node.root
    assert isinstance(app, cdk.App)
    east = ConsumerStack(app, "East", image=pipeline, env=cdk.Environment(account="111111111111", region="us-east-1"))
    t = cdk.assertions.Template.from_stack(east).to_json()
    types = sorted({r["Type"] for r in t["Resources"].values()})
    for expected in (
        "AWS::AutoScaling::AutoScalingGroup",
        "AWS::EC2::LaunchTemplate",
        "AWS::EC2::FlowLog",
        "AWS::Events::Rule",
        "AWS::Lambda::Function",
        "AWS::KMS::Key",
        "AWS::SQS::Queue",
    ):
        assert expected in types
    subnets = [r["Properties"]["AvailabilityZone"] for r in t["Resources"].values() if r["Type"] == "AWS::EC2::Subnet"]
    assert subnets == [{"Fn::Select": [0, {"Fn::GetAZs": ""}]}, {"Fn::Select": [1, {"Fn::GetAZs": ""}]}]
    groups = [r for r in t["Resources"].values() if r["Type"] == "AWS::EC2::SecurityGroup"]
    assert all("SecurityGroupIngress" not in g["Properties"] for g in groups)
    assert not lint_errors(t, "us-east-1")
    manifest = json.loads((Path(app.synth().directory) / "manifest.json").read_text())
    assert "missing" not in manifest, "synthesis asked for a context lookup"
    synth_with_nag(east)


def test_arm64_image_gets_a_graviton_default(lock: VersionLock) -> None:
    home = make_stack()
    arm = make_pipeline(
        home, lock, base_image=BaseImage.aws_managed(OperatingSystem.AMAZON_LINUX_2023, Architecture.ARM64)
    )
    stack = ConsumerStack(
        home.node.root, "Arm", image=arm, env=cdk.Environment(account="111111111111", region="eu-west-1")
    )  # type: ignore[arg-type]
    assert stack.launch_template.instance_type == "m7g.large"


def test_pinned_consumers_have_no_rollout(lock: VersionLock) -> None:
    home = make_stack()
    pipeline = make_pipeline(home, lock)
    stack = ConsumerStack(
        home.node.root,
        "Pinned",
        image=pipeline,
        pin="stable",
        env=cdk.Environment(account="111111111111", region="eu-west-1"),
    )  # type: ignore[arg-type]
    assert stack.rollout is None
    assert stack.launch_template.image_id == "resolve:ssm:/golden-ami/web/latest:stable"


def test_rejects_a_region_the_image_is_not_distributed_to(lock: VersionLock) -> None:
    home = make_stack()
    pipeline = make_pipeline(home, lock)
    with pytest.raises(ValueError, match=r"region: 'web' publishes no latest-AMI parameter in us-west-2"):
        ConsumerStack(
            home.node.root, "West", image=pipeline, env=cdk.Environment(account="111111111111", region="us-west-2")
        )  # type: ignore[arg-type]


def test_rejects_both_or_neither_of_image_and_fleets(lock: VersionLock) -> None:
    from constructs_lib.launch.consumer_stack import ConsumerFleet

    home = make_stack()
    pipeline = make_pipeline(home, lock)
    env = cdk.Environment(account="111111111111", region="eu-west-1")
    with pytest.raises(
        ValueError, match=r"image: give image= for one fleet or fleets= for several, not both or neither"
    ):
        ConsumerStack(home.node.root, "Neither", env=env)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"image: give image= for one fleet or fleets= for several"):
        ConsumerStack(home.node.root, "Both", image=pipeline, fleets=[ConsumerFleet(image=pipeline)], env=env)  # type: ignore[arg-type]


def test_a_fleet_runs_in_a_network_named_by_id(lock: VersionLock) -> None:
    """Platform teams' own networks: subnets and security groups by ID, no VPC made, no lookup."""
    home = make_stack()
    pipeline = make_pipeline(home, lock, distributions=[RegionTarget(region="us-east-1")])
    app = home.node.root
    assert isinstance(app, cdk.App)
    network = FleetNetwork(
        vpc_id="vpc-0123456789abcdef0",
        subnet_ids=("subnet-0123456789abcdef0", "subnet-0123456789abcdef1"),
        security_group_ids=("sg-0123456789abcdef0", "sg-0123456789abcdef1"),
    )
    east = ConsumerStack(
        app, "East", image=pipeline, network=network, env=cdk.Environment(account="111111111111", region="us-east-1")
    )
    t = cdk.assertions.Template.from_stack(east).to_json()
    types = {r["Type"] for r in t["Resources"].values()}
    assert not types & {"AWS::EC2::VPC", "AWS::EC2::Subnet", "AWS::EC2::SecurityGroup", "AWS::EC2::FlowLog"}
    (group,) = [r["Properties"] for r in t["Resources"].values() if r["Type"] == "AWS::AutoScaling::AutoScalingGroup"]
    assert group["VPCZoneIdentifier"] == ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
    (launch,) = [r["Properties"] for r in t["Resources"].values() if r["Type"] == "AWS::EC2::LaunchTemplate"]
    assert launch["LaunchTemplateData"]["NetworkInterfaces"][0]["Groups"] == [
        "sg-0123456789abcdef0",
        "sg-0123456789abcdef1",
    ]
    assert east.vpc is None and east.security_group is None
    # Subnets by ID have no route table, which nothing reads: CDK's warning is acknowledged, not printed.
    warnings = cdk.assertions.Annotations.from_stack(east).find_warning("*", cdk.assertions.Match.any_value())
    assert not [w for w in warnings if "routeTableId" in str(w.entry.data)]
    assert not lint_errors(t, "us-east-1")
    manifest = json.loads((Path(app.synth().directory) / "manifest.json").read_text())
    assert "missing" not in manifest, "synthesis asked for a context lookup"
    synth_with_nag(east)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"vpc_id": "vpc-1"}, r"network.vpc_id: 'vpc-1' is not a vpc ID"),
        ({"subnet_ids": ()}, r"network.subnet_ids: none given"),
        ({"subnet_ids": ("sg-01234567",)}, r"network.subnet_ids: 'sg-01234567' is not a subnet ID"),
        ({"security_group_ids": ()}, r"network.security_group_ids: none given"),
    ],
)
def test_rejects_a_fleet_network_that_is_not_ids(kwargs: dict[str, object], message: str) -> None:
    props: dict[str, object] = {
        "vpc_id": "vpc-01234567",
        "subnet_ids": ("subnet-01234567",),
        "security_group_ids": ("sg-01234567",),
    }
    with pytest.raises(ValueError, match=message):
        FleetNetwork(**{**props, **kwargs})  # type: ignore[arg-type]
