"""``make bootstrap``: one command per account and region of the assembly, ``--trust`` only in
accounts other than the factory's, each account's deploy policies; ``--run`` runs the caller's.
The multi-account example is checked where it is synthesized already (tests/test_examples.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from constructs_lib.factory import bootstrap as bs
from tests.factory.test_deploy_policies import assembly

KEY = {"Resources": {"K": {"Type": "AWS::KMS::Key"}}}


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return assembly(
        tmp_path,
        {
            "GoldenAmiFactory": ("aws://210987654321/eu-west-1", KEY),
            "GoldenAmiKeys-us-east-1": ("aws://210987654321/us-east-1", KEY),
            "GoldenAmiDestination-210987654322": ("aws://210987654322/eu-west-1", KEY),
        },
    )


def test_one_command_per_account_and_region_the_factory_first_trust_only_elsewhere(out: Path) -> None:
    assert [b.command() for b in bs.bootstraps(out)] == [
        "node_modules/.bin/cdk bootstrap aws://210987654321/eu-west-1 --cloudformation-execution-policies "
        "arn:aws:iam::210987654321:policy/GoldenAmiDeploy",
        "node_modules/.bin/cdk bootstrap aws://210987654321/us-east-1 --cloudformation-execution-policies "
        "arn:aws:iam::210987654321:policy/GoldenAmiDeploy",
        "node_modules/.bin/cdk bootstrap aws://210987654322/eu-west-1 --trust 210987654321 "
        "--cloudformation-execution-policies arn:aws:iam::210987654322:policy/GoldenAmiDestinationDeploy",
    ]


def test_run_bootstraps_the_callers_account_and_prints_the_others(
    out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ran: list[list[str]] = []
    status = bs.main([str(out), "--run"], caller=lambda: "210987654321", run=lambda argv: ran.append(argv) or 0)
    assert status == 0
    assert [argv[2] for argv in ran] == ["aws://210987654321/eu-west-1", "aws://210987654321/us-east-1"]
    assert (
        capsys.readouterr()
        .out.splitlines()[-1]
        .startswith(
            "with credentials of 210987654322: node_modules/.bin/cdk bootstrap aws://210987654322/eu-west-1 --trust"
        )
    )


def test_run_with_credentials_of_an_account_without_stacks_runs_nothing(out: Path) -> None:
    assert bs.main([str(out), "--run"], caller=lambda: "210987654399", run=lambda argv: 1 / 0) == 1
