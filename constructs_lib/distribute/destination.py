"""What a destination account needs so the factory account can copy golden AMIs into it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from .._core.limits import check_unique
from .._core.nag import (
    INLINE_POLICY_REASON,
    acknowledge,
    acknowledge_compliance,
    acknowledge_resources,
    as_in_finding,
    parameter_wildcards,
)
from .._core.targets import check_account, check_parameter_name
from .key import DEFAULT_KEY_NAME, USE_ACTIONS
from .label_role import LabelAccessRole
from .revoke_role import RevokeAccessRole
from .status_role import StatusAccessRole

ROLE_NAME: Final = "EC2ImageBuilderDistributionCrossAccountRole"
"""The name Image Builder assumes in every destination account; it cannot be changed."""
MANAGED_POLICY: Final = "Ec2ImageBuilderCrossAccountDistributionAccess"
LIFECYCLE_ROLE_NAME: Final = "Ec2ImageBuilderCrossAccountLifecycleAccess"
"""The name Image Builder's lifecycle policies assume in every account AMIs were copied into; fixed."""
LIFECYCLE_POLICY: Final = "service-role/EC2ImageBuilderLifecycleExecutionPolicy"
LIFECYCLE_ROLE_EXISTS: Final = "golden-ami:lifecycle-role-exists"
"""Metadata on the distribution role of an account whose lifecycle role was made outside the stack."""
LIFECYCLE_SOURCE_ARN: Final = "arn:*:imagebuilder:*:*:image/*/*/*"
"""The ``aws:SourceArn`` of AWS's trust policy for the lifecycle role: any Image Builder image build version."""
MANAGED_TEMPLATE_TAG: Final = "golden-ami:image-builder-updates"
"""Launch templates tagged with this key (value ``true``) may get new versions from Image Builder."""


