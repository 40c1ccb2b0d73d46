from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam

from constructs_lib import (
    Architecture,
    BaseImage,
    DataVolume,
    GoldenLaunchTemplate,
    OperatingSystem,
    RegionTarget,
    RootVolume,
    VersionLock,
)
from tests.conftest import lint_errors, make_pipeline, make_stack, template


def data(stack: cdk.Stack) -> dict[str, Any]:
    (resource,) = template(stack).find_resources("AWS::EC2::LaunchTemplate").values()
    props: dict[str, Any] = resource["Properties"]
    return props


def test_defaults_read_the_latest_ami_at_launch_securely(stack: cdk.Stack, lock: VersionLock) -> None:
    pipeline = make_pipeline(stack, lock, data_volumes=[DataVolume(device_name="/dev/xvdf", size_gib=20)])
    built = GoldenLaunchTemplate(stack, "Template", image=pipeline)
    launch = data(stack)["LaunchTemplateData"]
    assert launch["ImageId"] == "resolve:ssm:/golden-ami/web/latest"
    assert launch["MetadataOptions"] == {
        "HttpEndpoint": "enabled",
        "HttpPutResponseHopLimit": 1,
        "HttpTokens": "required",
    }
    assert launch["NetworkInterfaces"] == [{"AssociatePublicIpAddress": False, "DeviceIndex": 0}]
    assert launch["BlockDeviceMappings"] == [
        {
            "DeviceName": "/dev/xvda",
            "Ebs": {"DeleteOnTermination": True, "Encrypted": True, "VolumeSize": 30, "VolumeType": "gp3"},
        },
        {
            "DeviceName": "/dev/xvdf",
            "Ebs": {"DeleteOnTermination": True, "Encrypted": True, "VolumeSize": 20, "VolumeType": "gp3"},
        },
    ]
    assert launch["Monitoring"] == {"Enabled": True}
    assert built.parameter_name == "/golden-ami/web/latest"
    assert not lint_errors(template(stack).to_json())


def test_reads_the_parameter_of_its_own_region(lock: VersionLock) -> None:
    home = make_stack()
    pipeline = make_pipeline(
        home, lock, distributions=[RegionTarget(region="us-east-1", parameter_name="/golden-ami/web/east")]
    )
    east = cdk.Stack(home.node.root, "East", env=cdk.Environment(account="111111111111", region="us-east-1"))  # type: ignore[arg-type]
    GoldenLaunchTemplate(east, "Web", image=pipeline)
    assert data(east)["LaunchTemplateData"]["ImageId"] == "resolve:ssm:/golden-ami/web/east"


def test_rejects_a_region_the_image_does_not_reach(stack: cdk.Stack, lock: VersionLock) -> None:
    pipeline = make_pipeline(stack, lock)
    west2 = cdk.Stack(stack.node.root, "West2", env=cdk.Environment(account="111111111111", region="eu-west-2"))  # type: ignore[arg-type]
    with pytest.raises(
        ValueError, match=r"region: 'web' publishes no latest-AMI parameter in eu-west-2; it does in eu-west-1"
    ):
        GoldenLaunchTemplate(west2, "Web", image=pipeline)


def test_parameter_name_and_arn(stack: cdk.Stack) -> None:
    GoldenLaunchTemplate(stack, "ByName", parameter_name="/golden-ami/api/latest")
    arn = "arn:aws:ssm:eu-west-1:222222222222:parameter/golden-ami/api/latest"
    GoldenLaunchTemplate(stack, "ByArn", parameter_arn=arn)
    images = sorted(
        r["Properties"]["LaunchTemplateData"]["ImageId"]
        for r in template(stack).find_resources("AWS::EC2::LaunchTemplate").values()
    )
    assert images == ["resolve:ssm:/golden-ami/api/latest", f"resolve:ssm:{arn}"]


@pytest.mark.parametrize(
    ("pin", "suffix"), [(3, ":3"), ("7", ":7"), ("stable", ":stable"), ("release-2026.11", ":release-2026.11")]
)
def test_pin_to_a_version_or_label(stack: cdk.Stack, pin: int | str, suffix: str) -> None:
    built = GoldenLaunchTemplate(stack, "Web", parameter_name="/golden-ami/web/latest", pin=pin)
    props = data(stack)
    assert props["LaunchTemplateData"]["ImageId"] == f"resolve:ssm:/golden-ami/web/latest{suffix}"
    assert {"Key": "golden-ami:pinned", "Value": suffix[1:]} in props["TagSpecifications"][0]["Tags"]
    assert built.pin == suffix[1:]


@pytest.mark.parametrize("pin", [0, -1, "0", "1abc", "aws-label", "ssm", "has space", "x" * 101, True])
def test_rejects_pins_that_are_not_a_version_or_label(stack: cdk.Stack, pin: object) -> None:
    with pytest.raises(
        ValueError, match=r"pin: .* (not a parameter version|neither a positive version number nor a parameter label)"
    ):
        GoldenLaunchTemplate(stack, "Web", parameter_name="/golden-ami/web/latest", pin=pin)  # type: ignore[arg-type]


