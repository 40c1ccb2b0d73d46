"""The factory file's platform keys: more os bases, end-of-life gating, Marketplace components,
component parameters and pipeline logs, each refused with file, line, key path and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from constructs_lib import OperatingSystem
from tests.factory import factory_file

APP = """\
name: app
schemaVersion: 1.0
parameters:
  - Port:
      type: string
  - LogLevel:
      type: string
      default: info
phases:
  - name: build
    steps:
      - name: Configure
        action: ExecuteBash
        inputs:
          commands: ["echo {{ Port }} {{ LogLevel }}"]
"""


def image(base: str, components: str = "[{aws: update-linux}]", extra: str = "") -> str:
    return f"images:\n  - name: base\n    base: {base}\n    components: {components}\n{extra}"


def test_amazon_linux_2_without_allow_end_of_life_is_refused_with_the_fix(tmp_path: Path) -> None:
    assert problems(tmp_path, image("{os: amazon-linux-2}")) == [
        "3: images[0].base.os: 'amazon-linux-2' reached end of support on 2026-06-30 and gets no security updates; "
        "use os: amazon-linux-2023, or add allow_end_of_life: true to build on it anyway"
    ]


def test_amazon_linux_2_with_allow_end_of_life_builds_on_its_public_parameter(tmp_path: Path) -> None:
    model = load(tmp_path, image("{os: amazon-linux-2, allow_end_of_life: true}"))
    base = model.images[0].base.to_base_image()  # type: ignore[attr-defined]
    assert base.parent_image == "ssm:/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2"
    assert base.end_of_life_allowed


def test_allow_end_of_life_on_a_supported_os_is_refused(tmp_path: Path) -> None:
    (problem,) = problems(tmp_path, image("{os: amazon-linux-2023, allow_end_of_life: true}"))
    assert problem.endswith(
        "allow_end_of_life: true, but 'amazon-linux-2023' is not past its end of support; remove it"
    )


@pytest.mark.parametrize(("name", "os_"), [("rhel-9", OperatingSystem.RHEL_9), ("sles-15", OperatingSystem.SLES_15)])
def test_rhel_and_suse_bases(tmp_path: Path, name: str, os_: OperatingSystem) -> None:
    model = load(tmp_path, image(f"{{os: {name}}}"))
    base = model.images[0].base.to_base_image()  # type: ignore[attr-defined]
    assert (base.operating_system, base.root_device_name, base.tracks_updates) == (os_, "/dev/sda1", True)


def test_rhel_in_arm64_is_refused_at_its_architectures(tmp_path: Path) -> None:
    assert problems(tmp_path, image("{os: rhel-9}", extra="    architectures: [x86_64, arm64]\n")) == [
        "5: images[0].architectures: rhel-9 is offered for x86_64 only (AWS documents no name for its arm64 managed "
        "image); build it for x86_64, or use a base of your own (ami or ssm) for arm64"
    ]


def test_marketplace_component(tmp_path: Path) -> None:
    components = "[{marketplace: {name: datadog-agent-for-linux, product_id: prod-wwo2b4p7dgrkk}, version: 0.1.0}]"
    model = load(tmp_path, image("{os: amazon-linux-2023}", components))
    (component,) = model.images[0].to_spec(tmp_path).components  # type: ignore[attr-defined]
    assert component.arn_path == "aws-marketplace:component/datadog-agent-for-linux-prod-wwo2b4p7dgrkk/0.1.0"


def test_rejects_a_marketplace_component_with_a_bad_product_id(tmp_path: Path) -> None:
    (problem,) = problems(
        tmp_path, image("{os: amazon-linux-2023}", "[{marketplace: {name: agent, product_id: wwo2b4p7dgrkk}}]")
    )
    assert problem.startswith(
        "4: images[0].components[0].marketplace.product_id: 'wwo2b4p7dgrkk' is not an AWS Marketplace product ID"
    )


def test_parameters_of_an_own_component(tmp_path: Path) -> None:
    model = load(tmp_path, image("{os: amazon-linux-2023}", "[{file: app.yaml, parameters: {Port: '8080'}}]"))
    (component,) = model.images[0].to_spec(tmp_path).components  # type: ignore[attr-defined]
    assert component.parameters == (("Port", "8080"),)


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ("{Prot: '8080'}", "'app' declares no parameter 'Prot'; did you mean 'Port'?"),
        ("{Port: 8080}", "8080 is a int, but 'Port' is of type string (AWSTOE's only parameter type); quote it"),
        ("{LogLevel: debug}", "'Port' has no default in the document, so the recipe must set it"),
    ],
)
def test_rejects_parameters_the_document_does_not_take(tmp_path: Path, parameters: str, message: str) -> None:
    (problem,) = problems(tmp_path, image("{os: amazon-linux-2023}", f"[{{file: app.yaml, parameters: {parameters}}}]"))
    assert problem.startswith("4: images[0].components[0]") and message in problem


def test_a_required_parameter_is_refused_even_with_no_parameters_key(tmp_path: Path) -> None:
    (problem,) = problems(tmp_path, image("{os: amazon-linux-2023}", "[{file: app.yaml}]"))
    assert "'Port' has no default in the document, so the recipe must set it" in problem


def test_logs(tmp_path: Path) -> None:
    model = load(tmp_path, image("{os: amazon-linux-2023}", extra="    logs: {retention_days: 400}\n"))
    spec = model.images[0].to_spec(tmp_path)  # type: ignore[attr-defined]
    assert spec.logs is not None and spec.logs.retention_days == 400
    assert load(tmp_path, image("{os: amazon-linux-2023}")).images[0].to_spec(tmp_path).logs is None  # type: ignore[attr-defined]


def test_rejects_a_retention_cloudwatch_does_not_offer(tmp_path: Path) -> None:
    (problem,) = problems(tmp_path, image("{os: amazon-linux-2023}", extra="    logs: {retention_days: 366}\n"))
    assert problem.startswith("5: images[0].logs.retention_days: 366 is not a CloudWatch Logs retention; use one of")


def load(tmp_path: Path, text: str) -> object:
    return factory_file.load(tmp_path, text, {"app.yaml": APP})


def problems(tmp_path: Path, text: str) -> list[str]:
    return factory_file.problems(tmp_path, text, {"app.yaml": APP})
