"""Keep the region's opted-in Auto Scaling groups on the image the latest-AMI parameter names."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from aws_cdk import Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from .._core.event_target import function_target, target_dead_letters
from .._core.function import Exemption, Handler, package_functions
from .._core.limits import check_range
from .._core.nag import INLINE_POLICY_REASON, acknowledge_compliance, acknowledge_resources
from .._core.targets import check_parameter_name
from ._rollout_policy import rollout_statements, rollout_wildcards
from .fleet import GoldenFleet, alarm_pattern
from .rollout_function.tags import METRIC_NAMESPACE, NOT_CONVERGED_METRIC, PINS_EXPIRING_METRIC, REFRESH_DETAIL_TYPES

FUNCTION_CODE: Final = Path(__file__).parent / "rollout_function"
DEFAULT_SCHEDULE_MINUTES: Final = 15
DEFAULT_CONVERGE_WITHIN_MINUTES: Final = 2 * 60
DEFAULT_GROUPS_PER_RUN: Final = 50


class ImageRollout(Construct):
    """A reconciler that keeps every Auto Scaling group of the region tagged
    ``golden-ami:rollout=<parameter>`` on the image the parameter names.

    A function (``rollout_function/``) run on the parameter change, the end of an instance
    refresh (best effort) and a schedule compares each group with the parameter now and starts,
    replaces, retries (at most 3, backing off from 15 minutes) or leaves it; concurrent runs are
    safe, so no reserved concurrency. It touches only tagged groups and templates and writes only
    its own tag keys; each rule's target has a dead-letter queue; :attr:`alarm` fires when a group
    is off the image ``converge_within`` after the parameter changed (or the parameter is missing),
    and :attr:`pins_alarm` when a template is pinned to a label near the end of the parameter's
    history (the function keeps labels on its newest 90 versions only, so that they never block
    Image Builder's writes; ``rollout_function/labels.py``).

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
        schedule: Duration | None = None,
        converge_within: Duration | None = None,
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
        schedule = schedule or Duration.minutes(DEFAULT_SCHEDULE_MINUTES)
        converge_within = converge_within or Duration.minutes(DEFAULT_CONVERGE_WITHIN_MINUTES)
        check_parameter_name("parameter_name", parameter_name)
        check_range("schedule", int(schedule.to_minutes()), 1, 24 * 60, " minutes")
        check_range(
            "converge_within", int(converge_within.to_minutes()), int(schedule.to_minutes()), 7 * 24 * 60, " minutes"
        )
        check_range("groups_per_run", groups_per_run, 1, 100)
        stack = Stack.of(self)
        where = {"partition": stack.partition, "region": stack.region, "account": stack.account}
        self.dead_letters = sqs.Queue(
            self,
            "DeadLetters",
            retention_period=Duration.days(14),
            enforce_ssl=True,
            encryption=sqs.QueueEncryption.KMS if encryption_key else sqs.QueueEncryption.SQS_MANAGED,
            encryption_master_key=encryption_key,
        )
        # Events EventBridge could not deliver to the function at all.
        self.target_dead_letters = target_dead_letters(self)
        # No reserved concurrency: Lambda refuses a reservation that leaves less than the
        # account's unreserved minimum, which fails deploys in new or low-quota accounts.
        # https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
        unreserved = (
            "No reserved concurrency on purpose: a reservation fails deploys in low-quota accounts, and the "
            "reconciler is safe under concurrent runs."
        )
        outside_vpc = (
            "Calls only AWS APIs; inside a VPC it would need a NAT gateway or three interface endpoints per region "
            "and would gain no isolation."
        )
        made = package_functions(
            self,
            code=FUNCTION_CODE,
            handlers=(
                Handler(
                    id="Function",
                    entry="index.handler",
                    description=f"Keeps opted-in Auto Scaling groups on the AMI in {parameter_name}",
                ),
            ),
            role_description=f"Rolls Auto Scaling groups onto the AMI in {parameter_name}",
            statements=rollout_statements(
                **where,
                parameter_name=parameter_name,
                dead_letters_arn=self.dead_letters.queue_arn,
                key_arn=encryption_key.key_arn if encryption_key is not None else None,
            ),
            exemptions=(
                Exemption(checkov="CKV_AWS_117", compliance="LambdaInsideVPC", reason=outside_vpc),
                Exemption(checkov="CKV_AWS_115", compliance="LambdaConcurrency", reason=unreserved),
                Exemption(
                    checkov="CKV_AWS_173",
                    reason="The environment holds the parameter name and two numbers, no secret; Lambda encrypts "
                    "it at rest.",
                ),
            ),
            timeout=Duration.minutes(5),
            dead_letter_queue=self.dead_letters,
            environment={
                "PARAMETER_NAME": parameter_name,
                "MAX_GROUPS": str(groups_per_run),
                "CONVERGE_SECONDS": str(int(converge_within.to_seconds())),
            },
            logs_key=encryption_key,
        )
        self.log_group, self.role, (self.function,) = made.log_group, made.role, made.functions
        acknowledge_resources(self.role, *rollout_wildcards(**where, parameter_name=parameter_name))
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

        def target() -> targets.LambdaFunction:
            return function_target(self.function, self.target_dead_letters)

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
        self.metric, self.alarm = self._alarm(
            NOT_CONVERGED_METRIC,
            "NotConverged",
            f"An Auto Scaling group following {parameter_name} is not on its image "
            f"{converge_within.to_human_string()} after the parameter changed; README: runbook 'alarm fired'.",
            cloudwatch.TreatMissingData.NOT_BREACHING,
            parameter_name=parameter_name,
            period=schedule,
        )
        # Published by the runs that read the parameter's history (not the continue events): a
        # period without one keeps the alarm's state.
        self.pins_metric, self.pins_alarm = self._alarm(
            PINS_EXPIRING_METRIC,
            "PinsExpiring",
            f"A launch template is pinned to a label of {parameter_name} that is near the end of the "
            "parameter's 100-version history, or gone; README: runbook 'pin expiring'.",
            cloudwatch.TreatMissingData.IGNORE,
            parameter_name=parameter_name,
            period=schedule,
        )
        for alarm in (self.alarm, self.pins_alarm):
            if alarm_topic is not None:
                alarm.add_alarm_action(cloudwatch_actions.SnsAction(alarm_topic))
                alarm.add_ok_action(cloudwatch_actions.SnsAction(alarm_topic))
            else:
                acknowledge_compliance(
                    alarm,
                    "CloudWatchAlarmAction",
                    "Where a platform team is paged is its choice (alarm_topic=, or alarm.add_alarm_action); the "
                    "alarm is visible in CloudWatch meanwhile.",
                )
        self.parameter_name = parameter_name
        self.fleets: list[GoldenFleet] = []

    def _alarm(
        self,
        metric_name: str,
        id: str,
        description: str,
        missing: cloudwatch.TreatMissingData,
        *,
        parameter_name: str,
        period: Duration,
    ) -> tuple[cloudwatch.Metric, cloudwatch.Alarm]:
        """The function's metric ``metric_name`` for the parameter, and an alarm at 1 or more."""
        metric = cloudwatch.Metric(
            namespace=METRIC_NAMESPACE,
            metric_name=metric_name,
            dimensions_map={"Parameter": parameter_name},
            statistic="Maximum",
            period=period,
        )
        alarm = metric.create_alarm(
            self,
            id,
            alarm_description=description,
            threshold=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=missing,
        )
        return metric, alarm

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
        self.role.add_to_policy(
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
            self.role.add_to_policy(
                iam.PolicyStatement(
                    actions=["iam:PassRole"],
                    resources=[template.role.role_arn],
                    conditions={"StringEquals": {"iam:PassedToService": ["ec2.amazonaws.com", "ec2.amazonaws.com.cn"]}},
                )
            )
        fleet.rollout_alarm_arn = self.alarm.alarm_arn
        self.fleets.append(fleet)

    def on_not_converged(self, id: str, *, target: events.IRuleTarget | None = None) -> events.Rule:
        """A rule on this rollout's ``NotConverged`` alarm going to ``ALARM``: a group following the
        parameter is not on its image within ``converge_within``. CloudWatch sends "CloudWatch Alarm
        State Change" with the alarm's ARN in ``resources`` and the new state in
        ``detail.state.value``, and guarantees its delivery to the default bus of the alarm's
        account and region
        (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html).

        Example::

            rollout.on_not_converged("NotConverged", target=targets.SnsTopic(topic))
        """
        return events.Rule(
            self,
            id,
            description=f"A fleet following {self.parameter_name} has not converged on its image",
            event_pattern=alarm_pattern(self.alarm.alarm_arn),
            targets=[target] if target else None,
        )
