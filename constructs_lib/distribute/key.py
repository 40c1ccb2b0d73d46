"""The KMS key that encrypts a golden image's AMIs in one region, and who may use it for what."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from .._core.limits import check_name, check_unique, is_token
from .._core.nag import skip_checkov
from .._core.targets import LaunchPermission, check_account, check_region, partition_of
from ._key_policy import (
    AUTO_SCALING_GRANT_OPERATIONS,
    LAUNCH_ACTIONS,
    USE_ACTIONS,
    auto_scaling_role_arn,
    image_builder_role_arn,
    merge_conditions,
    organization_bounds,
)

__all__ = [
    "ALIAS_PREFIX",
    "AUTO_SCALING_GRANT_OPERATIONS",
    "DEFAULT_KEY_NAME",
    "LAUNCH_ACTIONS",
    "USE_ACTIONS",
    "DistributionKey",
    "alias_name",
]

ALIAS_PREFIX: Final = "alias/golden-ami/"
DEFAULT_KEY_NAME: Final = "distribution"


def alias_name(name: str = DEFAULT_KEY_NAME) -> str:
    """``alias/golden-ami/<name>``: the alias every factory key carries."""
    return f"{ALIAS_PREFIX}{name}"


class DistributionKey(Construct):
    """A customer managed KMS key for the AMIs of one region, with alias ``alias/golden-ami/<name>``.

    The key policy keeps the owning account in charge (as every CDK key does) and adds one
    statement per principal, each with a Sid that says whom it is for:

    - Image Builder's service-linked role ``AWSServiceRoleForImageBuilder`` and, through the
      account statement, the pipelines' execution roles (``builder_role_arns``): use the key and
      create grants for AWS resources. Which of the two launches the build and test instances of
      a pipeline with an execution role is not settled by AWS's documentation
      (https://docs.aws.amazon.com/imagebuilder/latest/userguide/pipeline-workflows.html), so both
      may.
    - ``AWSServiceRoleForAutoScaling`` of the owning account: use the key and create grants for
      AWS resources, the two statements of
      https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html.
    - ``accounts`` (receive copies): use the key, create grants for AWS resources, and create the
      grant their own ``AWSServiceRoleForAutoScaling`` needs.
    - ``launch_permission`` (launch shared AMIs only): what launching an encrypted AMI needs
      (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption-requirements.html), no
      ``kms:Encrypt``; its accounts by name, its organizations and OUs as principal ``"*"``
      bounded by ``aws:PrincipalOrgID`` and ``aws:PrincipalOrgPaths``
      (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/allow-org-ou-to-use-key.html).

    KMS refuses a key policy that names a role that does not exist: both service-linked roles
    must exist in the owning account before the key is created (``aws iam
    create-service-linked-role --aws-service-name imagebuilder.amazonaws.com``, and
    ``autoscaling.amazonaws.com``). Rotation is on; the key is kept when the stack is deleted.

    Because the alias is fixed, pipelines refer to the key by alias ARN (:meth:`alias_arn`), so
    keys live in per-region stacks without cross-region references.

    Example::

        DistributionKey(keys_stack, "Key", accounts=("222222222222",))
        RegionTarget(region="us-east-1", kms_key_arn=DistributionKey.alias_arn("111111111111", "us-east-1"))
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str = DEFAULT_KEY_NAME,
        accounts: Sequence[str] = (),
        launch_permission: LaunchPermission | None = None,
        builder_role_arns: Sequence[str] = (),
        image_builder: bool = True,
        auto_scaling: bool = True,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
    ) -> None:
        """
        :param name: the alias is ``alias/golden-ami/<name>``. Default: ``distribution``.
        :param accounts: accounts that receive copies encrypted with the key. Default: none.
        :param launch_permission: who launches AMIs shared with them (accounts, organizations,
            OUs; not public, which encrypted AMIs cannot be). Default: nobody.
        :param builder_role_arns: ARNs (``*`` allowed) of roles in the key's account that build
            or copy images, such as pipeline execution roles; a statement for the account bounded
            by ``aws:PrincipalArn`` lets their own IAM policies grant them the key. Default: none.
        :param image_builder: a statement for ``AWSServiceRoleForImageBuilder``. Default: True.
        :param auto_scaling: a statement for ``AWSServiceRoleForAutoScaling``. Default: True.
        :param removal_policy: Default: RETAIN. A deleted key makes every AMI it encrypts unusable.
        """
        super().__init__(scope, id)
        check_name("distribution_key.name", name)
        if " " in name:
            raise ValueError(f"distribution_key.name: {name!r} contains a space; KMS aliases take [-_A-Za-z0-9/]")
        stack = Stack.of(self)
        self.key = kms.Key(
            self,
            "Resource",
            alias=alias_name(name),
            description=f"Encrypts golden AMIs ({name}) and lets the named principals use them",
            enable_key_rotation=True,
            removal_policy=removal_policy,
        )
        partition = stack.partition
        self._partition = partition
        here = stack.account
        if image_builder:
            self._use_and_grant(
                "ImageBuilderServiceLinkedRole", [iam.ArnPrincipal(image_builder_role_arn(partition, here))]
            )
        if builder_role_arns:
            self._use_and_grant(
                "PipelineExecutionRoles",
                [iam.AccountPrincipal(here)],
                conditions={"ArnLike": {"aws:PrincipalArn": list(builder_role_arns)}},
            )
        if auto_scaling:
            self._use_and_grant(
                "AutoScalingServiceLinkedRole", [iam.ArnPrincipal(auto_scaling_role_arn(partition, here))]
            )
        self.accounts: tuple[str, ...] = ()
        self.launch_permission = LaunchPermission()
        self._allowed = 0
        self.allow(accounts=accounts, launch_permission=launch_permission)
        self.name = name
        self.key_arn = self.key.key_arn

    def allow(self, *, accounts: Sequence[str] = (), launch_permission: LaunchPermission | None = None) -> None:
        """Let more principals use the key: ``accounts`` receive copies, ``launch_permission`` says
        who launches AMIs shared with them (as the constructor's arguments). Only principals not
        yet allowed get statements (their Sids numbered after the first set), so one key can serve
        every pipeline of an account and region."""
        stack = Stack.of(self)
        permission = launch_permission or LaunchPermission()
        if permission.public:
            raise ValueError(
                "distribution_key.launch_permission.public: AWS cannot make an AMI with encrypted snapshots "
                "public; share with accounts, organizations or OUs, or leave public images unencrypted"
            )
        given = check_unique("distribution_key.accounts", tuple(accounts))
        for field, listed in (("accounts", given), ("launch_permission.accounts", permission.accounts)):
            for account in listed:
                check_account(f"distribution_key.{field}", account)
                if account == stack.account:
                    raise ValueError(
                        f"distribution_key.{field}: {account!r} is the key's own account, which always has "
                        "access; list only other accounts"
                    )
        before, shared = self.accounts, self.launch_permission
        new_accounts = tuple(a for a in given if a not in before)
        accounts_now = (*before, *new_accounts)
        launchers = tuple(
            a for a in permission.accounts if a not in accounts_now and a not in shared.accounts and a not in before
        )
        new = LaunchPermission(
            accounts=launchers,
            organizations=tuple(o for o in permission.organizations if o not in shared.organizations),
            organizational_units=tuple(
                u for u in permission.organizational_units if u not in shared.organizational_units
            ),
        )
        suffix = str(self._allowed + 1) if self._allowed else ""
        if new_accounts:
            principals: list[iam.IPrincipal] = [iam.AccountPrincipal(a) for a in new_accounts]
            self._use_and_grant(f"DestinationAccounts{suffix}", principals)
            self._auto_scaling_grants(f"DestinationAccounts{suffix}", principals, new_accounts)
        if launchers:
            principals = [iam.AccountPrincipal(a) for a in launchers]
            self._use_and_grant(f"SharedAccounts{suffix}", principals, actions=LAUNCH_ACTIONS)
            self._auto_scaling_grants(f"SharedAccounts{suffix}", principals, launchers)
        for sid, bound in organization_bounds(new):
            self._use_and_grant(f"{sid}{suffix}", [iam.AnyPrincipal()], actions=LAUNCH_ACTIONS, conditions=bound)
            self._auto_scaling_grants(f"{sid}{suffix}", [iam.AnyPrincipal()], ("*",), bound)
        if (new.organizations or new.organizational_units) and not (
            shared.organizations or shared.organizational_units
        ):
            skip_checkov(
                self.key.node.default_child,  # type: ignore[arg-type]
                "CKV_AWS_33",
                'Principal "*" only in the statements for the organizations and OUs the AMIs are shared with, '
                "each bounded by aws:PrincipalOrgID (and aws:PrincipalOrgPaths for OUs), as AWS documents in "
                '"Allow organizations and OUs to use a KMS key".',
            )
        if new_accounts or launchers or new.organizations or new.organizational_units:
            self._allowed += 1
        self.accounts = accounts_now
        self.launch_permission = LaunchPermission(
            accounts=(*shared.accounts, *(a for a in permission.accounts if a not in shared.accounts)),
            organizations=(*shared.organizations, *new.organizations),
            organizational_units=(*shared.organizational_units, *new.organizational_units),
        )

    def _use_and_grant(
        self,
        sid: str,
        principals: list[iam.IPrincipal],
        *,
        actions: Sequence[str] = USE_ACTIONS,
        conditions: dict[str, dict[str, object]] | None = None,
    ) -> None:
        """``<sid>Use``: ``actions``; ``<sid>GrantsForAwsResources``: ``kms:CreateGrant`` only
        for grants an AWS service (EBS) creates on the principal's behalf."""
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid=f"{sid}Use", actions=list(actions), principals=principals, resources=["*"], conditions=conditions
            )
        )
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid=f"{sid}GrantsForAwsResources",
                actions=["kms:CreateGrant"],
                principals=principals,
                resources=["*"],
                conditions=merge_conditions(conditions, {"Bool": {"kms:GrantIsForAWSResource": "true"}}),
            )
        )

    def _auto_scaling_grants(
        self,
        sid: str,
        principals: list[iam.IPrincipal],
        accounts: Sequence[str],
        conditions: dict[str, dict[str, object]] | None = None,
    ) -> None:
        """``<sid>GrantsForAutoScaling``: the grant AWS documents for another account's
        ``AWSServiceRoleForAutoScaling`` (``aws kms create-grant``), and no other grant.

        For organizations and OUs (``accounts`` ``("*",)``) the grantee is the calling account's own
        role, ``arn:<partition>:iam::${aws:PrincipalAccount}:role/...``: a member may grant its own
        Auto Scaling, not another account's. IAM evaluates policy variables in resource policies and
        "for Condition values in any condition that involves the string operators", with any
        single-valued condition key as the variable
        (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html), and
        ``aws:PrincipalAccount`` is single-valued and in every request
        (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalaccount).
        No KMS page shows a variable in ``kms:GranteePrincipal`` itself; the IAM page covers key
        policies as resource policies, and the key policy's ``Version`` is 2012-10-17, which
        variables need."""
        grantees = [
            auto_scaling_role_arn(self._partition, "${aws:PrincipalAccount}" if a == "*" else a) for a in accounts
        ]
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid=f"{sid}GrantsForAutoScaling",
                actions=["kms:CreateGrant"],
                principals=principals,
                resources=["*"],
                conditions=merge_conditions(
                    conditions,
                    {
                        "StringEquals": {"kms:GranteePrincipal": grantees},
                        "ForAllValues:StringEquals": {"kms:GrantOperations": list(AUTO_SCALING_GRANT_OPERATIONS)},
                    },
                ),
            )
        )

    @staticmethod
    def alias_arn(account: str, region: str, name: str = DEFAULT_KEY_NAME) -> str:
        """The alias ARN of the key ``name`` in ``account`` and ``region``, for ``RegionTarget.kms_key_arn``."""
        check_account("distribution_key.account", account)
        check_region("distribution_key.region", region)
        partition = "aws" if is_token(region) else partition_of(region)
        return f"arn:{partition}:kms:{region}:{account}:{alias_name(name)}"

    def grant_encrypt_decrypt(self, grantee: iam.IGrantable) -> iam.Grant:
        """Allow ``grantee`` to use the key (for example a role that launches the AMIs)."""
        return self.key.grant_encrypt_decrypt(grantee)
