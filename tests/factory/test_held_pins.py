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
        deployed=lambda stack, region, role: earlier if stack == STACK else None,
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
    def denied(stack: str, region: str, role: str | None) -> dict[str, Any] | None:
        raise PermissionError("AccessDenied")

    assert held_pins.main([str(out)], deployed=denied, environ=lambda _: None) == 1
    assert (
        "the caller needs cloudformation:GetTemplate, and in a workload account sts:AssumeRole on its CDK lookup role"
        in capsys.readouterr().err
    )


def test_the_image_is_read_from_the_parameter_name() -> None:
    assert held_pins.image_of("/golden-ami/web-server/latest") == "web-server"


WORKLOAD = "222222222222"


def test_a_fleet_in_a_workload_account_is_read_through_that_accounts_lookup_role(
    out: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The default assembly with its eu-west-1 consumer stack moved to a workload account, as
    # consumers[].account puts it: the manifest names that account's CDK lookup role.
    import json
    import shutil

    moved = tmp_path / "cdk.out"
    shutil.copytree(out, moved)
    manifest = json.loads((moved / "manifest.json").read_text())
    artifact = manifest["artifacts"][STACK]
    artifact["environment"] = f"aws://{WORKLOAD}/eu-west-1"
    role = f"arn:${{AWS::Partition}}:iam::{WORKLOAD}:role/cdk-hnb659fds-lookup-role-{WORKLOAD}-eu-west-1"
    artifact["properties"]["lookupRole"]["arn"] = role
    (moved / "manifest.json").write_text(json.dumps(manifest))
    roles = held_pins.lookup_roles(moved)
    assert roles[STACK] == role.replace("${AWS::Partition}", "aws")
    assert all(f":{WORKLOAD}:" in r for r in roles.values())  # the factory account's stacks are read directly
    earlier = deployed_with(out, PINNED)
    asked: list[str | None] = []

    def deployed(stack: str, region: str, role: str | None) -> dict[str, Any] | None:
        asked.append(role)
        return earlier if stack == STACK and role is not None and f":{WORKLOAD}:" in role else None

    assert held_pins.main([str(moved)], deployed=deployed, environ=lambda _: None) == 1
    assert f"{STACK}/webserverLaunchTemplate" in capsys.readouterr().err
    assert f"arn:aws:iam::{WORKLOAD}:role/cdk-hnb659fds-lookup-role-{WORKLOAD}-eu-west-1" in asked


def test_the_deployed_template_of_another_account_is_read_with_the_assumed_role(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import boto3
    from botocore.stub import Stubber

    from constructs_lib.factory.deployed import deployed_template

    role = f"arn:aws:iam::{WORKLOAD}:role/cdk-hnb659fds-lookup-role-{WORKLOAD}-eu-west-1"
    body = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}
    real = boto3.client
    made: list[dict[str, Any]] = []
    sts = real("sts", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    cloudformation = real("cloudformation", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")

    def client(name: str, **kwargs: Any) -> Any:
        made.append({"service": name, **kwargs})
        return sts if name == "sts" else cloudformation

    monkeypatch.setattr(boto3, "client", client)
    expires = "2030-01-01T00:00:00Z"
    with Stubber(sts) as sts_stub, Stubber(cloudformation) as cf_stub:
        sts_stub.add_response(
            "assume_role",
            {
                "Credentials": {
                    "AccessKeyId": "ASIAEXAMPLEKEY123",
                    "SecretAccessKey": "s",
                    "SessionToken": "t",
                    "Expiration": expires,
                }
            },
            {"RoleArn": role, "RoleSessionName": "golden-ami-deploy-guard"},
        )
        cf_stub.add_response("get_template", {"TemplateBody": json_dumps(body)}, {"StackName": "Fleet"})
        assert deployed_template("Fleet", "eu-west-1", role) == body
    # The template was read with the workload account's credentials, in the stack's region.
    (read,) = [m for m in made if m["service"] == "cloudformation"]
    assert read == {
        "service": "cloudformation",
        "region_name": "eu-west-1",
        "aws_access_key_id": "ASIAEXAMPLEKEY123",
        "aws_secret_access_key": "s",
        "aws_session_token": "t",
    }


def json_dumps(value: Any) -> str:
    import json

    return json.dumps(value)
