"""FactoryNotifications: the key and topic policies AWS documents for EventBridge publishing to an
encrypted topic, the bus other accounts forward to, and the pipeline rules against AWS's samples."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

from constructs_lib.bake.version_lock import VersionLock
from constructs_lib.pipeline.notifications import BUS_NAME, TOPIC_NAME, FactoryNotifications, bus_arn, topic_arn
from tests.conftest import CONTEXT, make_pipeline, template
from tests.pipeline.test_pipeline_events import ACCOUNT, IMAGE, PSEUDO, REGION, matches, resolved, sample


def _hub(**props: Any) -> tuple[cdk.App, cdk.Stack, FactoryNotifications]:
    app = cdk.App(context=CONTEXT)
    stack = cdk.Stack(app, "Hub", env=cdk.Environment(account=ACCOUNT, region=REGION))
    return app, stack, FactoryNotifications(stack, "Notifications", **props)


def _one(stack: cdk.Stack, kind: str) -> dict[str, Any]:
    (resource,) = template(stack).find_resources(kind).values()
    return dict(resource["Properties"])


def test_the_key_lets_eventbridge_use_it_as_snss_page_writes_the_statement() -> None:
    # "Enable compatibility between event sources from AWS services and encrypted topics": the
    # service principal, kms:GenerateDataKey* and kms:Decrypt, on "*".
    _, stack, _ = _hub()
    key = _one(stack, "AWS::KMS::Key")
    assert key["EnableKeyRotation"] is True
    (statement,) = [
        s for s in key["KeyPolicy"]["Statement"] if s.get("Principal") == {"Service": "events.amazonaws.com"}
    ]
    assert sorted(statement["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert statement["Resource"] == "*" and statement["Effect"] == "Allow"
    topic = _one(stack, "AWS::SNS::Topic")
    assert topic["TopicName"] == TOPIC_NAME
    assert topic["KmsMasterKeyId"] == {
        "Fn::GetAtt": [next(iter(template(stack).find_resources("AWS::KMS::Key"))), "Arn"]
    }


def test_the_topic_policy_lets_eventbridge_publish_without_a_condition() -> None:
    # "You can't use Condition blocks in Amazon SNS topic policies for EventBridge."
    _, stack, _ = _hub()
    statements = _one(stack, "AWS::SNS::TopicPolicy")["PolicyDocument"]["Statement"]
    allow = [s for s in statements if s["Effect"] == "Allow"]
    assert len(allow) == 1
    assert allow[0]["Principal"] == {"Service": "events.amazonaws.com"} and allow[0]["Action"] == "sns:Publish"
    assert "Condition" not in allow[0]
    deny = [s for s in statements if s["Effect"] == "Deny"]
    assert deny and deny[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_emails_are_subscribed_and_a_malformed_one_is_refused_by_name() -> None:
    _, stack, _ = _hub(emails=["a@example.com", "b@example.org"])
    found = template(stack).find_resources("AWS::SNS::Subscription")
    assert sorted(r["Properties"]["Endpoint"] for r in found.values()) == ["a@example.com", "b@example.org"]
    assert {r["Properties"]["Protocol"] for r in found.values()} == {"email"}
    with pytest.raises(ValueError, match=r"emails\[1\]: 'nobody' is not an email address"):
        _hub(emails=["a@example.com", "nobody"])
    with pytest.raises(ValueError, match=r"emails\[1\]: 'a@example.com' is listed twice"):
        _hub(emails=["a@example.com", "a@example.com"])


def test_the_bus_lets_in_exactly_the_sender_accounts_and_nothing_without_them() -> None:
    _, stack, notices = _hub(sender_accounts=["222222222222", ACCOUNT, "444444444444"])
    bus = _one(stack, "AWS::Events::EventBus")
    assert bus["Name"] == BUS_NAME
    (statement,) = bus["Policy"]["Statement"]
    assert statement["Principal"] == {"AWS": ["arn:aws:iam::222222222222:root", "arn:aws:iam::444444444444:root"]}
    assert statement["Action"] == "events:PutEvents"
    assert statement["Resource"] == bus_arn("aws", ACCOUNT, REGION)
    assert notices.sender_accounts == ["222222222222", "444444444444"]
    _, alone, _ = _hub()
    assert "Policy" not in _one(alone, "AWS::Events::EventBus")
    with pytest.raises(ValueError, match=r"sender_accounts\[0\]"):
        _hub(sender_accounts=["12345"])


def test_forwarded_events_reach_the_topic_from_the_bus() -> None:
    _, stack, _ = _hub()
    (rule,) = template(stack).find_resources("AWS::Events::Rule").values()
    props = rule["Properties"]
    bus_id = next(iter(template(stack).find_resources("AWS::Events::EventBus")))
    topic_id = next(iter(template(stack).find_resources("AWS::SNS::Topic")))
    assert props["EventBusName"] == {"Ref": bus_id}
    assert props["Targets"][0]["Arn"] == {"Ref": topic_id}
    refresh = sample("instance_refresh_failed")
    alarm = sample("alarm_state_change")
    assert matches(props["EventPattern"], refresh) and matches(props["EventPattern"], alarm)
    assert not matches(props["EventPattern"], sample("image_state_change"))


def test_watch_publishes_a_failed_build_a_disabled_pipeline_and_a_revoke(tmp_path: Path) -> None:
    app, hub, notices = _hub()
    stack = cdk.Stack(app, "Pipelines", env=cdk.Environment(account=ACCOUNT, region=REGION))
    pipeline = make_pipeline(stack, VersionLock.at(tmp_path / "lock.json"), image_name=IMAGE, hold_status=True)
    notices.watch(pipeline)
    rules = template(stack).find_resources("AWS::Events::Rule")
    by_id = {k: r["Properties"] for k, r in rules.items() if "Notice" in k}
    assert len(by_id) == 3
    for props in by_id.values():  # by the topic's name: no export from the hub
        assert props["Targets"] == [{"Arn": topic_arn("aws", ACCOUNT, REGION), "Id": "Target0"}]
    assert hub in stack.dependencies
    refs = {**PSEUDO, stack.get_logical_id(pipeline.resource): f"arn:aws:imagebuilder:{REGION}:{ACCOUNT}:pipeline/x"}
    patterns = {k: resolved(p["EventPattern"], refs) for k, p in by_id.items()}
    failed = next(p for k, p in patterns.items() if "BuildFailed" in k)
    event = sample("image_state_change")
    event["resources"] = [event["resources"][0].replace("EXAMPLE22222", "example22222")]
    event["detail"]["state"]["status"] = "FAILED"  # AWS publishes an AVAILABLE sample only
    assert matches(failed, event)
    disabled = next(p for k, p in patterns.items() if "Disabled" in k)
    stopped = sample("pipeline_automatically_disabled")
    stopped["resources"] = [refs[stack.get_logical_id(pipeline.resource)]]
    assert matches(disabled, stopped)
    status = next(p for k, p in patterns.items() if "StatusChanged" in k)
    update = sample("parameter_store_update")
    assert not matches(status, update)  # AWS's sample parameter is not this pipeline's
    update["detail"]["name"] = pipeline.status_parameter
    assert matches(status, update)
    created = copy.deepcopy(update)
    created["detail"]["operation"] = "Create"  # the hold creates the parameter once: no revoke
    assert not matches(status, created)


def test_a_pipeline_without_a_hold_gets_no_revoke_rule_and_on_status_changed_says_why(tmp_path: Path) -> None:
    app, _, notices = _hub()
    pipeline = make_pipeline(
        cdk.Stack(app, "P", env=cdk.Environment(account=ACCOUNT, region=REGION)), VersionLock.at(tmp_path / "l.json")
    )
    assert len(notices.watch(pipeline)) == 2
    with pytest.raises(ValueError, match=r"on_status_changed: .*hold_status=True"):
        pipeline.on_status_changed("Status")


def test_a_rule_in_another_region_is_sent_to_the_bus_instead() -> None:
    app, _, notices = _hub()
    away = cdk.Stack(app, "Away", env=cdk.Environment(account=ACCOUNT, region="eu-west-1"))
    with pytest.raises(ValueError, match=r"scope: Away is in 111122223333/eu-west-1.*NotificationForwarder"):
        notices.target_in(away)
