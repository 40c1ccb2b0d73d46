"""Custom resource handler: create a pipeline's status parameter once, with ``ENABLED``, and never
write it again.

The parameter belongs to the operators from then on: ``golden-ami-revoke`` writes ``DISABLED`` and
``--lift`` writes ``ENABLED``, and the pipeline's stack reads it at every deploy. So Create and
Update put the parameter only when it does not exist (``Overwrite`` false; SSM answers
``ParameterAlreadyExists`` otherwise, https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html),
and Delete leaves it (a removed or deleted hold keeps the revocation it records; the resource is
also ``Retain``, so a stack deletion does not call this at all). The physical ID is the
parameter's name.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import boto3

PATTERN = "^(ENABLED|DISABLED)$"
DESCRIPTION = (
    "Status of Image Builder pipeline {pipeline}: golden-ami-revoke writes DISABLED, golden-ami-revoke --lift "
    "ENABLED; every deploy of the pipeline's stack reads it"
)


def ensure(ssm: Any, name: str, pipeline: str) -> str:
    """Create ``name`` with ``ENABLED`` unless it exists; ``created`` or ``kept <value>``."""
    try:
        ssm.put_parameter(
            Name=name,
            Value="ENABLED",
            Type="String",
            AllowedPattern=PATTERN,
            Description=DESCRIPTION.format(pipeline=pipeline),
            Overwrite=False,
        )
    except ssm.exceptions.ParameterAlreadyExists:
        return "kept " + str(ssm.get_parameter(Name=name)["Parameter"]["Value"])
    return "created"


def respond(event: dict[str, Any], status: str, physical_id: str, reason: str) -> None:
    body = json.dumps(
        {
            "Status": status,
            "Reason": reason[:1000] or status,
            "PhysicalResourceId": physical_id,
            "StackId": event["StackId"],
            "RequestId": event["RequestId"],
            "LogicalResourceId": event["LogicalResourceId"],
            "Data": {},
        }
    ).encode()
    request = urllib.request.Request(event["ResponseURL"], data=body, method="PUT", headers={"Content-Type": ""})
    with urllib.request.urlopen(request, timeout=30):  # the pre-signed S3 URL CloudFormation gives
        pass


def handler(event: dict[str, Any], context: Any, ssm: Any = None) -> None:
    props = event["ResourceProperties"]
    physical_id = event.get("PhysicalResourceId", "none")
    status, reason, outcome = "SUCCESS", "", "left"
    try:
        if event["RequestType"] in ("Create", "Update"):
            physical_id = props["Name"]
            outcome = ensure(ssm or boto3.client("ssm"), physical_id, props["Pipeline"])
    except Exception as error:  # every failure must reach CloudFormation, or the stack waits an hour
        status, reason = "FAILED", f"{type(error).__name__}: {error}"
    print(json.dumps({"request": event["RequestType"], "status": status, "parameter": physical_id, "outcome": outcome}))
    respond(event, status, physical_id, reason)
