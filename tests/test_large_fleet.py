"""The large fleet (examples/large-fleet.yaml): 50 images in 17 regions stay within
CloudFormation's limits, pass cfn-lint, checkov and the four cdk-nag packs."""

from __future__ import annotations

import json

import aws_cdk as cdk
import pytest

from tests.conftest import ROOT
from tests.test_examples import check_checkov, check_limits, check_lint, check_preflight, check_trusts, synth_example


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> cdk.cx_api.CloudAssembly:
    return synth_example("large-fleet", tmp_path_factory.mktemp("large-fleet"))


def test_large_fleet_passes_cfn_lint(large: cdk.cx_api.CloudAssembly) -> None:
    check_lint(large)


def test_large_fleet_passes_checkov(large: cdk.cx_api.CloudAssembly) -> None:
    check_checkov(large)


def test_large_fleet_trust_policies_carry_their_documented_conditions(large: cdk.cx_api.CloudAssembly) -> None:
    check_trusts(large)


def test_large_fleet_passes_the_preflight(large: cdk.cx_api.CloudAssembly) -> None:
    check_preflight(large)


def test_large_fleet_stays_within_cloudformation_limits(large: cdk.cx_api.CloudAssembly) -> None:
    check_limits(large)
    factory_stacks = [s for s in large.stacks if s.stack_name.startswith("GoldenAmiFactory")]
    assert len(factory_stacks) >= 3


def test_large_fleet_has_50_images_in_17_regions_over_several_stacks() -> None:
    from constructs_lib.factory.loader import load_factory

    model = load_factory(ROOT / "examples" / "large-fleet.yaml")
    assert len(model.images) == 50 and len(model.all_regions) == 17
    lock = json.loads((ROOT / "examples" / "large-fleet.lock.json").read_text())
    stacks = {entry["stack"] for entry in lock["stacks"].values()}
    assert len(stacks) >= 3, "the fleet is split over several factory stacks"
    for index in stacks:
        assert sum(e["pipelines"] for e in lock["stacks"].values() if e["stack"] == index) <= 20
