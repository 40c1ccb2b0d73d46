"""Five ways the rollout function used to lose, each a test that failed before its fix (issue:
live defects): a loosely written boolean in the preferences, two fleets on one launch template, a
refresh someone else started, a pinned template on a tagged group, and a missing parameter."""

from __future__ import annotations

import pytest

from constructs_lib.launch.rollout_function.index import RolloutError, parse_preferences
from tests.launch.rollout_world import NOW, PARAMETER, PREFERENCES, REGION, World, event

BACKOFF = 15 * 60


@pytest.mark.parametrize("value", ["yes", "True", "1", "on", "", "false "])
def test_a_boolean_not_written_true_or_false_fails_the_group_and_starts_nothing(world: World, value: str) -> None:
    world.template("web", image_id=world.old)
    world.group("web", world.instances(world.old), **{"golden-ami:refresh": f"{PREFERENCES};rollback={value}"})
    world.describe("web")
    world.refreshes("web")  # no start is stubbed: a refresh started without rollback fails the test
    with pytest.raises(RolloutError, match=r"reconciling failed for web"):
        world.run()
    assert world.versions("web") == {}


@pytest.mark.parametrize(("value", "rollback"), [("true", True), ("false", False)])
def test_rollback_written_true_or_false_is_read_as_written(value: str, rollback: bool) -> None:
    assert parse_preferences(f"min=90;rollback={value}")["AutoRollback"] is rollback


def test_rejects_a_loose_boolean_naming_the_tag_and_the_fix() -> None:
    with pytest.raises(
        ValueError, match=r"golden-ami:refresh: rollback='yes' in 'rollback=yes' is not a boolean; write"
    ):
        parse_preferences("rollback=yes")


def test_two_fleets_on_one_template_never_prune_each_others_versions(world: World) -> None:
    world.template("a", image_id=world.old)
    world.templates["b"] = world.templates["a"]
    a_current = world.own_version("a", world.old)  # 2: group a runs it; its rollback target
    b_versions = [world.own_version("b", world.old) for _ in range(3)]  # 3, 4, 5
    a_refresh = world.own_version("a", world.new)  # 6: a's refresh under way
    world.group("a", world.instances(world.old), version=str(a_current))
    world.group("b", world.instances(world.old), version=str(b_versions[-1]))
    world.describe("a", "b")
    world.refreshes("a", world.refresh("InProgress", str(a_refresh), name="a"))
    world.refreshes("b")
    world.expect_start("b", 7, rollback=True)
    world.expect_tags("b", world.new, 1, NOW + BACKOFF)
    world.expect_delete("b", 3)  # b's own oldest only: a's 2 and 6 are a's
    outcome = world.run()
    assert outcome["a"] == "wait: refresh r-1 is InProgress"
    assert outcome["b"].endswith("pruned versions 3")
    left = world.versions("a")
    assert a_current in left and a_refresh in left


def test_a_legacy_version_another_group_on_the_template_runs_is_kept(world: World) -> None:
    """Versions made before descriptions named their group are anyone's to prune, except the ones
    a group on the template uses now."""
    world.template("a", image_id=world.old)
    world.templates["b"] = world.templates["a"]
    legacy = [
        world.ec2.create_launch_template_version(
            LaunchTemplateId=world.templates["a"],
            SourceVersion="1",
            VersionDescription=f"golden-ami rollout to {world.old}",
            LaunchTemplateData={"ImageId": world.old},
        )["LaunchTemplateVersion"]["VersionNumber"]
        for _ in range(5)
    ]  # 2..6
    world.group("a", world.instances(world.old), version=str(legacy[0]))
    world.group("b", world.instances(world.old), version=str(legacy[-1]))
    world.describe("b", "a")
    world.refreshes("b")
    world.expect_start("b", 7, rollback=True)
    world.expect_tags("b", world.new, 1, NOW + BACKOFF)
    world.expect_delete("b", 4, 3)  # not 2: group a runs it
    world.refreshes("a")
    world.expect_start("a", 8, rollback=True)
    world.expect_tags("a", world.new, 1, NOW + BACKOFF)
    # The stubbed delete left 3 and 4 in moto, so a's prune names them again; never 2 (a's own
    # current), 6 (b's current) or 7 (made for b).
    world.expect_delete("a", 4, 3)
    outcome = world.run()
    assert outcome["b"].endswith("pruned versions 4, 3") and outcome["a"].endswith("pruned versions 4, 3")


