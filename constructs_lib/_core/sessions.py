"""Sessions per account for the operator commands (``golden-ami-revoke``, ``golden-ami-status``):
the caller's own in the factory account, a role of the same name in each other account, assumed
once per account (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html).
boto3 is imported only when a session is made."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def sessions_by_account(
    session: Any, factory: str, partition: str, role_name: str, session_name: str
) -> Callable[[str], Any]:
    """``account -> boto3 session``: ``session`` in ``factory``, elsewhere ``role_name`` there,
    assumed with ``session`` as ``session_name`` on first use and kept."""
    cache: dict[str, Any] = {factory: session}

    def of(account: str) -> Any:
        if account not in cache:
            import boto3

            role = f"arn:{partition}:iam::{account}:role/{role_name}"
            creds = session.client("sts").assume_role(RoleArn=role, RoleSessionName=session_name)["Credentials"]
            cache[account] = boto3.session.Session(
                aws_access_key_id=creds["AccessKeyId"],
                aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds["SessionToken"],
            )
        return cache[account]

    return of
