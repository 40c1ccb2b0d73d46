"""NotificationForwarder and ConsumerStack.notify(): a fleet region's refresh failures and alarms go to
the factory's bus through a role that may put events there only; the alarm rule matches AWS's sample."""

from __future__ import annotations

import aws_cdk as cdk
import pytest

from constructs_lib import ConsumerStack
from constructs_lib._core.targets import RegionTarget
from constructs_lib.bake.version_lock import VersionLock
from constructs_lib.launch.notice_forwarder import NotificationForwarder
from constructs_lib.pipeline.notifications import bus_arn
from tests.conftest import lint_errors, make_pipeline, make_stack, synth_with_nag
from tests.pipeline.test_pipeline_events import matches, resolved, sample

BUS = bus_arn("aws", "111122223333", "us-west-2")


def _consumers(lock: VersionLock) -> tuple[ConsumerStack, NotificationForwarder]:
    home = make_stack()
    pipeline = make_pipeline(home, lock, distributions=[RegionTarget(region="us-east-1")])
    app = home.node.root
    assert isinstance(app, cdk.App)
    east = ConsumerStack(app, "East", image=pipeline, env=cdk.Environment(account="222222222222", region="us-east-1"))
    forwarder = NotificationForwarder(east, "Forwarder", bus_arn=BUS)
    east.notify(forwarder.target)
    return east, forwarder


def test_the_role_may_put_events_on_the_bus_only_and_targets_keep_what_fails(lock: VersionLock) -> None:
    east, _ = _consumers(lock)
    t = cdk.assertions.Template.from_stack(east).to_json()
    resources = t["Resources"]
    (role_id,) = [k for k, r in resources.items() if r["Type"] == "AWS::IAM::Role" and k.startswith("Forwarder")]
    trust = resources[role_id]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": "events.amazonaws.com"}]
    policies = [
        r["Properties"]["PolicyDocument"]["Statement"]
        for r in resources.values()
        if r["Type"] == "AWS::IAM::Policy" and {"Ref": role_id} in r["Properties"]["Roles"]
    ]
    assert policies == [[{"Action": "events:PutEvents", "Effect": "Allow", "Resource": BUS}]]
    notices = {k: r["Properties"] for k, r in resources.items() if r["Type"] == "AWS::Events::Rule" and "Notice" in k}
    assert len(notices) == 2
    for props in notices.values():
        (target,) = props["Targets"]
        assert target["Arn"] == BUS and target["RoleArn"] == {"Fn::GetAtt": [role_id, "Arn"]}
        assert "DeadLetterConfig" in target
    assert not lint_errors(t, "us-east-1")
    synth_with_nag(east)


def test_the_not_converged_rule_matches_awss_alarm_sample_for_this_alarm_in_alarm_only(lock: VersionLock) -> None:
    east, _ = _consumers(lock)
    assert east.rollout is not None
    resources = cdk.assertions.Template.from_stack(east).to_json()["Resources"]
    (pattern,) = [
        r["Properties"]["EventPattern"]
        for k, r in resources.items()
        if r["Type"] == "AWS::Events::Rule" and "NotConvergedNotice" in k
    ]
    event = sample("alarm_state_change")
    alarm_id = east.get_logical_id(east.rollout.alarm.node.default_child)  # type: ignore[arg-type]
    ours = resolved(pattern, {alarm_id: event["resources"][0]})
    assert matches(ours, event)
    assert not matches(resolved(pattern, {alarm_id: event["resources"][0] + "Other"}), event)
    ok = {**event, "detail": {**event["detail"], "state": {**event["detail"]["state"], "value": "OK"}}}
    assert not matches(ours, ok)  # back to OK: nothing needs a person


def test_a_bus_arn_that_is_not_one_is_refused() -> None:
    with pytest.raises(ValueError, match=r"bus_arn: 'golden-ami-notifications' is not an event bus ARN"):
        NotificationForwarder(make_stack(), "Forwarder", bus_arn="golden-ami-notifications")
