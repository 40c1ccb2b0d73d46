"""The factory account's role for ``golden-ami-status``: what the command reads at home, and the way
into each destination account's read-only ``GoldenAmiStatus``."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from .._core.limits import check_unique
from .._core.nag import INLINE_POLICY_REASON, acknowledge, acknowledge_compliance, as_in_finding, parameter_wildcards
from .._core.status_names import (
    DESCRIBE,
    PARAMETER_READ,
    STATUS_READER_ROLE_NAME,
    STATUS_ROLE_NAME,
)
from .._core.targets import check_account, check_parameter_name


class StatusReaderRole(Construct):
    """``GoldenAmiStatusReader`` in the factory account: the role people assume to run
    ``golden-ami-status`` (``--role-arn``), and the one principal every destination account's
    ``GoldenAmiStatus`` trusts. It changes nothing. Allowed:

    - Image Builder ``ListImagePipelines``, ``ListImagePipelineImages``, ``GetImage`` and
      ``ListImageScanFindingAggregations`` (the newest image of each pipeline, where it went, its
      Inspector finding counts). ``ListImagePipelines`` takes no resource; ``ListImagePipelineImages``
      is limited to this account's pipelines and ``GetImage`` to its images; the aggregation's
      resources are optional, so it is granted on ``*``
      (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2imagebuilder.html).
    - SSM ``GetParameter`` and ``GetParameterHistory`` on the latest-AMI parameters by name, in
      every region.
    - EC2 and Auto Scaling Describe actions (no resource-level permissions).
    - ``sts:AssumeRole`` on ``GoldenAmiStatus`` only: in the destination accounts when they are
      known, else in any account.

    Trust: the factory account itself (its IAM policies decide who may assume it), or one
    principal given.

    Example::

        StatusReaderRole(stack, "Status", parameter_names=["/golden-ami/web/latest"], destination_accounts=[...])
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        parameter_names: Sequence[str],
        destination_accounts: Sequence[str] | None = None,
        trusted_principal: iam.IPrincipal | None = None,
    ) -> None:
        """
        :param parameter_names: the factory's latest-AMI parameters, at least one.
        :param destination_accounts: the accounts whose ``GoldenAmiStatus`` it may assume. Default:
            any account (accounts reached through the StackSet are not known at synth).
        :param trusted_principal: who may assume it. Default: the factory account.
        """
        super().__init__(scope, id)
        names = check_unique("parameter_names", tuple(parameter_names))
        if not names:
            raise ValueError("parameter_names: () names no parameter; the status command reads at least one")
        for name in names:
            check_parameter_name("parameter_names", name)
        accounts = (
            None if destination_accounts is None else check_unique("destination_accounts", tuple(destination_accounts))
        )
        for account in accounts or ():
            check_account("destination_accounts", account)
        stack = Stack.of(self)
        partition, account = stack.partition, stack.account
        self.role = iam.Role(
            self,
            "Resource",
            role_name=STATUS_READER_ROLE_NAME,
            assumed_by=trusted_principal or iam.AccountRootPrincipal(),
            description="Runs golden-ami-status: reads images, parameters, copies and fleets; changes nothing",
        )
        images = f"arn:{partition}:imagebuilder:*:{account}:image/*"
        targets = [f"arn:{partition}:iam::{a}:role/{STATUS_ROLE_NAME}" for a in accounts or ("*",)]
        for statement in (
            iam.PolicyStatement(
                sid="ListPipelinesAndFindings",
                actions=["imagebuilder:ListImagePipelines", "imagebuilder:ListImageScanFindingAggregations"],
                resources=["*"],
            ),
            iam.PolicyStatement(
                sid="ListEachPipelinesImages",
                actions=["imagebuilder:ListImagePipelineImages"],
                resources=[f"arn:{partition}:imagebuilder:*:{account}:image-pipeline/*"],
            ),
            iam.PolicyStatement(sid="ReadImages", actions=["imagebuilder:GetImage"], resources=[images]),
            iam.PolicyStatement(
                sid="ReadLatestAmiParameters",
                actions=list(PARAMETER_READ),
                resources=[f"arn:{partition}:ssm:*:{account}:parameter{n}" for n in names],
            ),
            iam.PolicyStatement(sid="DescribeFleetsAndImages", actions=list(DESCRIBE), resources=["*"]),
            iam.PolicyStatement(sid="ReadInDestinationAccounts", actions=["sts:AssumeRole"], resources=targets),
        ):
            self.role.add_to_policy(statement)
        acknowledge_compliance(self.role, "IAMNoInlinePolicy", INLINE_POLICY_REASON)
        here, arn = as_in_finding(account, "AccountId"), f"arn:{as_in_finding(partition, 'Partition')}"
        acknowledge(
            self.role,
            "AwsSolutions-IAM5[Resource::*]",
            "ListImagePipelines and EC2's and Auto Scaling's Describe actions take no resource-level permissions, "
            "and the scan aggregation's resources are optional; the role changes nothing.",
            (
                f"AwsSolutions-IAM5[Resource::{arn}:imagebuilder:*:{here}:image/*]",
                "Any image of this account: the command reads the newest of each pipeline, known when it runs.",
            ),
            (
                f"AwsSolutions-IAM5[Resource::{arn}:imagebuilder:*:{here}:image-pipeline/*]",
                "Every pipeline of this account: the command lists them first, then their images.",
            ),
            *((f"AwsSolutions-IAM5[Resource::{r}]", why) for r, why in parameter_wildcards(partition, account, names)),
            *(
                ()
                if accounts
                else (
                    (
                        f"AwsSolutions-IAM5[Resource::{arn}:iam::*:role/{STATUS_ROLE_NAME}]",
                        "The StackSet's member accounts are not known at synth; only roles of this one name.",
                    ),
                )
            ),
        )
        self.role_arn = self.role.role_arn
