"""Every Python example in the README runs, so the documentation cannot rot.

The README reads top to bottom: a block may use names an earlier block defined (``stack``,
``web``), so each block runs after the blocks before it, in one namespace."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)


def test_readme_has_examples() -> None:
    assert len(BLOCKS) >= 5


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_example_runs(code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    # A block may set NODE_OPTIONS (Synthesis speed): undone after the test, with what was there before.
    monkeypatch.delenv("NODE_OPTIONS", raising=False)
    namespace: dict[str, object] = {"LOCK_FILE": tmp_path / "lock.json"}
    for earlier in BLOCKS[: BLOCKS.index(code)]:
        exec(compile(earlier, "README.md", "exec"), namespace)
    exec(compile(code, "README.md", "exec"), namespace)


def test_readme_source_paths_exist() -> None:
    # The README points readers at source files and folders; after a move they must still exist.
    paths = set(
        re.findall(
            r"`((?:constructs_lib|tests|scripts|examples|components)/[\w./-]*)`", (ROOT / "README.md").read_text()
        )
    )
    assert paths, "the README names no source path"
    assert sorted(p for p in paths if not (ROOT / p).exists()) == []
