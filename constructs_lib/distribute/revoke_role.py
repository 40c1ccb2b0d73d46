"""The role the revoke command acts through in a destination account."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from .._core.iam import role_of_account
from .._core.nag import (
    INLINE_POLICY_REASON,
    acknowledge,
    acknowledge_compliance,
    acknowledge_resources,
    as_in_finding,
    parameter_wildcards,
)
from .._core.revoke_names import FACTORY_IMAGE_TAG, REVOKE_ROLE_NAME, REVOKED_TAG, REVOKER_ROLE_NAME
from .._core.targets import check_account, check_parameter_name


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
        check_account("factory_account", factory_account)
        for name in parameter_names:
            check_parameter_name("parameter_names", name)
        stack = Stack.of(self)
        partition, account = stack.partition, stack.account
        self.role = iam.Role(
            self,
            "Resource",
            role_name=REVOKE_ROLE_NAME,
            assumed_by=role_of_account(factory_account, REVOKER_ROLE_NAME, partition),
            description="Revokes a golden AMI here: rewrites the latest-AMI parameters, deprecates and tags the AMI",
        )
        factory_made = {"StringLike": {f"aws:ResourceTag/{FACTORY_IMAGE_TAG}": "?*"}}
        rewrite = (
            iam.PolicyStatement(
                sid="RewriteLatestAmiParameters",
                actions=["ssm:GetParameter", "ssm:GetParameterHistory", "ssm:PutParameter"],
                resources=[f"arn:{partition}:ssm:*:{account}:parameter{n}" for n in parameter_names],
            ),
        )
        for statement in (
            *(rewrite if parameter_names else ()),
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
        acknowledge_compliance(self.role, "IAMNoInlinePolicy", INLINE_POLICY_REASON)
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
        if parameter_names:
            acknowledge_resources(self.role, *parameter_wildcards(partition, account, parameter_names))
        self.role_arn = self.role.role_arn
