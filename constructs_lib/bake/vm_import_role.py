"""The VM Import/Export service role, under a name of the factory's own."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from .._core.limits import is_token
from .._core.nag import INLINE_POLICY_REASON, acknowledge, acknowledge_compliance, as_in_finding, skip_checkov

DEFAULT_ROLE_NAME: Final = "golden-ami-factory-vmimport"
"""Not ``vmimport``: that name is account-wide and often taken by another team's imports."""
SERVICE: Final = "vmie.amazonaws.com"
EXTERNAL_ID: Final = "vmimport"
_ROLE_NAME_RE: Final = re.compile(r"[\w+=,.@-]{1,64}", re.ASCII)
# The service role policy of "Required permissions for VM Import/Export", section "Required
# service role" (https://docs.aws.amazon.com/vm-import/latest/userguide/required-permissions.html),
# reduced to importing: the statement for an export bucket and the License Manager actions
# (used only with license configurations) are left out.
BUCKET_ACTIONS: Final = ("s3:GetBucketLocation", "s3:GetObject", "s3:ListBucket")
EC2_ACTIONS: Final = ("ec2:ModifySnapshotAttribute", "ec2:CopySnapshot", "ec2:RegisterImage", "ec2:Describe*")
KEY_ACTIONS: Final = (
    "kms:CreateGrant",
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey*",
    "kms:ReEncrypt*",
)


def check_role_name(field: str, value: str) -> str:
    """An IAM role name: 1 to 64 of letters, digits and ``+=,.@_-``."""
    if not is_token(value) and not _ROLE_NAME_RE.fullmatch(value):
        raise ValueError(
            f"{field}: {value!r} is not an IAM role name; use 1 to 64 letters, digits and +=,.@_- "
            f"(default {DEFAULT_ROLE_NAME!r})"
        )
    return value


class VmImportRole(Construct):
    """The IAM role VM Import/Export assumes to read disk images and register the AMI.

    AWS documents one trust policy (service ``vmie.amazonaws.com``, external ID ``vmimport``)
    and one permissions policy, and names the role ``vmimport``; ``ImportImage`` accepts any
    role name (``RoleName``), so this role gets a name of the factory's own. Its permissions are
    exactly AWS's, reduced to importing: read the disk image buckets, copy and register
    snapshots and images, and use the factory's key (``kms_key_arn``) to encrypt them.

    Example::

        role = VmImportRole(self, "VmImportRole", buckets=("my-disk-images",), kms_key_arn=key.key_arn)
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        buckets: Sequence[str],
        kms_key_arn: str,
        role_name: str = DEFAULT_ROLE_NAME,
    ) -> None:
        """
        :param buckets: names of the S3 buckets that hold the disk images.
        :param kms_key_arn: the key that encrypts the imported snapshots (the factory's key).
        :param role_name: Default: ``golden-ami-factory-vmimport``.
        """
        super().__init__(scope, id)
        if not buckets:
            raise ValueError("buckets: give the S3 bucket of at least one disk image")
        self.role_name = check_role_name("role_name", role_name)
        partition = Stack.of(self).partition
        unique = sorted(set(buckets))
        # Inline, so that the role's permissions sit in the role itself, where the GoldenAmi
        # nag pack judges them (GoldenAmi-VmImportRoleScoped).
        policy = iam.PolicyDocument(
            statements=[
                iam.PolicyStatement(
                    sid="ReadDiskImages",
                    actions=list(BUCKET_ACTIONS),
                    resources=[r for b in unique for r in (f"arn:{partition}:s3:::{b}", f"arn:{partition}:s3:::{b}/*")],
                ),
                iam.PolicyStatement(sid="RegisterSnapshotsAndImages", actions=list(EC2_ACTIONS), resources=["*"]),
                iam.PolicyStatement(sid="EncryptWithFactoryKey", actions=list(KEY_ACTIONS), resources=[kms_key_arn]),
            ]
        )
        self.role = iam.Role(
            self,
            "Resource",
            role_name=role_name,
            assumed_by=iam.ServicePrincipal(SERVICE, conditions={"StringEquals": {"sts:Externalid": EXTERNAL_ID}}),
            description="VM Import/Export: reads the factory's disk images and registers them as encrypted AMIs",
            inline_policies={"VmImport": policy},
        )
        acknowledge_compliance(self.role, "IAMNoInlinePolicy", INLINE_POLICY_REASON)
        documented = (
            "AWS's documented VM Import service role policy: ec2:CopySnapshot, ec2:ModifySnapshotAttribute and "
            "ec2:RegisterImage on snapshots and images that do not exist before the import."
        )
        role_resource = self.role.node.default_child
        assert isinstance(role_resource, iam.CfnRole)
        skip_checkov(role_resource, "CKV_AWS_111", documented)
        skip_checkov(role_resource, "CKV_AWS_109", documented)
        here = f"arn:{as_in_finding(partition, 'Partition')}"
        acknowledge(
            self.role,
            "AwsSolutions-IAM5[Action::ec2:Describe*]",
            "AWS's documented VM Import service role policy grants ec2:Describe*; describes have no resource scope.",
            (
                "AwsSolutions-IAM5[Resource::*]",
                "EC2 snapshot and image actions of the documented policy; the "
                "snapshots and the AMI do not exist before the import.",
            ),
            (
                "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]",
                "AWS's documented VM Import key actions, on the factory's key only.",
            ),
            (
                "AwsSolutions-IAM5[Action::kms:ReEncrypt*]",
                "AWS's documented VM Import key actions, on the factory's key only.",
            ),
            *((f"AwsSolutions-IAM5[Resource::{here}:s3:::{b}/*]", f"The disk images in bucket {b}.") for b in unique),
        )
        self.buckets = tuple(unique)
