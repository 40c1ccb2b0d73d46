"""FactoryDashboard: every image's build metrics and every followed region's rollout metrics, each
with the region it lives in; the fleet's metric_*() name the rollout function's metrics."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest

from constructs_lib import ConsumerStack
from constructs_lib._core.targets import RegionTarget
from constructs_lib.bake.version_lock import VersionLock
from constructs_lib.launch.dashboard import FactoryDashboard
from tests.conftest import make_pipeline, make_stack, template


def _body(stack: cdk.Stack) -> dict[str, Any]:
    (dashboard,) = template(stack).find_resources("AWS::CloudWatch::Dashboard").values()
    joined = dashboard["Properties"]["DashboardBody"]["Fn::Join"][1]
    return dict(json.loads("".join(p if isinstance(p, str) else stack.region for p in joined)))


def test_builds_of_every_image_and_each_followed_region_with_its_region() -> None:
    stack = make_stack()
    FactoryDashboard(
        stack,
        "Dashboard",
        image_names=["web-server", "Base Image"],
        followed=[("us-east-1", "/golden-ami/web-server/latest"), ("eu-west-1", "/golden-ami/web-server/latest")],
        elsewhere=["222222222222"],
    )
    body = _body(stack)
    widgets = {w["properties"].get("title"): w["properties"] for w in body["widgets"] if w["type"] == "metric"}
    failed = widgets["Builds per day: failed"]["metrics"]
    assert [m[:4] for m in failed] == [
        ["GoldenAmi/Builds", "BuildsFailed", "Image", "web-server"],
        ["GoldenAmi/Builds", "BuildsFailed", "Image", "base-image"],  # as Image Builder writes it in the ARN
    ]
    late = widgets["Groups not converged"]["metrics"]
    assert [(m[:4], m[4]["region"]) for m in late] == [
        (["GoldenAmi/Rollout", "GroupsNotConverged", "Parameter", "/golden-ami/web-server/latest"], "us-east-1"),
        (["GoldenAmi/Rollout", "GroupsNotConverged", "Parameter", "/golden-ami/web-server/latest"], "eu-west-1"),
    ]
    assert [m[1] for m in widgets["Image age (days since the parameter changed)"]["metrics"]] == ["ImageAgeDays"] * 2
    (text,) = [w for w in body["widgets"] if w["type"] == "text"]
    assert "Fleets of 222222222222 publish in their own accounts." in text["properties"]["markdown"]


def test_without_fleets_only_builds_and_no_images_is_refused() -> None:
    stack = make_stack()
    FactoryDashboard(stack, "Dashboard", image_names=["web"])
    titles = [w["properties"].get("title") for w in _body(stack)["widgets"] if w["type"] == "metric"]
    assert titles == ["Builds per day: succeeded", "Builds per day: failed", "Build duration (seconds, start to end)"]
    with pytest.raises(ValueError, match="image_names: none given"):
        FactoryDashboard(make_stack(), "Dashboard", image_names=[])


def test_the_fleets_metrics_are_those_of_its_rollouts_alarm(lock: VersionLock) -> None:
    home = make_stack()
    pipeline = make_pipeline(home, lock, distributions=[RegionTarget(region="us-east-1")])
    app = home.node.root
    assert isinstance(app, cdk.App)
    east = ConsumerStack(app, "East", image=pipeline, env=cdk.Environment(account="111111111111", region="us-east-1"))
    assert east.rollout is not None
    late, alarm = east.fleet.metric_not_converged(), east.rollout.metric
    assert (late.namespace, late.metric_name, late.dimensions) == (alarm.namespace, alarm.metric_name, alarm.dimensions)
    age = east.fleet.metric_image_age()
    assert (age.namespace, age.metric_name, age.dimensions) == (
        "GoldenAmi/Rollout",
        "ImageAgeDays",
        {"Parameter": east.launch_template.parameter_name},
    )
