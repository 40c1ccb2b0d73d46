"""In a destination account: the read-only role through which ``golden-ami-status`` sees the
latest-AMI parameters, the copies, their snapshots and the fleets that launch them."""

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
    parameter_wildcards,
)
from .._core.status_names import DESCRIBE, PARAMETER_READ, STATUS_READER_ROLE_NAME, STATUS_ROLE_NAME
from .._core.targets import check_account, check_parameter_name


class StatusAccessRole(Construct):
    """The role ``GoldenAmiStatus``: the factory account's ``GoldenAmiStatusReader`` may read the
    given latest-AMI parameters here (``ssm:GetParameter``, ``GetParameterHistory``, on exactly
    those parameters in any region) and describe Auto Scaling groups, instances, launch
    templates, AMIs and snapshots (actions with no resource-level permissions, so on ``*``). It
    changes nothing. Made by :class:`DistributionAccountRole`, and so in every account of a
    :class:`DistributionAccountStackSet`; IAM roles are global, so once per account. Separate from
    ``GoldenAmiRevoke``, so that reading never needs the role that writes.

    Example::

        StatusAccessRole(stack, "Status", factory_account="111111111111", parameter_names=["/golden-ami/web/latest"])
    """

    def __init__(self, scope: Construct, id: str, *, factory_account: str, parameter_names: Sequence[str]) -> None:
        """
        :param factory_account: the account whose ``GoldenAmiStatusReader`` may assume this role.
        :param parameter_names: the latest-AMI parameters to read here. Default: none (AMIs and
            fleets only).
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
            role_name=STATUS_ROLE_NAME,
            assumed_by=role_of_account(factory_account, STATUS_READER_ROLE_NAME, partition),
            description="Lets golden-ami-status read the golden AMI factory's parameters, copies and fleets here",
        )
        if parameter_names:
            self.role.add_to_policy(
                iam.PolicyStatement(
                    sid="ReadLatestAmiParameters",
                    actions=list(PARAMETER_READ),
                    resources=[f"arn:{partition}:ssm:*:{account}:parameter{n}" for n in parameter_names],
                )
            )
            acknowledge_resources(self.role, *parameter_wildcards(partition, account, parameter_names))
        self.role.add_to_policy(
            iam.PolicyStatement(sid="DescribeFleetsAndImages", actions=list(DESCRIBE), resources=["*"])
        )
        acknowledge(
            self.role,
            "AwsSolutions-IAM5[Resource::*]",
            "Describe actions of EC2 and Auto Scaling take no resource-level permissions; the role changes nothing.",
        )
        acknowledge_compliance(self.role, "IAMNoInlinePolicy", INLINE_POLICY_REASON)
        self.parameter_names = tuple(parameter_names)
        self.role_arn = self.role.role_arn
