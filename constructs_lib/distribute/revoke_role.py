"""The role the revoke command acts through in a destination account."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from .._core.iam import factory_trusted_role
from .._core.nag import (
    acknowledge,
    as_in_finding,
)
from .._core.revoke_names import FACTORY_IMAGE_TAG, REVOKE_ROLE_NAME, REVOKED_TAG, REVOKER_ROLE_NAME


class RevokeAccessRole(Construct):
    """``GoldenAmiRevoke``: lets ``golden-ami-revoke`` rewrite this account's latest-AMI
    parameters with the last good AMI, and deprecate and tag revoked AMIs the factory made.

    Trusts one role of the factory account (``GoldenAmiRevoker``), not the whole account. May
    write only the named parameters, and deprecate and tag (``golden-ami:revoked`` only) only
    images tagged ``golden-ami:pipeline``. Made by :class:`DistributionAccountRole`, and so in every
    account of a :class:`DistributionAccountStackSet`; IAM roles are global, so once per account.

    Example::

        RevokeAccessRole(stack, "Revoke", factory_account="111111111111", parameter_names=["/golden-ami/web/latest"])
    """

    def __init__(self, scope: Construct, id: str, *, factory_account: str, parameter_names: Sequence[str]) -> None:
        """
        :param factory_account: the account whose ``GoldenAmiRevoker`` role may assume this one.
        :param parameter_names: the latest-AMI parameters a revoke may rewrite; none for an account
            that receives AMIs without parameters (then it only deprecates and tags them).
        """
        super().__init__(scope, id)
        self.role = factory_trusted_role(
            self,
            factory_account=factory_account,
            role_name=REVOKE_ROLE_NAME,
            trusted_role=REVOKER_ROLE_NAME,
            description="Revokes a golden AMI here: rewrites the latest-AMI parameters, deprecates and tags the AMI",
            parameter_names=parameter_names,
            parameter_sid="RewriteLatestAmiParameters",
            parameter_actions=("ssm:GetParameter", "ssm:GetParameterHistory", "ssm:PutParameter"),
        )
        partition = Stack.of(self).partition
        factory_made = {"StringLike": {f"aws:ResourceTag/{FACTORY_IMAGE_TAG}": "?*"}}
        for statement in (
            iam.PolicyStatement(
                sid="FindImagesAndPinnedTemplates",
                actions=["ec2:DescribeImages", "ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions"],
                resources=["*"],
            ),
            iam.PolicyStatement(
                sid="DeprecateFactoryImages",
                actions=["ec2:EnableImageDeprecation"],
                resources=[f"arn:{partition}:ec2:*::image/*"],
                conditions=factory_made,
            ),
            iam.PolicyStatement(
                sid="MarkFactoryImagesRevoked",
                actions=["ec2:CreateTags"],
                resources=[f"arn:{partition}:ec2:*::image/*"],
                conditions={
                    **factory_made,
                    "ForAllValues:StringEquals": {"aws:TagKeys": [REVOKED_TAG]},
                    "Null": {"aws:TagKeys": "false"},
                },
            ),
        ):
            self.role.add_to_policy(statement)
        arn = f"arn:{as_in_finding(partition, 'Partition')}"
        acknowledge(
            self.role,
            f"AwsSolutions-IAM5[Resource::{arn}:ec2:*::image/*]",
            f"AMI IDs are known only when a revoke runs; limited by condition to images tagged {FACTORY_IMAGE_TAG}.",
            (
                "AwsSolutions-IAM5[Resource::*]",
                "EC2 Describe actions (images, launch templates, their versions) take no resource-level permissions.",
            ),
        )
        self.role_arn = self.role.role_arn
