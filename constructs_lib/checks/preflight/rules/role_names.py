"""GA-P004: no IAM role name twice in one account, counting StackSet targets that can overlap.

IAM role names are unique in an account (case-insensitive) and global to its regions: a second
stack creating the same name fails with "already exists". A service-managed StackSet that targets
an OU reaches every member account (the management account excepted) that its
``DeploymentTargets`` do not filter out, so it overlaps any named account the OU may contain.

https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html ("names must be unique
within the account. Names are not distinguished by case") and
https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DeploymentTargets.html
(``AccountFilterType``: ``DIFFERENCE`` "on all accounts in the selected OUs except for specific
accounts listed", ``INTERSECTION`` only the listed accounts).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from ..assembly import Assembly
from ..finding import Finding, Rule


def _stackset_roles(body: Any) -> list[str]:
    try:
        template = json.loads(body) if isinstance(body, str) else {}
    except ValueError:
        return []
    return [
        r["Properties"]["RoleName"]
        for r in template.get("Resources", {}).values()
        if r.get("Type") == "AWS::IAM::Role" and isinstance(r.get("Properties", {}).get("RoleName"), str)
    ]


def _reaches(targets: Mapping[str, Any], account: str, management: str | None) -> bool:
    """True when a StackSet's deployment targets can include ``account``."""
    accounts = [str(a) for a in targets.get("Accounts", [])]
    ous = targets.get("OrganizationalUnitIds", [])
    kind = targets.get("AccountFilterType", "NONE" if not accounts else "UNION")
    if account == management:
        return False
    if not ous or kind == "INTERSECTION":
        return account in accounts
    if kind == "DIFFERENCE":
        return account not in accounts
    return True


def check(assembly: Assembly) -> Iterator[Finding]:
    owners: dict[tuple[str, str], list[str]] = {}
    for stack, logical_id, resource in assembly.resources("AWS::IAM::Role"):
        name = assembly.text(stack, resource.get("Properties", {}).get("RoleName"))
        if stack.account and name:
            owners.setdefault((stack.account, name.lower()), []).append(f"{stack.name}/{logical_id}")
    for (account, name), paths in sorted(owners.items()):
        if len(paths) > 1:
            yield RULE.error(
                paths,
                f"role name {name!r} is created {len(paths)} times in account {account} (IAM is global to the "
                "account's regions); create it once, or give each its own name",
            )
    for stack, logical_id, resource in assembly.resources("AWS::CloudFormation::StackSet"):
        properties = resource.get("Properties", {})
        management = stack.account if properties.get("CallAs", "SELF") == "SELF" else None
        for name in _stackset_roles(properties.get("TemplateBody")):
            for (account, owned), paths in sorted(owners.items()):
                if owned != name.lower():
                    continue
                for group in properties.get("StackInstancesGroup", []):
                    targets = group.get("DeploymentTargets", {})
                    reach = ", ".join(targets.get("OrganizationalUnitIds", []) or targets.get("Accounts", []))
                    if _reaches(targets, account, management):
                        yield RULE.error(
                            (f"{stack.name}/{logical_id}", *paths),
                            f"StackSet {stack.name}/{logical_id} creates role {name!r} in every account its targets "
                            f"reach ({reach}), "
                            f"which can include account {account}, where {paths[0]} creates it too; exclude {account} "
                            "from the StackSet (DeploymentTargets.AccountFilterType: DIFFERENCE with Accounts: "
                            f"[{account}])",
                        )
                        break


RULE = Rule(
    id="GA-P004",
    title="no IAM role name twice in one account, StackSet targets included",
    citation="https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DeploymentTargets.html",
    check=check,
)
