"""In a destination account: the grants that let its Auto Scaling launch AMIs encrypted with the factory's keys."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Final

from aws_cdk import CustomResource, Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from .._core.limits import check_unique
from .._core.nag import INLINE_POLICY_REASON, acknowledge, acknowledge_compliance, as_in_finding, skip_checkov
from .._core.targets import check_account, check_region
from ._key_policy import AUTO_SCALING_GRANT_OPERATIONS, auto_scaling_role_arn
from .key import DEFAULT_KEY_NAME, DistributionKey

FUNCTION_CODE: Final = Path(__file__).parent / "grant_function"
RUNTIME: Final = lambda_.Runtime.PYTHON_3_14
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
        self.log_group = logs.LogGroup(
            self, "Logs", retention=logs.RetentionDays.ONE_YEAR, removal_policy=RemovalPolicy.RETAIN
        )
        plain_logs = (
            "One line per grant made or retired (key ARN, grant ID, status), no data; CloudWatch Logs encrypts it "
            "at rest, and a key of its own would cost more than what it protects."
        )
        acknowledge_compliance(self.log_group, "CloudWatchLogGroupEncrypted", plain_logs)
        skip_checkov(self.log_group.node.default_child, "CKV_AWS_158", plain_logs)  # type: ignore[arg-type]
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Grants this account's Auto Scaling use of the golden AMI factory's keys",
        )
        keys = f"arn:{partition}:kms:*:{factory_account}:key/*"
        for statement in (
            iam.PolicyStatement(
                sid="WriteOwnLogs",
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[f"{self.log_group.log_group_arn}:log-stream:*"],
            ),
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
        ):
            self.role.add_to_principal_policy(statement)
        acknowledge_compliance(self.role, "IAMNoInlinePolicy", INLINE_POLICY_REASON)
        arn = f"arn:{as_in_finding(partition, 'Partition')}"
        acknowledge(
            self.role,
            f"AwsSolutions-IAM5[Resource::{arn}:kms:*:{factory_account}:key/*]",
            "Key IDs of the factory account are not known in this account; only its keys, and each key's policy "
            "allows only the documented Auto Scaling grant.",
            (
                f"AwsSolutions-IAM5[Resource::<{stack.get_logical_id(self.log_group.node.default_child)}.Arn>:log-stream:*]",  # type: ignore[arg-type]
                "Log streams of the function's own log group, named at run time.",
            ),
        )
        self.function = lambda_.Function(
            self,
            "Function",
            runtime=RUNTIME,
            handler="index.handler",
            code=lambda_.Code.from_asset(str(FUNCTION_CODE), exclude=["__pycache__", "*.pyc"]),
            role=iam.Role.from_role_arn(self, "RoleRef", self.role.role_arn, mutable=False),
            timeout=Duration.minutes(1),
            memory_size=256,
            log_group=self.log_group,
            description="Creates and retires the KMS grants of this account's Auto Scaling on the factory keys",
        )
        self.function.node.add_dependency(self.role.node.find_child("DefaultPolicy"))
        function_resource = self.function.node.default_child
        assert isinstance(function_resource, lambda_.CfnFunction)
        outside_vpc = "Calls only AWS APIs (IAM and KMS); inside a VPC it would need endpoints and gain no isolation."
        skip_checkov(function_resource, "CKV_AWS_117", outside_vpc)
        no_dlq = "CloudFormation invokes it synchronously and records every failure on the stack; nothing to requeue."
        skip_checkov(function_resource, "CKV_AWS_116", no_dlq)
        acknowledge_compliance(self.function, "LambdaInsideVPC", outside_vpc)
        acknowledge_compliance(self.function, "LambdaDLQ", no_dlq)
        # Lambda lets an account reserve only its unreserved concurrency minus 100
        # (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html); a new
        # destination account may have less than that, and the reservation would fail the deploy.
        unreserved = (
            "Runs once per grant at deploy; reserving concurrency would fail in new accounts, whose quota "
            "leaves nothing to reserve."
        )
        skip_checkov(function_resource, "CKV_AWS_115", unreserved)
        acknowledge_compliance(self.function, "LambdaConcurrency", unreserved)
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
