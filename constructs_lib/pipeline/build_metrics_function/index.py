"""Build metrics from Image Builder's events: one line in CloudWatch's embedded metric format per
ended build whose event arrives, so CloudWatch records ``BuildsSucceeded``, ``BuildsFailed`` and ``BuildDuration``
per image without a PutMetricData call ("Specification: Embedded metric format",
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).

Image Builder documents no CloudWatch metrics of its own; it sends "EC2 Image Builder Image State
Change" with the image build version's ARN in ``resources`` and the new status in
``detail.state.status`` (https://docs.aws.amazon.com/imagebuilder/latest/userguide/integ-eventbridge.html).
The duration is the event's time less the image's ``dateCreated``, "the date on which Image Builder
created this image" (``GetImage``,
https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_GetImage.html), so test and
distribution are included. An approximation: AWS says neither that ``dateCreated`` is the build's
start nor what time Image Builder puts in its events. And the counts are approximate too: Image
Builder delivers its events "best effort"
(https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-imagebuilder.html), and the
embedded metric format may "occasionally" duplicate values. Imports only the standard library and boto3.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Final

NAMESPACE: Final = "GoldenAmi/Builds"
SUCCEEDED: Final = "BuildsSucceeded"
FAILED: Final = "BuildsFailed"
DURATION: Final = "BuildDuration"
ENDED: Final = ("AVAILABLE", "FAILED", "CANCELLED")
"""The statuses a build ends in; a cancelled build counts as neither success nor failure."""


def _time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def record(event: dict[str, Any], created: str | None) -> dict[str, Any] | None:
    """The embedded-metric-format record for ``event``; None for a status that ends no build."""
    status = event.get("detail", {}).get("state", {}).get("status")
    if status not in ENDED:
        return None
    arn = event["resources"][0]
    image = arn.split(":image/", 1)[1].split("/")[0]  # .../image/<name>/<version>/<build>
    ended = _time(event["time"])
    values: dict[str, float] = {SUCCEEDED: float(status == "AVAILABLE"), FAILED: float(status == "FAILED")}
    metrics = [{"Name": SUCCEEDED, "Unit": "Count"}, {"Name": FAILED, "Unit": "Count"}]
    if created is not None:
        values[DURATION] = max(0.0, (ended - _time(created)).total_seconds())
        metrics.append({"Name": DURATION, "Unit": "Seconds"})
    return {
        "_aws": {
            "Timestamp": int(ended.timestamp() * 1000),
            "CloudWatchMetrics": [{"Namespace": NAMESPACE, "Dimensions": [["Image"]], "Metrics": metrics}],
        },
        "Image": image,
        "Status": status,
        "ImageBuildVersionArn": arn,
        **values,
    }


def handler(event: dict[str, Any], context: Any, imagebuilder: Any = None) -> dict[str, Any] | None:
    """Print the record of the build ``event`` ended (Lambda sends stdout to the function's logs)."""
    if imagebuilder is None:
        import boto3

        imagebuilder = boto3.client("imagebuilder")
    created: str | None = None
    if event.get("detail", {}).get("state", {}).get("status") in ENDED:
        image = imagebuilder.get_image(imageBuildVersionArn=event["resources"][0])["image"]
        created = image.get("dateCreated")
    found = record(event, created)
    if found is not None:
        print(json.dumps(found, sort_keys=True))
    return found
