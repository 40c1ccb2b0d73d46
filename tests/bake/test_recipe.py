from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Match

from constructs_lib import BaseImage, Component, DataVolume, GoldenImageRecipe, OperatingSystem, RootVolume, VersionLock
from tests.conftest import template


def recipe(stack: cdk.Stack, lock: VersionLock, **overrides: object) -> GoldenImageRecipe:
    props: dict[str, object] = {
        "name": "web",
        "base_image": BaseImage.aws_managed(OperatingSystem.AMAZON_LINUX_2023),
        "components": [Component.aws_managed("update-linux")],
        "version_lock": lock,
    }
    props.update(overrides)
    return GoldenImageRecipe(stack, "Recipe", **props)  # type: ignore[arg-type]


def test_defaults_auto_version_and_encrypt_the_root_volume(stack: cdk.Stack, lock: VersionLock) -> None:
    recipe(stack, lock)
    template(stack).has_resource_properties(
        "AWS::ImageBuilder::ImageRecipe",
        {
            "Name": "web",
            "Version": "1.0.x",
            "ParentImage": "ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
            "Components": [{"ComponentArn": "arn:aws:imagebuilder:eu-west-1:aws:component/update-linux/x.x.x"}],
            "BlockDeviceMappings": [
                {
                    "DeviceName": "/dev/xvda",
                    "Ebs": Match.object_like({"Encrypted": True, "VolumeSize": 30, "VolumeType": "gp3"}),
                }
            ],
        },
    )


def test_own_components_are_prefixed_with_the_image_and_locked(
    stack: cdk.Stack, lock: VersionLock, hello: Component
) -> None:
    built = recipe(stack, lock, components=[Component.aws_managed("update-linux"), hello])
    template(stack).has_resource_properties(
        "AWS::ImageBuilder::Component", {"Name": "web-hello", "Version": "1.0.0", "Platform": "Linux"}
    )
    assert built.component_versions == {"update-linux": "x.x.x", "hello": "1.0.0"}


def test_ubuntu_root_volume_uses_its_own_device(stack: cdk.Stack, lock: VersionLock) -> None:
    recipe(
        stack,
        lock,
        base_image=BaseImage.aws_managed(OperatingSystem.UBUNTU_24_04),
        root_volume=RootVolume(size_gib=50, iops=4000, throughput=250),
        data_volumes=[DataVolume(device_name="/dev/xvdf", size_gib=100)],
        kms_key=kms.Key(stack, "Key", enable_key_rotation=True),
    )
    mappings = next(iter(template(stack).find_resources("AWS::ImageBuilder::ImageRecipe").values()))["Properties"][
        "BlockDeviceMappings"
    ]
    assert [m["DeviceName"] for m in mappings] == ["/dev/sda1", "/dev/xvdf"]
    assert mappings[0]["Ebs"]["Iops"] == 4000 and mappings[0]["Ebs"]["Throughput"] == 250
    assert all("KmsKeyId" in m["Ebs"] for m in mappings)


@pytest.mark.parametrize("version", ["1.0.0", "2.3.4"])
def test_rejects_a_fixed_recipe_version(stack: cdk.Stack, lock: VersionLock, version: str) -> None:
    with pytest.raises(
        ValueError, match=rf"recipe_version: '{version}' is fixed, .* end it with '.x', for example '{version[:-2]}.x'"
    ):
        recipe(stack, lock, recipe_version=version)


def test_rejects_no_components(stack: cdk.Stack, lock: VersionLock) -> None:
    with pytest.raises(ValueError, match=r"components: none given; a recipe needs at least one"):
        recipe(stack, lock, components=[])


def test_rejects_the_same_component_twice(stack: cdk.Stack, lock: VersionLock) -> None:
    with pytest.raises(ValueError, match=r"components: 'update-linux' is listed twice"):
        recipe(stack, lock, components=[Component.aws_managed("update-linux"), Component.aws_managed("update-linux")])


def test_rejects_an_invalid_image_name(stack: cdk.Stack, lock: VersionLock) -> None:
    with pytest.raises(ValueError, match=r"image_name: 'w' is not a valid Image Builder name"):
        recipe(stack, lock, name="w")


def test_parameters_render_per_component_and_others_have_none(stack: cdk.Stack, lock: VersionLock) -> None:
    agent = Component.aws_managed("amazon-cloudwatch-agent-linux").with_parameters({"Config": "/etc/cw.json"})
    marketplace = Component.from_marketplace("datadog-agent-for-linux", "prod-wwo2b4p7dgrkk", "0.1.0")
    recipe(stack, lock, components=[Component.aws_managed("update-linux"), agent, marketplace])
    template(stack).has_resource_properties(
        "AWS::ImageBuilder::ImageRecipe",
        {
            "Components": [
                {"ComponentArn": "arn:aws:imagebuilder:eu-west-1:aws:component/update-linux/x.x.x"},
                {
                    "ComponentArn": "arn:aws:imagebuilder:eu-west-1:aws:component/amazon-cloudwatch-agent-linux/x.x.x",
                    "Parameters": [{"Name": "Config", "Value": ["/etc/cw.json"]}],
                },
                {
                    "ComponentArn": "arn:aws:imagebuilder:eu-west-1:aws-marketplace:component/"
                    "datadog-agent-for-linux-prod-wwo2b4p7dgrkk/0.1.0"
                },
            ]
        },
    )


def test_rejects_an_own_component_whose_required_parameter_is_unset(stack: cdk.Stack, lock: VersionLock) -> None:
    document = {
        "schemaVersion": 1.0,
        "parameters": [{"Port": {"type": "string"}}],
        "phases": [
            {"name": "build", "steps": [{"name": "s", "action": "ExecuteBash", "inputs": {"commands": ["true"]}}]}
        ],
    }
    with pytest.raises(ValueError, match=r"components\[app\].parameters: 'Port' has no default"):
        recipe(stack, lock, components=[Component.from_inline("app", document)])


def test_rhel_recipe_starts_from_the_managed_image_on_its_root_device(stack: cdk.Stack, lock: VersionLock) -> None:
    recipe(stack, lock, base_image=BaseImage.aws_managed(OperatingSystem.RHEL_9))
    template(stack).has_resource_properties(
        "AWS::ImageBuilder::ImageRecipe",
        {
            "ParentImage": {
                "Fn::Join": [
                    "",
                    [
                        "arn:",
                        {"Ref": "AWS::Partition"},
                        ":imagebuilder:",
                        {"Ref": "AWS::Region"},
                        ":aws:image/red-hat-enterprise-linux-9-x86/x.x.x",
                    ],
                ]
            },
            "BlockDeviceMappings": [Match.object_like({"DeviceName": "/dev/sda1"})],
        },
    )
