"""The package's layers (pyproject.toml, [tool.importlinter]): imports flow one way through an
AMI's life, with no exceptions listed. A probe that imports upward must break the contract, so the
contract is known to bite."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )


def test_contract_lists_no_ignored_imports() -> None:
    assert "ignore_imports" not in (ROOT / "pyproject.toml").read_text()


def test_imports_flow_down_the_layers() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "1 kept, 0 broken" in result.stdout


def test_an_upward_import_breaks_the_contract(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "constructs_lib", tmp_path / "constructs_lib", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    # The bake stage reaching up to launch: exactly what the layers forbid.
    (tmp_path / "constructs_lib" / "bake" / "probe.py").write_text("from ..launch import fleet  # noqa: F401\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "constructs_lib.bake.probe -> constructs_lib.launch.fleet" in result.stdout


def test_no_module_is_over_400_lines() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in (ROOT / "constructs_lib").rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert long == {}, "split these modules (STYLE.md: a module past ~300 lines is usually two)"
