"""``make deploy`` refuses to build an image at deploy while a revocation holds its pipeline
(pure functions over the default factory's assembly; the AWS reads against botocore's Stubber
for CloudFormation and moto for SSM)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from constructs_lib.factory import held_builds
from constructs_lib.factory.held_builds import Build, builds, problems

WEB = Build(
    stack="GoldenAmiFactory",
    region="eu-west-1",
    logical_id="webserverx8664FirstImage0AE87D0BD22109AA0",
    pipeline="web-server",
    parameter="/golden-ami/web-server/status",
)


@pytest.fixture(scope="module")
def found(default_assembly: cdk.cx_api.CloudAssembly) -> list[Build]:
    return builds(Path(default_assembly.directory))


def test_every_image_built_at_deploy_is_found_with_its_pipelines_status_parameter(found: list[Build]) -> None:
    assert sorted((b.pipeline, b.parameter) for b in found) == [
        ("base-al2023-arm64", "/golden-ami/base-al2023-arm64/status"),
        ("base-al2023-x86-64", "/golden-ami/base-al2023-x86-64/status"),
        ("web-server", "/golden-ami/web-server/status"),
    ]
    assert {(b.stack, b.region) for b in found} == {("GoldenAmiFactory", "eu-west-1")}


def test_a_new_image_of_a_held_pipeline_is_refused_with_the_way_out() -> None:
    (line,) = problems([WEB], lambda *_: {"Resources": {"Other": {}}}, lambda *_: "DISABLED")
    assert line == (
        "GoldenAmiFactory/webserverx8664FirstImage0AE87D0BD22109AA0: this deploy builds image 'web-server' while a "
        "revocation holds its pipeline (/golden-ami/web-server/status = DISABLED), and the build would publish its "
        "components to the latest-AMI parameters again; if this build carries the fix, lift the hold first "
        "(golden-ami-revoke --image web-server --lift --execute), else deploy this edit after the fix"
    )


@pytest.mark.parametrize(
    ("deployed", "status"),
    [
        ({"Resources": {WEB.logical_id: {}}}, "DISABLED"),  # built before: this deploy does not build it
        ({"Resources": {"Other": {}}}, "ENABLED"),  # not held
        ({"Resources": {"Other": {}}}, None),  # no status parameter
        (None, "ENABLED"),  # a first deploy
    ],
)
def test_anything_else_passes(deployed: dict[str, Any] | None, status: str | None) -> None:
    assert problems([WEB], lambda *_: deployed, lambda *_: status) == []


def test_a_stack_not_deployed_yet_still_refuses_a_held_pipeline() -> None:
    assert len(problems([WEB], lambda *_: None, lambda *_: "DISABLED")) == 1


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, Stubber]]:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(key, "testing")
    with mock_aws():
        cloudformation = boto3.client("cloudformation", region_name="eu-west-1")
        stub = Stubber(cloudformation)
        real = boto3.client

        def client(name: str, *args: Any, **kwargs: Any) -> Any:
            return cloudformation if name == "cloudformation" else real(name, *args, **kwargs)

        monkeypatch.setattr(boto3, "client", client)
        yield real("ssm", region_name="eu-west-1"), stub


def test_main_reads_the_deployed_template_and_the_status_and_refuses(
    aws: tuple[Any, Stubber], default_assembly: cdk.cx_api.CloudAssembly, capsys: pytest.CaptureFixture[str]
) -> None:
    ssm, stub = aws
    for name in ("web-server", "base-al2023-x86-64", "base-al2023-arm64"):
        ssm.put_parameter(Name=f"/golden-ami/{name}/status", Value="ENABLED", Type="String")
    ssm.put_parameter(Name=WEB.parameter, Value="DISABLED", Type="String", Overwrite=True)
    deployed = {"Resources": {"webserverx8664FirstImageOLD": {"Type": "AWS::ImageBuilder::Image"}}}
    stub.add_response("get_template", {"TemplateBody": json.dumps(deployed)}, {"StackName": "GoldenAmiFactory"})
    with stub:
        assert held_builds.main([default_assembly.directory]) == 1
    err = capsys.readouterr().err
    assert "this deploy builds image 'web-server' while a revocation holds its pipeline" in err
    assert "base-al2023" not in err
    assert err.rstrip().endswith("make deploy: refused (1 held builds above); nothing was deployed")


def test_main_passes_when_the_stack_does_not_exist_and_nothing_is_held(
    aws: tuple[Any, Stubber], default_assembly: cdk.cx_api.CloudAssembly
) -> None:
    _, stub = aws
    stub.add_client_error("get_template", "ValidationError", "Stack with id GoldenAmiFactory does not exist", 400)
    with stub:
        assert held_builds.main([default_assembly.directory]) == 0


def test_main_says_what_it_could_not_read(
    aws: tuple[Any, Stubber], default_assembly: cdk.cx_api.CloudAssembly, capsys: pytest.CaptureFixture[str]
) -> None:
    _, stub = aws
    stub.add_client_error("get_template", "AccessDenied", "not allowed", 403)
    with stub:
        assert held_builds.main([default_assembly.directory]) == 1
    assert "the caller needs cloudformation:GetTemplate and ssm:GetParameter; nothing was deployed" in (
        capsys.readouterr().err
    )
