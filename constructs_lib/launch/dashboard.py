"""One CloudWatch dashboard for a factory: builds per image, their duration, and per region the
fleets not converged and the age of the image they run."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct

from ..pipeline._events import build_metric
from ..pipeline.build_metrics_function.index import DURATION, FAILED, SUCCEEDED
from .fleet import rollout_metric
from .rollout_function.tags import IMAGE_AGE_METRIC, NOT_CONVERGED_METRIC

DASHBOARD_NAME: Final = "golden-ami-factory"
WIDTH: Final = 12
"""Half of the dashboard's 24 columns: two graphs a row."""


class FactoryDashboard(Construct):
    """A CloudWatch dashboard ``golden-ami-factory`` of the metrics the factory publishes:

    - builds succeeded and failed per image per day, and each build's duration (``BuildMetrics``);
    - per fleet region, the groups not converged and the image age in days (``ImageRollout``).

    A graph shows metrics of other regions of its account by naming each metric's region: "You do
    not need to take any extra steps to be able to display metrics from different Regions in a
    single account on the same graph" (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Cross-Account-Cross-Region.html),
    which is how one dashboard covers every region of the factory account; alarms cannot read
    another region's metrics, so none is made from them. Dashboard names are global to an account
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cloudwatch-dashboard.html):
    one factory per account, as its stack names already are, or a ``dashboard_name`` of its own. Fleets of other
    accounts publish their metrics there; a dashboard reads them only with CloudWatch
    cross-account observability set up, which this construct does not do, so it lists them in
    its text for ``golden-ami-status`` to cover.

    Example::

        FactoryDashboard(stack, "Dashboard", image_names=["web-server"],
                         followed=[("us-east-1", "/golden-ami/web-server/latest")])
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        image_names: Sequence[str],
        followed: Sequence[tuple[str, str]] = (),
        elsewhere: Sequence[str] = (),
        dashboard_name: str = DASHBOARD_NAME,
    ) -> None:
        """
        :param image_names: the images whose builds to show; at least one.
        :param followed: ``(region, latest-AMI parameter)`` of each rollout of this account to show.
            Default: none.
        :param elsewhere: accounts that run fleets too, named in the text. Default: none.
        :param dashboard_name: Default: ``golden-ami-factory``.
        """
        super().__init__(scope, id)
        if not image_names:
            raise ValueError("image_names: none given; give the images whose builds to show")
        day = Duration.days(1)
        builds = [
            cloudwatch.GraphWidget(
                title="Builds per day: succeeded",
                left=[build_metric(n, SUCCEEDED, period=day).with_(label=n) for n in image_names],
                stacked=True,
                width=WIDTH,
            ),
            cloudwatch.GraphWidget(
                title="Builds per day: failed",
                left=[build_metric(n, FAILED, period=day).with_(label=n) for n in image_names],
                stacked=True,
                width=WIDTH,
            ),
            cloudwatch.GraphWidget(
                title="Build duration (seconds, start to end)",
                left=[build_metric(n, DURATION, period=day).with_(label=n) for n in image_names],
                width=WIDTH,
            ),
        ]
        fleets = [
            cloudwatch.GraphWidget(
                title="Groups not converged",
                left=[rollout_metric(p, NOT_CONVERGED_METRIC).with_(region=r, label=f"{p} {r}") for r, p in followed],
                width=WIDTH,
            ),
            cloudwatch.GraphWidget(
                title="Image age (days since the parameter changed)",
                left=[rollout_metric(p, IMAGE_AGE_METRIC).with_(region=r, label=f"{p} {r}") for r, p in followed],
                width=WIDTH,
            ),
        ]
        text = (
            "# Golden AMI factory\n"
            "Builds come from Image Builder's events (namespace GoldenAmi/Builds), fleets from each region's "
            "rollout (GoldenAmi/Rollout). `make status` shows every region and account in one table."
            + (f"\n\nFleets of {', '.join(sorted(elsewhere))} publish in their own accounts." if elsewhere else "")
        )
        self.dashboard = cloudwatch.Dashboard(
            self,
            "Resource",
            dashboard_name=dashboard_name,
            default_interval=Duration.days(30),
            widgets=[
                [cloudwatch.TextWidget(markdown=text, width=2 * WIDTH, height=3)],
                builds[:2],
                [builds[2], *fleets[:1]] if followed else builds[2:],
                *([fleets[1:]] if followed else []),
            ],
        )
        self.dashboard_name = dashboard_name
