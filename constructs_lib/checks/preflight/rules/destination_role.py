"""GA-P013: the destination role carries AWS's documented KMS permissions.

AWS's inline policy for ``EC2ImageBuilderDistributionCrossAccountRole`` with encrypted AMIs grants
``kms:Encrypt``, ``kms:Decrypt``, ``kms:ReEncrypt*``, ``kms:GenerateDataKey*``,
``kms:DescribeKey``, ``kms:CreateGrant``, ``kms:ListGrants`` and ``kms:RevokeGrant``. Scoping it
with ``kms:ResourceAliases`` is a warning: no AWS page says that condition works for a key in
another account (its aliases live in the key's account). When a distribution updates launch
templates in the role's account, the role also needs ``ec2:CreateLaunchTemplateVersion``,
``ec2:ModifyLaunchTemplate`` and ``ec2:CreateTags`` on launch templates (same page).

https://docs.aws.amazon.com/imagebuilder/latest/userguide/cross-account-dist.html and
https://docs.aws.amazon.com/kms/latest/developerguide/alias-authorization.html.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .._model import listed, member_stacks
from .._policy import covers, statements
from ..assembly import Assembly, Stack
from ..finding import Finding, Rule

ROLE = "ec2imagebuilderdistributioncrossaccountrole"
REQUIRED = ("kms:ListGrants", "kms:RevokeGrant", "kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey")
LAUNCH_TEMPLATES = ("ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate", "ec2:CreateTags")


def _updated_accounts(assembly: Assembly) -> set[str]:
    """Accounts whose launch templates a distribution updates."""
    accounts = set()
    for stack, _, resource in assembly.resources("AWS::ImageBuilder::DistributionConfiguration"):
        for entry in resource.get("Properties", {}).get("Distributions", []):
            for target in entry.get("LaunchTemplateConfigurations", []):
                account = assembly.text(stack, target.get("AccountId")) or stack.account
                if account:
                    accounts.add(account)
    return accounts


def _roles(assembly: Assembly) -> Iterator[tuple[Assembly, Stack, str, str]]:
    """(assembly, stack, logical ID, path) of every destination role, StackSet member templates included."""
    for stack, logical_id, resource in assembly.resources("AWS::IAM::Role"):
        if (assembly.text(stack, resource.get("Properties", {}).get("RoleName")) or "").lower() == ROLE:
            yield assembly, stack, logical_id, f"{stack.name}/{logical_id}"
    for path, member in member_stacks(assembly):
        inner = Assembly([member])
        for role_id, role in member.resources.items():
            if str(role.get("Properties", {}).get("RoleName", "")).lower() == ROLE:
                yield inner, member, role_id, path


def _documents(stack: Stack, assembly: Assembly, logical_id: str) -> list[Any]:
    role = stack.resources[logical_id]
    documents = [p.get("PolicyDocument") for p in role.get("Properties", {}).get("Policies", [])]
    for policy in stack.resources.values():
        if policy.get("Type") == "AWS::IAM::Policy":
            roles = [assembly.resolve(stack, r) for r in policy.get("Properties", {}).get("Roles", [])]
            if any(getattr(r, "logical_id", None) == logical_id for r in roles):
                documents.append(policy["Properties"].get("PolicyDocument"))
    return documents


def _mentions(condition: Any, key: str) -> bool:
    return isinstance(condition, Mapping) and any(
        isinstance(block, Mapping) and any(str(k).lower() == key for k in block) for block in condition.values()
    )


def check(assembly: Assembly) -> Iterator[Finding]:
    updated = _updated_accounts(assembly)
    for inner, stack, logical_id, path in _roles(assembly):
        every = [s for d in _documents(stack, inner, logical_id) for s in statements(d)]
        if stack.account in updated:
            granted_ec2 = [a for s in every for a in listed(s.get("Action"))]
            missing_ec2 = [a for a in LAUNCH_TEMPLATES if not covers(granted_ec2, a)]
            if missing_ec2:
                yield RULE.error(
                    (path,),
                    f"a distribution updates launch templates in account {stack.account}, but its destination role "
                    f"lacks {', '.join(missing_ec2)}; add them for launch templates (CreateTags bounded by "
                    "aws:RequestTag/CreatedBy)",
                )
        kms = [s for s in every if any(str(a).lower().startswith("kms:") for a in listed(s.get("Action")))]
        if not kms:
            continue
        granted = [a for s in kms for a in listed(s.get("Action"))]
        missing = [a for a in REQUIRED if not covers(granted, a)]
        if missing:
            yield RULE.error(
                (path,),
                f"the destination role may use KMS keys but lacks {', '.join(missing)} of the policy AWS documents "
                "for cross-account distribution of encrypted AMIs; add them",
            )
        if any(_mentions(s.get("Condition"), "kms:resourcealiases") for s in kms):
            yield RULE.warning(
                (path,),
                "the destination role's KMS permissions depend on kms:ResourceAliases, which no AWS page confirms "
                "for keys in another account; scope the statement to the factory account's keys "
                "(arn:aws:kms:*:<factory account>:key/*) and let their key policies decide",
            )


RULE = Rule(
    id="GA-P013",
    title="the destination role has the KMS permissions AWS documents",
    citation="https://docs.aws.amazon.com/imagebuilder/latest/userguide/cross-account-dist.html",
    check=check,
)
