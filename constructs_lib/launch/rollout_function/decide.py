"""What the rollout function does with one group: a pure function of what it observed.

No AWS call happens here, so the whole decision is tested as a table over every combination of
the domains below (tests/launch/test_rollout_decide.py). The handler (``index.py``) observes,
asks :func:`decide`, and acts.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Final

MAX_RETRIES: Final = 3
"""Refreshes started again for one image after the first did not bring the group onto it."""
FIRST_BACKOFF_SECONDS: Final = 15 * 60
"""The wait before the first retry; it doubles for each further retry (15, 30, 60 minutes)."""


class Desired(enum.Enum):
    """The image the parameter names now, compared with what the group runs and launches."""

    SAME = "same"
    """Every instance, and the group's launch template, already has the desired image."""
    NEWER = "newer"
    """The group is behind: the desired image was created after what it runs."""
    OLDER = "older"
    """The group is ahead: the parameter was written back to an earlier image (rollback, revoke)."""


class InFlight(enum.Enum):
    """The group's unfinished instance refresh, if any."""

    NONE = "none"
    TO_DESIRED = "to desired"
    TO_OTHER = "to other"
    """A refresh the function started to an image the parameter no longer names (superseded, or revoked)."""
    FOREIGN = "foreign"
    """A refresh to another image that the function did not start (an operator's, a pipeline's): never
    cancelled; the function waits for it to end and reports the group as not converged meanwhile."""


class Outcome(enum.Enum):
    """How the last refresh this function started for the desired image ended."""

    NONE = "none"
    SUCCESSFUL = "Successful"
    FAILED = "Failed"
    CANCELLED = "Cancelled"
    ROLLBACK_SUCCESSFUL = "RollbackSuccessful"
    ROLLBACK_FAILED = "RollbackFailed"
    RETRIES_EXHAUSTED = "retries exhausted"


class Action(enum.Enum):
    """What the function does."""

    DONE = "done"
    """The group runs the desired image; nothing to do."""
    WAIT = "wait"
    """A refresh to the desired image is under way, or a retry is not due yet."""
    START = "start"
    """Start the first refresh to the desired image."""
    RETRY = "retry"
    """Start another refresh to the desired image; the retry count goes up."""
    REPLACE = "replace"
    """Cancel the refresh to another image; a later run (the Cancelled event or the schedule)
    starts the one to the desired image once Auto Scaling has stopped it."""
    STUCK = "stuck"
    """Behind with every retry spent: counted in the metric, so the alarm fires; a person decides."""
    PINNED = "pinned"
    """The group's launch template reads the parameter at a label or version: the pin wins over the
    rollout tag, nothing is touched, and the group counts as converged on what it was pinned to."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Observed:
    """One group as the function saw it."""

    desired: Desired
    in_flight: InFlight
    last: Outcome
    retry_due: bool
    """Whether the back-off after the last attempt has elapsed (meaningless without one)."""
    pinned: bool = False
    """Whether the group's launch template reads ``resolve:ssm:<parameter>:<label or version>``."""


def decide(observed: Observed) -> Action:
    """The action for one group. Never :attr:`Action.DONE` while the group is behind or ahead
    with nothing in flight: every such state starts, retries, waits out a back-off or is stuck.
    A pinned group is left alone whatever else holds; a refresh the function did not start is
    waited for, never cancelled."""
    if observed.pinned:
        return Action.PINNED
    if observed.in_flight is InFlight.TO_OTHER:
        return Action.REPLACE
    if observed.in_flight in (InFlight.TO_DESIRED, InFlight.FOREIGN):
        return Action.WAIT
    if observed.desired is Desired.SAME:
        return Action.DONE
    if observed.last is Outcome.NONE:
        return Action.START
    if observed.last is Outcome.RETRIES_EXHAUSTED:
        return Action.STUCK
    # Failed, cancelled, rolled back, or even successful and still not there (a scale-out from
    # an older template meanwhile): try again, backing off.
    return Action.RETRY if observed.retry_due else Action.WAIT


def backoff_seconds(attempts: int) -> int:
    """Seconds to wait after ``attempts`` refreshes for one image before the next: 15 minutes,
    doubling."""
    return int(FIRST_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0))


def converged(action: Action) -> bool:
    """Whether a group with this action counts as on its desired image (the metric's complement)."""
    return action in (Action.DONE, Action.PINNED)
