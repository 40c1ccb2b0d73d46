"""The KMS key that encrypts a golden image's copies in one region, usable by named accounts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from .._core.limits import check_name, check_unique, is_token
from .._core.targets import check_account, check_region, partition_of

ALIAS_PREFIX: Final = "alias/golden-ami/"
DEFAULT_KEY_NAME: Final = "distribution"
# What EBS needs of a key to copy, share and launch encrypted snapshots (AWS KMS developer
# guide, "How Amazon EBS uses AWS KMS"): use the key, and create grants for EBS itself.
USE_ACTIONS: Final = ("kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey")


def alias_name(name: str = DEFAULT_KEY_NAME) -> str:
    """``alias/golden-ami/<name>``: the alias every factory key carries."""
    return f"{ALIAS_PREFIX}{name}"


class DistributionKey(Construct):
    """A customer managed KMS key for the AMI copies of one region, with alias ``alias/golden-ami/<name>``.

    The key policy keeps the owning account in charge (as every CDK key does) and lets each of
    ``accounts``, by name, use the key and create grants for AWS resources: what Image Builder
    needs to copy encrypted AMIs into those accounts and what they need to launch them. No
    statement has a ``"*"`` principal. Rotation is on; the key is kept when the stack is deleted.

    Because the alias is fixed, the pipeline refers to the key by alias ARN
    (:meth:`alias_arn`), so keys live in per-region stacks without cross-region references.

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
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
    ) -> None:
        """
        :param name: the alias is ``alias/golden-ami/<name>``. Default: ``distribution``.
        :param accounts: accounts that receive copies or launch shared AMIs encrypted with the
            key. Default: none (only the owning account).
        :param removal_policy: Default: RETAIN. A deleted key makes every AMI it encrypts unusable.
        """
        super().__init__(scope, id)
        check_name("distribution_key.name", name)
        if " " in name:
            raise ValueError(f"distribution_key.name: {name!r} contains a space; KMS aliases take [-_A-Za-z0-9/]")
        stack = Stack.of(self)
        accounts = check_unique("distribution_key.accounts", tuple(accounts))
        for account in accounts:
            check_account("distribution_key.accounts", account)
            if account == stack.account:
                raise ValueError(
                    f"distribution_key.accounts: {account!r} is the key's own account, which always has access; "
                    "list only other accounts"
                )
        self.key = kms.Key(
            self,
            "Resource",
            alias=alias_name(name),
            description=f"Encrypts golden AMI copies ({name}) and lets the named accounts use them",
            enable_key_rotation=True,
            removal_policy=removal_policy,
        )
        if accounts:
            principals: list[iam.IPrincipal] = [iam.AccountPrincipal(a) for a in accounts]
            self.key.add_to_resource_policy(
                iam.PolicyStatement(
                    sid="UseByDestinationAccounts", actions=list(USE_ACTIONS), principals=principals, resources=["*"]
                )
            )
            self.key.add_to_resource_policy(
                iam.PolicyStatement(
                    sid="GrantsForEbsInDestinationAccounts",
                    actions=["kms:CreateGrant"],
                    principals=principals,
                    resources=["*"],
                    conditions={"Bool": {"kms:GrantIsForAWSResource": "true"}},
                )
            )
        self.accounts = accounts
        self.name = name
        self.key_arn = self.key.key_arn

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
