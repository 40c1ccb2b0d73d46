"""BuildMetrics: the function's embedded-metric-format line from AWS's sample image event (Stubber for
GetImage), checked against the format's specification; the rule against the sample; the metrics the
pipeline's metric_*() methods name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from constructs_lib.pipeline.build_metrics import BuildMetrics
from constructs_lib.pipeline.build_metrics_function import index
from tests.conftest import synth_with_nag, template
from tests.pipeline.test_pipeline_events import IMAGE, PSEUDO, _pipeline_stack, matches, resolved, sample


def _event(status: str = "AVAILABLE") -> dict[str, Any]:
    event = sample("image_state_change")
    event["resources"] = [event["resources"][0].replace("EXAMPLE22222", "example22222")]
    event["detail"]["state"]["status"] = status
    return event


def _check_emf(line: dict[str, Any]) -> None:
    """The embedded metric format's rules: a root ``_aws`` with an integer ``Timestamp`` in
    milliseconds and ``CloudWatchMetrics`` directives; each directive's ``Dimensions`` a list of
    lists of root keys, each metric a root key holding a number
    (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html)."""
    meta = line["_aws"]
    assert isinstance(meta["Timestamp"], int)
    for directive in meta["CloudWatchMetrics"]:
        assert isinstance(directive["Namespace"], str) and directive["Namespace"]
        for dimension_set in directive["Dimensions"]:
            assert all(isinstance(line[d], str) for d in dimension_set)
        for metric in directive["Metrics"]:
            assert isinstance(line[metric["Name"]], float)


def test_an_available_image_is_a_success_with_its_duration(capsys: pytest.CaptureFixture[str]) -> None:
    client = boto3.client("imagebuilder", region_name="us-west-2", aws_access_key_id="x", aws_secret_access_key="x")
    event = _event()
    with Stubber(client) as stub:
        stub.add_response(
            "get_image",
            {"image": {"arn": event["resources"][0], "dateCreated": "2024-01-18T16:20:56.000Z"}},
            {"imageBuildVersionArn": event["resources"][0]},
        )
        found = index.handler(event, None, imagebuilder=client)
    printed = json.loads(capsys.readouterr().out)
    assert printed == found
    _check_emf(printed)
    assert printed["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "GoldenAmi/Builds"
    assert printed["Image"] == IMAGE
    # 17:50:56 less 16:20:56: an hour and a half.
    assert (printed["BuildsSucceeded"], printed["BuildsFailed"], printed["BuildDuration"]) == (1.0, 0.0, 5400.0)
    assert printed["_aws"]["Timestamp"] == 1705600256000  # the event's time, 2024-01-18T17:50:56Z


def test_a_failed_build_counts_as_failed_and_a_build_under_way_counts_nothing() -> None:
    failed = index.record(_event("FAILED"), "2024-01-18T17:00:56Z")
    assert failed is not None
    _check_emf(failed)
    assert (failed["BuildsSucceeded"], failed["BuildsFailed"], failed["BuildDuration"]) == (0.0, 1.0, 3000.0)
    cancelled = index.record(_event("CANCELLED"), None)
    assert cancelled is not None and (cancelled["BuildsSucceeded"], cancelled["BuildsFailed"]) == (0.0, 0.0)
    assert "BuildDuration" not in cancelled  # no creation time: no duration, rather than a wrong one
    assert index.record(_event("TESTING"), None) is None


def test_the_rule_runs_for_the_images_named_and_ended_builds_only(tmp_path: Path) -> None:
    stack, _ = _pipeline_stack(tmp_path)
    BuildMetrics(stack, "BuildMetrics", image_names=[IMAGE])
    rules = template(stack).find_resources("AWS::Events::Rule")
    (pattern,) = [resolved(r["Properties"]["EventPattern"], PSEUDO) for k, r in rules.items() if "OnBuildEnded" in k]
    for status in ("AVAILABLE", "FAILED", "CANCELLED"):
        assert matches(pattern, _event(status)), status
    assert not matches(pattern, _event("BUILDING"))
    other = _event()
    other["resources"] = [other["resources"][0].replace(IMAGE, IMAGE + "-other")]
    assert not matches(pattern, other)
    policies = template(stack).find_resources("AWS::IAM::Policy")
    actions = {
        a
        for p in policies.values()
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
        if "BuildMetrics" in json.dumps(p["Properties"]["Roles"])
    }
    # Reading the image and writing its own log: the metrics go out as log lines, so no
    # cloudwatch:PutMetricData.
    assert actions == {"imagebuilder:GetImage", "logs:CreateLogStream", "logs:PutLogEvents"}
    synth_with_nag(stack)


def test_the_pipelines_metrics_are_the_ones_the_function_publishes(tmp_path: Path) -> None:
    _, pipeline = _pipeline_stack(tmp_path)
    record = index.record(_event("FAILED"), "2024-01-18T17:00:56Z")
    assert record is not None
    directive = record["_aws"]["CloudWatchMetrics"][0]
    for metric, statistic in (
        (pipeline.metric_builds_succeeded(), "Sum"),
        (pipeline.metric_builds_failed(), "Sum"),
        (pipeline.metric_build_duration(), "Maximum"),
    ):
        assert metric.namespace == directive["Namespace"]
        assert metric.metric_name in {m["Name"] for m in directive["Metrics"]}
        assert metric.dimensions == {"Image": record["Image"]}
        assert metric.statistic == statistic


def test_no_images_is_refused() -> None:
    import aws_cdk as cdk

    with pytest.raises(ValueError, match="image_names: none given"):
        BuildMetrics(cdk.Stack(cdk.App(), "S"), "BuildMetrics", image_names=[])
