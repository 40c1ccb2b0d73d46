"""FastLaunch: EC2 Fast Launch of one region, checked against EC2's and Image Builder's limits."""

from __future__ import annotations

import pytest

from constructs_lib import FastLaunch, RegionTarget


def test_defaults_are_six_parallel_launches_five_snapshots_and_the_default_vpc() -> None:
    given = FastLaunch()
    assert (given.max_parallel_launches, given.snapshots) == (6, 5)
    assert given.launch_template_id is None and given.subnet_id is None and given.account is None
    assert RegionTarget(region="eu-west-1").fast_launch is None


def test_all_arguments() -> None:
    given = FastLaunch(
        max_parallel_launches=10,
        snapshots=10000,
        launch_template_id="lt-0123456789abcdef0",
        launch_template_version="3",
        account="111111111111",
    )
    target = RegionTarget(region="us-east-1", fast_launch=given)
    assert target.fast_launch == given
    assert FastLaunch(launch_template_name="prep", launch_template_version="1").launch_template_name == "prep"
    assert FastLaunch(subnet_id="subnet-0123456789abcdef0").subnet_id == "subnet-0123456789abcdef0"


@pytest.mark.parametrize("value", [5, 0, True, 6.5])
def test_rejects_parallel_launches_below_six(value: object) -> None:
    with pytest.raises(ValueError, match=r"fast_launch.max_parallel_launches: .* use 6 or more"):
        FastLaunch(max_parallel_launches=value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [0, 10001])
def test_rejects_snapshot_counts_outside_one_to_ten_thousand(value: int) -> None:
    with pytest.raises(ValueError, match=r"fast_launch.snapshots: .* use 1 to 10000"):
        FastLaunch(snapshots=value)


def test_rejects_a_template_by_id_and_by_name() -> None:
    with pytest.raises(ValueError, match="give one of launch_template_id, launch_template_name or subnet_id"):
        FastLaunch(launch_template_id="lt-0123456789abcdef0", launch_template_name="prep", launch_template_version="1")


def test_rejects_a_template_without_its_version() -> None:
    with pytest.raises(ValueError, match="EnableFastLaunch requires the template's version"):
        FastLaunch(launch_template_id="lt-0123456789abcdef0")


def test_rejects_a_malformed_template_id() -> None:
    with pytest.raises(ValueError, match="'lt-123' is not a launch template ID"):
        FastLaunch(launch_template_id="lt-123", launch_template_version="1")


def test_rejects_a_malformed_subnet() -> None:
    with pytest.raises(ValueError, match="'vpc-1' is not a subnet ID"):
        FastLaunch(subnet_id="vpc-1")


def test_rejects_a_version_with_a_subnet() -> None:
    with pytest.raises(ValueError, match="the pipeline makes the template for subnet_id"):
        FastLaunch(subnet_id="subnet-0123456789abcdef0", launch_template_version="1")


def test_rejects_a_malformed_account() -> None:
    with pytest.raises(ValueError, match=r"fast_launch\.account: '1234' is not an AWS account ID"):
        FastLaunch(account="1234")
