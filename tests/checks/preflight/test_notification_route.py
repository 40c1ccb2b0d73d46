"""GA-P021 (every notification rule can deliver): a good hub with a rule at home and one forwarding
from another account and region, and copies of it with one thing broken."""

from __future__ import annotations

from typing import Any

import pytest

from constructs_lib.checks.preflight.rules import notification_route
from tests.checks.preflight.scenario import D, F, assemble

TOPIC = f"arn:aws:sns:us-east-1:{F}:golden-ami-notifications"
BUS = f"arn:aws:events:us-east-1:{F}:event-bus/golden-ami-notifications"
EVENTS = {"Service": "events.amazonaws.com"}


def good() -> dict[str, dict[str, Any]]:
    hub = {
        "Key": {
            "Type": "AWS::KMS::Key",
            "Properties": {
                "KeyPolicy": {
                    "Statement": [
                        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{F}:root"}, "Action": "kms:*"},
                        {
                            "Effect": "Allow",
                            "Principal": EVENTS,
                            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                            "Resource": "*",
                        },
                    ]
                }
            },
        },
        "Topic": {
            "Type": "AWS::SNS::Topic",
            "Properties": {"TopicName": "golden-ami-notifications", "KmsMasterKeyId": {"Fn::GetAtt": ["Key", "Arn"]}},
        },
        "TopicPolicy": {
            "Type": "AWS::SNS::TopicPolicy",
            "Properties": {
                "Topics": [{"Ref": "Topic"}],
                "PolicyDocument": {"Statement": [{"Effect": "Allow", "Principal": EVENTS, "Action": "sns:Publish"}]},
            },
        },
        "Bus": {
            "Type": "AWS::Events::EventBus",
            "Properties": {
                "Name": "golden-ami-notifications",
                "Policy": {
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"AWS": [f"arn:aws:iam::{D}:root"]},
                            "Action": "events:PutEvents",
                            "Resource": BUS,
                        }
                    ]
                },
            },
        },
        "Forwarded": {"Type": "AWS::Events::Rule", "Properties": {"Targets": [{"Arn": {"Ref": "Topic"}, "Id": "T"}]}},
    }
    home = {"Failed": {"Type": "AWS::Events::Rule", "Properties": {"Targets": [{"Arn": TOPIC, "Id": "T"}]}}}
    away = {
        "Role": {"Type": "AWS::IAM::Role", "Properties": {}},
        "Refresh": {
            "Type": "AWS::Events::Rule",
            "Properties": {"Targets": [{"Arn": BUS, "Id": "T", "RoleArn": {"Fn::GetAtt": ["Role", "Arn"]}}]},
        },
    }
    return {
        "Hub": {"account": F, "region": "us-east-1", "resources": hub},
        "Home": {"account": F, "region": "us-east-1", "resources": home, "dependencies": ["Hub"]},
        "Away": {"account": D, "region": "eu-west-1", "resources": away, "dependencies": ["Home"]},
    }


def messages(stacks: dict[str, dict[str, Any]]) -> list[str]:
    return [f.message for f in notification_route.RULE.check(assemble(stacks))]


def test_the_good_hub_passes() -> None:
    assert messages(good()) == []


def _no_bus_policy(s: dict[str, Any]) -> None:
    del s["Hub"]["resources"]["Bus"]["Properties"]["Policy"]


def _no_role(s: dict[str, Any]) -> None:
    del s["Away"]["resources"]["Refresh"]["Properties"]["Targets"][0]["RoleArn"]


def _no_order(s: dict[str, Any]) -> None:
    s["Away"]["dependencies"] = []


def _no_key_statement(s: dict[str, Any]) -> None:
    s["Hub"]["resources"]["Key"]["Properties"]["KeyPolicy"]["Statement"].pop()


def _no_topic_statement(s: dict[str, Any]) -> None:
    del s["Hub"]["resources"]["TopicPolicy"]


def _home_first(s: dict[str, Any]) -> None:
    s["Home"]["dependencies"] = []
    s["Away"]["dependencies"] = ["Hub"]


@pytest.mark.parametrize(
    ("breaks", "expected"),
    [
        (_no_bus_policy, f"whose policy does not let account {D} put events, so every event is refused"),
        (_no_role, "without a role; give the target a role allowed events:PutEvents on it"),
        (_no_order, "of Hub but may deploy first; make it depend on that stack"),
        (_no_key_statement, "whose key policy does not allow events.amazonaws.com kms:GenerateDataKey and kms:Decrypt"),
        (_no_topic_statement, "whose policy does not let events.amazonaws.com publish"),
        (_home_first, "publishes to the topic Hub/Topic but may deploy first; make it depend on Hub"),
    ],
)
def test_each_broken_route_is_an_error_naming_the_fix(breaks: Any, expected: str) -> None:
    stacks = good()
    breaks(stacks)
    found = messages(stacks)
    assert found and all(expected in m for m in found), found


def test_a_bus_or_topic_outside_the_assembly_is_not_judged() -> None:
    stacks = good()
    del stacks["Hub"]
    stacks["Home"]["dependencies"] = []
    assert messages(stacks) == []
