"""Who a key policy lets use a key, and what an IAM role's own policies allow.

Deliberately simple: Allow statements only, actions matched with IAM's ``*`` wildcards, and
conditions ignored except on ``"*"`` principals (those count only when bounded by an
organization, which :mod:`.rules.org_sharing_key` judges)."""

from __future__ import annotations

import dataclasses
import fnmatch
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ._model import listed
from .assembly import Assembly, Reference, Stack

USE_ACTIONS = (
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:ReEncryptFrom",
    "kms:CreateGrant",
)
"""What EBS needs from a principal that launches, copies or builds from an encrypted snapshot
(EC2 Auto Scaling guide, key policy for encrypted volumes: use plus ``kms:CreateGrant``)."""

ROLE_ARN = re.compile(r"arn:aws[-a-z]*:iam::([0-9]{12}):role/(.+)")
ROOT = re.compile(r"(?:arn:aws[-a-z]*:iam::)?([0-9]{12})(?::root)?")


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Principal:
    """A principal a key policy must admit: an account's root, a role by name (service-linked
    roles have a path) or a role of the assembly. ``delegated`` is True when a statement for the
    account's root is enough (the principal's own IAM policies carry the KMS permissions)."""

    account: str
    role_name: str | None = None
    role: Reference | None = None
    delegated: bool = True
    label: str = ""


def service_linked(account: str, path: str, *, delegated: bool = False) -> Principal:
    name = path.rsplit("/", 1)[-1]
    return Principal(
        account=account,
        role_name=name,
        delegated=delegated,
        label=f"arn:aws:iam::{account}:role/aws-service-role/{path}",
    )


def statements(document: Any) -> list[Mapping[str, Any]]:
    if not isinstance(document, Mapping):
        return []
    return [s for s in listed(document.get("Statement")) if isinstance(s, Mapping) and s.get("Effect") == "Allow"]


def covers(granted: Iterable[Any], action: str) -> bool:
    return any(isinstance(g, str) and fnmatch.fnmatchcase(action.lower(), g.lower()) for g in granted)


def _matches(assembly: Assembly, stack: Stack, value: Any, principal: Principal) -> bool:
    resolved = assembly.resolve(stack, value)
    if isinstance(resolved, Reference):
        return principal.role is not None and (resolved.stack, resolved.logical_id) == (
            principal.role.stack,
            principal.role.logical_id,
        )
    if not isinstance(resolved, str):
        return False
    root = ROOT.fullmatch(resolved)
    if root:
        return principal.delegated and root.group(1) == principal.account
    role = ROLE_ARN.fullmatch(resolved)
    return bool(role and role.group(1) == principal.account and role.group(2).rsplit("/", 1)[-1] == principal.role_name)


def key_statements(assembly: Assembly, key: Reference) -> tuple[Stack, list[Mapping[str, Any]]]:
    stack = assembly.stacks[key.stack]
    resource = assembly.resource(key) or {}
    return stack, statements(resource.get("Properties", {}).get("KeyPolicy"))


def missing_actions(
    assembly: Assembly, key: Reference, principal: Principal, actions: Iterable[str] = USE_ACTIONS
) -> list[str]:
    """The ``actions`` the key's policy does not give ``principal``."""
    stack, found = key_statements(assembly, key)
    granted: list[Any] = []
    for statement in found:
        who = statement.get("Principal")
        if who == "*" or (isinstance(who, Mapping) and who.get("AWS") == "*"):
            if statement.get("Condition"):
                continue
            granted += listed(statement.get("Action"))
            continue
        values = listed(who.get("AWS")) if isinstance(who, Mapping) else []
        if any(_matches(assembly, stack, v, principal) for v in values):
            granted += listed(statement.get("Action"))
    return [a for a in actions if not covers(granted, a)]


def role_allows(assembly: Assembly, role: Reference, actions: Iterable[str]) -> list[str]:
    """The ``actions`` that neither the role's inline policies nor an ``AWS::IAM::Policy``
    attached to it in its stack allow (on any resource)."""
    stack = assembly.stacks[role.stack]
    resource = assembly.resource(role) or {}
    documents = [p.get("PolicyDocument") for p in resource.get("Properties", {}).get("Policies", [])]
    for policy in stack.resources.values():
        if policy.get("Type") != "AWS::IAM::Policy":
            continue
        attached = [assembly.resolve(stack, r) for r in policy.get("Properties", {}).get("Roles", [])]
        if any(isinstance(r, Reference) and r.logical_id == role.logical_id for r in attached):
            documents.append(policy["Properties"].get("PolicyDocument"))
    granted = [a for d in documents for s in statements(d) for a in listed(s.get("Action"))]
    return [a for a in actions if not covers(granted, a)]
