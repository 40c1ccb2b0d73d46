"""The EventBridge events Image Builder sends about a pipeline's images, as rules on the pipeline:
``on_*()`` methods in the CDK idiom, so that users wire their own targets and alarms.

Image Builder sends "EC2 Image Builder Image State Change" when an image changes status, with the
image build version's ARN in ``resources`` and the new status in ``detail.state.status``
(BUILDING, TESTING, DISTRIBUTING, INTEGRATING, AVAILABLE, CANCELLED, FAILED), and "EC2 Image Builder
Image Pipeline Automatically Disabled" when it disables a pipeline after consecutive failed
scheduled builds, with the pipeline's ARN in ``resources`` ("Event messages that Image Builder
sends", https://docs.aws.amazon.com/imagebuilder/latest/userguide/integ-eventbridge.html). Both go
to the default event bus of the pipeline's account and region, on a best-effort basis
(https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-imagebuilder.html).

Systems Manager sends "Parameter Store Change" with the parameter's name in ``detail.name`` and
``detail.operation`` Create, Update, Delete or LabelParameterVersion, but not its value
(https://docs.aws.amazon.com/systems-manager/latest/userguide/monitoring-systems-manager-event-examples.html);
an update of a held pipeline's status parameter is a revoke or a lift (``golden-ami-revoke``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from aws_cdk import Duration, Stack, Token
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_events as events
from constructs import Construct

from .._core import render as _render
from .build_metrics_function.index import DURATION, FAILED, NAMESPACE, SUCCEEDED

SOURCE: Final = "aws.imagebuilder"
IMAGE_STATE_CHANGE: Final = "EC2 Image Builder Image State Change"
PIPELINE_DISABLED: Final = "EC2 Image Builder Image Pipeline Automatically Disabled"
PARAMETER_CHANGE: Final = "Parameter Store Change"
IMAGE_STATUSES: Final = ("BUILDING", "TESTING", "DISTRIBUTING", "INTEGRATING", "AVAILABLE", "CANCELLED", "FAILED")
"""The statuses the image state change event documents."""


def image_state_pattern(image_arn_prefix: str, statuses: Sequence[str] = ()) -> events.EventPattern:
    """Image state changes of the images whose build version ARN starts with ``image_arn_prefix``
    (``arn:...:image/<name>/``), to one of ``statuses`` (any when empty)."""
    for status in statuses:
        if status not in IMAGE_STATUSES:
            raise ValueError(f"statuses: {status!r} is not an image status; use one of {', '.join(IMAGE_STATUSES)}")
    detail: dict[str, Any] | None = {"state": {"status": list(statuses)}} if statuses else None
    return events.EventPattern(
        source=[SOURCE],
        detail_type=[IMAGE_STATE_CHANGE],
        resources=Token.as_list(events.Match.prefix(image_arn_prefix)),
        detail=detail,
    )


def pipeline_disabled_pattern(pipeline_arn: str) -> events.EventPattern:
    """Image Builder disabled the pipeline ``pipeline_arn`` after consecutive failed scheduled builds."""
    return events.EventPattern(source=[SOURCE], detail_type=[PIPELINE_DISABLED], resources=[pipeline_arn])


def build_metric(image_name: str, metric_name: str, *, period: Duration | None = None) -> cloudwatch.Metric:
    """``metric_name`` (``BuildsSucceeded``, ``BuildsFailed``: sum; ``BuildDuration``: maximum, in
    seconds) of the image ``image_name``, as :class:`BuildMetrics` publishes it. Default period: a day."""
    if metric_name not in (SUCCEEDED, FAILED, DURATION):
        raise ValueError(f"metric_name: {metric_name!r} is not a build metric; use {SUCCEEDED}, {FAILED} or {DURATION}")
    return cloudwatch.Metric(
        namespace=NAMESPACE,
        metric_name=metric_name,
        dimensions_map={"Image": _render.slug(image_name)},
        statistic="Maximum" if metric_name == DURATION else "Sum",
        period=period or Duration.days(1),
    )


def parameter_updated_pattern(names: Sequence[str]) -> events.EventPattern:
    """An update (a new version) of one of the parameters ``names``."""
    return events.EventPattern(
        source=["aws.ssm"], detail_type=[PARAMETER_CHANGE], detail={"name": list(names), "operation": ["Update"]}
    )


class PipelineEvents:
    """The ``on_*()`` methods of :class:`GoldenImagePipeline`; the pipeline gives ``image_name``,
    ``pipeline_arn`` and ``status_parameter``."""

    image_name: str
    pipeline_arn: str
    status_parameter: str | None

    def on_image_state_change(
        self,
        id: str,
        *,
        statuses: Sequence[str] = (),
        target: events.IRuleTarget | None = None,
        description: str | None = None,
    ) -> events.Rule:
        """A rule on the state changes of this pipeline's images (any status, or ``statuses``).

        Example::

            pipeline.on_image_state_change("Available", statuses=["AVAILABLE"], target=targets.SnsTopic(topic))
        """
        assert isinstance(self, Construct)
        stack = Stack.of(self)
        prefix = (
            f"arn:{stack.partition}:imagebuilder:{stack.region}:{stack.account}:image/{_render.slug(self.image_name)}/"
        )
        return events.Rule(
            self,
            id,
            description=description or f"Image Builder images of {self.image_name} changed state",
            event_pattern=image_state_pattern(prefix, statuses),
            targets=[target] if target else None,
        )

    def on_build_failed(self, id: str, *, target: events.IRuleTarget | None = None) -> events.Rule:
        """A rule on every build of this pipeline that ends ``FAILED``."""
        return self.on_image_state_change(
            id, statuses=["FAILED"], target=target, description=f"A build of {self.image_name} failed"
        )

    def on_automatically_disabled(self, id: str, *, target: events.IRuleTarget | None = None) -> events.Rule:
        """A rule on Image Builder disabling this pipeline after consecutive failed scheduled builds
        (its ``AutoDisablePolicy``); a disabled pipeline builds nothing until it is enabled again."""
        assert isinstance(self, Construct)
        return events.Rule(
            self,
            id,
            description=f"Image Builder disabled the pipeline of {self.image_name} after failed builds",
            event_pattern=pipeline_disabled_pattern(self.pipeline_arn),
            targets=[target] if target else None,
        )

    def on_status_changed(self, id: str, *, target: events.IRuleTarget | None = None) -> events.Rule:
        """A rule on a new value of this held pipeline's status parameter: ``golden-ami-revoke``
        disabled it (a revoke), or ``--lift`` enabled it again. Needs ``hold_status=True``."""
        assert isinstance(self, Construct)
        if self.status_parameter is None:
            raise ValueError(
                f"on_status_changed: the pipeline of {self.image_name} holds no status (hold_status=False), so a "
                "revoke leaves no parameter to watch; create it with hold_status=True"
            )
        return events.Rule(
            self,
            id,
            description=f"The status of the pipeline of {self.image_name} changed: a revoke or a lift",
            event_pattern=parameter_updated_pattern([self.status_parameter]),
            targets=[target] if target else None,
        )

    def metric_builds_succeeded(self, *, period: Duration | None = None) -> cloudwatch.Metric:
        """Builds of this pipeline's image that ended ``AVAILABLE`` (sum, a day by default), as
        :class:`BuildMetrics` publishes them: none without it."""
        return build_metric(self.image_name, SUCCEEDED, period=period)

    def metric_builds_failed(self, *, period: Duration | None = None) -> cloudwatch.Metric:
        """Builds of this pipeline's image that ended ``FAILED`` (sum, a day by default)."""
        return build_metric(self.image_name, FAILED, period=period)

    def metric_build_duration(self, *, period: Duration | None = None) -> cloudwatch.Metric:
        """Seconds from the image's creation (``GetImage`` ``dateCreated``) to the event that ended
        its build, test and distribution included (maximum); an approximation, see :class:`BuildMetrics`."""
        return build_metric(self.image_name, DURATION, period=period)
