"""The README's feature table against aws-imagebuilder-alpha: every capability this library claims
links to the test or example that shows it, and every link resolves."""

from __future__ import annotations

import re

from tests.conftest import ROOT
from tests.test_examples import EXAMPLES

README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README.split("## Compared with aws-imagebuilder-alpha", 1)[1].split("\n## ", 1)[0]
ROWS = [line for line in SECTION.splitlines() if line.startswith("| ") and not line.startswith("| ---")][1:]
LINK = re.compile(r"\[([^\]]+)\]\(([^)#\s]+)\)")


def _ours(row: str) -> str:
    return row.strip("| ").split(" | ")[2]


def test_the_table_has_rows_and_each_claim_links_to_its_proof() -> None:
    assert len(ROWS) >= 15
    for row in ROWS:
        ours = _ours(row)
        if ours != "no":
            assert LINK.search(ours), f"a claim without a link: {row}"


def test_every_link_resolves_and_every_named_test_exists() -> None:
    links = [match.groups() for row in ROWS for match in LINK.finditer(_ours(row))]
    assert links
    broken = []
    for text, target in links:
        path = ROOT / target
        if not path.is_file():
            broken.append(f"{target}: no such file")
        elif text.startswith("test_") and not re.search(rf"^def {re.escape(text)}\(", path.read_text(), re.M):
            broken.append(f"{target}: no test named {text}")
        elif not text.startswith("test_") and text != target:
            broken.append(f"{target}: the link text should be the test's name or the example's path")
    assert broken == []


def test_examples_linked_are_ones_the_suite_synthesizes() -> None:
    examples = {target for row in ROWS for _, target in LINK.findall(_ours(row)) if target.startswith("examples/")}
    assert examples
    assert examples <= {str(path.relative_to(ROOT)) for path in EXAMPLES}
