from __future__ import annotations

import pytest

from constructs_lib import Schedule, StartCondition


def test_defaults_weekly_utc_and_disable_after_three_failures() -> None:
    schedule = Schedule()
    assert (schedule.expression, schedule.time_zone, schedule.disable_after_failures) == (
        "cron(0 4 ? * SUN *)",
        "Etc/UTC",
        3,
    )
    assert schedule.start_condition is None


@pytest.mark.parametrize("expression", ["cron(0 4 * * ?)", "rate(1 day)", "0 4 ? * SUN *"])
def test_rejects_anything_but_six_field_cron(expression: str) -> None:
    with pytest.raises(ValueError, match=r"schedule.expression: .* is not a six-field cron expression \(minute hour"):
        Schedule(expression=expression)


@pytest.mark.parametrize("expression", ["cron(0 4 * * * *)", "cron(0 4 ? * ? *)"])
def test_rejects_cron_without_exactly_one_question_mark_day(expression: str) -> None:
    with pytest.raises(ValueError, match=r"must have '\?' in exactly one of day-of-month and day-of-week"):
        Schedule(expression=expression)


def test_rejects_cron_fields_with_foreign_characters() -> None:
    with pytest.raises(ValueError, match=r"hour field '4;' in .* has characters cron does not take"):
        Schedule(expression="cron(0 4; ? * SUN *)")


def test_rejects_unknown_time_zone_with_a_suggestion() -> None:
    with pytest.raises(
        ValueError, match=r"schedule.time_zone: 'Berlin' is not an IANA time zone; did you mean Europe/Berlin"
    ):
        Schedule(time_zone="Berlin")


@pytest.mark.parametrize("count", [0, 11])
def test_rejects_auto_disable_outside_1_to_10(count: int) -> None:
    with pytest.raises(
        ValueError, match=rf"schedule.disable_after_failures: {count} is outside AWS's range; use one from 1 to 10"
    ):
        Schedule(disable_after_failures=count)


@pytest.mark.parametrize("condition", list(StartCondition))
def test_every_start_condition_is_a_cloudformation_value(condition: StartCondition) -> None:
    assert condition.value in {"EXPRESSION_MATCH_ONLY", "EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE"}
    assert Schedule(start_condition=condition).start_condition is condition
