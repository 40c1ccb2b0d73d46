"""The hold function against moto's SSM: it creates a missing status parameter with ENABLED, never
writes one that exists (a revocation recorded there survives every deploy) and returns its value."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from constructs_lib.retire.hold_function import index

NAME = "/golden-ami/web-server/status"


def event(request: str, physical: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {
        "RequestType": request,
        "ResourceProperties": {"Name": NAME, "Pipeline": "web-server"},
        "ResponseURL": "https://example.invalid/response",
        "StackId": "stack",
        "RequestId": "request",
        "LogicalResourceId": "Hold",
    }
    if physical is not None:
        found["PhysicalResourceId"] = physical
    return found


@pytest.fixture
def ssm(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(key, "testing")
    with mock_aws():
        yield boto3.client("ssm", region_name="eu-west-1")


@pytest.fixture
def responses(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(
        index,
        "respond",
        lambda e, status, physical, data, reason: sent.append(
            {"Status": status, "Id": physical, "Data": data, "Why": reason}
        ),
    )
    return sent


def test_create_makes_the_parameter_enabled(ssm: Any, responses: list[dict[str, Any]]) -> None:
    index.handler(event("Create"), None, ssm=ssm)
    parameter = ssm.get_parameter(Name=NAME)["Parameter"]
    assert (parameter["Value"], parameter["Type"]) == ("ENABLED", "String")
    assert responses == [{"Status": "SUCCESS", "Id": NAME, "Data": {"Status": "ENABLED"}, "Why": ""}]


@pytest.mark.parametrize("request_type", ["Create", "Update"])
def test_an_existing_parameter_keeps_its_value(
    ssm: Any, responses: list[dict[str, Any]], request_type: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ssm.put_parameter(Name=NAME, Value="DISABLED", Type="String")  # a revoke wrote it
    index.handler(event(request_type, NAME), None, ssm=ssm)
    assert ssm.get_parameter(Name=NAME)["Parameter"]["Value"] == "DISABLED"
    # The same physical ID: what the replacement guard's PROVIDERS table says of this type.
    assert responses == [{"Status": "SUCCESS", "Id": NAME, "Data": {"Status": "DISABLED"}, "Why": ""}]
    assert json.loads(capsys.readouterr().out)["outcome"] == "kept DISABLED"


def test_delete_leaves_the_parameter(ssm: Any, responses: list[dict[str, Any]]) -> None:
    ssm.put_parameter(Name=NAME, Value="DISABLED", Type="String")
    index.handler(event("Delete", NAME), None, ssm=ssm)
    assert ssm.get_parameter(Name=NAME)["Parameter"]["Value"] == "DISABLED"
    assert responses == [{"Status": "SUCCESS", "Id": NAME, "Data": {}, "Why": ""}]


def test_a_failure_reaches_cloudformation(responses: list[dict[str, Any]]) -> None:
    class Broken:
        class exceptions:
            ParameterAlreadyExists = KeyError

        def put_parameter(self, **_: Any) -> None:
            raise RuntimeError("AccessDenied")

    index.handler(event("Create"), None, ssm=Broken())
    assert responses == [{"Status": "FAILED", "Id": NAME, "Data": {}, "Why": "RuntimeError: AccessDenied"}]


def test_a_value_no_pipeline_takes_fails_the_deploy_with_the_fix(ssm: Any, responses: list[dict[str, Any]]) -> None:
    ssm.put_parameter(Name=NAME, Value="PAUSED", Type="String")  # written by hand, no pattern
    index.handler(event("Update", NAME), None, ssm=ssm)
    assert responses == [
        {
            "Status": "FAILED",
            "Id": NAME,
            "Data": {},
            "Why": f"ValueError: {NAME} = 'PAUSED'; write ENABLED or DISABLED there",
        }
    ]
