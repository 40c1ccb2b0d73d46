"""The Makefile's promises that a dry run can show without running the CDK CLI."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

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


def _pins(path: Path) -> dict[str, str]:
    """``name==version`` pins of a requirements or lock file (``-r`` includes followed), names normalized."""
    pins: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip().rstrip("\\").strip()
        if line.startswith("-r "):
            pins |= _pins(path.parent / line[3:].strip())
        elif "==" in line:
            name, version = line.split(";", 1)[0].split("==", 1)
            pins[re.sub(r"[-_.]+", "-", name.split("[", 1)[0]).lower()] = version.strip()
    return pins


@pytest.mark.parametrize("name", ["requirements", "requirements-checkov", "requirements-bench"])
def test_each_lock_file_holds_its_requirements_pins_with_hashes(name: str) -> None:
    """The environments install from the lock files only: a pin edited in a requirements file
    without `make lock` would never reach them."""
    wanted, locked = _pins(ROOT / f"{name}.txt"), _pins(ROOT / f"{name}.lock")
    stale = {n: (v, locked.get(n)) for n, v in wanted.items() if locked.get(n) != v}
    assert not stale, f"{name}.lock disagrees with {name}.txt (wanted, locked): {stale}; run make lock"
    text = (ROOT / f"{name}.lock").read_text(encoding="utf-8")
    assert "#    make lock\n" in text
    for block in re.split(r"\n(?=[a-z0-9])", text.split("\n", 2)[2]):
        assert "--hash=sha256:" in block, f"{name}.lock: no hash for {block.splitlines()[0]}"


def test_uv_bootstraps_from_its_own_hash_checked_lock() -> None:
    assert _pins(ROOT / "requirements-uv.lock") == {"uv": _pins(ROOT / "requirements.txt")["uv"]}
    assert "--require-hashes -r requirements-uv.lock" in (ROOT / "Makefile").read_text(encoding="utf-8")


def test_the_environment_is_installed_with_bytecode_so_no_import_compiles_aws_cdk_lib() -> None:
    """Where PYTHONDONTWRITEBYTECODE is set, a package installed without bytecode is compiled from
    source at every import (aws-cdk-lib's modules: seconds a synth). make installs with
    UV_COMPILE_BYTECODE; this venv must have been made so."""
    import importlib.util

    import aws_cdk
    import aws_cdk.aws_iam

    for module in (aws_cdk, aws_cdk.aws_iam):
        source = module.__file__
        assert source is not None
        assert Path(importlib.util.cache_from_source(source)).exists(), f"no bytecode for {source}: rerun make"
    printed = "\n".join(dry_run(".venv/.installed"))
    assert "uv pip install" in printed
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^export UV_COMPILE_BYTECODE := 1$", makefile, re.M)
    assert re.search(r"^export PYTHONDONTWRITEBYTECODE :=$", makefile, re.M)  # empty: Python writes bytecode
