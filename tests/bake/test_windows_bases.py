"""Windows Server bases and the platform a recipe's components must share with them."""

from __future__ import annotations

import aws_cdk as cdk
import aws_cdk.aws_ec2 as ec2
import pytest

from constructs_lib import (
    Architecture,
    BaseImage,
    Component,
    GoldenImageRecipe,
    OperatingSystem,
    Platform,
    VersionLock,
)
from tests.conftest import lint_errors, make_pipeline, template

POWERSHELL = """
name: iis
schemaVersion: 1.0
parameters:
  - site:
      type: string
phases:
  - name: build
    steps:
      - name: Install
        action: ExecutePowerShell
        inputs:
          commands:
            - Install-WindowsFeature -Name Web-Server
            - New-Item -ItemType Directory -Path "C:\\\\sites\\\\{{ site }}"
"""
BASH = """
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Install
        action: ExecuteBash
        inputs:
          commands: [dnf install -y nginx]
"""
WINDOWS = (OperatingSystem.WINDOWS_SERVER_2022, OperatingSystem.WINDOWS_SERVER_2025)


def windows_recipe(stack: cdk.Stack, lock: VersionLock, *components: Component) -> GoldenImageRecipe:
    return GoldenImageRecipe(
        stack,
        "Recipe",
        name="win",
        base_image=BaseImage.aws_managed(OperatingSystem.WINDOWS_SERVER_2022),
        components=list(components),
        version_lock=lock,
    )


@pytest.mark.parametrize(
    ("os", "year"), [(OperatingSystem.WINDOWS_SERVER_2022, 2022), (OperatingSystem.WINDOWS_SERVER_2025, 2025)]
)
def test_windows_resolves_from_the_public_parameter(os: OperatingSystem, year: int) -> None:
    base = BaseImage.aws_managed(os)
    assert base.parent_image == f"ssm:/aws/service/ami-windows-latest/Windows_Server-{year}-English-Full-Base"
    assert base.root_device_name == "/dev/sda1"
    assert base.platform is Platform.WINDOWS
    assert os.default_user == "Administrator"
    assert base.tracks_updates is False


@pytest.mark.parametrize("os", WINDOWS)
def test_rejects_windows_on_arm64(os: OperatingSystem) -> None:
    with pytest.raises(ValueError, match=rf"architectures: {os.value} is x86_64 only .* build it for x86_64"):
        BaseImage.aws_managed(os, Architecture.ARM64)


def test_linux_bases_stay_linux() -> None:
    assert BaseImage.aws_managed(OperatingSystem.AMAZON_LINUX_2023).platform is Platform.LINUX
    assert BaseImage.from_ami_id("ami-0123456789abcdef0").platform is Platform.LINUX


def test_windows_ami_defaults_to_sda1_and_rejects_xvda() -> None:
    base = BaseImage.from_ami_id("ami-0123456789abcdef0", platform=Platform.WINDOWS)
    assert base.root_device_name == "/dev/sda1"
    with pytest.raises(ValueError, match=r"root_device_name: '/dev/xvda' is a Linux root device name.*'/dev/sda1'"):
        BaseImage.from_ssm_parameter("/my/windows", platform=Platform.WINDOWS, root_device_name="/dev/xvda")


def test_rejects_a_macos_base() -> None:
    with pytest.raises(ValueError, match="platform: macOS images are not built here"):
        BaseImage.from_ami_id("ami-0123456789abcdef0", platform=Platform.MACOS)


@pytest.mark.parametrize(
    ("name", "platform"),
    [
        ("update-windows", Platform.WINDOWS),
        ("aws-cli-version-2-windows", Platform.WINDOWS),
        ("update-linux", Platform.LINUX),
        ("powershell-linux", Platform.LINUX),
        ("amazon-corretto-17-headless", None),
    ],
)
def test_managed_component_platform_by_name(name: str, platform: Platform | None) -> None:
    assert Component.aws_managed(name).platform is platform


