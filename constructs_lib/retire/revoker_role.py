"""The factory account's role for ``golden-ami-revoke``: what the command does at home, and the
way into each destination account's ``GoldenAmiRevoke``."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from .._core.limits import check_unique, is_token
from .._core.nag import INLINE_POLICY_REASON, acknowledge, acknowledge_compliance, as_in_finding, parameter_wildcards
from .._core.revoke_names import FACTORY_IMAGE_TAG, REVOKE_ROLE_NAME, REVOKED_TAG, REVOKER_ROLE_NAME
from .._core.targets import check_account, check_parameter_name


class RevokerRole(Construct):
    """``GoldenAmiRevoker`` in the factory account: the role people assume to run
    ``golden-ami-revoke`` (``--role-arn``), and the one principal every destination account's
    ``GoldenAmiRevoke`` trusts. IAM roles are global: one per factory account, in its home region.

    Allowed exactly what the command does, with resource ARNs and tag conditions where the
    service has them (Service Authorization Reference:
    https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2imagebuilder.html,
    https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssystemsmanager.html,
    https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html,
    https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecuritytokenservice.html):

    - Image Builder ``GetImage`` on the factory's images, ``GetImagePipeline`` and
      ``UpdateImagePipeline`` (disable) on its pipelines. ``UpdateImagePipeline`` replaces the
      whole pipeline, sending its execution role back, so ``iam:PassRole`` on the factory's
      pipeline roles to Image Builder only. Whether the service checks more (the recipe's or
      configurations' ``Get*``) is not stated on a page found: inconclusive, so not granted.
    - SSM ``GetParameter``, ``GetParameterHistory`` and ``PutParameter`` on the latest-AMI
      parameters by name, in every region. The command labels nothing (the rollout function does).
      ``GetParameter`` and ``PutParameter`` on the pipelines' status parameters in this region
      (``/golden-ami/*/status``, :class:`PipelineHolds`), which a revoke sets to ``DISABLED`` and
      ``--lift`` to ``ENABLED``.
    - EC2 ``DescribeImages``, ``DescribeLaunchTemplates`` and ``DescribeLaunchTemplateVersions`` (pinned
      templates; EC2's Describe actions take no resource-level permissions,
      https://docs.aws.amazon.com/AWSEC2/latest/APIReference/ec2-api-permissions.html),
      ``EnableImageDeprecation`` and ``CreateTags`` (``golden-ami:revoked`` only) on images tagged
      ``golden-ami:pipeline``, in every region.
    - ``sts:AssumeRole`` on ``GoldenAmiRevoke`` only: in the destination accounts when they are
      known, else in any account.

    Trust: the factory account itself by default (its IAM policies decide who may assume it), or
    one principal given, such as a named role or an SSO permission set's role.

    Example::

        RevokerRole(stack, "Revoker", parameter_names=["/golden-ami/web/latest"], destination_accounts=["222222222222"])
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        parameter_names: Sequence[str],
        destination_accounts: Sequence[str] | None = None,
        trusted_principal: iam.IPrincipal | None = None,
        pipeline_role_name_prefix: str = "GoldenAmiFactory",
    ) -> None:
        """
        :param parameter_names: the factory's latest-AMI parameters, at least one.
        :param destination_accounts: the accounts whose ``GoldenAmiRevoke`` it may assume.
            Default: any account (accounts reached through the StackSet are not known at synth).
        :param trusted_principal: who may assume it. Default: the factory account
            (``iam.AccountRootPrincipal``), so the account's IAM policies decide.
        :param pipeline_role_name_prefix: the name prefix of the pipelines' execution roles, which
            disabling a pipeline passes back to Image Builder. Default: ``GoldenAmiFactory`` (the
            factory stacks' names, after which CloudFormation names those roles).
        """
        super().__init__(scope, id)
        names = check_unique("parameter_names", tuple(parameter_names))
        if not names:
            raise ValueError(
                "parameter_names: () names no parameter; a revoke rewrites at least one latest-AMI parameter"
            )
        for name in names:
            check_parameter_name("parameter_names", name)
        accounts = (
            None if destination_accounts is None else check_unique("destination_accounts", tuple(destination_accounts))
        )
        if accounts is not None:
            if not accounts:
                raise ValueError(
                    "destination_accounts: () names no account; pass None to allow any account's GoldenAmiRevoke"
                )
            for account in accounts:
                check_account("destination_accounts", account)
        if not is_token(pipeline_role_name_prefix) and not pipeline_role_name_prefix.replace("-", "").isalnum():
            raise ValueError(
                f"pipeline_role_name_prefix: {pipeline_role_name_prefix!r} is not a role name prefix; "
                "use letters, digits and '-', e.g. 'GoldenAmiFactory'"
            )
        stack = Stack.of(self)
        partition, account = stack.partition, stack.account
        self.role = iam.Role(
            self,
            "Resource",
            role_name=REVOKER_ROLE_NAME,
            assumed_by=trusted_principal or iam.AccountRootPrincipal(),
            description="Runs golden-ami-revoke: rewrites latest-AMI parameters, deprecates and tags a revoked AMI",
        )
        factory_made = {"StringLike": {f"aws:ResourceTag/{FACTORY_IMAGE_TAG}": "?*"}}
        targets = [f"arn:{partition}:iam::{a}:role/{REVOKE_ROLE_NAME}" for a in accounts or ("*",)]
        pipeline_roles = f"arn:{partition}:iam::{account}:role/{pipeline_role_name_prefix}*"
        for statement in (
            iam.PolicyStatement(
                sid="FindWhereTheImageWent",
                actions=["imagebuilder:GetImage"],
                resources=[f"arn:{partition}:imagebuilder:*:{account}:image/*"],
            ),
            iam.PolicyStatement(
                sid="DisableTheImagesPipeline",
                actions=["imagebuilder:GetImagePipeline", "imagebuilder:UpdateImagePipeline"],
                resources=[f"arn:{partition}:imagebuilder:*:{account}:image-pipeline/*"],
            ),
            iam.PolicyStatement(
                sid="PassThePipelinesOwnExecutionRole",
                actions=["iam:PassRole"],
                resources=[pipeline_roles],
                conditions={"StringEquals": {"iam:PassedToService": "imagebuilder.amazonaws.com"}},
            ),
            iam.PolicyStatement(
                sid="RewriteLatestAmiParameters",
                actions=["ssm:GetParameter", "ssm:GetParameterHistory", "ssm:PutParameter"],
                resources=[f"arn:{partition}:ssm:*:{account}:parameter{n}" for n in names],
            ),
            iam.PolicyStatement(
                sid="HoldThePipelinesStatus",
                actions=["ssm:GetParameter", "ssm:PutParameter"],
                # One pattern: the policy's size must not grow with the pipelines (IAM's inline
                # policy quota). A pipeline not held has no such parameter, and the command says so.
                resources=[f"arn:{partition}:ssm:{stack.region}:{account}:parameter/golden-ami/*/status"],
            ),
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
            iam.PolicyStatement(sid="ActInDestinationAccounts", actions=["sts:AssumeRole"], resources=targets),
        ):
            self.role.add_to_policy(statement)
        acknowledge_compliance(self.role, "IAMNoInlinePolicy", INLINE_POLICY_REASON)
        here = as_in_finding(account, "AccountId")
        arn = f"arn:{as_in_finding(partition, 'Partition')}"
        acknowledge(
            self.role,
            f"AwsSolutions-IAM5[Resource::{arn}:ec2:*::image/*]",
            f"AMI IDs are known only when a revoke runs; limited by condition to images tagged {FACTORY_IMAGE_TAG}.",
            (
                "AwsSolutions-IAM5[Resource::*]",
                "EC2 Describe actions (images, launch templates, their versions) take no resource-level permissions.",
            ),
            (
                f"AwsSolutions-IAM5[Resource::{arn}:imagebuilder:*:{here}:image/*]",
                "The image version to revoke is named when the command runs; only this account's images.",
            ),
            (
                f"AwsSolutions-IAM5[Resource::{arn}:imagebuilder:*:{here}:image-pipeline/*]",
                "The pipeline is the one that built the revoked version, known when the command runs.",
            ),
            (
                f"AwsSolutions-IAM5[Resource::{arn}:iam::{here}:role/{pipeline_role_name_prefix}*]",
                "The pipelines' execution roles, named by CloudFormation after the factory stacks; passed back "
                "unchanged to Image Builder only (iam:PassedToService).",
            ),
            *((f"AwsSolutions-IAM5[Resource::{r}]", why) for r, why in parameter_wildcards(partition, account, names)),
            (
                f"AwsSolutions-IAM5[Resource::{arn}:ssm:{as_in_finding(stack.region, 'Region')}:{here}:"
                "parameter/golden-ami/*/status]",
                "The pipelines' status parameters of the home region only; one pattern keeps the policy's "
                "size independent of the number of pipelines.",
            ),
            *(
                ()
                if accounts
                else (
                    (
                        f"AwsSolutions-IAM5[Resource::{arn}:iam::*:role/{REVOKE_ROLE_NAME}]",
                        "Destination accounts reached through the StackSet are not known at synth; only the "
                        "revoke role's exact name, which trusts this role alone.",
                    ),
                )
            ),
        )
        self.role_arn = self.role.role_arn
        self.destination_accounts = accounts
