"""The rollout function's glue against moto (SSM, EC2, CloudWatch) and botocore's Stubber (Auto
Scaling's instance refresh calls and Lambda's invoke, which moto lacks or which must be exact).
No test reaches AWS. Every failure the issue lists has a test here; the decision itself is
tested as a table in test_rollout_decide.py."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from constructs_lib.launch.rollout_function.index import RolloutError, parse_preferences, trigger
from constructs_lib.launch.rollout_function.tags import REFRESH_DETAIL_TYPES, STATE_TAG
from tests.launch.rollout_world import NOW, PARAMETER, World, event, throttle

BACKOFF = 15 * 60


def test_behind_group_starts_on_a_new_numbered_version_without_rollback_from_an_ssm_template(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world.group("web", world.instances(world.old))
    world.describe("web")
    world.refreshes("web")
    # The group's current template reads resolve:ssm:, so AWS could not roll back to it (C13).
    world.expect_start("web", 2, rollback=False)
    world.expect_tags("web", world.new, 1, NOW + BACKOFF)
    with caplog.at_level(logging.INFO):
        outcome = world.run(event("parameter"))
    assert outcome["web"].startswith("started: launch template version 2, attempt 1 without automatic rollback")
    assert world.versions("web") == {2: world.new}
    assert f'"group": "web", "image": "{world.new}"' in caplog.text


def test_group_on_a_numbered_ami_version_refreshes_with_automatic_rollback(world: World) -> None:
    world.template("web", image_id=world.old)
    world.group("web", world.instances(world.old))
    world.describe("web")
    world.refreshes("web")
    world.expect_start("web", 2, rollback=True)
    world.expect_tags("web", world.new, 1, NOW + BACKOFF)
    assert world.run()["web"] == "started: launch template version 2, attempt 1"


@pytest.mark.parametrize("alias", ["$Latest", "$Default"])
def test_group_on_latest_or_default_refreshes_without_rollback_though_its_ami_is_numbered(
    world: World, alias: str
) -> None:
    # AWS: no rollback when the group's current configuration names $Latest or $Default, whatever
    # the AMI (instance-refresh-rollback.html); decided from the group, not from an error's text.
    world.template("web", image_id=world.old)
    world.group("web", world.instances(world.old), version=alias)
    world.describe("web")
    world.refreshes("web")
    world.expect_start("web", 2, rollback=False)
    world.expect_tags("web", world.new, 1, NOW + BACKOFF)
    assert world.run()["web"] == (
        "started: launch template version 2, attempt 1 without automatic rollback (the group's current template "
        "is an SSM parameter or $Latest/$Default)"
    )


def test_group_on_the_image_is_done_and_nothing_is_written(world: World) -> None:
    world.template("web", image_id=world.new)
    world.group("web", world.instances(world.new))
    world.describe("web")
    world.refreshes("web", world.refresh("Successful", "1"))
    assert world.run() == {"web": "done"}
    assert world.versions("web") == {}


def test_empty_group_on_an_old_numbered_version_is_still_behind(world: World) -> None:
    world.template("web", image_id=world.old)
    world.group("web", [])
    world.describe("web")
    world.refreshes("web")
    world.expect_start("web", 2, rollback=True)
    world.expect_tags("web", world.new, 1, NOW + BACKOFF)
    assert world.run()["web"].startswith("started")


def test_newer_image_mid_refresh_cancels_the_refresh_to_the_older_one(world: World) -> None:
    world.template("web", image_id=world.old)
    world.own_version("web", world.old)  # the function's own earlier refresh, now superseded
    world.group("web", world.instances(world.old), **{"golden-ami:rollout-image": world.old})
    world.describe("web")
    world.refreshes("web", world.refresh("InProgress", "2"))
    world.stub.add_response("cancel_instance_refresh", {"InstanceRefreshId": "r-1"}, {"AutoScalingGroupName": "web"})
    assert world.run(event(REFRESH_DETAIL_TYPES[0], AutoScalingGroupName="web")) == {
        "web": "replace: cancelled refresh r-1 to another image"
    }
    # and once the cancel took effect, the next run starts the refresh to the newer image
    world.describe("web")
    world.refreshes("web", world.refresh("Cancelled", "2"))
    world.expect_start("web", 3, rollback=True)
    world.expect_tags("web", world.new, 1, NOW + BACKOFF)
    assert world.run(event(REFRESH_DETAIL_TYPES[2], AutoScalingGroupName="web"))["web"].startswith(
        "started: launch template version 3"
    )


def test_refresh_to_the_desired_image_in_progress_is_left_alone(world: World) -> None:
    world.template("web", image_id=world.old)
    world.ec2.create_launch_template_version(
        LaunchTemplateId=world.templates["web"], SourceVersion="1", LaunchTemplateData={"ImageId": world.new}
    )
    world.group("web", world.instances(world.old))
    world.describe("web")
    world.refreshes("web", world.refresh("InProgress", "2"))
    assert world.run() == {"web": "wait: refresh r-1 is InProgress"}


@pytest.mark.parametrize("status", ["Failed", "RollbackSuccessful", "RollbackFailed", "Cancelled"])
def test_failed_or_rolled_back_refresh_then_the_same_image_again_is_retried_after_the_back_off(
    world: World, status: str
) -> None:
    world.template("web", image_id=world.old)
    state = {"golden-ami:rollout-image": world.new, STATE_TAG: f"{world.new} 1 {int(NOW + BACKOFF)}"}
    world.group("web", world.instances(world.old), **state)
    world.describe("web")
    world.refreshes("web", world.refresh(status, "1"))
    assert world.run(event("parameter")) == {"web": "wait: retry 1 of 3 after back-off"}
    world.describe("web")
    world.refreshes("web", world.refresh(status, "1"))
    world.expect_start("web", 2, rollback=True)
    world.expect_tags("web", world.new, 2, NOW + BACKOFF + 2 * BACKOFF)
    assert world.run(event("parameter"), now=NOW + BACKOFF)["web"].startswith(
        "started: launch template version 2, attempt 2"
    )


def test_retries_exhausted_is_stuck_and_counted_in_the_metric(world: World) -> None:
    world.template("web", image_id=world.old)
    world.group("web", world.instances(world.old), **{STATE_TAG: f"{world.new} 4 {int(NOW)}"})
    world.describe("web")
    world.refreshes("web", world.refresh("Failed", "1"))
    assert world.run() == {"web": f"stuck: 4 refreshes to {world.new} did not bring the group onto it"}
    assert world.metric() == [1.0]


def test_the_image_age_is_the_days_since_the_parameter_changed(world: World) -> None:
    world.template("web", image_id=world.old)
    world.group("web", world.instances(world.old), **{STATE_TAG: f"{world.new} 4 {int(NOW)}"})
    world.describe("web")
    world.refreshes("web", world.refresh("Failed", "1"))
    # moto stamps the parameter's write with the clock's now; the run says it is 3 days later.
    world.run(now=time.time() + 3 * 86400)
    (age,) = world.metric("ImageAgeDays")
    assert 2.99 < age < 3.01


def test_the_metric_counts_no_group_before_the_convergence_time_has_passed(world: World) -> None:
    world.template("web", image_id=world.old)
    world.group("web", world.instances(world.old), **{STATE_TAG: f"{world.new} 4 {int(NOW)}"})
    world.describe("web")
    world.refreshes("web", world.refresh("Failed", "1"))
    world.run(now=time.time())
    assert world.metric() == [0.0]


def test_an_instance_auto_scaling_lists_but_ec2_no_longer_knows_does_not_fail_the_group(world: World) -> None:
    world.group("web", [*world.instances(world.old), "i-0123456789abcdef0"])
    world.describe("web")
    world.refreshes("web")
    world.expect_start("web", 2, rollback=False)
    world.expect_tags("web", world.new, 1, NOW + BACKOFF)
    assert world.run()["web"].startswith("started")


def test_an_unrelated_validation_error_is_reported_and_leaves_no_version(world: World) -> None:
    world.template("web", image_id=world.old)
    world.group("web", world.instances(world.old))
    world.describe("web")
    world.refreshes("web")
    world.expect_start("web", 2, rollback=True, error="ValidationError")  # once: never retried without rollback
    world.expect_delete("web", 2)
    with pytest.raises(RolloutError, match=r"reconciling failed for web"):
        world.run()
    assert world.versions("web") == {}


STEPS = [
    ("ec2", "DescribeLaunchTemplateVersions"),
    ("ec2", "DescribeInstances"),
    ("autoscaling", "describe_instance_refreshes"),
    ("ec2", "DescribeImages"),
    ("ec2", "CreateLaunchTemplateVersion"),
    ("autoscaling", "start_instance_refresh"),
    ("autoscaling", "create_or_update_tags"),
]


@pytest.mark.parametrize(("service", "operation"), STEPS, ids=[s[1] for s in STEPS])
def test_throttling_on_each_call_fails_that_group_only_and_leaves_no_unused_version(
    world: World, service: str, operation: str
) -> None:
    world.template("api", image_id=world.old)
    world.template("web", image_id=world.old)
    world.group("api", world.instances(world.old))
    world.group("web", world.instances(world.old))
    world.describe("api", "web")
    step = STEPS.index((service, operation))
    if service == "ec2":  # api's call; DescribeImages is called once before, to label the parameter
        throttle(world.ec2, operation, skip=1 if operation == "DescribeImages" else 0)
    if operation == "describe_instance_refreshes":
        world.stub.add_client_error(operation, service_error_code="Throttling")
    elif step >= 2:
        world.refreshes("api")
    if operation == "start_instance_refresh":
        world.expect_start("api", 2, rollback=True, error="Throttling")
        world.expect_delete("api", 2)
    elif operation == "create_or_update_tags":
        world.expect_start("api", 2, rollback=True)
        world.stub.add_client_error(operation, service_error_code="Throttling")
    world.refreshes("web")
    world.expect_start("web", 2, rollback=True)
    world.expect_tags("web", world.new, 1, NOW + BACKOFF)
    throttled = operation == "create_or_update_tags"
    with pytest.raises(RolloutError, match=r"reconciling failed for api;"):
        world.run()
    assert world.versions("web") == {2: world.new}
    # a version exists for api only when its refresh started (the tag write failed afterwards)
    assert world.versions("api") == ({2: world.new} if throttled else {})


def test_describe_groups_throttled_fails_the_run_and_starts_nothing(world: World) -> None:
    world.template("web", image_id=world.old)
    world.group("web", world.instances(world.old))
    world.stub.add_client_error("describe_auto_scaling_groups", service_error_code="Throttling")
    with pytest.raises(ClientError, match="Throttling"):  # the invocation fails: retried, then the DLQ
        world.run()
    assert world.versions("web") == {}


def test_cancel_throttled_fails_that_group_only(world: World) -> None:
    world.template("web", image_id=world.old)
    world.own_version("web", world.old)  # the function's own earlier refresh, now superseded
    world.group("web", world.instances(world.old), **{"golden-ami:rollout-image": world.old})
    world.template("api", image_id=world.old)
    world.group("api", world.instances(world.old))
    world.describe("web", "api")
    world.refreshes("web", world.refresh("InProgress", "2"))
    world.stub.add_client_error("cancel_instance_refresh", service_error_code="Throttling")
    world.refreshes("api")
    world.expect_start("api", 2, rollback=True)
    world.expect_tags("api", world.new, 1, NOW + BACKOFF)
    with pytest.raises(RolloutError, match=r"reconciling failed for web;"):
        world.run()
    assert world.versions("api") == {2: world.new}


def test_a_failed_undo_keeps_the_start_error_and_a_failed_prune_keeps_the_started_refresh(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    template = world.template("web", image_id=world.old)
    world.group("web", world.instances(world.old))
    world.describe("web")
    world.refreshes("web")
    world.expect_start("web", 2, rollback=True, error="ValidationError")
    world.delete_stub.add_client_error("delete_launch_template_versions", service_error_code="Throttling")
    with (
        caplog.at_level(logging.INFO),
        pytest.raises(RolloutError, match=r"reconciling failed for web;"),
    ):
        world.run()
    assert '"action": "undo"' in caplog.text and "not deleted" in caplog.text
    assert "failed: An error occurred (ValidationError) when calling the StartInstanceRefresh" in caplog.text
    # Next run: four versions it made before, so the start prunes one, and that delete is throttled.
    for _ in range(3):
        world.ec2.create_launch_template_version(
            LaunchTemplateId=template,
            SourceVersion="1",
            VersionDescription=f"golden-ami rollout to {world.old}",
            LaunchTemplateData={"ImageId": world.old},
        )
    world.describe("web")
    world.refreshes("web")
    world.expect_start("web", 6, rollback=True)
    world.expect_tags("web", world.new, 1, NOW + BACKOFF)
    world.delete_stub.add_client_error("delete_launch_template_versions", service_error_code="Throttling")
    outcome = world.run()["web"]
    assert outcome.startswith("started: launch template version 6, attempt 1; pruning old versions failed (")
    assert "Throttling" in outcome


def test_old_versions_it_made_are_pruned_keeping_the_current_and_the_last_3(world: World) -> None:
    template = world.template("web", image_id=world.old)
    for _ in range(5):
        world.ec2.create_launch_template_version(
            LaunchTemplateId=template,
            SourceVersion="1",
            VersionDescription=f"golden-ami rollout to {world.old}",
            LaunchTemplateData={"ImageId": world.old},
        )
    world.group("web", world.instances(world.old), version="2")  # on the oldest one it made
    world.describe("web")
    world.refreshes("web")
    world.expect_start("web", 7, rollback=True)
    world.expect_tags("web", world.new, 1, NOW + BACKOFF)
    world.expect_delete("web", 4, 3)
    assert world.run()["web"].endswith("pruned versions 4, 3")
    assert sorted(world.versions("web")) == [2, 5, 6, 7]


def test_the_new_parameter_version_is_labelled_with_the_image_version(world: World) -> None:
    world.describe()
    world.run(event("parameter"))
    labelled = world.ssm.get_parameter(Name=f"{PARAMETER}:v1.1.0-1")["Parameter"]
    assert labelled["Value"] == world.new and labelled["Version"] == 2


def test_a_thousand_groups_across_pages_continue_from_the_pagination_token(world: World) -> None:
    template = world.template("shared", image_id=world.new)
    names = [f"g{i:04}" for i in range(1000)]
    for name in names:
        world.templates[name] = template
        world.group(name, [])
    seen: dict[str, str] = {}
    evt: dict[str, Any] = event()
    for page in range(10):
        token = None if page == 0 else f"t{page}"
        following = f"t{page + 1}" if page < 9 else None
        world.describe(*names[page * 100 : page * 100 + 100], token=token, next_token=following, per_run=100)
        for name in names[page * 100 : page * 100 + 100]:
            world.refreshes(name)
        if following:
            world.expect_continue(following)
        seen |= world.run(evt, max_groups=100)
        evt = {"detail-type": "Golden AMI Rollout Continue", "detail": {"NextToken": following}}
    assert len(seen) == 1000 and set(seen.values()) == {"done"}


MALFORMED: list[Any] = [
    {"detail-type": "Parameter Store Change", "detail": None},
    {"detail-type": "Parameter Store Change", "detail": "name"},
    {"detail-type": "Parameter Store Change", "detail": [PARAMETER]},
    {"detail-type": "Parameter Store Change", "detail": {"name": 7, "operation": "Update"}},
    {"detail-type": REFRESH_DETAIL_TYPES[1], "detail": {"AutoScalingGroupName": ["web"]}},
    ["not", "an", "event"],
    {"detail-type": "Parameter Store Change", "detail": {"name": PARAMETER, "operation": "Delete"}},
    {"detail-type": "Golden AMI Rollout Continue", "detail": {"NextToken": ""}},
]


@pytest.mark.parametrize("bad", MALFORMED)
def test_malformed_and_unrelated_events_are_logged_and_ignored(
    world: World, bad: Any, caplog: pytest.LogCaptureFixture
) -> None:
    calls = throttle(world.ssm, "GetParameter", code="Unexpected")
    with caplog.at_level(logging.INFO):
        assert world.run(bad) == {}  # the Stubber holds no response: no Auto Scaling call either
    assert calls == [] and '"action": "ignored"' in caplog.text


@pytest.mark.parametrize(
    ("evt", "kind"),
    [
        (event(), "schedule"),
        (event("parameter"), "parameter"),
        *[(event(t, AutoScalingGroupName="web"), "refresh") for t in REFRESH_DETAIL_TYPES],
    ],
)
def test_every_trigger_is_recognised(evt: dict[str, Any], kind: str) -> None:
    assert trigger(evt, PARAMETER) == kind


def test_a_malformed_preferences_tag_fails_the_group_before_any_version_is_made(world: World) -> None:
    world.template("web", image_id=world.old)
    world.group("web", world.instances(world.old), **{"golden-ami:refresh": "min=ninety"})
    world.describe("web")
    world.refreshes("web")
    with pytest.raises(RolloutError, match=r"reconciling failed for web"):
        world.run()
    assert world.versions("web") == {}


def test_preferences_default_to_automatic_rollback() -> None:
    assert parse_preferences("") == {"SkipMatching": False, "AutoRollback": True}


def test_rejects_malformed_preferences_naming_the_tag() -> None:
    with pytest.raises(ValueError, match=r"golden-ami:refresh: 'checkpoints=a' is not 'min=90"):
        parse_preferences("checkpoints=a")


def test_parameter_written_back_to_an_older_image_rolls_the_group_back(world: World) -> None:
    world.template("web", image_id=world.new)
    world.group("web", world.instances(world.new))
    world.ssm.put_parameter(Name=PARAMETER, Value=world.old, Type="String", Overwrite=True)  # as a revoke does
    world.describe("web")
    world.refreshes("web", world.refresh("Successful", "1"))
    world.expect_start("web", 2, rollback=True)
    world.expect_tags("web", world.old, 1, NOW + BACKOFF)
    assert world.run(event("parameter"))["web"].startswith("started: launch template version 2")
    assert world.versions("web") == {2: world.old}
