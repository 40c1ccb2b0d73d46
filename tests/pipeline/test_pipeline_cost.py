"""A pipeline's builds a month and steady-state snapshot cost, as pure functions."""

from __future__ import annotations

import pytest

from constructs_lib import Lifecycle, LifecycleAction, LifecycleRule, RegionTarget, Schedule, StartCondition
from constructs_lib.bake.schedule import builds_per_month
from constructs_lib.pipeline._cost import pipeline_builds_per_month, steady_state_cost

KEY = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
DAILY = Schedule(expression="cron(0 4 * * ? *)")


def test_on_demand_builds_once_a_month() -> None:
    assert pipeline_builds_per_month(None, None, None) == 1.0


def test_a_schedule_builds_as_often_as_its_cron_matches() -> None:
    assert pipeline_builds_per_month(DAILY, StartCondition.ON_SCHEDULE, 2.0) == builds_per_month(DAILY.expression)


def test_a_layer_waiting_for_its_parent_builds_at_most_as_often_as_the_parent() -> None:
    assert pipeline_builds_per_month(DAILY, StartCondition.ON_DEPENDENCY_UPDATE, 2.0) == 2.0
    assert pipeline_builds_per_month(DAILY, StartCondition.ON_DEPENDENCY_UPDATE, None) == builds_per_month(
        DAILY.expression
    )


def test_cost_counts_a_copy_per_region_and_per_account_copied_into() -> None:
    targets = (
        RegionTarget(region="eu-west-1"),
        RegionTarget(region="us-east-1", kms_key_arn=KEY, target_accounts=("222222222222",)),
    )
    estimate = steady_state_cost(
        image="web",
        lifecycle=Lifecycle.keep_last(5),
        builds_per_month=4.0,
        targets=targets,
        volume_gib=50,
        price_per_gb_month=0.05,
    )
    assert estimate is not None
    assert (estimate.copies, estimate.versions_kept, estimate.stored_gib, estimate.monthly_usd) == (3, 5, 750, 37.5)


@pytest.mark.parametrize(
    "lifecycle",
    [None, Lifecycle(rules=(LifecycleRule(action=LifecycleAction.DEPRECATE, age=90),))],
    ids=["none", "deprecate-only"],
)
def test_no_cost_bound_when_nothing_deletes_the_amis(lifecycle: Lifecycle | None) -> None:
    cost = steady_state_cost(
        image="web",
        lifecycle=lifecycle,
        builds_per_month=4.0,
        targets=(RegionTarget(region="eu-west-1"),),
        volume_gib=50,
        price_per_gb_month=0.05,
    )
    assert cost is None
