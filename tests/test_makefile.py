"""The Makefile's promises that a dry run can show without running the CDK CLI."""

from __future__ import annotations

import subprocess

from tests.conftest import ROOT


def dry_run(*goals: str) -> list[str]:
    result = subprocess.run(
        ["make", "--dry-run", "--always-make", *goals],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.splitlines()


def test_synth_keeps_the_last_good_cdk_out_until_the_new_one_passes_its_checks() -> None:
    lines = dry_run("synth")
    start = next(i for i, line in enumerate(lines) if "rm -rf cdk.out.next" in line)
    lines = lines[start:]
    synth = next(i for i, line in enumerate(lines) if " synth " in line)
    lint = next(i for i, line in enumerate(lines) if "cfn-lint" in line)
    checkov = next(i for i, line in enumerate(lines) if "checkov -d" in line)
    preflight = next(i for i, line in enumerate(lines) if "constructs_lib.checks.preflight" in line)
    swap = next(i for i, line in enumerate(lines) if "rm -rf cdk.out && mv cdk.out.next cdk.out" in line)
    assert "--output cdk.out.next" in lines[synth]
    assert "cdk.out.next" in lines[lint] and "cdk.out.next" in lines[checkov] and "cdk.out.next" in lines[preflight]
    assert synth < lint < checkov < preflight < swap
    assert not any("rm -rf cdk.out" in line and "cdk.out.next" not in line for line in lines[:swap])