class DistributionAccountRole(Construct):
    """The role ``EC2ImageBuilderDistributionCrossAccountRole`` in a destination account.

    Holds the AWS managed policy ``Ec2ImageBuilderCrossAccountDistributionAccess`` and the
    inline statements of "Set up cross-account AMI distribution with Image Builder"
    (https://docs.aws.amazon.com/imagebuilder/latest/userguide/cross-account-dist.html), when
    asked: use of keys of the factory account (``kms:ListGrants`` and ``kms:RevokeGrant``
    included; each key's policy decides), writing the latest-AMI parameters, and new versions
    (and their ``CreatedBy`` tags) of launch templates tagged
    ``golden-ami:image-builder-updates=true``. It also makes the revoke command's
    :class:`RevokeAccessRole` (parameters or not: the copies are deprecated either way) and the
    status command's read-only :class:`StatusAccessRole`. IAM roles are global: create it once per
    account, in one region.

    It trusts the factory account's root, as AWS's example trust policy on that page does. It
    may write every latest-AMI parameter it is given, so a narrower trust would be better, but
    AWS documents no condition for it: the service-linked role ``AWSServiceRoleForImageBuilder``
    is the documented assumer (its policy allows ``sts:AssumeRole`` on this role name), yet no
    page says which principal assumes it for a pipeline with an execution role, so naming one
    could break distribution. Inconclusive; left at the documented trust.

    Example::

        DistributionAccountRole(stack, "ImageBuilderAccess", factory_account="111111111111")
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        factory_account: str,
        key_names: Sequence[str] = (DEFAULT_KEY_NAME,),
        parameter_names: Sequence[str] = (),
        launch_templates: bool = False,
        lifecycle_role: bool = True,
    ) -> None:
        """
        :param factory_account: the account whose Image Builder copies AMIs here.
        :param key_names: factory keys the copies are encrypted with, by name
            (``alias/golden-ami/<name>``); any name allows every key of the factory account, whose
            key policies gate the use. Default: ``("distribution",)``; ``()`` for unencrypted copies.
        :param parameter_names: latest-AMI parameters Image Builder writes in this account. Default: none.
        :param launch_templates: let Image Builder add versions to this account's launch templates
            tagged ``golden-ami:image-builder-updates=true``. Default: False.
        :param lifecycle_role: create ``Ec2ImageBuilderCrossAccountLifecycleAccess``, through which
            the factory's lifecycle policies retire the copies here (:class:`LifecycleAccountRole`).
            False only where the account has that role already: IAM role names are unique in an
            account, so creating it again fails the stack (``EntityAlreadyExists``,
            https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html); the existing
            role must then trust and hold what :class:`LifecycleAccountRole` documents. Default: True.
        """
        super().__init__(scope, id)
        check_account("factory_account", factory_account)
        stack = Stack.of(self)
        if factory_account == stack.account:
            raise ValueError(
                f"factory_account: {factory_account!r} is this stack's own account; the role belongs in a "
                "destination account (Image Builder needs no cross-account role at home)"
            )
        for name in parameter_names:
            check_parameter_name("parameter_names", name)
        check_unique("key_names", tuple(key_names))
        self.role = iam.Role(
            self,
            "Resource",
            role_name=ROLE_NAME,
            assumed_by=iam.AccountPrincipal(factory_account),
            description="EC2 Image Builder in the golden AMI factory account copies AMIs into this account",
            managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(MANAGED_POLICY)],
        )
        acknowledge(
            self.role,
            f"AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/{MANAGED_POLICY}]",
            "The policy Image Builder requires on this exact role name for cross-account distribution.",
        )
        partition = stack.partition
        acknowledge_compliance(self.role, "IAMNoInlinePolicy", INLINE_POLICY_REASON)
        # How cdk-nag writes this account and partition in finding IDs.
        here = as_in_finding(stack.account, "AccountId")
        arn = f"arn:{as_in_finding(partition, 'Partition')}"
        if key_names:
            # AWS's inline policy for this role with encrypted AMIs (cross-account-dist.html),
            # limited to keys of the factory account. It used to select them by
            # kms:ResourceAliases, which no AWS page confirms for keys of another account; the
            # factory key's policy, which names this account, is the gate.
            self.role.add_to_policy(
                iam.PolicyStatement(
                    sid="UseFactoryDistributionKeys",
                    actions=[*USE_ACTIONS, "kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
                    resources=[f"arn:{partition}:kms:*:{factory_account}:key/*"],
                )
            )
            acknowledge(
                self.role,
                f"AwsSolutions-IAM5[Resource::{arn}:kms:*:{factory_account}:key/*]",
                "Key IDs in the factory account are not known here; only keys of the factory account, and "
                "each key's own policy decides whether this account may use it.",
            )
            acknowledge(
                self.role,
                "AwsSolutions-IAM5[Action::kms:ReEncrypt*]",
                "Copying an encrypted snapshot re-encrypts it; EBS calls both ReEncryptFrom and ReEncryptTo.",
            )
            acknowledge(
                self.role,
                "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]",
                "EBS uses GenerateDataKeyWithoutPlaintext for the copied snapshots.",
            )
        if parameter_names:
            self.role.add_to_policy(
                iam.PolicyStatement(
                    sid="WriteLatestAmiParameters",
                    actions=["ssm:PutParameter", "ssm:GetParameter"],
                    resources=[f"arn:{partition}:ssm:*:{stack.account}:parameter{n}" for n in parameter_names],
                )
            )
            acknowledge_resources(self.role, *parameter_wildcards(partition, stack.account, parameter_names))
        if launch_templates:
            self.role.add_to_policy(
                iam.PolicyStatement(
                    sid="NewVersionsOfManagedLaunchTemplates",
                    actions=["ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate"],
                    resources=[f"arn:{partition}:ec2:*:{stack.account}:launch-template/*"],
                    conditions={"StringEquals": {f"aws:ResourceTag/{MANAGED_TEMPLATE_TAG}": "true"}},
                )
            )
            self.role.add_to_policy(
                iam.PolicyStatement(
                    sid="TagLaunchTemplatesImageBuilderCreates",
                    actions=["ec2:CreateTags"],
                    resources=[f"arn:{partition}:ec2:*:{stack.account}:launch-template/*"],
                    conditions={"StringEquals": {"aws:RequestTag/CreatedBy": "EC2 Image Builder"}},
                )
            )
            self.role.add_to_policy(
                iam.PolicyStatement(
                    sid="FindLaunchTemplates",
                    actions=["ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions"],
                    resources=["*"],
                )
            )
            acknowledge(
                self.role,
                f"AwsSolutions-IAM5[Resource::{arn}:ec2:*:{here}:launch-template/*]",
                f"Limited by condition to launch templates tagged {MANAGED_TEMPLATE_TAG}=true.",
            )
            acknowledge(
                self.role,
                "AwsSolutions-IAM5[Resource::*]",
                "ec2:DescribeLaunchTemplates and DescribeLaunchTemplateVersions have no resource-level permissions.",
            )
        self.lifecycle_role = (
            LifecycleAccountRole(self, "Lifecycle", factory_account=factory_account).role if lifecycle_role else None
        )
        if not lifecycle_role:
            # Read by preflight GA-P019: the account has the role, made outside this stack.
            self.role.node.default_child.add_metadata(LIFECYCLE_ROLE_EXISTS, True)  # type: ignore[union-attr]
        # The revoke command's way in: it rewrites the same parameters and deprecates the copies
        # (README: revoke runbook). Every account that receives AMIs gets it, StackSet members too.
        self.revoke_role = RevokeAccessRole(
            self, "Revoke", factory_account=factory_account, parameter_names=parameter_names
        )
        # The labeller's way in: image version labels on the parameters here (VersionLabeller).
        self.label_role = (
            LabelAccessRole(self, "Labels", factory_account=factory_account, parameter_names=parameter_names)
            if parameter_names
            else None
        )
        # golden-ami-status's way in: read only (parameters, copies, snapshots, fleets).
        self.status_role = StatusAccessRole(
            self, "Status", factory_account=factory_account, parameter_names=parameter_names
        )
        self.factory_account = factory_account
        self.role_arn = self.role.role_arn


class LifecycleAccountRole(Construct):
    """The role ``Ec2ImageBuilderCrossAccountLifecycleAccess`` in an account AMIs are copied into.

    Image Builder's lifecycle management acts on resources distributed to other accounts through
    a role in each destination account, named exactly ``Ec2ImageBuilderCrossAccountLifecycleAccess``
    ("You must use this exact name"), holding ``EC2ImageBuilderLifecycleExecutionPolicy`` and
    trusted by ``imagebuilder.amazonaws.com`` with ``aws:SourceAccount`` and ``aws:SourceArn``
    ``arn:*:imagebuilder:*:*:image/*/*/*`` ("Prerequisites for lifecycle management",
    https://docs.aws.amazon.com/imagebuilder/latest/userguide/image-lifecycle-prerequisites.html).
    Without it the factory's lifecycle policies have no way into the account, so its copies are
    not retired with the factory's (the page makes the role a prerequisite; what happens without
    it is our inference). Accounts the AMIs are only shared with need none: "With launch
    permissions, all AMI resources remain in your account" (same page). The managed policy's EC2
    actions apply only to AMIs and snapshots tagged ``CreatedBy: EC2 Image Builder``.

    ``aws:SourceAccount``: the page says to set it "to the account where Image Builder distributed
    the resources", which reads either as the factory account (whose image the lifecycle policy
    retires, and whose image build version ``aws:SourceArn`` names) or as this account. The page is
    not conclusive, so both are listed; either way only Image Builder acting for an image of one of
    the two accounts may assume the role. IAM roles are global: create it once per account.

    Example::

        LifecycleAccountRole(stack, "Lifecycle", factory_account="111111111111")
    """

    def __init__(self, scope: Construct, id: str, *, factory_account: str) -> None:
        """:param factory_account: the account whose lifecycle policies retire the copies here."""
        super().__init__(scope, id)
        check_account("factory_account", factory_account)
        here = Stack.of(self).account
        self.role = iam.Role(
            self,
            "Resource",
            role_name=LIFECYCLE_ROLE_NAME,
            assumed_by=iam.ServicePrincipal(
                "imagebuilder.amazonaws.com",
                conditions={
                    "StringEquals": {"aws:SourceAccount": [factory_account, here]},
                    "ArnLike": {"aws:SourceArn": LIFECYCLE_SOURCE_ARN},
                },
            ),
            description="EC2 Image Builder lifecycle policies of the golden AMI factory retire AMI copies here",
            managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(LIFECYCLE_POLICY)],
        )
        acknowledge(
            self.role,
            f"AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/{LIFECYCLE_POLICY}]",
            "The policy Image Builder documents for this exact role name; its EC2 actions apply only to AMIs and "
            "snapshots tagged CreatedBy: EC2 Image Builder.",
        )
        self.role_arn = self.role.role_arn
