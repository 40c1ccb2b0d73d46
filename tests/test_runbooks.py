"""Every step of the README's runbooks names a test, and that test exists."""

from __future__ import annotations

import ast
import re

import pytest

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()
RUNBOOKS = ("Runbook: roll back to a previous image", "Runbook: revoke a bad image", "Runbook: alarm fired")


def runbook(title: str) -> str:
    start = README.index(f"### {title}")
    end = README.find("\n## ", start)
    following = README.find("\n### ", start + 1)
    return README[start : min(e for e in (end, following) if e != -1)]


def steps(text: str) -> list[str]:
    return re.split(r"\n(?=\d+\. )", text.split("\n1. ", 1)[1])


@pytest.mark.parametrize("title", RUNBOOKS)
def test_every_step_names_an_existing_test(title: str) -> None:
    found = steps(runbook(title))
    assert len(found) >= 5
    for step in found:
        named = re.findall(r"`(tests/[\w/]+\.py)::(test_\w+)`", step)
        if step.startswith(("5. If the image itself is bad",)):
            continue  # points at the revoke runbook, whose steps are tested
        assert named, f"{title}: step without a test: {step[:60]!r}"
        for path, name in named:
            tree = ast.parse((ROOT / path).read_text())
            functions = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
            assert name in functions, f"{title}: {path}::{name} does not exist"
