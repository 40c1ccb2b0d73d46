"""GA-P003: sharing an encrypted AMI with an organization or OU has its conditioned key statement.

Launch permission for an organization or OU does nothing for an AMI whose snapshots use a
customer managed key unless the key policy allows ``"*"`` bounded by ``aws:PrincipalOrgID``
(organization) or ``aws:PrincipalOrgPaths`` (OU).

https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/allow-org-ou-to-use-key.html ("in the key
policy you can use the aws:PrincipalOrgID and aws:PrincipalOrgPaths condition keys to allow only
specific principals permission to the specified actions").
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from .._model import builds, copies, listed
from .._policy import covers, key_statements
from ..assembly import Assembly, Reference
from ..finding import Finding, Rule

ACTIONS = (
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:ReEncryptFrom",
    "kms:CreateGrant",
)
ORG = re.compile(r"arn:aws[-a-z]*:organizations::[0-9]{12}:(?:organization|ou)/(o-[a-z0-9]+)(?:/(ou-[a-z0-9-]+))?")


def _condition_values(condition: Any, key: str) -> list[str]:
    values: list[str] = []
    if isinstance(condition, Mapping):
        for block in condition.values():
            if isinstance(block, Mapping):
                for name, value in block.items():
                    if str(name).lower() == key.lower():
                        values += [str(v) for v in listed(value)]
    return values


def _bounded(assembly: Assembly, key: Reference, org: str, ou: str | None) -> bool:
    _, found = key_statements(assembly, key)
    granted: list[Any] = []
    for statement in found:
        who = statement.get("Principal")
        if not (who == "*" or (isinstance(who, Mapping) and who.get("AWS") == "*")):
            continue
        condition = statement.get("Condition")
        if org not in _condition_values(condition, "aws:PrincipalOrgID"):
            continue
        if ou is not None and not any(
            p.startswith(org) and ou in p for p in _condition_values(condition, "aws:PrincipalOrgPaths")
        ):
            continue
        granted += listed(statement.get("Action"))
    return all(covers(granted, a) for a in ACTIONS)


def check(assembly: Assembly) -> Iterator[Finding]:
    seen: set[Finding] = set()
    for build in builds(assembly):
        for copy in copies(assembly, build):
            if not isinstance(copy.key, Reference):
                continue
            for arn in (*copy.organizations, *copy.organizational_units):
                match = ORG.fullmatch(arn)
                if match is None:
                    continue
                org, ou = match.group(1), match.group(2)
                if _bounded(assembly, copy.key, org, ou):
                    continue
                condition = "aws:PrincipalOrgID" + (f" and aws:PrincipalOrgPaths ({org}/*/{ou}/*)" if ou else "")
                finding = RULE.error(
                    (copy.key.path, copy.distribution.path),
                    f"AMIs in {copy.region} are shared with {arn}, but key {copy.key.path} has no statement for "
                    f"principal * bounded by {condition}, so its accounts cannot launch them; add that statement "
                    f"with {', '.join(ACTIONS)}, or stop sharing with the {'OU' if ou else 'organization'}",
                )
                if finding not in seen:
                    seen.add(finding)
                    yield finding


RULE = Rule(
    id="GA-P003",
    title="organization and OU sharing have their conditioned key statements",
    citation="https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/allow-org-ou-to-use-key.html",
    check=check,
)
