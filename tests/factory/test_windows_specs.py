"""The factory file's Windows keys: os windows-server-2022/2025, the platform of an ami, marketplace
or ssm base, and components of the other platform refused at their key, with line and fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from constructs_lib import Platform
from tests.factory import factory_file

POWERSHELL = """\
schemaVersion: 1.0
parameters:
  - Site:
      type: string
phases:
  - name: build
    steps:
      - name: Configure
        action: ExecutePowerShell
        inputs:
          commands: ["New-Item -ItemType Directory -Path C:\\\\{{ Site }}"]
"""
BASH = """\
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Configure
        action: ExecuteBash
        inputs:
          commands: ["echo hello"]
"""


def image(base: str, components: str, extra: str = "") -> str:
    return f"images:\n  - name: win\n    base: {base}\n    components: {components}\n{extra}"


@pytest.mark.parametrize("year", [2022, 2025])
def test_windows_os_bases_resolve_from_the_public_parameter(tmp_path: Path, year: int) -> None:
    model = load(tmp_path, image(f"{{os: windows-server-{year}}}", "[{aws: update-windows}]"))
    base = model.images[0].base.to_base_image()
    assert base.parent_image == f"ssm:/aws/service/ami-windows-latest/Windows_Server-{year}-English-Full-Base"
    assert base.root_device_name == "/dev/sda1"
    assert model.platforms() == {"win": Platform.WINDOWS}


def test_windows_on_arm64_is_refused_at_the_architectures_key(tmp_path: Path) -> None:
    text = image("{os: windows-server-2022}", "[{aws: update-windows}]", "    architectures: [x86_64, arm64]\n")
    assert problems(tmp_path, text) == [
        "5: images[0].architectures: windows-server-2022 is offered for x86_64 only (AWS publishes Windows Server "
        "AMIs for x86_64 only, no arm64 one); build it for x86_64, or use a Linux base for arm64"
    ]


def test_a_linux_managed_component_on_windows_is_refused_at_its_key(tmp_path: Path) -> None:
    assert problems(tmp_path, image("{os: windows-server-2025}", "[{aws: update-linux}]")) == [
        "4: images[0].components[0].aws: 'update-linux' runs on Linux, but the image is Windows (its base's or its "
        "parent's); use its Windows counterpart, for example 'update-windows'"
    ]


def test_a_bash_document_on_a_windows_layer_is_refused_at_its_key(tmp_path: Path) -> None:
    text = (
        image("{os: windows-server-2022}", "[{aws: update-windows}]")
        + "  - name: layer\n    parent: win\n    components:\n      - file: hello.yaml\n"
    )
    (found,) = problems(tmp_path, text)
    assert found.startswith("8: images[1].components[0].file: the document runs on Linux, but the image is Windows")
    assert "ExecuteBash runs on Linux, not on Windows (use ExecutePowerShell)" in found


def test_windows_components_on_linux_are_refused(tmp_path: Path) -> None:
    text = image(
        "{os: amazon-linux-2023}",
        "\n      - aws: aws-cli-version-2-windows\n      - file: site.yaml\n        parameters: {Site: web}",
    )
    found = problems(tmp_path, text)
    assert found[0].startswith("5: images[0].components[0].aws: 'aws-cli-version-2-windows' runs on Windows")
    assert found[1].startswith("6: images[0].components[1].file: the document runs on Windows, but the image is Linux")
    assert len(found) == 2


def test_a_windows_ami_base_takes_platform_and_sda1(tmp_path: Path) -> None:
    text = image("{ami: ami-0123456789abcdef0, platform: Windows}", "[{file: site.yaml, parameters: {Site: web}}]")
    model = load(tmp_path, text)
    base = model.images[0].base.to_base_image()
    assert (base.platform, base.root_device_name) == (Platform.WINDOWS, "/dev/sda1")
    (component,) = model.images[0].to_spec(tmp_path, None, Platform.WINDOWS).components
    assert component.platform is Platform.WINDOWS


def test_platform_on_an_os_base_is_refused(tmp_path: Path) -> None:
    assert problems(tmp_path, image("{os: windows-server-2022, platform: Windows}", "[{aws: update-windows}]")) == [
        "3: images[0].base.platform: os bases know their platform; remove platform"
    ]


@pytest.mark.parametrize("base", ["1.5", "{os: [windows-server-2022]}", "{ami: ami-0123456789abcdef0, platform: [1]}"])
def test_malformed_bases_are_refused_without_a_crash(tmp_path: Path, base: str) -> None:
    text = (
        image(base, "[{aws: update-windows}]")
        + "  - name: layer\n    parent: win\n    components: [{file: hello.yaml}]\n"
    )
    assert problems(tmp_path, text)


def load(tmp_path: Path, text: str) -> Any:
    return factory_file.load(tmp_path, text, {"site.yaml": POWERSHELL, "hello.yaml": BASH})


def problems(tmp_path: Path, text: str) -> list[str]:
    return factory_file.problems(tmp_path, text, {"site.yaml": POWERSHELL, "hello.yaml": BASH})
