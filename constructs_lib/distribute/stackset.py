"""The destination-account role for a whole organization: a service-managed StackSet.

Image Builder copies an AMI only into accounts named one by one (``TargetAccountIds`` takes
12-digit account IDs, no OU: https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_AmiDistributionConfiguration.html),
so this StackSet does not distribute anything by itself: it readies every account of the OUs to be
listed as a destination later, without a deploy in that account.
"""

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
# The account in an organization or OU ARN is the organization's management account
# (arn:aws:organizations::<management account>:ou/o-.../ou-...).
_ORG_ARN_ACCOUNT_RE: Final = re.compile(r"arn:aws[-a-z]*:organizations::(\d{12}):(organization|ou)/.+", re.ASCII)
TEMPLATE_BODY_MAX: Final = 51_200


class CallAs(enum.Enum):
    """Which account deploys the StackSet: the organization's management account or a delegated administrator."""

    SELF = "SELF"
    DELEGATED_ADMIN = "DELEGATED_ADMIN"


CALL_AS_RULE: Final = (
    "AWS requires SELF when the StackSet is created from the organization's management account and "
    "DELEGATED_ADMIN from an account registered as a delegated StackSet administrator "
    "(https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStackSet.html)"
)


def management_account_of(field: str, arns: Sequence[str]) -> str | None:
    """The organization's management account named by organization or OU ARNs, None when none
    is given; raises when two ARNs name different accounts (one organization has one)."""
    accounts = {m.group(1) for arn in arns if not is_token(arn) and (m := _ORG_ARN_ACCOUNT_RE.fullmatch(arn))}
    if len(accounts) > 1:
        raise ValueError(
            f"{field}: the ARNs name {len(accounts)} management accounts ({', '.join(sorted(accounts))}); "
            "an organization has one, so list ARNs of one organization"
        )
    return next(iter(accounts), None)


def check_unit_ids(field: str, units: Sequence[str]) -> tuple[str, ...]:
    """``units`` if each is an OU ID (``ou-...``) or a root ID (``r-...``) and none is listed twice;
    else a ValueError naming ``field``, the value and the fix."""
    units = check_unique(field, tuple(units))
    if not units:
        raise ValueError(f"{field}: none given; list the OU IDs (ou-...) or the root ID (r-...)")
    for unit in units:
        if not is_token(unit) and not _OU_ID_RE.fullmatch(unit):
            hint = " (an OU ID, not its ARN: take the part after the last '/')" if unit.startswith("arn:") else ""
            raise ValueError(f"{field}: {unit!r} is not an OU or root ID{hint}; use for example 'ou-ab12-cdefgh34'")
    return units


def resolve_call_as(*, factory_account: str, call_as: CallAs | None, management_account: str | None) -> CallAs:
    """``call_as`` as given, else derived: SELF when the factory account is the management
    account, DELEGATED_ADMIN otherwise. Raises when neither is known or they contradict."""
    if management_account is not None:
        check_account("management_account", management_account)
    if management_account is None or is_token(management_account) or is_token(factory_account):
        if call_as is None:
            raise ValueError(
                "call_as: not given, and the organization's management account is unknown, so it cannot be "
                f"derived; pass call_as=CallAs.SELF or CallAs.DELEGATED_ADMIN, or management_account=. {CALL_AS_RULE}"
            )
        return call_as
    derived = CallAs.SELF if management_account == factory_account else CallAs.DELEGATED_ADMIN
    if call_as is not None and call_as is not derived:
        where = "is" if derived is CallAs.SELF else "is not"
        raise ValueError(
            f"call_as: {call_as.value} contradicts the organization: the factory account {factory_account} {where} "
            f"its management account ({management_account}), so it must be {derived.value}. {CALL_AS_RULE}"
        )
    return derived


