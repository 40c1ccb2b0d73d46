"""Throttling on the rollout function's calls outside a group: the parameter read, its label, the
metric and the continue event (Lambda ``Invoke`` of itself for the next page of groups).

Two layers, each tested: botocore retries a throttled call (the handler's
:data:`CLIENT_CONFIG`, exercised on moto's clients with the throttle injected before the request
is sent, so the retry handler sees it); a call still throttled after the retries is reported,
and the run never ends as a success while a group is behind. Per-group calls are tested in
test_rollout_function.py (``test_throttling_on_each_call_fails_that_group_only...``)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import boto3
import botocore.endpoint
import botocore.retries.bucket
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.exceptions import ClientError

from constructs_lib.launch.rollout_function.index import CLIENT_CONFIG, RolloutError, rollout
from tests.launch.rollout_world import NOW, PARAMETER, REGION, World, event, throttle

BACKOFF = 15 * 60
CODES = ("ThrottlingException", "Throttling", "TooManyRequestsException")


@pytest.fixture(autouse=True)
def back_off(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The delays botocore's retry handler asks for, recorded instead of slept, and adaptive
    mode's client-side rate limiter (its token bucket, which waits after a throttle) always
    granting: every retry is still sent, the suite does not wait out the back-off."""
    delays: list[float] = []
    monkeypatch.setattr(botocore.endpoint, "time", SimpleNamespace(sleep=delays.append))
    monkeypatch.setattr(botocore.retries.bucket.TokenBucket, "acquire", lambda *_, **__: True)
    return delays


class _Raw(io.BytesIO):
    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.getvalue()


def throttle_once_on_the_wire(client: Any, operation: str, code: str, then: AWSResponse | None = None) -> list[int]:
    """The first request of ``operation`` answers HTTP 400 ``code`` as AWS would; later ones go
    on (to moto, or answer ``then``). Injected at ``before-send``, after which botocore's retry
    handler runs, unlike a Stubber. moto's own ``before-send`` handler still sees the throttled
    request (botocore calls every handler and keeps the first answer), so moto may record it
    twice. The list counts the requests sent."""
    sent: list[int] = []
    protocol = client.meta.service_model.metadata["protocol"]

    def send(**_: Any) -> AWSResponse | None:
        sent.append(1)
        if len(sent) > 1:
            return then
        if protocol == "query":
            body = f"<ErrorResponse><Error><Code>{code}</Code><Message>Rate exceeded</Message></Error></ErrorResponse>"
            return AWSResponse("https://example", 400, {}, _Raw(body.encode()))
        body = json.dumps({"__type": code, "message": "Rate exceeded"})
        return AWSResponse("https://example", 400, {}, _Raw(body.encode()))

    service = client.meta.service_model.service_name
    client.meta.events.register_first(f"before-send.{service}.{operation}", send)
    return sent


def retrying(world: World) -> World:
    """The world's moto clients with the handler's client settings."""
    config = Config(**CLIENT_CONFIG)
    world.ssm = boto3.client("ssm", region_name=REGION, config=config)
    world.cloudwatch = boto3.client("cloudwatch", region_name=REGION, config=config)
    world.lambda_ = boto3.client("lambda", region_name=REGION, config=config)
    return world


def behind(world: World, name: str = "web", next_token: str | None = None) -> None:
    """A group on the old image with nothing in flight: the run starts its refresh."""
    world.template(name, image_id=world.old)
    world.group(name, world.instances(world.old))
    world.describe(name, next_token=next_token)
    world.refreshes(name)
    world.expect_start(name, 2, rollback=True)
    world.expect_tags(name, world.new, 1, NOW + BACKOFF)


def test_the_handler_retries_throttled_calls_with_adaptive_back_off() -> None:
    assert CLIENT_CONFIG == {"retries": {"mode": "adaptive", "max_attempts": 8}}


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize(
    ("service", "operation"),
    [("ssm", "GetParameter"), ("ssm", "LabelParameterVersion"), ("cloudwatch", "PutMetricData")],
)
def test_a_throttled_call_is_retried_by_botocore_and_the_run_succeeds(
    world: World, service: str, operation: str, code: str, back_off: list[float]
) -> None:
    retrying(world)
    sent = throttle_once_on_the_wire(getattr(world, service), operation, code)
    behind(world)
    assert world.run(event("parameter"))["web"].startswith("started")
    assert len(sent) == 2, f"{operation} must be sent again after {code}"
    assert len(back_off) == 1, "after one back-off delay"
    assert world.ssm.get_parameter(Name=f"{PARAMETER}:v1.1.0-1")["Parameter"]["Value"] == world.new
    published = world.metric()
    assert published and set(published) == {1.0}, "the group started is behind until its refresh ends"