def test_rejects_an_instance_type_of_the_other_architecture(stack: cdk.Stack, lock: VersionLock) -> None:
    arm = make_pipeline(
        stack, lock, base_image=BaseImage.aws_managed(OperatingSystem.AMAZON_LINUX_2023, Architecture.ARM64)
    )
    with pytest.raises(
        ValueError,
        match=r"instance_type: 'm7i.large' is an x86_64 instance type but the image is arm64; use arm64 types such as m7g.large",
    ):
        GoldenLaunchTemplate(stack, "Bad", image=arm, instance_type="m7i.large")
    GoldenLaunchTemplate(stack, "Ok", image=arm, instance_type="c7g.xlarge")


def test_architecture_can_be_given_for_a_plain_parameter(stack: cdk.Stack) -> None:
    with pytest.raises(
        ValueError, match=r"instance_type: 'm7g.large' is an arm64 instance type but the image is x86_64"
    ):
        GoldenLaunchTemplate(
            stack, "Web", parameter_name="/x/y", instance_type="m7g.large", architecture=Architecture.X86_64
        )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, r"image: give exactly one of image=, parameter_name= or parameter_arn= \(0 given\)"),
        ({"parameter_name": "/a", "parameter_arn": "arn:aws:ssm:eu-west-1:111111111111:parameter/a"}, r"\(2 given\)"),
        ({"parameter_name": "golden-ami/web"}, r"parameter_name: 'golden-ami/web' is not an SSM parameter name"),
        ({"parameter_name": "/aws/service/x"}, r"parameter_name: '/aws/service/x' starts with a prefix AWS reserves"),
        ({"parameter_arn": "arn:aws:ssm:eu-west-1:1:parameter/x"}, r"parameter_arn: .* is not an SSM parameter ARN"),
        ({"parameter_name": "/x", "hop_limit": 0}, r"hop_limit: 0 must be 1 to 64"),
        ({"parameter_name": "/x", "instance_type": "large"}, r"instance_type: 'large' is not an EC2 instance type"),
    ],
)
def test_rejects_bad_input(stack: cdk.Stack, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        GoldenLaunchTemplate(stack, "Web", **kwargs)


def test_rejects_a_region_agnostic_stack() -> None:
    stack = cdk.Stack(cdk.App(), "Agnostic")
    with pytest.raises(ValueError, match=r"region: a golden launch template needs a stack with an explicit region"):
        GoldenLaunchTemplate(stack, "Web", parameter_name="/x")


def test_role_volumes_and_image_builder_updates(stack: cdk.Stack) -> None:
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))
    GoldenLaunchTemplate(
        stack,
        "Web",
        parameter_name="/x",
        role=role,
        root_volume=RootVolume(size_gib=50),
        root_device_name="/dev/sda1",
        image_builder_updates=True,
    )
    props = data(stack)
    assert props["LaunchTemplateData"]["BlockDeviceMappings"][0]["DeviceName"] == "/dev/sda1"
    assert props["LaunchTemplateData"]["BlockDeviceMappings"][0]["Ebs"]["VolumeSize"] == 50
    assert "IamInstanceProfile" in props["LaunchTemplateData"]
    assert {"Key": "golden-ami:image-builder-updates", "Value": "true"} in props["TagSpecifications"][0]["Tags"]


def test_image_protocol_needs_only_a_parameter_name(stack: cdk.Stack) -> None:
    class Plain:
        ami_parameter_name = "/golden-ami/plain/latest"

    GoldenLaunchTemplate(stack, "Web", image=Plain())
    assert data(stack)["LaunchTemplateData"]["ImageId"] == "resolve:ssm:/golden-ami/plain/latest"


def test_a_layer_carries_the_volumes_of_its_ancestors(stack: cdk.Stack, lock: VersionLock) -> None:
    """A layer's AMI keeps its parent's (and grandparent's) data volumes: its template maps them all, encrypted."""
    base = make_pipeline(stack, lock, data_volumes=[DataVolume(device_name="/dev/xvdf", size_gib=20)])
    runtime = make_pipeline(
        stack,
        lock,
        construct_id="Runtime",
        image_name="runtime",
        base_image=BaseImage.from_pipeline(base),
        data_volumes=[DataVolume(device_name="/dev/xvdg", size_gib=10)],
    )
    app = make_pipeline(
        stack,
        lock,
        construct_id="App",
        image_name="app",
        base_image=BaseImage.from_pipeline(runtime),
        data_volumes=[DataVolume(device_name="/dev/xvdf", size_gib=40)],
    )
    assert [(v.device_name, v.size_gib) for v in app.data_volumes] == [("/dev/xvdg", 10), ("/dev/xvdf", 40)]
    GoldenLaunchTemplate(stack, "Template", image=app, instance_type="m7i.large")
    mappings = data(stack)["LaunchTemplateData"]["BlockDeviceMappings"]
    assert [(m["DeviceName"], m["Ebs"]["VolumeSize"], m["Ebs"]["Encrypted"]) for m in mappings] == [
        ("/dev/xvda", 30, True),
        ("/dev/xvdg", 10, True),
        ("/dev/xvdf", 40, True),
    ]
