"""When a pipeline builds on its own: a cron expression, a time zone and a start condition."""

from __future__ import annotations

import dataclasses
import re
import zoneinfo
from functools import cache
from typing import Final

from .._core.enums import StartCondition
from .._core.limits import FAILURE_COUNT_MAX, FAILURE_COUNT_MIN, check_range

_FIELDS: Final = ("minute", "hour", "day-of-month", "month", "day-of-week", "year")
_FIELD_RE: Final = re.compile(r"^[0-9A-Za-z*?/,#L W-]+$", re.ASCII)
_EXAMPLE: Final = "cron(0 4 ? * SUN *) for 04:00 every Sunday"
# "Supported values for cron expressions" (https://docs.aws.amazon.com/imagebuilder/latest/userguide/cron-expressions.html).
_MONTHS: Final = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS: Final = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
_RANGES: Final = {
    "minute": (0, 59, ()),
    "hour": (0, 23, ()),
    "day-of-month": (1, 31, ()),
    "month": (1, 12, _MONTHS),
    "day-of-week": (1, 7, _DAYS),
    "year": (1970, 2199, ()),
}
_TOKEN_RE: Final = re.compile(r"[A-Za-z]+|[0-9]+", re.ASCII)


def _field_problem(name: str, part: str) -> str | None:
    """What is out of range in one field, or None. Increments (after ``/``) and the week of
    ``#`` are counts, not values of the field; ``L`` and ``W`` are the page's wildcards."""
    low, high, names = _RANGES[name]
    for item in part.split(","):
        value, _, step = item.partition("/")
        value, _, week = value.partition("#")
        if step and not (step.isdigit() and int(step) >= 1):
            return f"increment {step!r} is not a whole number from 1"
        if week and not (name == "day-of-week" and week.isdigit() and 1 <= int(week) <= 5):
            return f"'#{week}' is not a week of the month from 1 to 5"
        for token in _TOKEN_RE.findall(value):
            upper = token.upper()
            if token.isdigit():
                if not low <= int(token) <= high:
                    return f"value {token} is outside {low}-{high}"
            elif upper not in names and upper not in ("L", "W", "LW"):
                allowed = f"{names[0]}-{names[-1]}, " if names else ""
                return f"{token!r} is not a value of this field ({allowed}{low}-{high})"
    return None


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def check_cron(field: str, expression: str) -> str:
    """Raise unless ``expression`` is ``cron(...)`` with six fields, one day field ``?``."""
    match = re.fullmatch(r"cron\((.*)\)", expression.strip())
    parts = match[1].split() if match else []
    if len(parts) != len(_FIELDS):
        raise ValueError(
            f"{field}: {expression!r} is not a six-field cron expression "
            f"({' '.join(_FIELDS)}); use for example {_EXAMPLE}"
        )
    for name, part in zip(_FIELDS, parts, strict=True):
        if not _FIELD_RE.fullmatch(part):
            raise ValueError(f"{field}: {name} field {part!r} in {expression!r} has characters cron does not take")
        problem = _field_problem(name, part)
        if problem:
            raise ValueError(f"{field}: {name} field {part!r} in {expression!r}: {problem}; use for example {_EXAMPLE}")
    if "?" not in (parts[2], parts[4]) or parts[2] == parts[4] == "?":
        raise ValueError(
            f"{field}: {expression!r} must have '?' in exactly one of day-of-month and day-of-week; "
            f"use for example {_EXAMPLE}"
        )
    return expression.strip()


def check_time_zone(field: str, time_zone: str) -> str:
    """Raise unless ``time_zone`` is an IANA time zone name."""
    if time_zone not in _time_zones():
        close = sorted(z for z in _time_zones() if z.split("/")[-1].lower() == time_zone.split("/")[-1].lower())
        hint = f"; did you mean {', '.join(close[:3])}?" if close else "; use an IANA name such as 'Europe/Berlin'"
        raise ValueError(f"{field}: {time_zone!r} is not an IANA time zone{hint}")
    return time_zone


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Schedule:
    """A pipeline schedule.

    ``start_condition`` default (None): the pipeline picks ``ON_DEPENDENCY_UPDATE`` when its
    parent tracks updates (an Image Builder image selected with ``x``) and ``ON_SCHEDULE``
    otherwise, so a pipeline with a fixed parent still builds. Default time zone: ``Etc/UTC``.
    Default auto-disable: after 3 consecutive failed runs.
    """

    expression: str = "cron(0 4 ? * SUN *)"
    time_zone: str = "Etc/UTC"
    start_condition: StartCondition | None = None
    disable_after_failures: int = 3

    def __post_init__(self) -> None:
        check_cron("schedule.expression", self.expression)
        check_time_zone("schedule.time_zone", self.time_zone)
        check_range(
            "schedule.disable_after_failures", self.disable_after_failures, FAILURE_COUNT_MIN, FAILURE_COUNT_MAX
        )


def builds_per_month(expression: str) -> float:
    """Roughly how often a (checked) cron expression matches in a month, for cost estimates.

    Counts listed values in the hour and day fields; ranges and steps are not expanded, and
    ``*`` stands for every value (24 hours, 30.4 days, 7 weekdays).
    """
    minute, hour, dom, month, dow, _year = expression.strip()[5:-1].split()

    def count(field: str, every: float) -> float:
        if field in ("*", "?") or any(c in field for c in "-/"):
            return every
        return float(len(field.split(",")))

    per_day = count(hour, 24.0) * (1.0 if minute not in ("*",) else 60.0)
    weekly = 30.4 if dow == "*" else count(dow, 7.0) * 30.4 / 7
    days = weekly if dom == "?" else count(dom, 30.4)
    months = 1.0 if month == "*" else count(month, 12.0) / 12
    return per_day * days * months
