from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_kms as kms

from constructs_lib import (
    SNAPSHOT_PRICE_PER_GB_MONTH,
    DataVolume,
    Lifecycle,
    RegionTarget,
    RootVolume,
    Schedule,
    VersionLock,
    estimate_snapshot_cost,
    total_monthly_usd,
)
from constructs_lib.bake.schedule import builds_per_month
from tests.conftest import make_pipeline

KEY = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_hand_computed_example() -> None:
    # 30 GiB root + 20 GiB data = 50 GiB; home region + us-east-1 + one account copy there = 3
    # copies; 5 versions kept: 50 * 3 * 5 = 750 GiB at $0.05 = $37.50 a month.
    estimate = estimate_snapshot_cost(image="web", volume_gib=50, copies=3, versions_kept=5)
    assert (estimate.stored_gib, estimate.monthly_usd) == (750, 37.5)
    assert SNAPSHOT_PRICE_PER_GB_MONTH == 0.05


def test_hand_computed_expected_figure_beside_the_upper_bound() -> None:
    # 6 GiB written of the 50; 3 places; 5 versions, each counted in full in each place (a new
    # volume per build, a full copy per region): 6 * 3 * 5 = 90 GiB at $0.05 = $4.50 a month.
    estimate = estimate_snapshot_cost(image="web", volume_gib=50, copies=3, versions_kept=5, used_gib=6)
    assert (estimate.expected_gib, estimate.expected_monthly_usd) == (90, 4.5)
    assert (estimate.stored_gib, estimate.monthly_usd) == (750, 37.5)
    assert estimate.as_metadata()["ExpectedMonthlyUSD"] == 4.5
    plain = estimate_snapshot_cost(image="web", volume_gib=50, copies=3, versions_kept=5)
    assert (plain.expected_gib, plain.expected_monthly_usd) == (None, None)
    assert "ExpectedGiB" not in plain.as_metadata()


@pytest.mark.parametrize("used", [0, -1, 50.5])
def test_rejects_a_written_size_outside_the_volumes(used: float) -> None:
    with pytest.raises(ValueError, match=rf"used_gib: {used!r} is not a written size of volumes of 50 GiB"):
        estimate_snapshot_cost(image="web", volume_gib=50, copies=3, versions_kept=5, used_gib=used)


def test_pipeline_estimate_uses_its_volumes_regions_accounts_and_lifecycle(stack: cdk.Stack, lock: VersionLock) -> None:
    pipeline = make_pipeline(
        stack,
        lock,
        root_volume=RootVolume(size_gib=30),
        data_volumes=[DataVolume(device_name="/dev/xvdf", size_gib=20)],
        distributions=[RegionTarget(region="us-east-1", kms_key_arn=KEY, target_accounts=("222222222222",))],
        kms_key=kms.Alias.from_alias_name(stack, "HomeKey", "alias/golden-ami/distribution"),
        lifecycle=Lifecycle.keep_last(5),
    )
    estimate = pipeline.snapshot_cost()
    assert estimate is not None and (estimate.copies, estimate.monthly_usd) == (3, 37.5)
    assert estimate.expected_monthly_usd is None  # no expected_used_gib given
    assert pipeline.snapshot_cost(price_per_gb_month=0.1).monthly_usd == 75.0  # type: ignore[union-attr]


def test_no_lifecycle_means_no_bound(stack: cdk.Stack, lock: VersionLock) -> None:
    pipeline = make_pipeline(stack, lock, lifecycle=None)
    assert pipeline.snapshot_cost() is None
    assert pipeline.lifecycle is None


@pytest.mark.parametrize("price", [0, -0.05])
def test_rejects_a_zero_or_negative_price(price: float) -> None:
    with pytest.raises(
        ValueError, match=rf"price_per_gb_month: {price!r} is not a price; give USD per GB-month above zero"
    ):
        estimate_snapshot_cost(image="web", volume_gib=10, copies=1, versions_kept=1, price_per_gb_month=price)


def test_total_adds_images() -> None:
    a = estimate_snapshot_cost(image="a", volume_gib=10, copies=1, versions_kept=1)
    b = estimate_snapshot_cost(image="b", volume_gib=20, copies=2, versions_kept=3)
    assert total_monthly_usd([a, b]) == 0.5 + 6.0


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("cron(0 4 ? * SUN *)", 30.4 / 7),
        ("cron(0 4 * * ? *)", 30.4),
        ("cron(0 4 1 * ? *)", 1.0),
        ("cron(0 4,16 ? * MON,THU *)", 4 * 30.4 / 7),
    ],
)
def test_builds_per_month_from_cron(expression: str, expected: float) -> None:
    Schedule(expression=expression)
    assert builds_per_month(expression) == pytest.approx(expected)


def test_default_pipeline_carries_its_estimate_in_metadata(default_templates: dict) -> None:
    (pipeline,) = [
        r
        for r in default_templates["GoldenAmiFactory"]["Resources"].values()
        if r["Type"] == "AWS::ImageBuilder::ImagePipeline" and r["Properties"]["Name"] == "web-server"
    ]
    cost = pipeline["Metadata"]["GoldenAmi::SnapshotCost"]
    # 30 + 20 GiB; 3 regions, each copied into 1 destination account: 6 copies;
    # builds follow the weekly base, kept 180 days: ceil(180 * 4.343 / 30) = 27 versions. 50 * 27 * 6 = 8100 GiB.
    # factory.yaml gives its written size, 6 GiB: 6 * 27 * 6 = 972 GiB, $48.60 expected.
    assert cost == {
        "VersionsKept": 27,
        "StoredGiB": 8100,
        "MonthlyUSD": 405.0,
        "ExpectedGiB": 972.0,
        "ExpectedMonthlyUSD": 48.6,
    }


@pytest.mark.parametrize("field", ["volume_gib", "copies", "versions_kept"])
def test_rejects_counts_below_one(field: str) -> None:
    values = {"volume_gib": 10, "copies": 1, "versions_kept": 1, field: 0}
    with pytest.raises(ValueError, match=rf"{field}: 0 must be at least 1"):
        estimate_snapshot_cost(image="web", **values)
