from __future__ import annotations

import datetime

import aws_cdk as cdk
import pytest

from constructs_lib import Architecture, BaseImage, OperatingSystem


@pytest.mark.parametrize(
    ("os_", "arch", "parameter", "root"),
    [
        (OperatingSystem.AMAZON_LINUX_2023, Architecture.X86_64, "al2023-ami-kernel-default-x86_64", "/dev/xvda"),
        (OperatingSystem.AMAZON_LINUX_2023, Architecture.ARM64, "al2023-ami-kernel-default-arm64", "/dev/xvda"),
        (
            OperatingSystem.UBUNTU_24_04,
            Architecture.X86_64,
            "24.04/stable/current/amd64/hvm/ebs-gp3/ami-id",
            "/dev/sda1",
        ),
        (
            OperatingSystem.UBUNTU_22_04,
            Architecture.ARM64,
            "22.04/stable/current/arm64/hvm/ebs-gp2/ami-id",
            "/dev/sda1",
        ),
    ],
)
def test_aws_managed_images_resolve_through_public_ssm_parameters(
    os_: OperatingSystem, arch: Architecture, parameter: str, root: str
) -> None:
    image = BaseImage.aws_managed(os_, arch)
    assert image.parent_image.startswith("ssm:/aws/service/")
    assert image.parent_image.endswith(parameter)
    assert image.architecture is arch
    assert image.root_device_name == root
    assert image.tracks_updates is False


def test_ami_id_keeps_the_given_architecture() -> None:
    image = BaseImage.from_ami_id("ami-0123456789abcdef0", architecture=Architecture.ARM64)
    assert (image.parent_image, image.architecture) == ("ami-0123456789abcdef0", Architecture.ARM64)


@pytest.mark.parametrize("ami", ["ami-123", "ami-0123456789ABCDEF0", "0123456789abcdef0"])
def test_rejects_malformed_ami_ids(ami: str) -> None:
    with pytest.raises(ValueError, match=r"base_image: .* is not an AMI ID; use 'ami-' followed by 8 or 17"):
        BaseImage.from_ami_id(ami)


def test_rejects_an_ami_id_given_as_marketplace_product() -> None:
    with pytest.raises(ValueError, match=r"is not a Marketplace product ID; .*BaseImage.from_ami_id"):
        BaseImage.from_marketplace("ami-0123456789abcdef0")


def test_marketplace_product_is_the_parent() -> None:
    assert BaseImage.from_marketplace("prod-abcdefgh12345").parent_image == "prod-abcdefgh12345"


def test_ssm_parameter_parent_is_prefixed() -> None:
    assert BaseImage.from_ssm_parameter("/golden-ami/base/latest").parent_image == "ssm:/golden-ami/base/latest"


def test_rejects_bad_ssm_parameter_names() -> None:
    with pytest.raises(ValueError, match=r"base_image: 'my param' is not an SSM parameter name"):
        BaseImage.from_ssm_parameter("my param")


def test_amazon_linux_2_is_refused_past_its_end_of_support() -> None:
    with pytest.raises(
        ValueError,
        match=r"operating_system: 'al2' reached end of support on 2026-06-30 .*OperatingSystem.AMAZON_LINUX_2023, "
        r"or pass allow_end_of_life=True",
    ):
        BaseImage.aws_managed(OperatingSystem.AMAZON_LINUX_2)


@pytest.mark.parametrize("arch", list(Architecture))
def test_amazon_linux_2_with_allow_end_of_life_resolves_its_public_parameter(arch: Architecture) -> None:
    image = BaseImage.aws_managed(OperatingSystem.AMAZON_LINUX_2, arch, allow_end_of_life=True)
    assert image.parent_image == f"ssm:/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-{arch.value}-gp2"
    assert (image.root_device_name, image.end_of_life_allowed) == ("/dev/xvda", True)


def test_allowing_end_of_life_carries_over_to_the_other_architecture() -> None:
    image = BaseImage.aws_managed(OperatingSystem.AMAZON_LINUX_2, allow_end_of_life=True)
    arm = image.for_architecture(Architecture.ARM64)
    assert arm.parent_image.endswith("amzn2-ami-hvm-arm64-gp2")
    assert arm.end_of_life_allowed is True


def test_end_of_support_is_a_constant_date_only_where_support_ended() -> None:
    assert OperatingSystem.AMAZON_LINUX_2.end_of_support == datetime.date(2026, 6, 30)
    assert [o for o in OperatingSystem if o.end_of_support is not None] == [OperatingSystem.AMAZON_LINUX_2]
    # allow_end_of_life on a supported OS changes nothing.
    assert not BaseImage.aws_managed(OperatingSystem.AMAZON_LINUX_2023, allow_end_of_life=True).end_of_life_allowed


@pytest.mark.parametrize(
    ("os_", "name"),
    [
        (OperatingSystem.RHEL_9, "red-hat-enterprise-linux-9-x86"),
        (OperatingSystem.SLES_15, "suse-linux-enterprise-server-15-x86"),
    ],
)
def test_rhel_and_suse_resolve_to_image_builder_managed_images(os_: OperatingSystem, name: str) -> None:
    image = BaseImage.aws_managed(os_)
    stack = cdk.Stack(cdk.App(), "S", env=cdk.Environment(account="111111111111", region="eu-west-1"))
    assert stack.resolve(image.parent_image) == {
        "Fn::Join": [
            "",
            ["arn:", {"Ref": "AWS::Partition"}, ":imagebuilder:", {"Ref": "AWS::Region"}, f":aws:image/{name}/x.x.x"],
        ]
    }
    # A managed image selected as x.x.x is a dependency update, so layers' schedules follow it.
    assert image.tracks_updates is True
    assert (image.root_device_name, os_.default_user) == ("/dev/sda1", "ec2-user")
    assert "$" not in image.description


@pytest.mark.parametrize("os_", [OperatingSystem.RHEL_9, OperatingSystem.SLES_15])
def test_rejects_arm64_for_managed_images_without_a_documented_name(os_: OperatingSystem) -> None:
    with pytest.raises(ValueError, match=rf"architectures: {os_.value} is offered here for x86_64 only"):
        BaseImage.aws_managed(os_, Architecture.ARM64)


@pytest.mark.parametrize(
    ("os_", "user"),
    [
        (OperatingSystem.AMAZON_LINUX_2023, "ec2-user"),
        (OperatingSystem.AMAZON_LINUX_2, "ec2-user"),
        (OperatingSystem.UBUNTU_24_04, "ubuntu"),
        (OperatingSystem.UBUNTU_22_04, "ubuntu"),
        (OperatingSystem.RHEL_9, "ec2-user"),
        (OperatingSystem.SLES_15, "ec2-user"),
    ],
)
def test_default_users_follow_the_ec2_guide(os_: OperatingSystem, user: str) -> None:
    assert os_.default_user == user


def test_rhel_has_no_public_ssm_parameter() -> None:
    with pytest.raises(ValueError, match=r"operating_system: rhel-9 has no public SSM parameter"):
        OperatingSystem.RHEL_9.ssm_parameter(Architecture.X86_64)
