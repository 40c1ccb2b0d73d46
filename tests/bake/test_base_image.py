from __future__ import annotations

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
