"""Windows launch templates: PowerShell user data and the /dev/sda1 root device; Linux settings refused."""

from __future__ import annotations

import base64
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2

from constructs_lib import BaseImage, Component, GoldenLaunchTemplate, OperatingSystem, Platform, VersionLock
from tests.conftest import lint_errors, make_pipeline, template


def windows_pipeline(stack: cdk.Stack, lock: VersionLock) -> Any:
    return make_pipeline(
        stack,
        lock,
        image_name="win",
        base_image=BaseImage.aws_managed(OperatingSystem.WINDOWS_SERVER_2022),
        components=[Component.aws_managed("update-windows")],
    )


def launch_data(stack: cdk.Stack) -> dict[str, Any]:
    (resource,) = template(stack).find_resources("AWS::EC2::LaunchTemplate").values()
    data: dict[str, Any] = resource["Properties"]["LaunchTemplateData"]
    return data


def user_data_text(data: dict[str, Any]) -> str:
    encoded = data["UserData"]["Fn::Base64"]
    return encoded if isinstance(encoded, str) else base64.b64decode(encoded).decode()


def test_windows_template_takes_powershell_and_sda1(stack: cdk.Stack, lock: VersionLock) -> None:
    script = ec2.UserData.for_windows()
    script.add_commands("Start-Service W3SVC")
    built = GoldenLaunchTemplate(stack, "Template", image=windows_pipeline(stack, lock), user_data=script)
    data = launch_data(stack)
    assert built.platform is Platform.WINDOWS
    assert user_data_text(data) == "<powershell>Start-Service W3SVC</powershell>"
    assert [m["DeviceName"] for m in data["BlockDeviceMappings"]] == ["/dev/sda1"]
    assert not lint_errors(template(stack).to_json())


def test_no_user_data_by_default(stack: cdk.Stack, lock: VersionLock) -> None:
    GoldenLaunchTemplate(stack, "Template", image=windows_pipeline(stack, lock))
    assert "UserData" not in launch_data(stack)


def test_linux_takes_shell_user_data(stack: cdk.Stack, lock: VersionLock) -> None:
    script = ec2.UserData.for_linux()
    script.add_commands("systemctl start nginx")
    GoldenLaunchTemplate(stack, "Template", image=make_pipeline(stack, lock), user_data=script)
    assert user_data_text(launch_data(stack)) == "#!/bin/bash\nsystemctl start nginx"


def test_rejects_shell_user_data_on_windows(stack: cdk.Stack, lock: VersionLock) -> None:
    with pytest.raises(ValueError, match=r"user_data: '#!/bin/bash' is not PowerShell.*ec2.UserData.for_windows\(\)"):
        GoldenLaunchTemplate(stack, "Template", image=windows_pipeline(stack, lock), user_data=ec2.UserData.for_linux())


def test_rejects_powershell_user_data_on_linux(stack: cdk.Stack, lock: VersionLock) -> None:
    with pytest.raises(ValueError, match=r"user_data: '<powershell></powershell>' is a Windows script.*for_linux"):
        GoldenLaunchTemplate(stack, "Template", image=make_pipeline(stack, lock), user_data=ec2.UserData.for_windows())


def test_rejects_a_linux_root_device_on_windows(stack: cdk.Stack) -> None:
    with pytest.raises(ValueError, match=r"root_device_name: '/dev/xvda' is a Linux root device.*'/dev/sda1'"):
        GoldenLaunchTemplate(
            stack,
            "Template",
            parameter_name="/golden-ami/win/latest",
            platform=Platform.WINDOWS,
            root_device_name="/dev/xvda",
        )


def test_platform_given_without_an_image(stack: cdk.Stack) -> None:
    GoldenLaunchTemplate(stack, "Template", parameter_name="/golden-ami/win/latest", platform=Platform.WINDOWS)
    data = launch_data(stack)
    assert [m["DeviceName"] for m in data["BlockDeviceMappings"]] == ["/dev/sda1"]
