"""An Auto Scaling group on a golden launch template, opted in to roll onto each new image."""

from __future__ import annotations

import dataclasses
from typing import Final

from aws_cdk import Duration, Tags
from aws_cdk import aws_autoscaling as autoscaling
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_events as events
from aws_cdk import aws_sns as sns
from constructs import Construct

from .._core.limits import check_range
from .._core.nag import FAST_LAUNCH_VOLUMES_REASON, acknowledge
from .launch_template import GoldenLaunchTemplate
from .rollout_function.tags import (
    IMAGE_AGE_METRIC,
    METRIC_NAMESPACE,
    NOT_CONVERGED_METRIC,
    PREFERENCES_TAG,
    REFRESH_DETAIL_TYPES,
    ROLLOUT_TAG,
)

# Source: Auto Scaling RefreshPreferences (MinHealthyPercentage 0..100, MaxHealthyPercentage
# 100..200 and at most 100 above the minimum, CheckpointPercentages ascending 1..100,
# CheckpointDelay 0..172800 seconds, InstanceWarmup 0..2147483647 seconds).
CHECKPOINT_DELAY_MAX: Final = 172_800
WARMUP_MAX: Final = 2_147_483_647


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class InstanceRefresh:
    """How a fleet rolls onto a new image.

    Defaults: keep 90% of capacity healthy, launch no extra instances (100% maximum), stop at
    50% for 10 minutes, warm up for 5 minutes, roll back automatically when the refresh fails.
    """

    min_healthy_percentage: int = 90
    max_healthy_percentage: int = 100
    checkpoints: tuple[int, ...] = (50, 100)
    checkpoint_delay_seconds: int = 600
    instance_warmup_seconds: int = 300
    auto_rollback: bool = True

    def __post_init__(self) -> None:
        check_range("refresh.min_healthy_percentage", self.min_healthy_percentage, 0, 100, "%")
        check_range("refresh.max_healthy_percentage", self.max_healthy_percentage, 100, 200, "%")
        if self.max_healthy_percentage - self.min_healthy_percentage > 100:
            raise ValueError(
                f"refresh.max_healthy_percentage: {self.max_healthy_percentage} is more than 100 above "
                f"min_healthy_percentage ({self.min_healthy_percentage}); AWS allows at most 100 between them"
            )
        for point in self.checkpoints:
            check_range("refresh.checkpoints", point, 1, 100, "%")
        if list(self.checkpoints) != sorted(set(self.checkpoints)):
            raise ValueError(f"refresh.checkpoints: {self.checkpoints!r} must rise strictly, for example (25, 50, 100)")
        if self.checkpoints and self.checkpoints[-1] != 100:
            raise ValueError(
                f"refresh.checkpoints: {self.checkpoints!r} ends below 100, so the refresh would never replace "
                "every instance; end with 100"
            )
        check_range("refresh.checkpoint_delay_seconds", self.checkpoint_delay_seconds, 0, CHECKPOINT_DELAY_MAX, " s")
        check_range("refresh.instance_warmup_seconds", self.instance_warmup_seconds, 0, WARMUP_MAX, " s")

    def tag_value(self) -> str:
        """The preferences as the rollout function reads them from the group's tag."""
        parts = [
            f"min={self.min_healthy_percentage}",
            f"max={self.max_healthy_percentage}",
            f"checkpoints={','.join(str(p) for p in self.checkpoints)}" if self.checkpoints else "",
            f"delay={self.checkpoint_delay_seconds}" if self.checkpoints else "",
            f"warmup={self.instance_warmup_seconds}",
            f"rollback={'true' if self.auto_rollback else 'false'}",
        ]
        return ";".join(p for p in parts if p)


DEFAULT_REFRESH: Final = InstanceRefresh()
"""Keep 90% healthy, checkpoint at 50% for 10 minutes, warm up 5 minutes, roll back on failure."""


