"""The Auto Scaling grant handler against botocore's Stubber (IAM and KMS); no test reaches AWS."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from constructs_lib.distribute.grant_function import index

KEY_ARN = "arn:aws:kms:us-east-1:999999999999:key/1a2b3c4d-5e6f-1a2b-3c4d-5e6f1a2b3c4d"
GRANTEE = "arn:aws:iam::222222222222:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
PROPS = {
    "Region": "us-east-1",
    "KeyAlias": "arn:aws:kms:us-east-1:999999999999:alias/golden-ami/distribution",
    "GranteePrincipal": GRANTEE,
    "RetiringPrincipal": "arn:aws:iam::222222222222:role/Grants",
    "GrantName": "golden-ami-autoscaling-distribution",
}


def event(request: str, physical: str | None = None) -> dict[str, Any]:
    found = {
        "RequestType": request,
        "ResourceProperties": PROPS,
        "ResponseURL": "https://example.invalid/response",
        "StackId": "stack",
        "RequestId": "request",
        "LogicalResourceId": "Grant",
    }
    if physical is not None:
        found["PhysicalResourceId"] = physical
    return found


@pytest.fixture
def responses(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    class Answer:
        def __enter__(self) -> Answer:
            return self

        def __exit__(self, *_: object) -> None:
            return None

    def urlopen(request: Any, timeout: int) -> Answer:
        assert request.get_method() == "PUT"
        sent.append(json.loads(request.data))
        return Answer()

    monkeypatch.setattr(index.urllib.request, "urlopen", urlopen)
    return sent


@pytest.fixture
def clients() -> Iterator[tuple[Any, Any, Stubber, Stubber]]:
    iam = boto3.client("iam", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    kms = boto3.client("kms", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(iam) as iam_stub, Stubber(kms) as kms_stub:
        yield iam, kms, iam_stub, kms_stub
        iam_stub.assert_no_pending_responses()
        kms_stub.assert_no_pending_responses()


def test_create_makes_the_role_if_needed_then_the_documented_grant(
    clients: tuple[Any, Any, Stubber, Stubber], responses: list[dict[str, Any]]
) -> None:
    iam, kms, iam_stub, kms_stub = clients
    iam_stub.add_client_error(
        "create_service_linked_role",
        service_error_code="InvalidInput",
        service_message="Service role name AWSServiceRoleForAutoScaling has been taken in this account",
        expected_params={"AWSServiceName": "autoscaling.amazonaws.com"},
    )
    kms_stub.add_response(
        "describe_key", {"KeyMetadata": {"KeyId": "1a2b", "Arn": KEY_ARN}}, {"KeyId": PROPS["KeyAlias"]}
    )
    kms_stub.add_response(
        "create_grant",
        {"GrantId": "g-1", "GrantToken": "t"},
        {
            "KeyId": KEY_ARN,
            "GranteePrincipal": GRANTEE,
            "RetiringPrincipal": PROPS["RetiringPrincipal"],
            # The operations of AWS's `aws kms create-grant` example (key-policy-requirements-EBS-encryption.html).
            "Operations": [
                "Encrypt",
                "Decrypt",
                "ReEncryptFrom",
                "ReEncryptTo",
                "GenerateDataKey",
                "GenerateDataKeyWithoutPlaintext",
                "DescribeKey",
                "CreateGrant",
            ],
            "Name": "golden-ami-autoscaling-distribution",
        },
    )
    index.handler(event("Create"), None, clients=(iam, kms))
    (answer,) = responses
    assert answer["Status"] == "SUCCESS"
    assert answer["PhysicalResourceId"] == f"{KEY_ARN}|g-1"
    assert answer["Data"] == {"KeyArn": KEY_ARN, "GrantId": "g-1"}


def test_delete_retires_the_grant(clients: tuple[Any, Any, Stubber, Stubber], responses: list[dict[str, Any]]) -> None:
    iam, kms, _, kms_stub = clients
    kms_stub.add_response("retire_grant", {}, {"KeyId": KEY_ARN, "GrantId": "g-1"})
    index.handler(event("Delete", f"{KEY_ARN}|g-1"), None, clients=(iam, kms))
    assert responses[0]["Status"] == "SUCCESS"


def test_delete_of_a_grant_already_gone_succeeds(
    clients: tuple[Any, Any, Stubber, Stubber], responses: list[dict[str, Any]]
) -> None:
    iam, kms, _, kms_stub = clients
    kms_stub.add_client_error("retire_grant", service_error_code="NotFoundException")
    index.handler(event("Delete", f"{KEY_ARN}|g-1"), None, clients=(iam, kms))
    assert responses[0]["Status"] == "SUCCESS"


def test_delete_after_a_failed_create_does_nothing(
    clients: tuple[Any, Any, Stubber, Stubber], responses: list[dict[str, Any]]
) -> None:
    iam, kms, _, _ = clients
    index.handler(event("Delete", "none"), None, clients=(iam, kms))
    assert responses[0]["Status"] == "SUCCESS"


def test_a_refused_grant_fails_the_resource_with_the_reason(
    clients: tuple[Any, Any, Stubber, Stubber], responses: list[dict[str, Any]]
) -> None:
    iam, kms, iam_stub, kms_stub = clients
    iam_stub.add_response("create_service_linked_role", {"Role": ROLE})
    kms_stub.add_client_error("describe_key", service_error_code="AccessDeniedException", service_message="not allowed")
    index.handler(event("Create"), None, clients=(iam, kms))
    (answer,) = responses
    assert answer["Status"] == "FAILED"
    assert "AccessDeniedException" in answer["Reason"] and "not allowed" in answer["Reason"]


ROLE = {
    "Path": "/aws-service-role/autoscaling.amazonaws.com/",
    "RoleName": "AWSServiceRoleForAutoScaling",
    "RoleId": "AROAEXAMPLEEXAMPLE123",
    "Arn": GRANTEE,
    "CreateDate": "2026-01-01T00:00:00Z",
}


def test_grant_operations_match_the_key_policy() -> None:
    # The function cannot import the package at run time, so it repeats the list the key policy
    # lets accounts grant; the two must not drift apart.
    from constructs_lib.distribute._key_policy import AUTO_SCALING_GRANT_OPERATIONS

    assert list(AUTO_SCALING_GRANT_OPERATIONS) == index.OPERATIONS


def _invalid_arn(kms_stub: Stubber) -> None:
    kms_stub.add_client_error(
        "create_grant",
        service_error_code="InvalidArnException",
        service_message="ARN does not refer to a valid principal",
    )


def test_create_grant_is_retried_while_a_new_service_linked_role_propagates(
    clients: tuple[Any, Any, Stubber, Stubber],
) -> None:
    _, kms, _, kms_stub = clients
    _invalid_arn(kms_stub)
    _invalid_arn(kms_stub)
    kms_stub.add_response("create_grant", {"GrantId": "g-1", "GrantToken": "t"})
    now = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    grant = index.create_grant(
        kms, sleep=sleep, clock=lambda: now[0], KeyId=KEY_ARN, GranteePrincipal=GRANTEE, Operations=["Decrypt"]
    )
    assert grant["GrantId"] == "g-1"
    assert waits == [2.0, 4.0]


def test_create_grant_gives_up_after_about_a_minute_with_the_error(
    clients: tuple[Any, Any, Stubber, Stubber],
) -> None:
    _, kms, _, kms_stub = clients
    for _ in range(6):
        _invalid_arn(kms_stub)
    now = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    with pytest.raises(kms.exceptions.InvalidArnException):
        index.create_grant(
            kms, sleep=sleep, clock=lambda: now[0], KeyId=KEY_ARN, GranteePrincipal=GRANTEE, Operations=["Decrypt"]
        )
    assert waits == [2.0, 4.0, 8.0, 16.0, 16.0]
    assert sum(waits) <= index.RETRY_SECONDS < sum(waits) + 16.0


def test_create_grant_does_not_retry_other_errors(clients: tuple[Any, Any, Stubber, Stubber]) -> None:
    _, kms, _, kms_stub = clients
    kms_stub.add_client_error("create_grant", service_error_code="AccessDeniedException")
    with pytest.raises(kms.exceptions.ClientError):
        index.create_grant(
            kms, sleep=lambda _: pytest.fail("slept"), KeyId=KEY_ARN, GranteePrincipal=GRANTEE, Operations=["Decrypt"]
        )
