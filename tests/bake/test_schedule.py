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


@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        ("cron(60 4 ? * SUN *)", "minute field '60' in 'cron(60 4 ? * SUN *)': value 60 is outside 0-59"),
        ("cron(0 24 ? * SUN *)", "hour field '24' in 'cron(0 24 ? * SUN *)': value 24 is outside 0-23"),
        ("cron(0 4 0 * ? *)", "day-of-month field '0' in 'cron(0 4 0 * ? *)': value 0 is outside 1-31"),
        ("cron(0 4 ? 13 SUN *)", "month field '13' in 'cron(0 4 ? 13 SUN *)': value 13 is outside 1-12"),
        (
            "cron(0 4 ? * SUNDAY *)",
            "day-of-week field 'SUNDAY' in 'cron(0 4 ? * SUNDAY *)': 'SUNDAY' is not a value of this field "
            "(SUN-SAT, 1-7)",
        ),
        ("cron(0 4 ? * FRI#6 *)", "day-of-week field 'FRI#6' in 'cron(0 4 ? * FRI#6 *)': '#6' is not a week"),
        ("cron(0 4 ? * SUN 2200)", "year field '2200' in 'cron(0 4 ? * SUN 2200)': value 2200 is outside 1970-2199"),
        ("cron(0 */0 * * ? *)", "hour field '*/0' in 'cron(0 */0 * * ? *)': increment '0' is not a whole number"),
    ],
)
def test_rejects_values_outside_what_image_builder_supports(expression: str, problem: str) -> None:
    with pytest.raises(ValueError) as raised:
        Schedule(expression=expression)
    assert str(raised.value).startswith(f"schedule.expression: {problem}")


@pytest.mark.parametrize(
    "expression",
    [
        "cron(0 */6 * * ? *)",
        "cron(0 4 ? * MON-FRI *)",
        "cron(15 10 L * ? *)",
        "cron(0 8 ? * 6#3 *)",
        "cron(0 8 3W * ? 2030)",
        "cron(0 4 ? jan,JUL SUN#2 *)",
        "cron(0 4 ? * 6L *)",
        "cron(0/15 0-23 ? * * 1970-2199)",
    ],
)
def test_accepts_the_wildcards_and_names_image_builder_documents(expression: str) -> None:
    assert Schedule(expression=expression).expression == expression