def test_windows_recipe_makes_windows_components(stack: cdk.Stack, lock: VersionLock) -> None:
    iis = Component.from_inline("iis", POWERSHELL, platform=Platform.WINDOWS).with_parameters({"site": "web"})
    windows_recipe(stack, lock, Component.aws_managed("update-windows"), iis)
    built = template(stack)
    built.has_resource_properties("AWS::ImageBuilder::Component", {"Name": "win-iis", "Platform": "Windows"})
    built.has_resource_properties(
        "AWS::ImageBuilder::ImageRecipe",
        {
            "ParentImage": "ssm:/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base",
            "BlockDeviceMappings": [
                {
                    "DeviceName": "/dev/sda1",
                    "Ebs": {"DeleteOnTermination": True, "Encrypted": True, "VolumeSize": 30, "VolumeType": "gp3"},
                }
            ],
        },
    )
    assert lint_errors(built.to_json()) == []


def test_linux_recipe_keeps_linux_components(stack: cdk.Stack, lock: VersionLock, hello: Component) -> None:
    make_pipeline(stack, lock, components=[Component.aws_managed("update-linux"), hello])
    template(stack).has_resource_properties("AWS::ImageBuilder::Component", {"Platform": "Linux"})


def test_rejects_a_linux_managed_component_on_windows(stack: cdk.Stack, lock: VersionLock) -> None:
    with pytest.raises(ValueError, match=r"components: 'update-linux' runs on Linux, but the image's base is Windows"):
        windows_recipe(stack, lock, Component.aws_managed("update-linux"))


def test_rejects_a_bash_document_on_windows(stack: cdk.Stack, lock: VersionLock) -> None:
    with pytest.raises(ValueError, match=r"components: 'nginx' runs on Linux, but the image's base is Windows"):
        windows_recipe(stack, lock, Component.from_inline("nginx", BASH))
    with pytest.raises(ValueError, match=r"ExecuteBash runs on Linux, not on Windows \(use ExecutePowerShell\)"):
        Component.from_inline("nginx", BASH, platform=Platform.WINDOWS)


def test_rejects_windows_components_on_linux(stack: cdk.Stack, lock: VersionLock) -> None:
    with pytest.raises(ValueError, match=r"'update-windows' runs on Windows, but the image's base is Linux"):
        make_pipeline(stack, lock, components=[Component.aws_managed("update-windows")])
    iis = Component.from_inline("iis", POWERSHELL, platform=Platform.WINDOWS).with_parameters({"site": "web"})
    with pytest.raises(ValueError, match=r"'iis' runs on Windows, but the image's base is Linux"):
        make_pipeline(stack, lock, construct_id="Other", components=[iis])


def test_windows_pipeline_builds_on_x86_defaults(stack: cdk.Stack, lock: VersionLock) -> None:
    pipeline = make_pipeline(
        stack,
        lock,
        base_image=BaseImage.aws_managed(OperatingSystem.WINDOWS_SERVER_2025),
        components=[Component.aws_managed("update-windows")],
    )
    assert pipeline.platform is Platform.WINDOWS
    assert pipeline.root_device_name == "/dev/sda1"
    template(stack).has_resource_properties(
        "AWS::ImageBuilder::InfrastructureConfiguration", {"InstanceTypes": ["m7i.large", "m6i.large"]}
    )
    layer = BaseImage.from_pipeline(pipeline)
    assert layer.platform is Platform.WINDOWS


@pytest.mark.parametrize(
    ("system", "version"),
    [
        (OperatingSystem.WINDOWS_SERVER_2022, "WINDOWS_SERVER_2022_ENGLISH_FULL_BASE"),
        (OperatingSystem.WINDOWS_SERVER_2025, "WINDOWS_SERVER_2025_ENGLISH_FULL_BASE"),
    ],
)
def test_windows_parameter_is_the_one_aws_cdk_lib_reads(system: OperatingSystem, version: str) -> None:
    """No docs.aws.amazon.com page lists the two parameter names; aws-cdk-lib's ``ec2.WindowsImage``
    (AWS's own library, which reads /aws/service/ami-windows-latest/<version>) is the cross-check."""
    stack = cdk.Stack(cdk.App(), "Reference", env=cdk.Environment(account="111111111111", region="eu-west-1"))
    ec2.WindowsImage(getattr(ec2.WindowsVersion, version)).get_image(stack)
    parameters = cdk.assertions.Template.from_stack(stack).to_json().get("Parameters", {})
    read = {p["Default"] for p in parameters.values() if p["Default"].startswith("/aws/service/")}
    assert read == {system.ssm_parameter(Architecture.X86_64)}