def render_role_template(
    *,
    factory_account: str,
    key_names: Sequence[str],
    parameter_names: Sequence[str],
    launch_templates: bool,
    lifecycle_role: bool = True,
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
            lifecycle_role=lifecycle_role,
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
    later (automatic deployment). The role is global, so the StackSet deploys into one region.

    What it is for: Image Builder copies AMIs only into accounts listed by ID (``TargetAccountIds``
    has no OU form), so the role it rolls out is used once an account of the OUs is listed as a
    destination; the StackSet readies them all so that listing one needs no deploy there. Accounts
    that already get the role from a stack of their own (the factory's destinations) are left
    out (``exclude_accounts``, ``AccountFilterType: DIFFERENCE``): two stacks cannot both create
    the role's fixed name. CloudFormation never deploys a service-managed StackSet to the
    management account (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DeploymentTargets.html).

    Deploy it from the organization's management account (``CallAs.SELF``) or a delegated
    StackSet administrator (``CallAs.DELEGATED_ADMIN``); given ``management_account`` the choice
    is derived.

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
        call_as: CallAs | None = None,
        management_account: str | None = None,
        exclude_accounts: Sequence[str] = (),
        stack_set_name: str = "golden-ami-distribution-access",
        lifecycle_role: bool = True,
    ) -> None:
        """
        :param factory_account: the account whose Image Builder copies AMIs into the members.
        :param organizational_units: OU IDs (``ou-ab12-cdefgh34``) or the root ID (``r-ab12``).
        :param region: where the member stacks go. Default: this stack's region.
        :param key_names: see :class:`DistributionAccountRole`. Default: ``("distribution",)``.
        :param parameter_names: see :class:`DistributionAccountRole`. Default: none.
        :param launch_templates: see :class:`DistributionAccountRole`. Default: False.
        :param call_as: ``SELF`` when this stack deploys in the organization's management account,
            ``DELEGATED_ADMIN`` in a delegated StackSet administrator. Default: derived from
            ``management_account``; one of the two must be given.
        :param management_account: the organization's management account (the account in its
            organization and OU ARNs), from which ``call_as`` is derived. Default: unknown.
        :param exclude_accounts: accounts of the OUs that must not get a stack instance, such as
            destinations that have the role from a stack of their own. Default: none.
        :param stack_set_name: Default: ``golden-ami-distribution-access``.
        :param lifecycle_role: see :class:`DistributionAccountRole`; False when the member accounts
            have ``Ec2ImageBuilderCrossAccountLifecycleAccess`` already. Default: True.
        """
        super().__init__(scope, id)
        check_account("factory_account", factory_account)
        check_name("stack_set_name", stack_set_name)
        units = check_unit_ids("organizational_units", organizational_units)
        target_region = check_region("region", region or Stack.of(self).region)
        excluded = check_unique("exclude_accounts", tuple(exclude_accounts))
        for account in excluded:
            check_account("exclude_accounts", account)
        self.call_as = resolve_call_as(
            factory_account=factory_account, call_as=call_as, management_account=management_account
        )
        self.template = render_role_template(
            factory_account=factory_account,
            key_names=key_names,
            parameter_names=parameter_names,
            launch_templates=launch_templates,
            lifecycle_role=lifecycle_role,
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
            call_as=self.call_as.value,
            capabilities=["CAPABILITY_NAMED_IAM"],
            managed_execution={"Active": True},
            operation_preferences=cdk.CfnStackSet.OperationPreferencesProperty(
                failure_tolerance_percentage=10, max_concurrent_percentage=25, region_concurrency_type="PARALLEL"
            ),
            stack_instances_group=[
                cdk.CfnStackSet.StackInstancesProperty(
                    deployment_targets=cdk.CfnStackSet.DeploymentTargetsProperty(
                        organizational_unit_ids=list(units),
                        accounts=list(excluded) or None,
                        account_filter_type="DIFFERENCE" if excluded else None,
                    ),
                    regions=[target_region],
                )
            ],
            template_body=body,
        )
        self.organizational_units = units
        self.excluded_accounts = excluded
        self.stack_set_id = self.resource.attr_stack_set_id
