"""What is deployed now, read before ``make deploy`` changes anything: a stack's template
(``GetTemplate``, https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_GetTemplate.html)
and an SSM parameter's value. boto3 is imported only when called."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .._core.targets import partition_of

Deployed = Callable[[str, str, "str | None"], "dict[str, Any] | None"]
"""``(stack, region, role) -> the deployed template``, None when the stack does not exist; ``role``
is assumed to read a stack of another account (None: the caller's own credentials)."""
Status = Callable[[str, str], "str | None"]
"""``(parameter, region) -> its value``, None when it does not exist."""


def lookup_roles(out: Path) -> dict[str, str]:
    """Per stack of the assembly ``out`` in another account than the factory's (the account of
    ``GoldenAmiFactory``), the CDK bootstrap's lookup role of its account and region, as the
    assembly's manifest names it (``lookupRole``). The bootstrap template gives that role the AWS
    managed ``ReadOnlyAccess`` policy and lets the accounts given to ``cdk bootstrap --trust``
    assume it (``node_modules/aws-cdk/lib/api/bootstrap/bootstrap-template.yaml``, ``LookupRole``;
    https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-env.html), so the factory account's
    ``make deploy`` can read the templates deployed in the workload accounts."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    stacks = {n: a for n, a in manifest["artifacts"].items() if a.get("type") == "aws:cloudformation:stack"}
    home = stacks.get("GoldenAmiFactory", {}).get("environment", "").removeprefix("aws://").split("/")[0]
    roles: dict[str, str] = {}
    for name, artifact in stacks.items():
        account, region = artifact["environment"].removeprefix("aws://").split("/")
        role = artifact.get("properties", {}).get("lookupRole", {}).get("arn")
        if home and account != home and isinstance(role, str):
            roles[name] = role.replace("${AWS::Partition}", partition_of(region))
    return roles


def deployed_template(stack: str, region: str, role: str | None = None) -> dict[str, Any] | None:
    import boto3
    from botocore.exceptions import ClientError

    keys: dict[str, str] = {}
    if role is not None:
        credentials = boto3.client("sts").assume_role(RoleArn=role, RoleSessionName="golden-ami-deploy-guard")[
            "Credentials"
        ]
        keys = {
            "aws_access_key_id": credentials["AccessKeyId"],
            "aws_secret_access_key": credentials["SecretAccessKey"],
            "aws_session_token": credentials["SessionToken"],
        }
    try:
        client = boto3.client("cloudformation", region_name=region, **keys)
        body: Any = client.get_template(StackName=stack)["TemplateBody"]
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
