"""In a destination account: the grants that let its Auto Scaling launch AMIs encrypted with the factory's keys."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Final

from aws_cdk import CustomResource, Duration, Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from .._core.function import Handler, custom_resource_exemptions, package_functions
from .._core.limits import check_unique
from .._core.nag import acknowledge_resources, as_in_finding
from .._core.targets import check_account, check_region
from ._key_policy import AUTO_SCALING_GRANT_OPERATIONS, auto_scaling_role_arn
from .key import DEFAULT_KEY_NAME, DistributionKey

FUNCTION_CODE: Final = Path(__file__).parent / "grant_function"
RESOURCE_TYPE: Final = "Custom::AutoScalingKeyGrant"


class AutoScalingKeyGrants(Construct):
    """One KMS grant per region for this account's ``AWSServiceRoleForAutoScaling`` on the
    factory's distribution key there, made by a small custom resource function.

    Auto Scaling launches as its service-linked role, which has no KMS access of its own; for a
    key in another account AWS documents a grant created by the launching account ("Required AWS
    KMS key policy for use with encrypted volumes",
    https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html).
    The factory key's policy lets this account create exactly that grant
    (:class:`DistributionKey` with ``accounts``). The function creates the service-linked role
    if it is missing, then the grant (named, so retries find it); deleting the stack retires
    the grants. The key must exist first: deploy the factory's key stacks before this one.

    Example::

        AutoScalingKeyGrants(stack, "AutoScalingKeyGrants", factory_account="111111111111",
                             regions=("eu-west-1", "us-east-1"))
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        factory_account: str,
        regions: Sequence[str],
        key_name: str = DEFAULT_KEY_NAME,
    ) -> None:
        """
        :param factory_account: the account that owns the keys.
        :param regions: every region whose key encrypts AMIs this account launches.
        :param key_name: the keys' name (``alias/golden-ami/<name>``). Default: ``distribution``.
        """
        super().__init__(scope, id)
        check_account("factory_account", factory_account)
        regions = check_unique("regions", tuple(regions))
        if not regions:
            raise ValueError("regions: none given; list every region whose AMIs this account launches")
        for region in regions:
            check_region("regions", region)
        stack = Stack.of(self)
        partition, account = stack.partition, stack.account
        grantee = auto_scaling_role_arn(partition, account)
        keys = f"arn:{partition}:kms:*:{factory_account}:key/*"
        made = package_functions(
            self,
            code=FUNCTION_CODE,
            handlers=(
                Handler(
                    id="Function",
                    entry="index.handler",
                    description="Creates and retires the KMS grants of this account's Auto Scaling on the factory keys",
                ),
            ),
            role_description="Grants this account's Auto Scaling use of the golden AMI factory's keys",
            statements=(
                iam.PolicyStatement(
                    sid="CreateAutoScalingServiceLinkedRole",
                    actions=["iam:CreateServiceLinkedRole"],
                    resources=[grantee],
                    conditions={"StringEquals": {"iam:AWSServiceName": "autoscaling.amazonaws.com"}},
                ),
                iam.PolicyStatement(sid="FindFactoryKeys", actions=["kms:DescribeKey"], resources=[keys]),
                iam.PolicyStatement(
                    sid="GrantAutoScalingOnFactoryKeys",
                    actions=["kms:CreateGrant"],
                    resources=[keys],
                    conditions={
                        "StringEquals": {"kms:GranteePrincipal": grantee},
                        "ForAllValues:StringEquals": {"kms:GrantOperations": list(AUTO_SCALING_GRANT_OPERATIONS)},
                    },
                ),
                iam.PolicyStatement(sid="RetireOwnGrants", actions=["kms:RetireGrant"], resources=[keys]),
            ),
            exemptions=custom_resource_exemptions(
                outside_vpc="Calls only AWS APIs (IAM and KMS); inside a VPC it would need endpoints and gain no "
                "isolation.",
                runs_once_per="grant",
            ),
            # CreateGrant is retried for a minute while IAM propagates a new service-linked role.
            timeout=Duration.minutes(3),
            plain_logs=(
                "One line per grant made or retired (key ARN, grant ID, status), no data; CloudWatch Logs encrypts "
                "it at rest, and a key of its own would cost more than what it protects."
            ),
        )
        self.log_group, self.role, (self.function,) = made.log_group, made.role, made.functions
        acknowledge_resources(
            self.role,
            (
                f"arn:{as_in_finding(partition, 'Partition')}:kms:*:{factory_account}:key/*",
                "Key IDs of the factory account are not known in this account; only its keys, and each key's "
                "policy allows only the documented Auto Scaling grant.",
            ),
        )
        self.grants: dict[str, CustomResource] = {}
        for region in regions:
            self.grants[region] = CustomResource(
                self,
                f"Grant-{region}",
                service_token=self.function.function_arn,
                resource_type=RESOURCE_TYPE,
                properties={
                    "Region": region,
                    "KeyAlias": DistributionKey.alias_arn(factory_account, region, key_name),
                    "GranteePrincipal": grantee,
                    "RetiringPrincipal": self.role.role_arn,
                    "GrantName": f"golden-ami-autoscaling-{key_name}",
                },
            )
        self.factory_account = factory_account
        self.regions = regions
