"""The reconciler's decision as a table over every combination of what it observes.

Each row below names an expected action for a set of cells (``ANY`` stands for every value of a
domain). The first test expands the rows and fails on any cell that no row or two rows cover, so
a new domain value cannot slip through without a decision; the second compares every cell with
:func:`decide`.
"""

from __future__ import annotations

import itertools
from typing import Final

from hypothesis import given
from hypothesis import strategies as st

from constructs_lib.launch.rollout_function.decide import (
    FIRST_BACKOFF_SECONDS,
    MAX_RETRIES,
    Action,
    Desired,
    InFlight,
    Observed,
    Outcome,
    backoff_seconds,
    converged,
    decide,
)

ANY: Final = None
SAME, NEWER, OLDER = Desired.SAME, Desired.NEWER, Desired.OLDER
NONE, TO_DESIRED, TO_OTHER, FOREIGN = InFlight.NONE, InFlight.TO_DESIRED, InFlight.TO_OTHER, InFlight.FOREIGN
RETRYABLE: Final = (
    Outcome.SUCCESSFUL,
    Outcome.FAILED,
    Outcome.CANCELLED,
    Outcome.ROLLBACK_SUCCESSFUL,
    Outcome.ROLLBACK_FAILED,
)

# (pinned, desired vs running, in flight, last outcome, retry due) -> action
TABLE: Final[list[tuple[object, object, object, object, object, Action]]] = [
    # A launch template pinned to a label or version: the pin wins over the rollout tag, always.
    (True, ANY, ANY, ANY, ANY, Action.PINNED),
    # A refresh the function started to an image the parameter no longer names: cancel it.
    (False, ANY, TO_OTHER, ANY, ANY, Action.REPLACE),
    # A refresh someone else started to another image: never cancelled, waited for.
    (False, ANY, FOREIGN, ANY, ANY, Action.WAIT),
    # A refresh to the desired image: let it finish.
    (False, ANY, TO_DESIRED, ANY, ANY, Action.WAIT),
    # On the image, nothing in flight.
    (False, SAME, NONE, ANY, ANY, Action.DONE),
    # Behind (newer image) or ahead (rolled back / revoked), nothing in flight:
    *[(False, d, NONE, Outcome.NONE, ANY, Action.START) for d in (NEWER, OLDER)],
    *[(False, d, NONE, o, True, Action.RETRY) for d in (NEWER, OLDER) for o in RETRYABLE],
    *[(False, d, NONE, o, False, Action.WAIT) for d in (NEWER, OLDER) for o in RETRYABLE],
    *[(False, d, NONE, Outcome.RETRIES_EXHAUSTED, ANY, Action.STUCK) for d in (NEWER, OLDER)],
]

CELLS: Final = list(itertools.product((True, False), Desired, InFlight, Outcome, (True, False)))


def matches(row: tuple[object, ...], cell: tuple[object, ...]) -> bool:
    return all(want is ANY or want == got for want, got in zip(row[:5], cell, strict=True))


def expected(cell: tuple[bool, Desired, InFlight, Outcome, bool]) -> Action:
    (row,) = [row for row in TABLE if matches(row, cell)]
    return row[5]  # type: ignore[return-value]


def test_every_cell_has_exactly_one_expected_action() -> None:
    assert len(CELLS) == 2 * 3 * 4 * 7 * 2
    uncovered = [cell for cell in CELLS if not any(matches(row, cell) for row in TABLE)]
    twice = [cell for cell in CELLS if sum(matches(row, cell) for row in TABLE) > 1]
    assert uncovered == [], f"cells without an expected action: {uncovered}"
    assert twice == [], f"cells with two expected actions: {twice}"


def test_decide_answers_the_table_in_every_cell() -> None:
    wrong = []
    for cell in CELLS:
        pinned, desired, in_flight, last, due = cell
        got = decide(Observed(desired=desired, in_flight=in_flight, last=last, retry_due=due, pinned=pinned))
        if got is not expected(cell):
            wrong.append((cell, got, expected(cell)))
    assert wrong == []


observations = st.builds(
    Observed,
    desired=st.sampled_from(Desired),
    in_flight=st.sampled_from(InFlight),
    last=st.sampled_from(Outcome),
    retry_due=st.booleans(),
    pinned=st.booleans(),
)


@given(observations)
def test_never_done_while_behind_with_nothing_in_flight(observed: Observed) -> None:
    action = decide(observed)
    if observed.pinned:
        assert action is Action.PINNED and converged(action)
        return
    if observed.desired is not Desired.SAME and observed.in_flight is InFlight.NONE:
        assert action is not Action.DONE
        assert action in (Action.START, Action.RETRY, Action.WAIT, Action.STUCK)
        assert not converged(action)
    if action is Action.DONE:
        assert observed.desired is Desired.SAME and observed.in_flight is InFlight.NONE


@given(observations)
def test_a_refresh_to_another_image_is_always_replaced(observed: Observed) -> None:
    replaced = observed.in_flight is InFlight.TO_OTHER and not observed.pinned
    assert (decide(observed) is Action.REPLACE) == replaced


@given(observations)
def test_a_refresh_the_function_did_not_start_is_never_cancelled(observed: Observed) -> None:
    if observed.in_flight is InFlight.FOREIGN:
        assert decide(observed) is not Action.REPLACE


def test_backoff_starts_at_15_minutes_and_doubles_for_at_most_3_retries() -> None:
    assert MAX_RETRIES == 3
    assert [backoff_seconds(n) for n in (1, 2, 3)] == [FIRST_BACKOFF_SECONDS, 2 * 900, 4 * 900]
    assert FIRST_BACKOFF_SECONDS == 15 * 60
