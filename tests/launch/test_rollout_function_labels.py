"""The latest-AMI parameter's labels never block a write (issue: live defects).

moto's SSM keeps 100 versions and refuses a write whose oldest version carries a label
(ParameterMaxVersionLimitExceeded) and an eleventh label on a version, as Parameter Store does;
the first test below shows it, so the 150 builds after it are a real test of the function."""

from __future__ import annotations

from typing import Any

import pytest

from constructs_lib.launch.rollout_function import labels
from constructs_lib.launch.rollout_function.index import RolloutError
from constructs_lib.launch.rollout_function.tags import PIN_TAG, names_parameter, split_reference
from tests.launch.rollout_world import PARAMETER, World, event, throttle


def record_metrics(world: World) -> list[dict[str, float]]:
    """Each PutMetricData call as ``{metric name: value}``."""
    calls: list[dict[str, float]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        calls.append({d["MetricName"]: d["Value"] for d in params["MetricData"]})

    world.cloudwatch.meta.events.register("before-parameter-build.monitoring.PutMetricData", record)
    return calls


def pin(world: World, name: str, label: str) -> None:
    """A launch template pinned as the library pins one (tag and image reference)."""
    world.ec2.create_launch_template(
        LaunchTemplateName=name,
        LaunchTemplateData={"ImageId": f"resolve:ssm:{PARAMETER}:{label}"},
        TagSpecifications=[{"ResourceType": "launch-template", "Tags": [{"Key": PIN_TAG, "Value": label}]}],
    )


def by_version(world: World) -> dict[int, list[str]]:
    return {int(v["Version"]): v.get("Labels", []) for v in labels.history(world.ssm, PARAMETER)}


def test_moto_enforces_the_100_version_window_and_10_labels(world: World) -> None:
    world.ssm.label_parameter_version(Name=PARAMETER, ParameterVersion=1, Labels=["held"])
    for _ in range(98):
        world.ssm.put_parameter(Name=PARAMETER, Value=world.new, Type="String", Overwrite=True)
    with pytest.raises(world.ssm.exceptions.ParameterMaxVersionLimitExceeded):
        world.ssm.put_parameter(Name=PARAMETER, Value=world.new, Type="String", Overwrite=True)
    with pytest.raises(world.ssm.exceptions.ParameterVersionLabelLimitExceeded):
        world.ssm.label_parameter_version(Name=PARAMETER, ParameterVersion=2, Labels=[f"l{n}" for n in range(11)])


def test_150_builds_every_write_succeeds_pins_warn_before_their_label_goes(world: World) -> None:
    metrics = record_metrics(world)
    built: list[str] = []  # the image version label of each build, in order
    early_warned: list[int] = []
    early_removed_at = None
    for n in range(150):
        ami = world.image(f"2.0.{n}/1")
        built.append(f"v2.0.{n}-1")
        world.ssm.put_parameter(Name=PARAMETER, Value=ami, Type="String", Overwrite=True)  # Image Builder's write
        if n == 5:
            pin(world, "pinned-early", built[5])
        if n == 120:
            pin(world, "pinned-late", built[120])
        world.describe()
        world.run(event("parameter"))  # never fails for a pin: the alarm says it
        versions = by_version(world)
        newest = max(versions)
        assert versions[newest] == [built[n]], "each new version carries its own image version"
        assert all(len(held) <= labels.MAX_LABELS for held in versions.values())
        assert all(newest - v < labels.LABEL_WINDOW for v, held in versions.items() if held), "labels in the window"
        held = {x for xs in versions.values() for x in xs}
        broken = n >= 5 and built[5] not in held
        if broken and early_removed_at is None:
            early_removed_at = n
        if metrics[-1]["PinsExpiring"] >= 1 and early_removed_at is None:
            early_warned.append(n)
        if n >= 120:
            assert built[120] in held, "a pin inside the window keeps its label"
    # 150 builds plus the world's 2 versions: the write of version 152 succeeded.
    assert max(by_version(world)) == 152
    # Every image of the newest 90 versions can still be rolled back to by label.
    assert {x for xs in by_version(world).values() for x in xs} == set(built[-labels.LABEL_WINDOW :])
    # The early pin was reported for 20 builds before its label went, and is still reported after.
    assert early_removed_at is not None
    assert early_warned == list(range(early_removed_at - 20, early_removed_at))
    assert metrics[-1]["PinsExpiring"] == 1  # the broken early pin stays counted; the late one is fine
    assert all(m["PinsExpiring"] == 1 for m in metrics[early_removed_at:])


def test_a_pin_by_parameter_version_is_counted_before_its_version_is_deleted(world: World) -> None:
    metrics = record_metrics(world)
    pin(world, "pinned-by-number", "2")
    for _ in range(labels.PIN_WARNING_WINDOW - 1):
        world.ssm.put_parameter(Name=PARAMETER, Value=world.new, Type="String", Overwrite=True)
    world.describe()
    world.run(event("parameter"))  # version 71: version 2 is 69 versions old
    world.ssm.put_parameter(Name=PARAMETER, Value=world.new, Type="String", Overwrite=True)
    world.describe()
    world.run(event("parameter"))  # 70 versions old
    assert [m["PinsExpiring"] for m in metrics] == [0, 1]


def test_a_pin_on_the_label_a_revoke_just_moved_is_held_though_a_foreign_label_is_reported(world: World) -> None:
    metrics = record_metrics(world)
    world.ssm.label_parameter_version(Name=PARAMETER, ParameterVersion=1, Labels=["stable"])
    for _ in range(labels.LABEL_WINDOW):
        world.ssm.put_parameter(Name=PARAMETER, Value=world.new, Type="String", Overwrite=True)
    world.ssm.put_parameter(Name=PARAMETER, Value=world.old, Type="String", Overwrite=True)  # a revoke
    pin(world, "pinned", "v1.0.0-1")
    world.describe()
    with pytest.raises(RolloutError, match=r"carries the label 'stable'"):
        world.run(event("parameter"))
    assert metrics[-1]["PinsExpiring"] == 1  # 'stable' only: the pin's label is on the newest version


def test_a_failed_pin_look_up_still_removes_the_labels_that_left_the_window(world: World) -> None:
    world.ssm.label_parameter_version(Name=PARAMETER, ParameterVersion=1, Labels=["v1.0.0-1"])
    for _ in range(labels.LABEL_WINDOW):
        world.ssm.put_parameter(Name=PARAMETER, Value=world.new, Type="String", Overwrite=True)
    throttle(world.ec2, "DescribeLaunchTemplates", code="UnauthorizedOperation")
    world.describe()
    with pytest.raises(RolloutError, match=r"finding the launch templates pinned to .* failed"):
        world.run(event("parameter"))
    assert by_version(world)[1] == []


def test_a_version_with_10_labels_already_is_not_labelled_again_and_the_run_says_why(world: World) -> None:
    world.ssm.label_parameter_version(Name=PARAMETER, ParameterVersion=2, Labels=[f"mine{n}" for n in range(10)])
    world.describe()
    with pytest.raises(RolloutError, match=r"version 2 carries 10 labels, AWS's most; v1.1.0-1 was not added"):
        world.run(event("parameter"))
    assert by_version(world)[2] == [f"mine{n}" for n in range(10)]


def test_a_label_of_someone_elses_form_is_kept_and_reported_outside_the_window(world: World) -> None:
    world.ssm.label_parameter_version(Name=PARAMETER, ParameterVersion=1, Labels=["stable"])
    for _ in range(labels.LABEL_WINDOW):
        world.ssm.put_parameter(Name=PARAMETER, Value=world.new, Type="String", Overwrite=True)
    world.describe()
    with pytest.raises(RolloutError, match=r"version 1 carries the label 'stable', 91 versions old"):
        world.run(event("parameter"))
    assert by_version(world)[1] == ["stable"]


def test_writing_an_older_image_back_moves_its_label_to_the_new_version(world: World) -> None:
    world.describe()
    world.run(event("parameter"))
    world.ssm.put_parameter(Name=PARAMETER, Value=world.old, Type="String", Overwrite=True)  # a revoke
    world.describe()
    world.run(event("parameter"))
    versions = by_version(world)
    assert versions[3] == ["v1.0.0-1"] and versions[1] == [] and versions[2] == ["v1.1.0-1"]


@pytest.mark.parametrize(
    ("image_id", "expected"),
    [
        ("ami-0123456789abcdef0", ("ami-0123456789abcdef0", None)),
        ("resolve:ssm:/golden-ami/web/latest", ("/golden-ami/web/latest", None)),
        ("resolve:ssm:/golden-ami/web/latest:v1.2.3-4", ("/golden-ami/web/latest", "v1.2.3-4")),
        ("resolve:ssm:/golden-ami/web/latest:7", ("/golden-ami/web/latest", "7")),
        (
            "resolve:ssm:arn:aws:ssm:eu-west-1:111111111111:parameter/golden-ami/web/latest",
            ("arn:aws:ssm:eu-west-1:111111111111:parameter/golden-ami/web/latest", None),
        ),
        (
            "resolve:ssm:arn:aws:ssm:eu-west-1:111111111111:parameter/golden-ami/web/latest:stable",
            ("arn:aws:ssm:eu-west-1:111111111111:parameter/golden-ami/web/latest", "stable"),
        ),
    ],
)
def test_split_reference_reads_names_arns_and_pins(image_id: str, expected: tuple[str, str | None]) -> None:
    from constructs_lib._core import ssm_reference

    assert split_reference(image_id) == expected
    assert ssm_reference.split_reference(image_id) == expected  # the package's copy reads it alike
    name = expected[0]
    assert ssm_reference.names_parameter(name, "/golden-ami/web/latest") == names_parameter(
        name, "/golden-ami/web/latest"
    )


def test_the_pin_tag_is_the_one_the_library_writes() -> None:
    from constructs_lib._core.revoke_names import PIN_TAG as CORE_PIN_TAG
    from constructs_lib.launch.launch_template import PIN_TAG as TEMPLATE_PIN_TAG

    assert PIN_TAG == CORE_PIN_TAG == TEMPLATE_PIN_TAG
