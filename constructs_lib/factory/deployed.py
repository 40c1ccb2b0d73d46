"""What is deployed now, read before ``make deploy`` changes anything: a stack's template
(``GetTemplate``, https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_GetTemplate.html)
and an SSM parameter's value. boto3 is imported only when called."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

Deployed = Callable[[str, str], "dict[str, Any] | None"]
"""``(stack, region) -> the deployed template``, None when the stack does not exist."""
Status = Callable[[str, str], "str | None"]
"""``(parameter, region) -> its value``, None when it does not exist."""


def deployed_template(stack: str, region: str) -> dict[str, Any] | None:
    import boto3
    from botocore.exceptions import ClientError

    try:
        body: Any = boto3.client("cloudformation", region_name=region).get_template(StackName=stack)["TemplateBody"]
    except ClientError as error:
        if "does not exist" in str(error):
            return None
        raise
    template: dict[str, Any] = json.loads(body) if isinstance(body, str) else dict(body)
    return template


def parameter_value(parameter: str, region: str) -> str | None:
    import boto3

    client = boto3.client("ssm", region_name=region)
    try:
        return str(client.get_parameter(Name=parameter)["Parameter"]["Value"])
    except client.exceptions.ParameterNotFound:
        return None
