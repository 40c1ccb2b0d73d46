"""The factory file's ``notifications:``: who hears about failures, with the rule across fields (a
named topic lives in the factory account's home region) reported at the entry's key."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from pydantic import field_validator

from ..pipeline.notifications import check_emails
from ._base import _Model
from .cross_field_base import Loc

_TOPIC_ARN: Final = re.compile(r"^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):[A-Za-z0-9_-]{1,256}$")


class NotificationsSpec(_Model):
    """Failed builds, pipelines Image Builder disabled, revokes, failed or rolled back instance
    refreshes and fleets not converged, from every region and account, to one topic."""

    emails: list[str] = []
    """Addresses subscribed to the topic; each confirms the mail SNS sends it first. Default: none."""
    topic_arn: str | None = None
    """An existing SNS topic of the factory account in the home region, instead of a new one. Its
    key and topic policies must let events.amazonaws.com publish (README: Notifications)."""
    dashboard: bool = True
    """The build metrics (a function publishing them from Image Builder's events) and the CloudWatch
    dashboard golden-ami-factory, in the notifications stack."""

    @field_validator("emails")
    @classmethod
    def _emails(cls, value: list[str]) -> list[str]:
        return check_emails("emails", value)

    @field_validator("topic_arn")
    @classmethod
    def _topic_arn(cls, value: str | None) -> str | None:
        if value is not None and not _TOPIC_ARN.match(value):
            raise ValueError(
                f"{value!r} is not an SNS topic ARN; write arn:aws:sns:<home region>:<factory account>:<topic name>"
            )
        return value


def notification_problems(data: Mapping[str, Any]) -> list[tuple[Loc, str]]:
    """A named topic is where the rules of the home region can publish: a rule's targets are in its
    own region, and the factory's topic policy is written for its own account's rules
    (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions)."""
    notifications = data.get("notifications")
    arn = notifications.get("topic_arn") if isinstance(notifications, Mapping) else None
    found = _TOPIC_ARN.match(arn) if isinstance(arn, str) else None
    if found is None:
        return []
    region, account = found.groups()
    home, factory = data.get("home_region", "eu-west-1"), data.get("account")
    where: Loc = ("notifications", "topic_arn")
    problems: list[tuple[Loc, str]] = []
    if isinstance(home, str) and region != home:
        problems.append(
            (where, f"the topic is in {region}, the pipelines in {home}; name a topic of {home} or leave topic_arn out")
        )
    if isinstance(factory, str) and account != factory:
        problems.append(
            (where, f"the topic is in account {account}, the factory in {factory}; name a topic of {factory}")
        )
    return problems
