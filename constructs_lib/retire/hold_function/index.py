"""Custom resource handler: a pipeline's status as its status parameter holds it, read at every
deploy that changes the pipeline.

The parameter, ``/golden-ami/<pipeline>/status``, belongs to the operators: ``golden-ami-revoke``
writes ``DISABLED`` and ``--lift`` writes ``ENABLED``. Create and Update make it with ``ENABLED``
when it does not exist (``Overwrite`` false; SSM answers ``ParameterAlreadyExists`` otherwise,
https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html), never
write it otherwise, and return its value as ``Status``, which the pipeline's ``Status`` reads.
Delete leaves it (a removed pipeline keeps the revocation it records; the resource is also
``Retain``). The physical ID is the parameter's name.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import boto3
from botocore.config import Config

# Well inside the function's minute: CloudFormation hears FAILED rather than nothing.
CLIENT_CONFIG = Config(connect_timeout=5, read_timeout=10, retries={"max_attempts": 4, "mode": "standard"})

PATTERN = "^(ENABLED|DISABLED)$"
DESCRIPTION = (
    "Status of Image Builder pipeline {pipeline}: golden-ami-revoke writes DISABLED, golden-ami-revoke --lift "
    "ENABLED; every deploy that changes the pipeline reads it"
)


def read(ssm: Any, name: str, pipeline: str) -> tuple[str, str]:
    """``(status, what happened)``: the parameter's value, made ``ENABLED`` first when missing."""
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
        value = str(ssm.get_parameter(Name=name)["Parameter"]["Value"])
        return value, "kept " + value
    return "ENABLED", "created"


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


def handler(event: dict[str, Any], context: Any, ssm: Any = None) -> None:
    props = event["ResourceProperties"]
    physical_id = event.get("PhysicalResourceId", "none")
    status, reason, outcome = "SUCCESS", "", "left"
    data: dict[str, str] = {}
    try:
        if event["RequestType"] in ("Create", "Update"):
            physical_id = props["Name"]
            value, outcome = read(ssm or boto3.client("ssm", config=CLIENT_CONFIG), physical_id, props["Pipeline"])
            if value not in ("ENABLED", "DISABLED"):
                raise ValueError(f"{physical_id} = {value[:40]!r}; write ENABLED or DISABLED there")
            data = {"Status": value}
    except Exception as error:  # every failure must reach CloudFormation, or the stack waits an hour
        status, reason = "FAILED", f"{type(error).__name__}: {error}"
    print(json.dumps({"request": event["RequestType"], "status": status, "parameter": physical_id, "outcome": outcome}))
    respond(event, status, physical_id, data, reason)
