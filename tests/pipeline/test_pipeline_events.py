"""on_*() rules of a pipeline and a fleet against AWS's own sample events (stored with their URL in
tests/fixtures/events/), matched by a small EventBridge pattern matcher (exact values and prefixes,
arrays matching when any element does, as EventBridge's content filtering does:
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

from constructs_lib.bake.version_lock import VersionLock
from tests.conftest import CONTEXT, make_pipeline, template

EVENTS = Path(__file__).resolve().parents[1] / "fixtures" / "events"


def sample(name: str) -> dict[str, Any]:
    stored = json.loads((EVENTS / f"{name}.json").read_text())
    assert stored["url"].startswith("https://docs.aws.amazon.com/")
    return dict(stored["event"])


def matches(pattern: Any, event: Any) -> bool:
    if isinstance(pattern, dict):
        return isinstance(event, dict) and all(k in event and matches(v, event[k]) for k, v in pattern.items())
    values = event if isinstance(event, list) else [event]
    return any(
        (isinstance(p, dict) and "prefix" in p and isinstance(v, str) and v.startswith(p["prefix"])) or p == v
        for p in pattern
        for v in values
    )


def resolved(value: Any, refs: dict[str, str]) -> Any:
    """A template value with Fn::Join, Ref and Fn::GetAtt replaced as ``refs`` says (pseudo
    parameters by name, resources by logical ID)."""
    if isinstance(value, dict):
        if "Fn::Join" in value:
            separator, parts = value["Fn::Join"]
            return separator.join(str(resolved(p, refs)) for p in parts)
        if "Ref" in value:
            return refs[value["Ref"]]
        if "Fn::GetAtt" in value:
            return refs[value["Fn::GetAtt"][0]]
        return {k: resolved(v, refs) for k, v in value.items()}
    if isinstance(value, list):
        return [resolved(v, refs) for v in value]
    return value


ACCOUNT, REGION = "111122223333", "us-west-2"
# AWS's sample writes its placeholder with capitals; Image Builder writes names lowercase in ARNs.
IMAGE = "cmkencryptedworkflowtest-a1b2c3d4-5678-90ab-cdef-example22222"
PSEUDO = {"AWS::Partition": "aws", "AWS::Region": REGION, "AWS::AccountId": ACCOUNT}


def _pipeline_stack(tmp_path: Path) -> tuple[cdk.Stack, Any]:
    app = cdk.App(context=CONTEXT)
    stack = cdk.Stack(app, "Events", env=cdk.Environment(account=ACCOUNT, region=REGION))
    pipeline = make_pipeline(stack, VersionLock.at(tmp_path / "lock.json"), image_name=IMAGE)
    return stack, pipeline


def _patterns(stack: cdk.Stack, refs: dict[str, str]) -> dict[str, Any]:
    rules = template(stack).find_resources("AWS::Events::Rule")
    return {k: resolved(r["Properties"]["EventPattern"], {**PSEUDO, **refs}) for k, r in rules.items()}


def test_build_failed_and_state_change_rules_match_awss_sample_for_this_image_only(tmp_path: Path) -> None:
    stack, pipeline = _pipeline_stack(tmp_path)
    pipeline.on_build_failed("Failed")
    pipeline.on_image_state_change("Available", statuses=["AVAILABLE"])
    patterns = _patterns(stack, {})
    failed = next(p for k, p in patterns.items() if k.startswith("WebFailed"))
    available = next(p for k, p in patterns.items() if k.startswith("WebAvailable"))
    event = sample("image_state_change")
    event["resources"] = [event["resources"][0].replace("EXAMPLE22222", "example22222")]
    assert matches(available, event)
    assert not matches(failed, event)  # AWS publishes no FAILED sample: the same event, FAILED
    failed_event = copy.deepcopy(event)
    failed_event["detail"]["state"]["status"] = "FAILED"
    assert matches(failed, failed_event)
    other = copy.deepcopy(failed_event)
    other["resources"] = [f"arn:aws:imagebuilder:{REGION}:{ACCOUNT}:image/{IMAGE}-other/1.0.0/1"]
    assert not matches(failed, other)  # another image whose name starts with this one's


def test_automatically_disabled_rule_matches_awss_sample_for_this_pipeline(tmp_path: Path) -> None:
    stack, pipeline = _pipeline_stack(tmp_path)
    pipeline.on_automatically_disabled("Disabled")
    event = sample("pipeline_automatically_disabled")
    pipeline_id = stack.get_logical_id(pipeline.resource)
    (pattern,) = _patterns(stack, {pipeline_id: event["resources"][0]}).values()
    assert matches(pattern, event)
    (other,) = _patterns(stack, {pipeline_id: event["resources"][0] + "-other"}).values()
    assert not matches(other, event)  # another pipeline's


def test_unknown_status_is_refused(tmp_path: Path) -> None:
    _, pipeline = _pipeline_stack(tmp_path)
    with pytest.raises(ValueError, match="statuses: 'DONE' is not an image status; use one of BUILDING"):
        pipeline.on_image_state_change("Done", statuses=["DONE"])
