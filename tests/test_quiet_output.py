"""What `make synth` prints for the sample factory: one warning per cause and no stack-trace line
(the context the Makefile and cdk.json give, synthesized in process)."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
import pytest

import app as factory_app
from constructs_lib._core.warning_ids import PREFLIGHT_REPORTS
from constructs_lib.checks.preflight import preflight
from tests.conftest import CONTEXT, DEFAULT_FACTORY


def warnings(app: cdk.App) -> list[cdk.cx_api.MetadataEntryResult]:
    assembly = app.synth()
    return [entry for stack in assembly.stacks for entry in stack.find_metadata_by_type("aws:cdk:warning")]


@pytest.fixture(scope="module")
def as_make_synth(tmp_path_factory: pytest.TempPathFactory) -> cdk.App:
    app = cdk.App(
        context={
            **CONTEXT,
            PREFLIGHT_REPORTS: "true",  # the Makefile's CDK_FLAGS
            "golden-ami:versionLockFrozen": "true",
            "factory": str(DEFAULT_FACTORY),
        },
        outdir=str(tmp_path_factory.mktemp("out")),
    )
    factory_app.build(app)
    return app


def test_one_default_vpc_warning_per_build_infrastructure(as_make_synth: cdk.App) -> None:
    found = warnings(as_make_synth)
    assert not [w for w in found if "default VPC" in str(w.data)]  # the construct leaves it to the preflight
    infrastructures = [
        r
        for s in as_make_synth.synth().stacks
        for r in s.template["Resources"].values()
        if r["Type"] == "AWS::ImageBuilder::InfrastructureConfiguration"
    ]
    vpc = [f for f in preflight(Path(as_make_synth.synth().directory)) if f.rule == "GA-P009"]
    assert len(vpc) == len(infrastructures) == 3


def test_without_the_preflight_the_construct_warns_and_no_warning_carries_a_stack_trace(
    default_assembly: cdk.cx_api.CloudAssembly,
) -> None:
    found = [
        entry
        for stack in default_assembly.stacks
        for entry in stack.find_metadata_by_type("aws:cdk:warning")
        if "default VPC" in str(entry.data)
    ]
    assert len(found) == 3
    assert CONTEXT["aws:cdk:disable-stack-trace"] is True  # cdk.json: no program.js line above a warning
    assert not [w for w in found if w.trace]