def test_a_refresh_someone_else_started_is_waited_for_not_cancelled(world: World) -> None:
    world.template("web", image_id=world.old)
    manual = world.ec2.create_launch_template_version(
        LaunchTemplateId=world.templates["web"],
        SourceVersion="1",
        VersionDescription="hotfix by the on-call engineer",
        LaunchTemplateData={"ImageId": world.old},
    )["LaunchTemplateVersion"]["VersionNumber"]
    world.group("web", world.instances(world.old))
    world.describe("web")
    world.refreshes("web", world.refresh("InProgress", str(manual)))  # no cancel is stubbed
    outcome = world.run()["web"]
    assert outcome.startswith("wait: refresh r-1 (InProgress) to another image was not started by the rollout")
    assert world.metric() == [1.0]  # not converged meanwhile (the parameter is old enough)


def test_a_refresh_with_no_desired_configuration_is_waited_for(world: World) -> None:
    """A refresh onto the group's own configuration (as CloudFormation or an operator starts one)."""
    world.template("web", image_id=world.old)
    world.group("web", world.instances(world.old), version="1")
    world.describe("web")
    world.refreshes("web", world.refresh("InProgress"))
    assert world.run()["web"].startswith("wait: refresh r-1 (InProgress) to another image was not started")


@pytest.mark.parametrize("pin", ["v1.0.0-1", "1"])
def test_a_pinned_template_wins_over_the_rollout_tag(world: World, pin: str) -> None:
    world.ssm.label_parameter_version(Name=PARAMETER, ParameterVersion=1, Labels=["v1.0.0-1"])
    world.template("web", image_id=f"resolve:ssm:{PARAMETER}:{pin}")
    world.group("web", world.instances(world.old))  # still tagged golden-ami:rollout
    world.describe("web")  # nothing else is stubbed: a refresh or a new version fails the test
    outcome = world.run(event("parameter"))["web"]
    assert outcome.startswith(
        f"pinned: launch template {world.templates['web']} version 1 reads the parameter at {pin}"
    )
    assert world.versions("web") == {}
    assert world.metric() == [0.0]


def test_a_pinned_template_named_by_parameter_arn_is_pinned_too(world: World) -> None:
    arn = f"arn:aws:ssm:{REGION}:123456789012:parameter{PARAMETER}"
    world.template("web", image_id=f"resolve:ssm:{arn}:v1.0.0-1")
    world.ssm.label_parameter_version(Name=PARAMETER, ParameterVersion=1, Labels=["v1.0.0-1"])
    world.group("web", world.instances(world.old))
    world.describe("web")
    assert world.run()["web"].startswith("pinned:")


def test_a_missing_parameter_is_reported_per_group_and_counted_by_the_alarm(world: World) -> None:
    world.template("web", image_id=world.old)
    world.group("web", world.instances(world.old))
    world.ssm.delete_parameter(Name=PARAMETER)
    world.describe("web")
    outcome = world.run()
    assert outcome == {
        "web": f"behind: {PARAMETER} does not exist (not yet built here, or deleted); nothing to roll out"
    }
    assert world.metric() == [1.0]
    assert world.versions("web") == {}


def test_a_refresh_onto_a_version_made_for_another_group_is_not_this_groups_to_cancel(world: World) -> None:
    world.template("web", image_id=world.old)
    theirs = world.own_version("web", world.old, made_for="api")  # an operator reused api's version
    world.group("web", world.instances(world.old))
    world.describe("web")
    world.refreshes("web", world.refresh("InProgress", str(theirs)))  # no cancel is stubbed
    assert world.run()["web"].startswith("wait: refresh r-1 (InProgress) to another image was not started")


def test_a_long_group_name_is_named_by_its_digest_within_ec2s_255(world: World) -> None:
    from constructs_lib.launch.rollout_function.index import version_description
    from constructs_lib.launch.rollout_function.tags import made_for

    name = "g" * 255
    description = version_description("ami-0123456789abcdef0", name)
    assert len(description) <= 255 and "sha256:" in description
    assert made_for(description, name) is True and made_for(description, "g" * 254) is False
