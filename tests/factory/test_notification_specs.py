"""The factory file's ``notifications:``: its errors at their line, and what it makes: the notifications
stack, the pipelines' rules, and each consumer stack's rules to the topic (home) or the bus (elsewhere)."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk

import app as factory_app
from constructs_lib.factory.loader import load_factory
from tests.conftest import CONTEXT
from tests.factory.test_loader import MINIMAL, problems, write

HOME = 'account: "111111111111"\nhome_region: us-east-1\nregions: [eu-west-1]\n'


def test_a_malformed_email_and_a_topic_elsewhere_are_refused_at_their_lines_together(tmp_path: Path) -> None:
    text = (
        HOME
        + MINIMAL
        + "notifications:\n  emails: [ops@example.com, not-an-address]\n"
        + "  topic_arn: arn:aws:sns:eu-west-1:999999999999:alerts\n"
    )
    found = problems(tmp_path, text)
    path = tmp_path / "factory.yaml"
    lines = text.splitlines()
    emails = lines.index("  emails: [ops@example.com, not-an-address]") + 1
    topic = lines.index("  topic_arn: arn:aws:sns:eu-west-1:999999999999:alerts") + 1
    assert len(found) == 3, found  # all at once: the field error and the rule across fields
    assert found[0] == (
        f"{path}:{emails}: notifications.emails: 'not-an-address' is not an email address; write it as name@example.com"
    )
    assert sorted(found[1:]) == [
        f"{path}:{topic}: notifications.topic_arn: the topic is in account 999999999999, the factory in "
        "111111111111; name a topic of 111111111111",
        f"{path}:{topic}: notifications.topic_arn: the topic is in eu-west-1, the pipelines in us-east-1; name a "
        "topic of us-east-1 or leave topic_arn out",
    ]


def test_a_topic_arn_that_is_not_one_names_the_form_and_an_email_twice_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "factory.yaml"
    (problem,) = problems(tmp_path, HOME + MINIMAL + "notifications:\n  topic_arn: alerts\n")
    assert problem == (
        f"{path}:9: notifications.topic_arn: 'alerts' is not an SNS topic ARN; write "
        "arn:aws:sns:<home region>:<factory account>:<topic name>"
    )
    (problem,) = problems(tmp_path, HOME + MINIMAL + "notifications:\n  emails: [a@b.co, a@b.co]\n")
    assert problem == f"{path}:9: notifications.emails: 'a@b.co' is listed twice; list each address once"


def test_notifications_reach_one_topic_from_every_region_and_account(tmp_path: Path) -> None:
    text = (
        HOME
        + 'accounts:\n  destinations: ["222222222222"]\n'
        + MINIMAL
        + 'consumers:\n  - {image: base, name: here}\n  - {image: base, name: there, account: "222222222222"}\n'
        + "notifications:\n  emails: [ops@example.com]\n"
    )
    path = write(tmp_path, text)
    assert load_factory(path).notifications is not None
    app = cdk.App(context={**CONTEXT, "factory": str(path), "golden-ami:versionLockFile": str(tmp_path / "l.json")})
    factory_app.build(app)
    assembly = app.synth()
    hub = assembly.get_stack_by_name("GoldenAmiNotifications").template["Resources"]
    (bus,) = [r["Properties"] for r in hub.values() if r["Type"] == "AWS::Events::EventBus"]
    assert bus["Policy"]["Statement"][0]["Principal"] == {"AWS": ["arn:aws:iam::222222222222:root"]}
    topic = "arn:aws:sns:us-east-1:111111111111:golden-ami-notifications"
    bus_arn = "arn:aws:events:us-east-1:111111111111:event-bus/golden-ami-notifications"

    def notice_targets(stack: str) -> set[str]:
        resources = assembly.get_stack_by_name(stack).template["Resources"]
        return {
            t["Arn"]
            for k, r in resources.items()
            if r["Type"] == "AWS::Events::Rule" and "Notice" in k
            for t in r["Properties"]["Targets"]
        }

    assert notice_targets("GoldenAmiFactory") == {topic}
    assert notice_targets("GoldenAmiConsumers-us-east-1") == {topic}  # home: straight to the topic
    for away in ("GoldenAmiConsumers-eu-west-1", "GoldenAmiConsumers-222222222222-us-east-1"):
        assert notice_targets(away) == {bus_arn}
    stacks = {s.stack_name: s for s in assembly.stacks}
    for name in ("GoldenAmiFactory", "GoldenAmiConsumers-eu-west-1", "GoldenAmiConsumers-222222222222-eu-west-1"):
        assert "GoldenAmiNotifications" in [d.id for d in stacks[name].dependencies], name


def test_the_dashboard_and_the_build_metrics_come_with_notifications_unless_turned_off(tmp_path: Path) -> None:
    text = HOME + MINIMAL + "consumers:\n  - {image: base}\nnotifications:\n  emails: [ops@example.com]\n"

    def types(text: str) -> list[str]:
        path = write(tmp_path, text)
        app = cdk.App(context={**CONTEXT, "factory": str(path), "golden-ami:versionLockFile": str(tmp_path / "l.json")})
        factory_app.build(app)
        resources = app.synth().get_stack_by_name("GoldenAmiNotifications").template["Resources"].values()
        return sorted(r["Type"] for r in resources)

    found = types(text)
    assert found.count("AWS::CloudWatch::Dashboard") == 1 and found.count("AWS::Lambda::Function") == 1
    off = types(text.replace("  emails: [ops@example.com]\n", "  emails: [ops@example.com]\n  dashboard: false\n"))
    assert "AWS::CloudWatch::Dashboard" not in off and "AWS::Lambda::Function" not in off
