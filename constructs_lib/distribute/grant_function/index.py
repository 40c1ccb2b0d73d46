"""Custom resource handler: the KMS grant that lets this account's Auto Scaling launch AMIs
encrypted with a key of another account (the golden AMI factory's distribution key).

"Required AWS KMS key policy for use with encrypted volumes"
(https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html):
for a key in another account, the key policy lets this account create grants, and this account
creates one for its ``AWSServiceRoleForAutoScaling`` with the operations below. The handler
also creates that service-linked role when it does not exist yet, because KMS accepts grants
only for existing principals. The grant is named, so a repeated create returns the same grant;
deleting the resource retires it (the function's role is the retiring principal).
"""

from __future__ import annotations

import contextlib
import json
import time
import urllib.request
from collections.abc import Callable
from typing import Any

import boto3

OPERATIONS = [
    "Encrypt",
    "Decrypt",
    "ReEncryptFrom",
    "ReEncryptTo",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "DescribeKey",
    "CreateGrant",
]
SERVICE = "autoscaling.amazonaws.com"
RETRY_SECONDS = 60
"""How long ``CreateGrant`` is retried while KMS does not yet know a just-created grantee."""


def ensure_service_linked_role(iam: Any) -> None:
    """Create ``AWSServiceRoleForAutoScaling`` unless it exists (IAM answers InvalidInput then)."""
    try:
        iam.create_service_linked_role(AWSServiceName=SERVICE)
    except iam.exceptions.InvalidInputException as error:
        if "has been taken" not in str(error):
            raise


def create(props: dict[str, Any], iam: Any, kms: Any) -> tuple[str, dict[str, str]]:
    """Create (or find, by name) the grant; return the physical ID ``<key ARN>|<grant ID>``."""
    ensure_service_linked_role(iam)
    key_arn = kms.describe_key(KeyId=props["KeyAlias"])["KeyMetadata"]["Arn"]
    grant = create_grant(
        kms,
        KeyId=key_arn,
        GranteePrincipal=props["GranteePrincipal"],
        RetiringPrincipal=props["RetiringPrincipal"],
        Operations=OPERATIONS,
        Name=props["GrantName"],
    )
    return f"{key_arn}|{grant['GrantId']}", {"KeyArn": key_arn, "GrantId": grant["GrantId"]}


def create_grant(
    kms: Any,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    **request: Any,
) -> dict[str, Any]:
    """``CreateGrant``, retried for about :data:`RETRY_SECONDS` on ``InvalidArnException``.

    The service-linked role made a moment ago may not be visible to KMS yet: IAM changes take
    time to reach every endpoint ("Changes that I make are not always immediately visible",
    https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency),
    and KMS advises clients to retry such errors after a brief wait
    (https://docs.aws.amazon.com/kms/latest/developerguide/programming-eventual-consistency.html).
    ``CreateGrant`` documents ``InvalidArnException`` for an ARN that "is not valid"
    (https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateGrant.html); that this is
    the error for a principal not yet propagated is what users report, not what AWS states, so
    after the retries the error is raised as it is."""
    deadline = clock() + RETRY_SECONDS
    wait = 2.0
    while True:
        try:
            return dict(kms.create_grant(**request))
        except kms.exceptions.InvalidArnException:
            if clock() + wait > deadline:
                raise
            sleep(wait)
            wait = min(wait * 2, 16.0)


def delete(physical_id: str, kms: Any) -> None:
    """Retire the grant; one already gone (or never made) is fine."""
    if "|" not in physical_id:
        return
    key_arn, grant_id = physical_id.split("|", 1)
    with contextlib.suppress(kms.exceptions.NotFoundException, kms.exceptions.InvalidGrantIdException):
        kms.retire_grant(KeyId=key_arn, GrantId=grant_id)


def respond(event: dict[str, Any], status: str, physical_id: str, data: dict[str, str], reason: str) -> None:
    body = json.dumps(
        {
            "Status": status,
            "Reason": reason[:1000] or status,
            "PhysicalResourceId": physical_id,
            "StackId": event["StackId"],
            "RequestId": event["RequestId"],
            "LogicalResourceId": event["LogicalResourceId"],
            "Data": data,
        }
    ).encode()
    request = urllib.request.Request(event["ResponseURL"], data=body, method="PUT", headers={"Content-Type": ""})
    with urllib.request.urlopen(request, timeout=30):  # the pre-signed S3 URL CloudFormation gives
        pass


def handler(event: dict[str, Any], context: Any, clients: tuple[Any, Any] | None = None) -> None:
    props = event["ResourceProperties"]
    physical_id = event.get("PhysicalResourceId", "none")
    status, reason = "SUCCESS", ""
    data: dict[str, str] = {}
    try:
        iam, kms = clients or (boto3.client("iam"), boto3.client("kms", region_name=props["Region"]))
        if event["RequestType"] in ("Create", "Update"):
            physical_id, data = create(props, iam, kms)
        else:
            delete(physical_id, kms)
    except Exception as error:  # every failure must reach CloudFormation, or the stack waits an hour
        status, reason = "FAILED", f"{type(error).__name__}: {error}"
    print(json.dumps({"request": event["RequestType"], "status": status, "resource": physical_id, "reason": reason}))
    respond(event, status, physical_id, data, reason)
