"""make bench: synthesis cost of this library against the floor and against aws-cdk's alpha module.

Each case is a whole process (python + the jsii node process it starts), timed wall clock and
sampled for the peak resident memory of the process tree every 50 ms. Cases alternate, round
after round, and the table reports medians. BENCHMARKS.md is rewritten with the results and the
machine they ran on; the last line printed is the ratio line.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"


@dataclass(frozen=True)
class Case:
    key: str
    label: str
    argv: tuple[str, ...]


CASES = (
    Case("floor", "empty CDK app (the floor)", ("empty_app.py",)),
    Case("default", "default factory (factory.yaml, 4 nag packs)", ("factory_file.py", "factory.yaml")),
    Case(
        "large", "examples/large-fleet.yaml (50 images, 17 regions)", ("factory_file.py", "examples/large-fleet.yaml")
    ),
    Case("ours", "one pipeline, 3 regions: this library", ("ours_three_regions.py",)),
    Case("alpha", "one pipeline, 3 regions: aws-imagebuilder-alpha", ("alpha_three_regions.py",)),
)
TARGETS = {"default": 1.5, "large": 3.0}
# What profiling showed (cProfile of app.py in-process, and one case at a time with a pack or a
# feature switched off); kept here so that BENCHMARKS.md carries it whenever it is regenerated.
PROFILE = """\
Bytecode (2026-12-02, cProfile of the default factory's app.py): with PYTHONDONTWRITEBYTECODE set in
the environment, as on this machine and its CI, and packages installed without bytecode, every
process compiled aws-cdk-lib's sources on import: `compile` took 3.3 s of 9.3 s. make now installs
with UV_COMPILE_BYTECODE and lets its own Python processes write the project's bytecode. Whole
process, medians, same machine and hour: floor 3.21 -> 2.34 s, default factory 8.40 -> 4.96 s, large
fleet 14.75 -> 10.26 s, one pipeline 5.33 -> 3.30 s (alpha 5.39 -> 3.00 s); `make test` 293 -> 299 s
(unchanged: each worker imports once). The figures below the table of 2026-11-22 predate the
preflight, the platforms, import and capture, and workflows.

Where the time goes (cProfile of app.py, jsii messages counted, and runs with one part switched
off; 2026-11-22, this machine):

- The floor itself is python + node start (0.3 s), loading aws-cdk-lib through jsii (0.4 s)
  and the first synth of a process (about 2 s, aws-cdk-lib loading its synthesis machinery);
  every case pays it once.
- Default factory, above the floor (about 2.1 s): importing the factory file's model
  (pydantic), cdk-nag and the eleven aws-cdk-lib modules the stacks use (0.55 s); building nine
  stacks, about 1,000 jsii messages (0.7 s); a second, tiny synth that renders the StackSet's
  member template from the same construct (0.4 s); the four cdk-nag packs (0.3 s); the synth
  of nine stacks beyond an empty one (0.3 s).
- Large fleet, above the floor (about 5.5 s): building 50 pipelines in 17 regions, about 4,700
  jsii messages (2.3 s); synthesizing about 460 resources, 1.3 MB of templates (1.9 s); the
  GoldenAmi pack, called back by cdk-nag once per resource (0.4 s); the three cdk-nag packs in
  node (0.6 s).
- Every jsii message is JSON to the node process and back (0.4 to 0.7 ms); the cost is the
  number of messages, not Python. What remains is bound by aws-cdk-lib's own synthesis and by
  cdk-nag calling a pack back once per resource.

Fixed on the way (large fleet, before -> after): the GoldenAmi pack evaluated every rule
through cdk-nag callbacks, resolved each resource's properties through jsii and looked up
lifecycle policies per recipe (3.3 s -> 0.4 s: rules run in Python on the written template,
only findings go through cdk-nag); acknowledgements made one jsii call per
finding (991 -> 280 calls, batched per resource); `is_token` asked jsii about every string (now
only strings with a token marker); stack attributes were read per region; a family's pipelines
now share one build role, instance profile, log bucket and lifecycle role per stack (15 -> 9
resources a pipeline; factory stacks 650 -> 368 resources); constructs_lib loads its modules on
first use. Whole process (medians): large fleet 13.2 s -> 7.9-8.3 s, default 5.4 s -> 4.8-4.9 s;
the large fleet's ratio sits at the 3x line (2.99x and 3.04x in two runs), depending on the floor.
Both one-pipeline cases make the same 14 resources (the alpha script adds what this library
builds by default: the log bucket, the lifecycle policy, scanning, and the execution role that
Image Builder needs to write SSM output parameters); what separates them is within this
machine's run-to-run noise of 0.1 to 0.2 s.
"""
MEMORY_LIMIT_MB = 1024


class CaseFailed(Exception):
    """A case's process exited non-zero; the message is its standard error."""


def run(case: Case) -> tuple[float, float]:
    """Wall seconds and peak MiB of one run of ``case``; raises :class:`CaseFailed`."""
    with tempfile.TemporaryDirectory() as outdir:
        script, *rest = case.argv
        env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
        start = time.perf_counter()
        process = psutil.Popen(
            [sys.executable, str(BENCH / script), outdir, *rest],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        peak = 0
        while process.poll() is None:
            try:
                tree = [process, *process.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
            except psutil.Error:
                pass
            time.sleep(0.05)
        elapsed = time.perf_counter() - start
        if process.returncode != 0:
            raise CaseFailed(process.stderr.read().decode() if process.stderr else "")
    return elapsed, peak / 2**20


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False).stdout.strip()
    memory = psutil.virtual_memory().total / 2**30
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB; Linux {platform.release()}; "
        f"Python {platform.python_version()}, node {node}"
    )


def timed_make_test() -> tuple[float, bool]:
    """Seconds ``make test`` took and whether it passed."""
    start = time.perf_counter()
    result = subprocess.run(
        ["make", "test"], cwd=ROOT, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - start, result.returncode == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--skip-tests", action="store_true", help="do not time make test")
    args = parser.parse_args()

    # What was measured is kept when a step fails: a failed case is reported as failed, with the
    # first line of its error, and the other cases' figures are still written.
    samples: dict[str, list[tuple[float, float]]] = {c.key: [] for c in CASES}
    failures: dict[str, str] = {}
    for _ in range(args.rounds):
        for case in CASES:
            if case.key in failures:
                continue
            try:
                samples[case.key].append(run(case))
            except CaseFailed as error:
                lines = [line for line in str(error).splitlines() if line.strip()]
                failures[case.key] = lines[-1][:200] if lines else "no error output"
                print(f"{case.key} failed: {failures[case.key]}", file=sys.stderr)
    medians = {
        key: (statistics.median(t for t, _ in runs), statistics.median(m for _, m in runs))
        for key, runs in samples.items()
        if runs
    }
    floor = medians["floor"][0] if "floor" in medians else float("nan")
    rows = [
        f"| {c.label} | {medians[c.key][0]:.2f} | {medians[c.key][0] / floor:.2f}x | {medians[c.key][1]:.0f} |"
        if c.key in medians
        else f"| {c.label} | failed: {failures.get(c.key, 'no run')} | | |"
        for c in CASES
    ]

    def ratio(a: str, b: str) -> float:
        return medians[a][0] / medians[b][0] if a in medians and b in medians else float("nan")

    ratios = {
        "default/floor": ratio("default", "floor"),
        "large/floor": ratio("large", "floor"),
        "alpha/ours": ratio("alpha", "ours"),
    }
    peak = max((m for _, m in medians.values()), default=float("nan"))
    checks = [
        f"- default factory within {TARGETS['default']}x the floor: "
        f"{'met' if ratios['default/floor'] <= TARGETS['default'] else 'missed'} ({ratios['default/floor']:.2f}x)",
        f"- large fleet within {TARGETS['large']}x the floor: "
        f"{'met' if ratios['large/floor'] <= TARGETS['large'] else 'missed'} ({ratios['large/floor']:.2f}x)",
        f"- same pipeline no slower than with the alpha module: "
        f"{'met' if ratios['alpha/ours'] >= 1 else 'missed'} (alpha takes {ratios['alpha/ours']:.2f}x ours)",
        f"- peak memory under {MEMORY_LIMIT_MB} MiB: {'met' if peak < MEMORY_LIMIT_MB else 'missed'} ({peak:.0f} MiB)",
    ]
    test_line = ""
    if not args.skip_tests:
        seconds, passed = timed_make_test()
        test_line = f"- `make test` after set-up: {seconds:.0f} s ({'within' if seconds <= 90 else 'over'} 90 s)"
        if not passed:
            test_line += "; it FAILED, so the time is not a full run"
            failures["make test"] = "failed"
    table = [
        "| case | wall s (median) | vs floor | peak MiB (median) |",
        "| --- | --- | --- | --- |",
        *rows,
    ]
    ratio_line = " ".join(f"ratio {k}={v:.2f}" if i == 0 else f"{k}={v:.2f}" for i, (k, v) in enumerate(ratios.items()))
    body = [
        "# Benchmarks",
        "",
        "Written by `make bench` (scripts/bench.py); do not edit by hand. Each case is a whole process",
        "(python and its jsii node process), medians over "
        f"{args.rounds} alternating rounds; memory is the peak resident set of the process tree.",
        "",
        f"Machine: {machine()}.",
        "",
        *table,
        "",
        *([f"Failed: {', '.join(f'{k} ({v})' for k, v in failures.items())}.", ""] if failures else []),
        "Targets:",
        "",
        *checks,
        *([test_line] if test_line else []),
        "",
        f"`{ratio_line}`",
        "",
        PROFILE,
    ]
    (ROOT / "BENCHMARKS.md").write_text("\n".join(body))
    print("\n".join(table))
    print("\n".join(checks + ([test_line] if test_line else [])))
    print(ratio_line)
    if failures:
        raise SystemExit(f"bench: {', '.join(failures)} failed; BENCHMARKS.md records what was measured")


if __name__ == "__main__":
    main()
