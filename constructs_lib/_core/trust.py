"""Who may assume the library's roles: the conditions AWS documents for each service principal,
and the reviewed exemptions where it documents none.

A service principal in a trust policy can be used by the service on behalf of any account (the
confused deputy problem); ``aws:SourceAccount`` and ``aws:SourceArn`` bound it to this account's
resources where the service sets them
(https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html). A condition on a key
the service does not send denies the service itself, so a condition is added only where the
service's own page shows it, and every other principal is listed in :data:`TRUST_EXEMPTIONS`
with the page that documents its trust. ``tests/test_trust_policies.py`` reads every trust
policy the default factory and the examples synthesize against this table.
"""

from __future__ import annotations

import dataclasses
from typing import Final


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class TrustRule:
    """One principal of the library's trust policies and what bounds it."""

    principal: str
    """A service principal; ``account`` for another account's root; ``role/<name>`` for the role
    of that name when it trusts another account's root with no condition (an exemption)."""
    conditions: tuple[str, ...]
    """The condition keys every trust statement for it carries, as its page shows them (none for
    most exemptions)."""
    page: str
    """The AWS page that documents the trust."""
    why: str = ""
    """For an exemption: why no condition (what the page shows)."""


TRUST_RULES: Final = (
    TrustRule(
        principal="account",
        conditions=("aws:PrincipalArn",),
        page="https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn",
        why="Another account's root, bounded to one of its roles by name (role_of_account): a role ARN as "
        "principal must exist when the policy is saved, and the factory's roles are made after the destinations.",
    ),
    TrustRule(
        principal="vpc-flow-logs.amazonaws.com",
        conditions=("aws:SourceAccount", "aws:SourceArn"),
        page="https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html",
    ),
    TrustRule(
        principal="states.amazonaws.com",
        conditions=("aws:SourceAccount", "aws:SourceArn"),
        page="https://docs.aws.amazon.com/step-functions/latest/dg/procedure-create-iam-role.html",
    ),
    TrustRule(
        principal="imagebuilder.amazonaws.com",
        conditions=("aws:SourceAccount",),
        page="https://docs.aws.amazon.com/imagebuilder/latest/userguide/image-lifecycle-prerequisites.html",
    ),
)
"""Principals with the conditions their pages document."""

TRUST_EXEMPTIONS: Final = (
    TrustRule(
        principal="lambda.amazonaws.com",
        conditions=(),
        page="https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html",
        why="Lambda's execution-role trust policy names the service only; Lambda documents no aws:SourceArn or "
        "aws:SourceAccount when it assumes the role, and each function's role is its own.",
    ),
    TrustRule(
        principal="ec2.amazonaws.com",
        conditions=(),
        page="https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/iam-roles-for-amazon-ec2.html",
        why="An instance profile's role is assumed by EC2 for the instances it launches; EC2 documents the trust "
        "without conditions, and only who may pass the role (iam:PassRole) decides which instances get it.",
    ),
    TrustRule(
        principal="vmie.amazonaws.com",
        conditions=("sts:Externalid",),
        page="https://docs.aws.amazon.com/vm-import/latest/userguide/required-permissions.html",
        why="AWS documents this trust with the external ID 'vmimport' only, and no aws:SourceAccount or aws:SourceArn.",
    ),
    TrustRule(
        principal="events.amazonaws.com",
        conditions=(),
        page="https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-cross-account.html",
        why="The execution role EventBridge assumes to deliver to another account or region: AWS's example trust "
        "names the service only, and no page says which keys EventBridge sends when it assumes it; the role may "
        "put events on the factory's notifications bus and nothing else.",
    ),
    TrustRule(
        principal="role/EC2ImageBuilderDistributionCrossAccountRole",
        conditions=(),
        page="https://docs.aws.amazon.com/imagebuilder/latest/userguide/cross-account-dist.html",
        why="AWS's example trusts the factory account's root; no page says which principal of that account "
        "assumes it for a pipeline with an execution role, so a narrower trust could break distribution.",
    ),
)
"""Principals whose pages document no confused-deputy condition, each with the reason."""


def rule_for(principal: str) -> TrustRule | None:
    """The rule or exemption for ``principal``, None when the table has none."""
    return next((r for r in (*TRUST_RULES, *TRUST_EXEMPTIONS) if r.principal == principal), None)
