"""The destination-account role for a whole organization: a service-managed StackSet."""

from __future__ import annotations

import enum
import json
import re
import tempfile
from collections.abc import Sequence
from typing import Any, Final

import aws_cdk as cdk
from aws_cdk import Stack
from constructs import Construct

from .._core.limits import check_name, check_unique, is_token
from .._core.targets import check_account, check_region
from .destination import DistributionAccountRole
from .key import DEFAULT_KEY_NAME

# Sources: AWS::CloudFormation::StackSet (DeploymentTargets.OrganizationalUnitIds pattern,
# TemplateBody at most 51200 bytes).
_OU_ID_RE: Final = re.compile(r"^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$", re.ASCII)
TEMPLATE_BODY_MAX: Final = 51_200


class CallAs(enum.Enum):
    """Which account deploys the StackSet: the organization's management account or a delegated administrator."""

    SELF = "SELF"
    DELEGATED_ADMIN = "DELEGATED_ADMIN"


def render_role_template(
    *,
    factory_account: str,
    key_names: Sequence[str],
    parameter_names: Sequence[str],
    launch_templates: bool,
) -> dict[str, Any]:
    """The CloudFormation template of :class:`DistributionAccountRole` on its own, account-agnostic,
    without CDK bootstrap parameters: what every member account of the StackSet deploys."""
    with tempfile.TemporaryDirectory(prefix="golden-ami-stackset-") as outdir:
        app = cdk.App(outdir=outdir, analytics_reporting=False)
        stack = Stack(
            app,
            "DistributionAccountRole",
            synthesizer=cdk.DefaultStackSynthesizer(generate_bootstrap_version_rule=False),
            description="Lets the golden AMI factory copy AMIs into this account (deployed by a StackSet)",
        )
        DistributionAccountRole(
            stack,
            "ImageBuilderAccess",
            factory_account=factory_account,
            key_names=key_names,
            parameter_names=parameter_names,
            launch_templates=launch_templates,
        )
        template: dict[str, Any] = app.synth().get_stack_by_name(stack.stack_name).template
    template.get("Resources", {}).pop("CDKMetadata", None)
    template.get("Conditions", {}).pop("CDKMetadataAvailable", None)
    if not template.get("Conditions"):
        template.pop("Conditions", None)
    return template


class DistributionAccountStackSet(Construct):
    """A service-managed CloudFormation StackSet that rolls :class:`DistributionAccountRole`
    out to every account of the given organizational units, and to accounts that join them
    later (automatic deployment). Deploy it from the organization's management account or a
    delegated StackSet administrator (``call_as``). The role is global, so the StackSet deploys
    into one region.

    Example::

        DistributionAccountStackSet(
            stack, "Members", factory_account="111111111111", organizational_units=("ou-ab12-cdefgh34",)
        )
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        factory_account: str,
        organizational_units: Sequence[str],
        region: str | None = None,
        key_names: Sequence[str] = (DEFAULT_KEY_NAME,),
        parameter_names: Sequence[str] = (),
        launch_templates: bool = False,
        call_as: CallAs = CallAs.DELEGATED_ADMIN,
        stack_set_name: str = "golden-ami-distribution-access",
    ) -> None:
        """
        :param factory_account: the account whose Image Builder copies AMIs into the members.
        :param organizational_units: OU IDs (``ou-ab12-cdefgh34``) or the root ID (``r-ab12``).
        :param region: where the member stacks go. Default: this stack's region.
        :param key_names: see :class:`DistributionAccountRole`. Default: ``("distribution",)``.
        :param parameter_names: see :class:`DistributionAccountRole`. Default: none.
        :param launch_templates: see :class:`DistributionAccountRole`. Default: False.
        :param call_as: Default: ``DELEGATED_ADMIN`` (the factory account registered as a
            delegated StackSet administrator); ``SELF`` from the management account.
        :param stack_set_name: Default: ``golden-ami-distribution-access``.
        """
        super().__init__(scope, id)
        check_account("factory_account", factory_account)
        check_name("stack_set_name", stack_set_name)
        units = check_unique("organizational_units", tuple(organizational_units))
        if not units:
            raise ValueError("organizational_units: none given; list the OU IDs (ou-...) or the root ID (r-...)")
        for unit in units:
            if not is_token(unit) and not _OU_ID_RE.fullmatch(unit):
                hint = " (an OU ID, not its ARN: take the part after the last '/')" if unit.startswith("arn:") else ""
                raise ValueError(
                    f"organizational_units: {unit!r} is not an OU or root ID{hint}; use for example 'ou-ab12-cdefgh34'"
                )
        target_region = check_region("region", region or Stack.of(self).region)
        self.template = render_role_template(
            factory_account=factory_account,
            key_names=key_names,
            parameter_names=parameter_names,
            launch_templates=launch_templates,
        )
        body = json.dumps(self.template, sort_keys=True, separators=(",", ":"))
        if len(body.encode()) > TEMPLATE_BODY_MAX:
            raise ValueError(
                f"parameter_names: the member template is {len(body.encode())} bytes, over the StackSet "
                f"limit of {TEMPLATE_BODY_MAX}; list fewer parameters"
            )
        self.resource = cdk.CfnStackSet(
            self,
            "Resource",
            stack_set_name=stack_set_name,
            description="EC2ImageBuilderDistributionCrossAccountRole in every member account of the golden AMI factory",
            permission_model="SERVICE_MANAGED",
            auto_deployment=cdk.CfnStackSet.AutoDeploymentProperty(
                enabled=True, retain_stacks_on_account_removal=False
            ),
            call_as=call_as.value,
            capabilities=["CAPABILITY_NAMED_IAM"],
            managed_execution={"Active": True},
            operation_preferences=cdk.CfnStackSet.OperationPreferencesProperty(
                failure_tolerance_percentage=10, max_concurrent_percentage=25, region_concurrency_type="PARALLEL"
            ),
            stack_instances_group=[
                cdk.CfnStackSet.StackInstancesProperty(
                    deployment_targets=cdk.CfnStackSet.DeploymentTargetsProperty(organizational_unit_ids=list(units)),
                    regions=[target_region],
                )
            ],
            template_body=body,
        )
        self.organizational_units = units
        self.stack_set_id = self.resource.attr_stack_set_id