@pytest.mark.parametrize("code", CODES)
def test_a_throttled_continue_event_is_retried_by_botocore(world: World, code: str) -> None:
    retrying(world)
    accepted = AWSResponse("https://example", 202, {}, _Raw(b""))
    sent = throttle_once_on_the_wire(world.lambda_, "Invoke", code, then=accepted)
    behind(world, next_token="t1")
    with world.stub, world.delete_stub:  # Invoke is answered on the wire, not by the Lambda Stubber
        outcome = rollout(event(), parameter=PARAMETER, clients=world.clients(), now=NOW)
    world.stub.assert_no_pending_responses()
    assert outcome["web"].startswith("started") and len(sent) == 2


def test_get_parameter_throttled_beyond_the_retries_fails_the_run_before_any_group_is_touched(world: World) -> None:
    seen = throttle(world.ssm, "GetParameter", code="ThrottlingException")
    # The Stubbers hold no response: any Auto Scaling, Lambda or EC2 delete call would fail the test.
    with pytest.raises(ClientError, match=r"ThrottlingException"):
        world.run(event("parameter"))
    assert seen == [1]
    assert world.metric() == [], "no metric: a 0 would tell the alarm all is well"


def test_label_throttled_beyond_the_retries_reconciles_the_groups_then_fails_the_run(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    throttle(world.ssm, "LabelParameterVersion", code="ThrottlingException")
    behind(world)
    with caplog.at_level(logging.INFO), pytest.raises(RolloutError, match=r"^labelling .*latest version 2 failed"):
        world.run(event("parameter"))
    assert world.versions("web") == {2: world.new}, "the group was reconciled all the same"
    assert '"action": "label failed"' in caplog.text
    assert world.metric() == [1.0], "the group started is behind until its refresh ends"
    # the next run (Lambda's retry of the event, or the schedule) labels it
    world.describe("web")
    world.refreshes("web", world.refresh("InProgress", "2"))
    assert world.run() == {"web": "wait: refresh r-1 is InProgress"}
    assert world.ssm.get_parameter(Name=f"{PARAMETER}:v1.1.0-1")["Parameter"]["Version"] == 2


def test_metric_throttled_beyond_the_retries_still_continues_to_the_next_page_and_fails_the_run(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    throttle(world.cloudwatch, "PutMetricData", code="ThrottlingException")
    behind(world, next_token="t1")
    world.expect_continue("t1")
    with caplog.at_level(logging.INFO), pytest.raises(RolloutError, match=r"^publishing GroupsNotConverged=1 failed"):
        world.run()
    assert world.versions("web") == {2: world.new}
    assert '"action": "metric failed"' in caplog.text
    assert world.metric() == []


def test_metric_throttled_while_a_group_is_behind_is_never_a_success(world: World) -> None:
    throttle(world.cloudwatch, "PutMetricData", code="ThrottlingException")
    world.template("web", image_id=world.old)
    world.group("web", world.instances(world.old), **{"golden-ami:rollout-state": f"{world.new} 4 {int(NOW)}"})
    world.describe("web")
    world.refreshes("web", world.refresh("Failed", "1"))
    with pytest.raises(RolloutError, match=r"publishing GroupsNotConverged=1 failed"):
        world.run()


@pytest.mark.parametrize("code", ["ThrottlingException", "TooManyRequestsException"])
def test_continue_event_throttled_beyond_the_retries_reports_it_publishes_the_metric_and_fails_the_run(
    world: World, code: str, caplog: pytest.LogCaptureFixture
) -> None:
    world.template("web", image_id=world.old)
    world.group("web", world.instances(world.old), **{"golden-ami:rollout-state": f"{world.new} 4 {int(NOW)}"})
    world.describe("web", next_token="t1")
    world.refreshes("web", world.refresh("Failed", "1"))
    world.lambda_stub.add_client_error("invoke", service_error_code=code, http_status_code=429)
    with caplog.at_level(logging.INFO), pytest.raises(RolloutError, match=r"^continuing to the next page .* failed"):
        world.run()
    assert '"action": "continue failed"' in caplog.text
    assert world.metric() == [1.0], "the page's own groups are still counted"


def test_in_lambda_the_handler_imports_its_sibling_modules_as_top_level_modules() -> None:
    import subprocess
    import sys
    from pathlib import Path

    import constructs_lib.launch.rollout_function as package

    code = "import index; print(index.tags.ROLLOUT_TAG, index.observe.Clients is index.Clients, index.d.MAX_RETRIES)"
    shown = subprocess.run(
        [sys.executable, "-c", code], cwd=Path(package.__file__).parent, capture_output=True, text=True, check=True
    )
    assert shown.stdout.split() == ["golden-ami:rollout", "True", "3"]
