"""What is deployed now, read before ``make deploy`` changes anything: a stack's template
(``GetTemplate``, https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_GetTemplate.html)
and an SSM parameter's value. boto3 is imported only when called."""

from __future__ import annotations

import json
import sys
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


def refuse(check: Callable[[], list[str]], *, cannot: str, needs: str, refused: str) -> int:
    """Run a deploy-time guard and say what it found: 0 when nothing, 1 (nothing deployed) when it
    refuses or cannot read (``cannot``: what it could not tell; ``needs``: the caller's permissions;
    ``refused``: what each printed line is)."""
    try:
        lines = check()
    except Exception as error:  # no permission to read, no network: say so; nothing was deployed
        print(
            f"make deploy: cannot {cannot} ({type(error).__name__}: {error}); the caller needs {needs}; "
            "nothing was deployed",
            file=sys.stderr,
        )
        return 1
    for line in lines:
        print(line, file=sys.stderr)
    if lines:
        print(f"make deploy: refused ({len(lines)} {refused} above); nothing was deployed", file=sys.stderr)
        return 1
    return 0
