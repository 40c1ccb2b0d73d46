"""Start instance refreshes when a new golden AMI is published in the region."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from .._core.nag import INLINE_POLICY_REASON, acknowledge, acknowledge_compliance, as_in_finding, skip_checkov
from .._core.targets import check_parameter_name
from .fleet import GoldenFleet
from .rollout_function.tags import ROLLOUT_TAG

FUNCTION_CODE: Final = Path(__file__).parent / "rollout_function"
RUNTIME: Final = lambda_.Runtime.PYTHON_3_14


class ImageRollout(Construct):
    """An EventBridge rule on the latest-AMI parameter and a small Python function that starts
    an instance refresh on every Auto Scaling group of the region tagged for it.

    The function (``constructs_lib/rollout_function/index.py``) is idempotent: a repeated event,
    a group already on the image and a group with a refresh under way are skipped. It runs one
    at a time per parameter (reserved concurrency 1) and logs one JSON line per group. Its role
    may only refresh and tag groups, and add versions to launch templates, that carry the tag
    ``golden-ami:rollout=<parameter>``.

    Example::

        rollout = ImageRollout(self, "Rollout", parameter_name=template.parameter_name)
        rollout.add_fleet(fleet)
    """

    def __init__(
        self, scope: Construct, id: str, *, parameter_name: str, encryption_key: kms.IKey | None = None
    ) -> None:
        """
        :param parameter_name: the latest-AMI parameter to follow, in this account and region.
        :param encryption_key: encrypts the function's log group and dead-letter queue; its policy
            must let CloudWatch Logs use it. Default: AWS owned keys.
        """
        super().__init__(scope, id)
        check_parameter_name("parameter_name", parameter_name)
        stack = Stack.of(self)
        partition, region, account = stack.partition, stack.region, stack.account
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            retention=logs.RetentionDays.ONE_YEAR,
            removal_policy=RemovalPolicy.RETAIN,
            encryption_key=encryption_key,
        )
        # Events the function failed on after EventBridge's and Lambda's retries, kept 14 days.
        self.dead_letters = sqs.Queue(
            self,
            "DeadLetters",
            retention_period=Duration.days(14),
            enforce_ssl=True,
            encryption=sqs.QueueEncryption.KMS if encryption_key else sqs.QueueEncryption.SQS_MANAGED,
            encryption_master_key=encryption_key,
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Rolls Auto Scaling groups onto the AMI in {parameter_name}",
        )
        tagged = {"StringEquals": {f"aws:ResourceTag/{ROLLOUT_TAG}": parameter_name}}
        statements = [
            iam.PolicyStatement(
                sid="WriteOwnLogs",
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[f"{self.log_group.log_group_arn}:log-stream:*"],
            ),
            iam.PolicyStatement(
                sid="ReadTheParameter",
                actions=["ssm:GetParameter"],
                resources=[f"arn:{partition}:ssm:{region}:{account}:parameter{parameter_name}"],
            ),
            iam.PolicyStatement(
                sid="FindGroupsInstancesAndRefreshes",
                actions=[
                    "autoscaling:DescribeAutoScalingGroups",
                    "autoscaling:DescribeInstanceRefreshes",
                    "ec2:DescribeInstances",
                    "ec2:DescribeLaunchTemplateVersions",
                ],
                resources=["*"],
            ),
            iam.PolicyStatement(
                sid="RefreshAndTagOptedInGroups",
                actions=["autoscaling:StartInstanceRefresh", "autoscaling:CreateOrUpdateTags"],
                resources=[f"arn:{partition}:autoscaling:{region}:{account}:autoScalingGroup:*:autoScalingGroupName/*"],
                conditions=tagged,
            ),
            iam.PolicyStatement(
                sid="VersionOptedInTemplates",
                actions=["ec2:CreateLaunchTemplateVersion"],
                resources=[f"arn:{partition}:ec2:{region}:{account}:launch-template/*"],
                conditions=tagged,
            ),
        ]
        statements.append(
            iam.PolicyStatement(
                sid="KeepFailedEvents", actions=["sqs:SendMessage"], resources=[self.dead_letters.queue_arn]
            )
        )
        if encryption_key is not None:
            statements.append(
                iam.PolicyStatement(
                    sid="EncryptFailedEvents",
                    actions=["kms:Decrypt", "kms:GenerateDataKey"],
                    resources=[encryption_key.key_arn],
                )
            )
        for statement in statements:
            self.role.add_to_principal_policy(statement)
        acknowledge_compliance(self.role, "IAMNoInlinePolicy", INLINE_POLICY_REASON)
        self.function = lambda_.Function(
            self,
            "Function",
            runtime=RUNTIME,
            handler="index.handler",
            code=lambda_.Code.from_asset(str(FUNCTION_CODE), exclude=["__pycache__", "*.pyc"]),
            # By reference: the role's ARN already orders it first, and a direct dependency would be
            # a redundant DependsOn (cfn-lint W3005). The function waits for the policy below.
            role=iam.Role.from_role_arn(self, "RoleRef", self.role.role_arn, mutable=False),
            timeout=Duration.minutes(1),
            memory_size=256,
            reserved_concurrent_executions=1,
            dead_letter_queue=self.dead_letters,
            log_group=self.log_group,
            description=f"Starts instance refreshes when {parameter_name} changes",
        )
        self.function.node.add_dependency(self.role.node.find_child("DefaultPolicy"))
        function_resource = self.function.node.default_child
        assert isinstance(function_resource, lambda_.CfnFunction)
        outside_vpc = (
            "Calls only AWS APIs; inside a VPC it would need a NAT gateway or three interface endpoints per region "
            "and would gain no isolation."
        )
        skip_checkov(function_resource, "CKV_AWS_117", outside_vpc)
        acknowledge_compliance(self.function, "LambdaInsideVPC", outside_vpc)
        self.rule = events.Rule(
            self,
            "OnNewImage",
            description=f"A new AMI in {parameter_name}",
            event_pattern=events.EventPattern(
                source=["aws.ssm"],
                detail_type=["Parameter Store Change"],
                detail={"name": [parameter_name], "operation": ["Create", "Update"]},
            ),
            targets=[targets.LambdaFunction(self.function, retry_attempts=2, max_event_age=Duration.hours(2))],
        )
        here = f"arn:{as_in_finding(partition, 'Partition')}"
        where = f"{as_in_finding(region, 'Region')}:{as_in_finding(account, 'AccountId')}"
        for resource, reason in (
            ("*", "Describe calls of Auto Scaling and EC2 have no resource-level permissions."),
            (
                f"{here}:autoscaling:{where}:autoScalingGroup:*:autoScalingGroupName/*",
                f"Limited by condition to groups tagged {ROLLOUT_TAG}={parameter_name}.",
            ),
            (
                f"{here}:ec2:{where}:launch-template/*",
                f"Limited by condition to launch templates tagged {ROLLOUT_TAG}={parameter_name}.",
            ),
            (
                f"<{stack.get_logical_id(self.log_group.node.default_child)}.Arn>:log-stream:*",  # type: ignore[arg-type]
                "Log streams of the function's own log group, named at run time.",
            ),
        ):
            acknowledge(self.role, f"AwsSolutions-IAM5[Resource::{resource}]", reason)
        self.parameter_name = parameter_name
        self.fleets: list[GoldenFleet] = []

    def add_fleet(self, fleet: GoldenFleet) -> None:
        """Let the function refresh ``fleet``: launch with its template (``ec2:RunInstances``)
        and pass its instance role, which Auto Scaling checks when a refresh changes the template."""
        if fleet.launch_template.parameter_name != self.parameter_name:
            raise ValueError(
                f"add_fleet: the fleet launches {fleet.launch_template.parameter_name!r}, but this rollout "
                f"follows {self.parameter_name!r}; add it to the rollout of its own parameter"
            )
        if fleet.refresh is None:
            raise ValueError(
                "add_fleet: the fleet opted out of refreshes (refresh=None, or a pinned launch template); "
                "give it refresh=InstanceRefresh() or leave it out"
            )
        template = fleet.launch_template.launch_template
        stack = Stack.of(self)
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["ec2:RunInstances"],
                resources=["*"],
                conditions={
                    "ArnLike": {
                        "ec2:LaunchTemplate": f"arn:{stack.partition}:ec2:{stack.region}:{stack.account}:"
                        f"launch-template/{template.launch_template_id}"
                    }
                },
            )
        )
        if template.role is not None:
            # Only to EC2, as in "IAM role for applications that run on Amazon EC2 instances"
            # (https://docs.aws.amazon.com/autoscaling/ec2/userguide/us-iam-role.html).
            self.role.add_to_principal_policy(
                iam.PolicyStatement(
                    actions=["iam:PassRole"],
                    resources=[template.role.role_arn],
                    conditions={"StringEquals": {"iam:PassedToService": ["ec2.amazonaws.com", "ec2.amazonaws.com.cn"]}},
                )
            )
        self.fleets.append(fleet)
