"""In a destination account: the role through which the factory labels the latest-AMI parameters
Image Builder writes there with their image versions, so that a pin means the same AMI everywhere."""

from __future__ import annotations

from collections.abc import Sequence

from constructs import Construct

from .._core.iam import factory_trusted_role
from .._core.label_names import LABEL_ACTIONS, LABEL_ROLE_NAME, LABELLER_ROLE_NAME


class LabelAccessRole(Construct):
    """The role ``GoldenAmiLabels``: the factory account's ``GoldenAmiLabeller`` (the function of
    :class:`VersionLabeller`) may read the given latest-AMI parameters here, label their newest
    version with its image version (``v1.2.3-4``) and remove labels older than the label window
    (``ssm:GetParameter``, ``GetParameterHistory``, ``LabelParameterVersion``,
    ``UnlabelParameterVersion``, on exactly those parameters in any region). Made by
    :class:`DistributionAccountRole` when it has parameters, and so in every account of a
    :class:`DistributionAccountStackSet`; IAM roles are global, so once per account.

    Example::

        LabelAccessRole(stack, "Labels", factory_account="111111111111", parameter_names=["/golden-ami/web/latest"])
    """

    def __init__(self, scope: Construct, id: str, *, factory_account: str, parameter_names: Sequence[str]) -> None:
        """
        :param factory_account: the account whose ``GoldenAmiLabeller`` role may assume this one.
        :param parameter_names: the latest-AMI parameters to label here; at least one.
        """
        super().__init__(scope, id)
        if not parameter_names:
            raise ValueError("parameter_names: none given; a label role needs the parameters it labels")
        self.role = factory_trusted_role(
            self,
            factory_account=factory_account,
            role_name=LABEL_ROLE_NAME,
            trusted_role=LABELLER_ROLE_NAME,
            description="Labels the golden AMI factory's latest-AMI parameters here with their image versions",
            parameter_names=parameter_names,
            parameter_sid="LabelLatestAmiParameters",
            parameter_actions=LABEL_ACTIONS,
        )
        self.parameter_names = tuple(parameter_names)
        self.role_arn = self.role.role_arn
