"""What each principal of a distribution key may do, and the ARNs and conditions that name it.

Pure values and functions; :class:`~constructs_lib.distribute.key.DistributionKey` turns them
into key policy statements.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from .._core.targets import LaunchPermission

# Copying and re-encrypting snapshots, and launching them: the five actions AWS's key policies for
# EBS name ("Required AWS KMS key policy for use with encrypted volumes",
# https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html).
USE_ACTIONS: Final = ("kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey")
# Launching an encrypted AMI, with kms:CreateGrant for AWS resources alongside: "Permissions for
# users", https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption-requirements.html
# (ReEncrypt* covers ReEncryptFrom and ReEncryptTo). No kms:Encrypt: launching encrypts nothing new.
LAUNCH_ACTIONS: Final = ("kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncrypt*")
# The operations of the grant AWS documents for another account's AWSServiceRoleForAutoScaling
# (the `aws kms create-grant` example of the page above).
AUTO_SCALING_GRANT_OPERATIONS: Final = (
    "Encrypt",
    "Decrypt",
    "ReEncryptFrom",
    "ReEncryptTo",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "DescribeKey",
    "CreateGrant",
)
AUTO_SCALING_ROLE: Final = "aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
IMAGE_BUILDER_ROLE: Final = "aws-service-role/imagebuilder.amazonaws.com/AWSServiceRoleForImageBuilder"

Conditions = Mapping[str, Mapping[str, object]]


def auto_scaling_role_arn(partition: str, account: str) -> str:
    """``AWSServiceRoleForAutoScaling`` of ``account`` (``*`` for any account)."""
    return f"arn:{partition}:iam::{account}:role/{AUTO_SCALING_ROLE}"


def image_builder_role_arn(partition: str, account: str) -> str:
    """``AWSServiceRoleForImageBuilder`` of ``account``."""
    return f"arn:{partition}:iam::{account}:role/{IMAGE_BUILDER_ROLE}"


def organization_id(arn: str) -> str:
    """``o-...`` of an organization or OU ARN."""
    return arn.split("/")[1]


def organization_bounds(permission: LaunchPermission) -> list[tuple[str, dict[str, dict[str, object]]]]:
    """``(Sid prefix, conditions)`` for principal ``*``: one for the organizations (their IDs,
    ``aws:PrincipalOrgID``), one for the OUs (their organization and a path through each OU,
    ``aws:PrincipalOrgPaths``), as "Allow organizations and OUs to use a KMS key" writes them
    (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/allow-org-ou-to-use-key.html). An OU ARN
    does not name the root or the parent OUs, so the path is ``o-.../*/ou-.../*``."""
    bounds: list[tuple[str, dict[str, dict[str, object]]]] = []
    if permission.organizations:
        ids = sorted({organization_id(a) for a in permission.organizations})
        bounds.append(("Organizations", {"StringEquals": {"aws:PrincipalOrgID": ids}}))
    if permission.organizational_units:
        ids = sorted({organization_id(a) for a in permission.organizational_units})
        paths = [f"{organization_id(a)}/*/{a.rsplit('/', 1)[1]}/*" for a in permission.organizational_units]
        bounds.append(
            (
                "OrganizationalUnits",
                {
                    "StringEquals": {"aws:PrincipalOrgID": ids},
                    "ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": paths},
                },
            )
        )
    return bounds


def merge_conditions(*parts: Conditions | None) -> dict[str, dict[str, object]]:
    """One condition block from several, operator by operator."""
    merged: dict[str, dict[str, object]] = {}
    for part in parts:
        for operator, keys in (part or {}).items():
            merged.setdefault(operator, {}).update(keys)
    return merged
