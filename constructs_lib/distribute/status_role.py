"""In a destination account: the read-only role through which ``golden-ami-status`` sees the
latest-AMI parameters, the copies, their snapshots and the fleets that launch them."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import aws_iam as iam
from constructs import Construct

from .._core.iam import factory_trusted_role
from .._core.nag import (
    acknowledge,
)
from .._core.status_names import DESCRIBE, PARAMETER_READ, STATUS_READER_ROLE_NAME, STATUS_ROLE_NAME


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
        self.role = factory_trusted_role(
            self,
            factory_account=factory_account,
            role_name=STATUS_ROLE_NAME,
            trusted_role=STATUS_READER_ROLE_NAME,
            description="Lets golden-ami-status read the golden AMI factory's parameters, copies and fleets here",
            parameter_names=parameter_names,
            parameter_sid="ReadLatestAmiParameters",
            parameter_actions=PARAMETER_READ,
        )
        self.role.add_to_policy(
            iam.PolicyStatement(sid="DescribeFleetsAndImages", actions=list(DESCRIBE), resources=["*"])
        )
        acknowledge(
            self.role,
            "AwsSolutions-IAM5[Resource::*]",
            "Describe actions of EC2 and Auto Scaling take no resource-level permissions; the role changes nothing.",
        )
        self.parameter_names = tuple(parameter_names)
        self.role_arn = self.role.role_arn
