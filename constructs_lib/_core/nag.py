"""Acknowledging cdk-nag findings next to the resource they concern, always with a reason."""

from __future__ import annotations

from collections.abc import Iterable

from aws_cdk import Acknowledgment, CfnResource, Validations
from constructs import IConstruct

from .limits import is_token


def acknowledge(resource: IConstruct, rule: str, reason: str, *more: tuple[str, str]) -> None:
    """Record that ``rule`` (for example ``AwsSolutions-IAM4[Policy::...]``) is accepted on
    ``resource`` for ``reason``, and each further ``(rule, reason)`` too, in one call into jsii.
    The reason is shown wherever cdk-nag reports."""
    Validations.of(resource).acknowledge(*(Acknowledgment(id=r, reason=why) for r, why in ((rule, reason), *more)))


def acknowledge_resources(role: IConstruct, wildcard: tuple[str, str], *more: tuple[str, str]) -> None:
    """Accept cdk-nag's ``AwsSolutions-IAM5`` finding on each ``(resource, reason)`` of ``role``'s
    policy, the resource written as the finding writes it (:func:`as_in_finding`, ``<Logs1234.Arn>``
    for a reference)."""
    first, *rest = ((f"AwsSolutions-IAM5[Resource::{resource}]", reason) for resource, reason in (wildcard, *more))
    acknowledge(role, *first, *rest)


PARAMETER_WILDCARD_REASON = "The same parameter name exists in every region the image reaches; the name is exact."


def parameter_wildcards(partition: str, account: str, names: Iterable[str]) -> list[tuple[str, str]]:
    """``(resource, reason)`` for :func:`acknowledge_resources` of each latest-AMI parameter's ARN in
    any region (``arn:<partition>:ssm:*:<account>:parameter<name>``), as cdk-nag writes it."""
    arn, here = f"arn:{as_in_finding(partition, 'Partition')}", as_in_finding(account, "AccountId")
    return [(f"{arn}:ssm:*:{here}:parameter{n}", PARAMETER_WILDCARD_REASON) for n in names]


def as_in_finding(value: str, pseudo: str) -> str:
    """How cdk-nag writes ``value`` in a finding ID: literally, or ``<AWS::Pseudo>`` when it is a token."""
    return f"<AWS::{pseudo}>" if is_token(value) else value


def skip_checkov(resource: CfnResource, check: str, reason: str) -> None:
    """Record in ``resource``'s template Metadata that checkov's ``check`` does not apply, and why;
    checkov reports it as skipped with the reason."""
    metadata = resource.get_metadata("checkov") or {"skip": []}
    metadata["skip"] = [*metadata["skip"], {"id": check, "comment": reason}]
    resource.add_metadata("checkov", metadata)


FAST_LAUNCH_VOLUMES_REASON = (
    "EC2 Fast Launch: the template carries no block device mapping, so the instances take the AMI's own "
    "volumes, which the recipe's key encrypts (preflight GA-P017 checks it); a mapping makes EC2 launch from "
    "the AMI's base snapshot instead of the pre-provisioned ones (observed, not stated by AWS: "
    "https://github.com/aws/karpenter-provider-aws/issues/9014)."
)
"""Why a launch template of a Fast Launch image may define no volume (GoldenAmi-LaunchTemplateVolumesEncrypted)."""

COMPLIANCE_PACKS = ("NIST.800.53.R5", "HIPAA.Security")
INLINE_POLICY_REASON = (
    "The role's own policy, written for this role alone and scoped to its resources; a customer managed "
    "policy would hold the same statements under another resource type."
)


def acknowledge_compliance(resource: IConstruct, rule: str, reason: str) -> None:
    """Acknowledge ``rule`` (for example ``IAMNoInlinePolicy``) of the NIST 800-53 rev 5 and HIPAA
    Security packs on ``resource`` and its children, with ``reason``."""
    first, *rest = compliance(rule, reason)
    acknowledge(resource, *first, *rest)


def compliance(rule: str, reason: str) -> list[tuple[str, str]]:
    """``(rule, reason)`` pairs of ``rule`` in the NIST 800-53 rev 5 and HIPAA Security packs."""
    return [(f"{pack}-{rule}", reason) for pack in COMPLIANCE_PACKS]
