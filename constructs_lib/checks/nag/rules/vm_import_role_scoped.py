"""The VM Import service role grants no more than AWS documents for it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..rule import Compliance, Properties, Rule, Siblings, unresolved, verdict

SERVICE = "vmie.amazonaws.com"
# Actions of AWS's documented service role policy ("Required permissions for VM Import/Export",
# https://docs.aws.amazon.com/vm-import/latest/userguide/required-permissions.html).
DOCUMENTED = frozenset(
    {
        "s3:GetBucketLocation",
        "s3:GetObject",
        "s3:ListBucket",
        "s3:PutObject",
        "s3:GetBucketAcl",
        "ec2:ModifySnapshotAttribute",
        "ec2:CopySnapshot",
        "ec2:RegisterImage",
        "ec2:Describe*",
        "kms:CreateGrant",
        "kms:Decrypt",
        "kms:DescribeKey",
        "kms:Encrypt",
        "kms:GenerateDataKey*",
        "kms:ReEncrypt*",
        "license-manager:GetLicenseConfiguration",
        "license-manager:UpdateLicenseSpecificationsForResource",
        "license-manager:ListLicenseSpecificationsForResource",
    }
)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _trusts_vm_import(properties: Properties) -> bool:
    for statement in _list(properties.get("AssumeRolePolicyDocument", {}).get("Statement", [])):
        services = _list(statement.get("Principal", {}).get("Service", []))
        if SERVICE in services:
            return True
    return False


def _too_broad(statement: Mapping[str, Any]) -> bool:
    if statement.get("Effect") != "Allow":
        return False
    actions = [a for a in _list(statement.get("Action", [])) if not unresolved(a)]
    if any(a not in DOCUMENTED for a in actions):
        return True
    resources = _list(statement.get("Resource", []))
    # S3 and KMS actions name buckets and keys; only EC2's snapshot and image actions need "*".
    return "*" in resources and any(a.startswith(("s3:", "kms:")) for a in actions)


def check(properties: Properties, _: Siblings) -> Compliance:
    if not _trusts_vm_import(properties):
        return Compliance.NOT_APPLICABLE
    statements = [
        s for p in properties.get("Policies", []) for s in _list(p.get("PolicyDocument", {}).get("Statement", []))
    ]
    return verdict(not any(_too_broad(s) for s in statements) and not properties.get("ManagedPolicyArns"))


RULE = Rule(
    id="VmImportRoleScoped",
    resource_type="AWS::IAM::Role",
    info="The VM Import service role grants more than AWS documents, or reads every bucket or uses every key.",
    explanation="VM Import/Export needs only the service role policy AWS documents: read the disk image bucket, copy "
    "and register snapshots and images, and use the key that encrypts them. Anything else (a managed policy, another "
    "action, S3 or KMS on every resource) is a standing grant to a service principal. Name the buckets and the key.",
    check=check,
)
