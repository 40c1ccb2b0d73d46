"""GA-P016: the factory role every destination account's revoke (label, status) role trusts exists.

Each ``GoldenAmiRevoke`` (``RevokeAccessRole``, StackSet member templates included) trusts one
named role of the factory account, ``GoldenAmiRevoker``, each ``GoldenAmiLabels``
(``LabelAccessRole``) trusts ``GoldenAmiLabeller`` (``VersionLabeller``), and each
``GoldenAmiStatus`` (``StatusAccessRole``) trusts ``GoldenAmiStatusReader`` (``StatusReaderRole``):
the factory account bounded by
``aws:PrincipalArn``, since a role ARN in ``Principal`` must name a role that exists when the policy
is saved (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles)
and the factory's stacks deploy after the destinations. If no stack of the factory account creates
the role, nobody can assume the revoke role and the revoke command cannot act in that account: the
factory app must create it (``RevokerRole``). A trust naming the role ARN as ``Principal`` is read
the same way. The trust chain is AWS's role-assumption rule
(https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Final

from ...._core.label_names import LABEL_ROLE_NAME
from ...._core.revoke_names import REVOKE_ROLE_NAME
from ...._core.status_names import STATUS_ROLE_NAME
from .._model import listed, member_stacks
from .._policy import statements
from ..assembly import Assembly, Stack
from ..finding import Finding, Rule

_MAKERS: Final = {
    REVOKE_ROLE_NAME: "RevokerRole",
    LABEL_ROLE_NAME: "VersionLabeller",
    STATUS_ROLE_NAME: "StatusReaderRole",
}
"""Each destination role the factory's named role assumes, and the construct that makes that role."""
_WHO: Final = {
    REVOKE_ROLE_NAME: "the revoke command",
    LABEL_ROLE_NAME: "the labeller",
    STATUS_ROLE_NAME: "the status command",
}
"""Who acts through each destination role, for the message."""
_ROLE_ARN: Final = re.compile(r"arn:aws[-a-z]*:iam::([0-9]{12}):role/(?:[\w+=,.@-]+/)*([\w+=,.@-]+)", re.ASCII)


def _revoke_roles(assembly: Assembly) -> Iterator[tuple[Assembly, Stack, dict[str, Any], str]]:
    """(assembly to resolve in, stack, role properties, path) of every revoke and label role."""
    for stack, logical_id, resource in assembly.resources("AWS::IAM::Role"):
        if assembly.text(stack, resource.get("Properties", {}).get("RoleName")) in _MAKERS:
            yield assembly, stack, dict(resource.get("Properties", {})), f"{stack.name}/{logical_id}"
    for path, member in member_stacks(assembly):
        inner = Assembly([member])
        for role in member.resources.values():
            properties = role.get("Properties", {})
            if role.get("Type") == "AWS::IAM::Role" and properties.get("RoleName") in _MAKERS:
                yield inner, member, dict(properties), path


def _created_roles(assembly: Assembly) -> set[tuple[str, str]]:
    """(account, role name) of every role a stack of the assembly creates by name."""
    made = set()
    for stack, _, resource in assembly.resources("AWS::IAM::Role"):
        name = assembly.text(stack, resource.get("Properties", {}).get("RoleName"))
        if name and stack.account:
            made.add((stack.account, name))
    return made


def check(assembly: Assembly) -> Iterator[Finding]:
    made = _created_roles(assembly)
    for inner, stack, properties, path in _revoke_roles(assembly):
        for statement in statements(properties.get("AssumeRolePolicyDocument")):
            principal = statement.get("Principal")
            trusted = listed(principal.get("AWS")) if isinstance(principal, dict) else []
            conditions = statement.get("Condition", {})
            for block in conditions.values() if isinstance(conditions, dict) else ():
                trusted += listed(block.get("aws:PrincipalArn")) if isinstance(block, dict) else []
            for value in trusted:
                arn = inner.text(stack, value)
                match = _ROLE_ARN.fullmatch(arn) if arn else None
                if match is None:
                    continue  # an account or an unresolved value: nothing to look for
                account, name = match.groups()
                if (account, name) not in made:
                    role_name = str(properties.get("RoleName"))
                    what = _WHO[role_name]
                    yield RULE.error(
                        (path,),
                        f"{role_name} trusts role {name!r} of account {account}, which no stack of that "
                        f"account creates, so {what} cannot act here; add {_MAKERS[role_name]} to the factory "
                        f"app (the factory makes it in GoldenAmiFactory), or create {name!r} in account {account}",
                    )


RULE = Rule(
    id="GA-P016",
    title="the factory role every revoke, label and status role trusts is created by the factory app",
    citation="https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html",
    check=check,
)
