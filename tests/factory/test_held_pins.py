"""``make deploy`` refuses to drop a pin an earlier deploy set, unless ``UNPIN`` names it (the
default factory's assembly against deployed templates given as dicts, as GetTemplate returns them)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

from constructs_lib.factory import held_pins
from constructs_lib.factory.deploy_policies import _stacks

STACK = "GoldenAmiConsumers-eu-west-1"


@pytest.fixture(scope="module")
def out(default_assembly: cdk.cx_api.CloudAssembly) -> Path:
    return Path(default_assembly.directory)


def deployed_with(out: Path, image_id: str) -> dict[str, Any]:
    """The consumer stack as deployed by an earlier ``make deploy`` whose launch template read ``image_id``."""
    (template,) = [t for name, _, _, t in _stacks(out) if name == STACK]
    earlier = copy.deepcopy(template)
    for resource in earlier["Resources"].values():
        if resource["Type"] == "AWS::EC2::LaunchTemplate":
            resource["Properties"]["LaunchTemplateData"]["ImageId"] = image_id
    return earlier


def run(out: Path, image_id: str | None, unpin: str | None, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    earlier = None if image_id is None else deployed_with(out, image_id)
    code = held_pins.main(
        [str(out)],
        deployed=lambda stack, region: earlier if stack == STACK else None,
        environ=lambda key: unpin if key == "UNPIN" else None,
    )
    return code, capsys.readouterr().err


PINNED = "resolve:ssm:/golden-ami/web-server/latest:v1.2.2-1"


def test_a_deploy_that_drops_a_pin_is_refused_with_both_ways_out(out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(out, PINNED, None, capsys)
    assert code == 1
    (line, last) = err.strip().splitlines()
    assert line.startswith(f"{STACK}/webserverLaunchTemplate")
    assert line.endswith(
        "this deploy unpins the launch template from /golden-ami/web-server/latest:v1.2.2-1, so its fleet rolls onto "
        "the newest image; to keep the pin pass PIN=web-server=v1.2.2-1 (or put pin: v1.2.2-1 on the consumer in the "
        "factory file); to unpin on purpose pass UNPIN=web-server"
    )
    assert last == "make deploy: refused (1 pins dropped above); nothing was deployed"


@pytest.mark.parametrize(
    ("image_id", "unpin"),
    [
        (PINNED, "web-server"),  # unpinned on purpose
        (PINNED, "api, all"),
        ("resolve:ssm:/golden-ami/web-server/latest", None),  # was not pinned
        (None, None),  # the stack is not deployed yet
    ],
)
def test_anything_else_passes(
    out: Path, image_id: str | None, unpin: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(out, image_id, unpin, capsys) == (0, "")


def test_another_images_unpin_does_not_cover_it(out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(out, PINNED, "api", capsys)[0] == 1


def test_a_stack_it_cannot_read_stops_the_deploy(out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def denied(stack: str, region: str) -> dict[str, Any] | None:
        raise PermissionError("AccessDenied")

    assert held_pins.main([str(out)], deployed=denied, environ=lambda _: None) == 1
    assert "the caller needs cloudformation:GetTemplate; nothing was deployed" in capsys.readouterr().err


def test_the_image_is_read_from_the_parameter_name() -> None:
    assert held_pins.image_of("/golden-ami/web-server/latest") == "web-server"
