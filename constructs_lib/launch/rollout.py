"""Keep the region's opted-in Auto Scaling groups on the image the latest-AMI parameter names."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from .._core.limits import check_range
from .._core.nag import INLINE_POLICY_REASON, acknowledge, acknowledge_compliance, as_in_finding, skip_checkov
from .._core.targets import check_parameter_name
from .fleet import GoldenFleet
from .rollout_function.tags import (
    FUNCTION_TAGS,
    METRIC_NAMESPACE,
    NOT_CONVERGED_METRIC,
    REFRESH_DETAIL_TYPES,
    ROLLOUT_TAG,
)

FUNCTION_CODE: Final = Path(__file__).parent / "rollout_function"
RUNTIME: Final = lambda_.Runtime.PYTHON_3_14
DEFAULT_SCHEDULE: Final = Duration.minutes(15)
DEFAULT_CONVERGE_WITHIN: Final = Duration.hours(2)
DEFAULT_GROUPS_PER_RUN: Final = 50


class ImageRollout(Construct):
    """A reconciler that keeps every Auto Scaling group of the region tagged
    ``golden-ami:rollout=<parameter>`` on the image the parameter names.

    A function (``rollout_function/``) run on the parameter change, the end of an instance
    refresh (best effort) and a schedule compares each group with the parameter now and starts,
    replaces, retries (at most 3, backing off from 15 minutes) or leaves it; concurrent runs are
    safe, so no reserved concurrency. It touches only tagged groups and templates and writes only
    its own tag keys; each rule's target has a dead-letter queue; :attr:`alarm` fires when a group
    is off the image ``converge_within`` after the parameter changed.

    Example::

        rollout = ImageRollout(self, "Rollout", parameter_name=template.parameter_name)
        rollout.add_fleet(fleet)
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        parameter_name: str,
        encryption_key: kms.IKey | None = None,
        schedule: Duration = DEFAULT_SCHEDULE,
        converge_within: Duration = DEFAULT_CONVERGE_WITHIN,
        groups_per_run: int = DEFAULT_GROUPS_PER_RUN,
        alarm_topic: sns.ITopic | None = None,
    ) -> None:
        """
        :param parameter_name: the latest-AMI parameter to follow, in this account and region.
        :param encryption_key: encrypts the function's log group and dead-letter queue; its policy
            must let CloudWatch Logs use it. Default: AWS owned keys.
        :param schedule: how often the function reconciles without an event. Default: 15 minutes.
        :param converge_within: how long after the parameter changed a group may still be off the
            image before the alarm fires. Default: 2 hours.
        :param groups_per_run: groups one invocation handles (one page); it sends itself an event
            for the next page. Default: 50 (Auto Scaling's page is at most 100).
        :param alarm_topic: notified when the alarm fires and clears. Default: none; the alarm
            shows in CloudWatch, and ``alarm.add_alarm_action(...)`` adds one later.
        """
        super().__init__(scope, id)
        check_parameter_name("parameter_name", parameter_name)
        check_range("schedule", int(schedule.to_minutes()), 1, 24 * 60, " minutes")
        check_range(
            "converge_within", int(converge_within.to_minutes()), int(schedule.to_minutes()), 7 * 24 * 60, " minutes"
        )
        check_range("groups_per_run", groups_per_run, 1, 100)
        stack = Stack.of(self)
        partition, region, account = stack.partition, stack.region, stack.account
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            retention=logs.RetentionDays.ONE_YEAR,
            removal_policy=RemovalPolicy.RETAIN,
            encryption_key=encryption_key,
        )
        self.dead_letters = sqs.Queue(
            self,
            "DeadLetters",
            retention_period=Duration.days(14),
            enforce_ssl=True,
            encryption=sqs.QueueEncryption.KMS if encryption_key else sqs.QueueEncryption.SQS_MANAGED,
            encryption_master_key=encryption_key,
        )
        # Events EventBridge could not deliver to the function at all. SQS-managed encryption:
        # EventBridge could not use a customer key without a grant in that key's policy.
        self.target_dead_letters = sqs.Queue(
            self,
            "TargetDeadLetters",
            retention_period=Duration.days(14),
            enforce_ssl=True,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
        )
        skip_checkov(
            self.target_dead_letters.node.default_child,  # type: ignore[arg-type]
            "CKV_AWS_27",
            "Encrypted with SQS-managed keys (SqsManagedSseEnabled), which checkov does not read; a customer key "
            "would need a grant to EventBridge in that key's policy.",
        )
        acknowledge(
            self.target_dead_letters,
            "AwsSolutions-SQS3",
            "This queue is the dead-letter queue of the EventBridge targets (their DeadLetterConfig); a queue "
            "behind it would only repeat it.",
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Rolls Auto Scaling groups onto the AMI in {parameter_name}",
        )
        tagged = {"StringEquals": {f"aws:ResourceTag/{ROLLOUT_TAG}": parameter_name}}
        parameter_arn = f"arn:{partition}:ssm:{region}:{account}:parameter{parameter_name}"
        groups = f"arn:{partition}:autoscaling:{region}:{account}:autoScalingGroup:*:autoScalingGroupName/*"
        statements = [
            iam.PolicyStatement(
                sid="WriteOwnLogs",
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[f"{self.log_group.log_group_arn}:log-stream:*"],
            ),
            iam.PolicyStatement(
                sid="ReadAndLabelTheParameter",
                actions=["ssm:GetParameter", "ssm:LabelParameterVersion"],
                resources=[parameter_arn],
            ),
            iam.PolicyStatement(
                sid="FindGroupsInstancesImagesAndRefreshes",
                actions=[
                    "autoscaling:DescribeAutoScalingGroups",
                    "autoscaling:DescribeInstanceRefreshes",
                    "ec2:DescribeImages",
                    "ec2:DescribeInstances",
                    "ec2:DescribeLaunchTemplateVersions",
                ],
                resources=["*"],
            ),
            iam.PolicyStatement(
                sid="RefreshOptedInGroups",
                actions=["autoscaling:StartInstanceRefresh", "autoscaling:CancelInstanceRefresh"],
                resources=[groups],
                conditions=tagged,
            ),
            # Only the function's own keys: it can neither opt a group in or out nor rewrite its
            # preferences. https://docs.aws.amazon.com/autoscaling/ec2/userguide/control-access-using-iam.html
            iam.PolicyStatement(
                sid="TagOptedInGroupsWithOwnKeysOnly",
                actions=["autoscaling:CreateOrUpdateTags"],
                resources=[groups],
                conditions={
                    **tagged,
                    "ForAllValues:StringEquals": {"aws:TagKeys": list(FUNCTION_TAGS)},
                    "Null": {"aws:TagKeys": "false"},
                },
            ),
            iam.PolicyStatement(
                sid="VersionAndPruneOptedInTemplates",
                actions=["ec2:CreateLaunchTemplateVersion", "ec2:DeleteLaunchTemplateVersions"],
                resources=[f"arn:{partition}:ec2:{region}:{account}:launch-template/*"],
                conditions=tagged,
            ),
            # Auto Scaling checks the caller of StartInstanceRefresh with a RunInstances dry run,
            # which needs ec2:CreateTags when the template has tag specifications (as fleets'
            # templates do). https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-launch-template-permissions.html
            iam.PolicyStatement(
                sid="TagOnLaunch",
                actions=["ec2:CreateTags"],
                resources=[f"arn:{partition}:ec2:{region}:{account}:*/*"],
                conditions={"StringEquals": {"ec2:CreateAction": "RunInstances"}},
            ),
            iam.PolicyStatement(
                sid="PublishNotConverged",
                actions=["cloudwatch:PutMetricData"],
                resources=["*"],
                conditions={"StringEquals": {"cloudwatch:namespace": METRIC_NAMESPACE}},
            ),
            iam.PolicyStatement(
                sid="KeepFailedEvents", actions=["sqs:SendMessage"], resources=[self.dead_letters.queue_arn]
            ),
        ]
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
            timeout=Duration.minutes(5),
            memory_size=256,
            # No reserved concurrency: Lambda refuses a reservation that leaves less than the
            # account's unreserved minimum, which fails deploys in new or low-quota accounts.
            # https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
            dead_letter_queue=self.dead_letters,
            log_group=self.log_group,
            environment={
                "PARAMETER_NAME": parameter_name,
                "MAX_GROUPS": str(groups_per_run),
                "CONVERGE_SECONDS": str(int(converge_within.to_seconds())),
            },
            description=f"Keeps opted-in Auto Scaling groups on the AMI in {parameter_name}",
        )
        self.function.node.add_dependency(self.role.node.find_child("DefaultPolicy"))
        # Continue with the next page of groups: a policy of its own, so that the function (which
        # waits for the default policy) and this grant on the function's ARN form no cycle.
        continue_policy = iam.Policy(
            self,
            "ContinuePolicy",
            roles=[self.role],
            statements=[
                iam.PolicyStatement(
                    sid="InvokeSelfForTheNextPage",
                    actions=["lambda:InvokeFunction"],
                    resources=[self.function.function_arn],
                )
            ],
        )
        acknowledge_compliance(continue_policy, "IAMNoInlinePolicy", INLINE_POLICY_REASON)
        function_resource = self.function.node.default_child
        assert isinstance(function_resource, lambda_.CfnFunction)
        outside_vpc = (
            "Calls only AWS APIs; inside a VPC it would need a NAT gateway or three interface endpoints per region "
            "and would gain no isolation."
        )
        skip_checkov(function_resource, "CKV_AWS_117", outside_vpc)
        skip_checkov(
            function_resource,
            "CKV_AWS_115",
            "No reserved concurrency on purpose: a reservation fails deploys in low-quota accounts, and the "
            "reconciler is safe under concurrent runs.",
        )
        skip_checkov(
            function_resource,
            "CKV_AWS_173",
            "The environment holds the parameter name and two numbers, no secret; Lambda encrypts it at rest.",
        )
        acknowledge_compliance(self.function, "LambdaInsideVPC", outside_vpc)
        acknowledge_compliance(
            self.function,
            "LambdaConcurrency",
            "No reserved concurrency on purpose: a reservation fails deploys in low-quota accounts, and the "
            "reconciler is safe under concurrent runs.",
        )

        def target() -> targets.LambdaFunction:
            return targets.LambdaFunction(
                self.function,
                retry_attempts=2,
                max_event_age=Duration.hours(2),
                dead_letter_queue=self.target_dead_letters,
            )

        self.rule = events.Rule(
            self,
            "OnNewImage",
            description=f"A new AMI in {parameter_name}",
            event_pattern=events.EventPattern(
                source=["aws.ssm"],
                detail_type=["Parameter Store Change"],
                detail={"name": [parameter_name], "operation": ["Create", "Update"]},
            ),
            targets=[target()],
        )
        self.refresh_rule = events.Rule(
            self,
            "OnRefreshEnded",
            description="An instance refresh ended in this region",
            event_pattern=events.EventPattern(source=["aws.autoscaling"], detail_type=list(REFRESH_DETAIL_TYPES)),
            targets=[target()],
        )
        self.schedule_rule = events.Rule(
            self,
            "OnSchedule",
            description=f"Reconcile the groups following {parameter_name}",
            schedule=events.Schedule.rate(schedule),
            targets=[target()],
        )
        self.metric = cloudwatch.Metric(
            namespace=METRIC_NAMESPACE,
            metric_name=NOT_CONVERGED_METRIC,
            dimensions_map={"Parameter": parameter_name},
            statistic="Maximum",
            period=schedule,
        )
        self.alarm = self.metric.create_alarm(
            self,
            "NotConverged",
            alarm_description=(
                f"An Auto Scaling group following {parameter_name} is not on its image "
                f"{converge_within.to_human_string()} after the parameter changed; README: runbook 'alarm fired'."
            ),
            threshold=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        if alarm_topic is not None:
            self.alarm.add_alarm_action(cloudwatch_actions.SnsAction(alarm_topic))
            self.alarm.add_ok_action(cloudwatch_actions.SnsAction(alarm_topic))
        else:
            acknowledge_compliance(
                self.alarm,
                "CloudWatchAlarmAction",
                "Where a platform team is paged is its choice (alarm_topic=, or alarm.add_alarm_action); the "
                "alarm is visible in CloudWatch meanwhile.",
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
                f"{here}:ec2:{where}:*/*",
                "Tags on the instances and volumes a refresh launches; limited by condition to ec2:CreateAction "
                "RunInstances, as AWS's own example.",
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
        """Let the function refresh ``fleet``: launch with its template and pass its role to EC2."""
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
