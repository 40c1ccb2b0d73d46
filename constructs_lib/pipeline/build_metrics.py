"""The factory's build metrics: a function that turns each ended build's event into CloudWatch
metrics per image (``build_metrics_function/``), and the metrics themselves for alarms and graphs."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Final

from aws_cdk import Duration, Stack, Token
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from constructs import Construct

from .._core import render as _render
from .._core.event_target import function_target, target_dead_letters
from .._core.function import Handler, event_function_exemptions, package_functions
from .._core.nag import acknowledge_resources, as_in_finding
from ._events import IMAGE_STATE_CHANGE, SOURCE
from .build_metrics_function.index import ENDED

FUNCTION_CODE: Final = Path(__file__).parent / "build_metrics_function"


class BuildMetrics(Construct):
    """Publishes, per image, ``BuildsSucceeded``, ``BuildsFailed`` and ``BuildDuration`` (seconds)
    in the namespace ``GoldenAmi/Builds``, dimension ``Image``: Image Builder documents no
    CloudWatch metrics of its own. An EventBridge rule runs a function when a build of one of
    ``image_names`` ends (``AVAILABLE``, ``FAILED`` or ``CANCELLED``); the function reads the
    image's creation time (``GetImage``) and prints one line in the embedded metric format, which
    CloudWatch turns into the metrics: the function needs no ``cloudwatch:PutMetricData`` at all
    (the rollout's role has it, limited by ``cloudwatch:namespace``), and the line is the build's
    record in the log. Counts are approximate: Image Builder's events are best effort. Read them
    with ``pipeline.metric_builds_failed()`` and the others.

    Example::

        BuildMetrics(stack, "BuildMetrics", image_names=["web-server"])
        pipeline.metric_builds_failed().create_alarm(stack, "Failed", threshold=1, evaluation_periods=1)
    """

    def __init__(self, scope: Construct, id: str, *, image_names: Sequence[str]) -> None:
        """:param image_names: the images whose builds to count, as their pipelines name them; at least one."""
        super().__init__(scope, id)
        if not image_names:
            raise ValueError("image_names: none given; give the images whose builds to count")
        stack = Stack.of(self)
        partition, account, region = stack.partition, stack.account, stack.region
        images = f"arn:{partition}:imagebuilder:{region}:{account}:image/"
        self.target_dead_letters = target_dead_letters(self)
        made = package_functions(
            self,
            code=FUNCTION_CODE,
            handlers=(
                Handler(
                    id="Function",
                    entry="index.handler",
                    description="Turns each ended image build into CloudWatch metrics (embedded metric format)",
                ),
            ),
            role_description="Reads ended golden AMI builds for their metrics",
            statements=[
                iam.PolicyStatement(sid="ReadTheImage", actions=["imagebuilder:GetImage"], resources=[f"{images}*"])
            ],
            exemptions=event_function_exemptions(
                outside_vpc="Calls only Image Builder's API; inside a VPC it would need an endpoint and gain no "
                "isolation.",
                environment="No environment variables, so nothing to encrypt.",
            ),
            timeout=Duration.minutes(1),
            plain_logs="One line per ended build (image, status, ARN, metrics), no data; CloudWatch Logs "
            "encrypts it at rest, and a key of its own would cost more than what it protects.",
        )
        self.log_group, self.role, (self.function,) = made.log_group, made.role, made.functions
        acknowledge_resources(
            self.role,
            (
                f"arn:{as_in_finding(partition, 'Partition')}:imagebuilder:{as_in_finding(region, 'Region')}:"
                f"{as_in_finding(account, 'AccountId')}:image/*",
                "The image is known only when its event arrives; only this account's images of this region.",
            ),
        )
        self.rule = events.Rule(
            self,
            "OnBuildEnded",
            description="A golden AMI build ended: record its metrics",
            event_pattern=events.EventPattern(
                source=[SOURCE],
                detail_type=[IMAGE_STATE_CHANGE],
                detail={"state": {"status": list(ENDED)}},
                resources=Token.as_list(
                    events.Match.any_of(*(events.Match.prefix(f"{images}{_render.slug(n)}/") for n in image_names))
                ),
            ),
            targets=[function_target(self.function, self.target_dead_letters)],
        )
        self.image_names = tuple(image_names)
