"""make bench's fixed points: the floor and the alpha script are frozen (a target measured against
a script that changes means nothing), and the curve's figures come from a correct fit and plot."""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path

import pytest

from tests.conftest import ROOT

# Frozen on 2026-12-02 (issue 18): editing either script changes what every ratio is measured against.
FROZEN = {
    "empty_app.py": "f0533838d6a6fdbeeb135054d2d8896fb2f27d94c1b8114aaf806ca20a69fe12",
    "alpha_three_regions.py": "9af5c3f0c407abaaff38f011632bba09b7f3aa5331efaaeb9353f3d8bf187ec1",
}


def test_the_floor_and_the_alpha_script_are_frozen() -> None:
    for name, digest in FROZEN.items():
        assert hashlib.sha256((ROOT / "bench" / name).read_bytes()).hexdigest() == digest, f"bench/{name} changed"


def _bench_functions() -> dict[str, object]:
    """slope and svg_plot from scripts/bench.py, without importing psutil (only the bench venv has it)."""
    tree = ast.parse((ROOT / "scripts" / "bench.py").read_text())
    wanted = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in {"slope", "svg_plot"}]
    wanted += [n for n in tree.body if isinstance(n, ast.Assign) and ast.unparse(n.targets[0]) == "CURVE_COLOURS"]
    namespace: dict[str, object] = {}
    exec(compile(ast.Module(body=wanted, type_ignores=[]), "scripts/bench.py", "exec"), namespace)
    return namespace


def test_slope_is_the_least_squares_fit() -> None:
    slope = _bench_functions()["slope"]
    assert slope([(1, 3.0), (10, 3.9), (100, 12.9)]) == pytest.approx(0.1)  # type: ignore[operator]
    assert round(slope([(0, 0.0), (1, 1.0), (2, 4.0)]), 6) == 2.0  # type: ignore[operator]


def test_the_plot_draws_one_line_per_library_and_region_count_in_both_panels(tmp_path: Path) -> None:
    svg_plot = _bench_functions()["svg_plot"]
    series = {
        (w, r): [(1, 3.0, 500.0), (200, 20.0 if w == "ours" else 14.0, 600.0)]
        for w in ("ours", "alpha")
        for r in (3, 17)
    }
    svg = svg_plot(series)  # type: ignore[operator]
    assert svg.count("<polyline") == 8
    assert "ours, 17 regions" in svg and "alpha, 3 regions" in svg
    assert "seconds against pipelines" in svg and "peak MiB against pipelines" in svg