def check_capacity(min_capacity: int, max_capacity: int, desired_capacity: int | None = None) -> None:
    """Raise ``ValueError`` unless 0 <= min <= desired <= max and 1 <= max <= 10,000 (the bounds
    this library allows a group; the factory file's consumers are checked with it too)."""
    check_range("max_capacity", max_capacity, 1, 10_000)
    check_range("min_capacity", min_capacity, 0, 10_000)
    if min_capacity > max_capacity:
        raise ValueError(
            f"min_capacity: {min_capacity} is above max_capacity ({max_capacity}); a group cannot keep more "
            f"instances than it may hold: raise max_capacity to at least {min_capacity} or lower min_capacity"
        )
    if desired_capacity is not None:
        check_range("desired_capacity", desired_capacity, 0, 10_000)
        if not min_capacity <= desired_capacity <= max_capacity:
            raise ValueError(
                f"desired_capacity: {desired_capacity} is outside the group's own bounds, min_capacity "
                f"{min_capacity} to max_capacity {max_capacity}; give one within them"
            )


class GoldenFleet(Construct):
    """An Auto Scaling group launching a :class:`GoldenLaunchTemplate`.

    With ``refresh`` (the default) the group and its template are tagged for the region's
    :class:`ImageRollout`, which starts an instance refresh when a new image is published. A
    pinned template never rolls. Instances go to private subnets; group metrics and scaling
    notifications are on.

    Example::

        GoldenFleet(self, "Web", launch_template=template, vpc=vpc, min_capacity=2, max_capacity=6)
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        launch_template: GoldenLaunchTemplate,
        vpc: ec2.IVpc,
        vpc_subnets: ec2.SubnetSelection | None = None,
        min_capacity: int = 1,
        max_capacity: int = 2,
        desired_capacity: int | None = None,
        refresh: InstanceRefresh | None = DEFAULT_REFRESH,
        notification_topic: sns.ITopic | None = None,
    ) -> None:
        """
        :param launch_template: what the group launches.
        :param vpc_subnets: Default: the VPC's private subnets (isolated ones when it has no others).
        :param min_capacity: Default: 1.
        :param max_capacity: Default: 2.
        :param desired_capacity: Default: none (the group starts at ``min_capacity``).
        :param refresh: how to roll onto a new image. Default: ``InstanceRefresh()``. None opts out.
        :param notification_topic: scaling notifications. Default: none; set one to receive them.
        """
        super().__init__(scope, id)
        if launch_template.instance_type is None:
            raise ValueError(
                "launch_template: it names no instance type, which an Auto Scaling group needs; "
                "set GoldenLaunchTemplate(instance_type=...)"
            )
        check_capacity(min_capacity, max_capacity, desired_capacity)
        subnets = vpc_subnets or ec2.SubnetSelection(
            subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS if vpc.private_subnets else ec2.SubnetType.PRIVATE_ISOLATED
        )
        self.group = autoscaling.AutoScalingGroup(
            self,
            "Resource",
            vpc=vpc,
            vpc_subnets=subnets,
            launch_template=launch_template.launch_template,
            min_capacity=min_capacity,
            max_capacity=max_capacity,
            desired_capacity=desired_capacity,
            group_metrics=[autoscaling.GroupMetrics.all()],
            health_checks=autoscaling.HealthChecks.ec2(grace_period=Duration.minutes(5)),
            notifications=[autoscaling.NotificationConfiguration(topic=notification_topic)]
            if notification_topic
            else None,
        )
        if notification_topic is None:
            for rule in ("AwsSolutions-AS3",):
                acknowledge(
                    self.group,
                    rule,
                    "Scaling notifications go where the team chooses (notification_topic=); the group's "
                    "metrics and the rollout function's log record every change meanwhile.",
                )
        if launch_template.fast_launch:
            acknowledge(self.group, "AwsSolutions-EC26", FAST_LAUNCH_VOLUMES_REASON)
        self.refresh = refresh if launch_template.pin is None else None
        if self.refresh is not None:
            for resource in (self.group, launch_template.launch_template):
                Tags.of(resource).add(ROLLOUT_TAG, launch_template.parameter_name, apply_to_launched_instances=False)
            Tags.of(self.group).add(PREFERENCES_TAG, self.refresh.tag_value(), apply_to_launched_instances=False)
        self.launch_template = launch_template
        self.auto_scaling_group_name = self.group.auto_scaling_group_name
        self.auto_scaling_group_arn = self.group.auto_scaling_group_arn
        self.rollout_alarm_arn: str | None = None
        """The ``NotConverged`` alarm of the :class:`ImageRollout` the fleet was added to, if any."""

    def on_refresh_failed(self, id: str, *, target: events.IRuleTarget | None = None) -> events.Rule:
        """A rule on this group's instance refreshes that failed, or that were rolled back (with
        success or not): "EC2 Auto Scaling Instance Refresh Failed", "... Rollback Succeeded" and
        "... Rollback Failed", matched on ``detail.AutoScalingGroupName``
        (https://docs.aws.amazon.com/autoscaling/ec2/userguide/instance-refresh-eventbridge-events.html).
        The events go to the default bus of the group's account and region, best effort.

        Example::

            fleet.on_refresh_failed("RefreshFailed", target=targets.SnsTopic(topic))
        """
        failed = [
            t for t in REFRESH_DETAIL_TYPES if t.endswith(("Refresh Failed", "Rollback Succeeded", "Rollback Failed"))
        ]
        return events.Rule(
            self,
            id,
            description="An instance refresh of this fleet failed or was rolled back",
            event_pattern=events.EventPattern(
                source=["aws.autoscaling"],
                detail_type=failed,
                detail={"AutoScalingGroupName": [self.auto_scaling_group_name]},
            ),
            targets=[target] if target else None,
        )

    def on_not_converged(self, id: str, *, target: events.IRuleTarget | None = None) -> events.Rule:
        """A rule on the ``NotConverged`` alarm of this fleet's :class:`ImageRollout` going to
        ``ALARM`` (see :meth:`ImageRollout.on_not_converged`); the fleet must have been added to one."""
        if self.rollout_alarm_arn is None:
            raise ValueError(
                "on_not_converged: the fleet follows no rollout, so nothing tells whether it converged; "
                "add it with ImageRollout.add_fleet(fleet) first"
            )
        return events.Rule(
            self,
            id,
            description="A fleet following this fleet's parameter has not converged on its image",
            event_pattern=alarm_pattern(self.rollout_alarm_arn),
            targets=[target] if target else None,
        )

    def metric_not_converged(self, *, period: Duration | None = None) -> cloudwatch.Metric:
        """Groups following this fleet's parameter in its region that are not on its image
        ``converge_within`` after it changed (maximum), as its :class:`ImageRollout` publishes it
        each run: the metric behind the rollout's ``NotConverged`` alarm."""
        return rollout_metric(self.launch_template.parameter_name, NOT_CONVERGED_METRIC, period)

    def metric_image_age(self, *, period: Duration | None = None) -> cloudwatch.Metric:
        """Days since this fleet's parameter was last written (maximum): once the fleet has
        converged, how long its image has been the newest, not the AMI's own age. Published by the
        rollout each run; a pinned fleet has none."""
        return rollout_metric(self.launch_template.parameter_name, IMAGE_AGE_METRIC, period)


def alarm_pattern(alarm_arn: str) -> events.EventPattern:
    """The alarm ``alarm_arn`` going to ``ALARM``: "CloudWatch Alarm State Change" with the alarm's
    ARN in ``resources`` and the new state in ``detail.state.value``
    (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html)."""
    return events.EventPattern(
        source=["aws.cloudwatch"],
        detail_type=["CloudWatch Alarm State Change"],
        resources=[alarm_arn],
        detail={"state": {"value": ["ALARM"]}},
    )


def rollout_metric(parameter_name: str, metric_name: str, period: Duration | None = None) -> cloudwatch.Metric:
    """The rollout function's ``metric_name`` for ``parameter_name`` (namespace ``GoldenAmi/Rollout``,
    dimension ``Parameter``), maximum over ``period`` (default 15 minutes, the rollout's schedule)."""
    return cloudwatch.Metric(
        namespace=METRIC_NAMESPACE,
        metric_name=metric_name,
        dimensions_map={"Parameter": parameter_name},
        statistic="Maximum",
        period=period or Duration.minutes(15),
    )
