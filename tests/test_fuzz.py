"""Property: any mutation of factory.yaml or an example is refused cleanly (FactoryFileError) or
loads and synthesizes. A short run here (a few seconds; statistics with
``--hypothesis-show-statistics``); ``make fuzz N=10000`` runs the long one, with the packs and
cfn-lint on every accepted case."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from scripts.fuzz import SEEDS, Runner, case

CASES = 40
OUTCOMES: list[str] = []  # filled by the property, judged by the test after it (same module, same worker)


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Runner:
    return Runner(tmp_path_factory.mktemp("fuzz"), synth=False, lint=False)


@settings(
    max_examples=CASES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(index=st.integers(min_value=0, max_value=len(SEEDS) - 1), stream=st.integers(0, 2**32))
def test_mutated_factory_files_are_refused_cleanly_or_accepted(runner: Runner, index: int, stream: int) -> None:
    seed, text = case(index, random.Random(stream))
    note(f"seed {seed.name}:\n{text}")
    outcome = runner.run(seed, text)
    event(f"outcome: {outcome}")
    event(f"seed: {seed.name}")
    OUTCOMES.append(outcome)
    assert outcome != "failed", runner.failures[-1]


def test_at_least_thirty_percent_of_cases_reach_synthesis() -> None:
    assert len(OUTCOMES) >= CASES // 2, "the property above runs first, in this worker"
    accepted = OUTCOMES.count("accepted")
    assert accepted / len(OUTCOMES) >= 0.3, f"only {accepted} of {len(OUTCOMES)} cases reached synthesis"


def test_an_accepted_mutation_synthesizes_under_the_packs(tmp_path: Path) -> None:
    runner = Runner(tmp_path, synth=True, lint=False)
    for index in range(60):
        seed, text = case(index, random.Random(index))
        if seed.name == "large-fleet.yaml":
            continue
        outcome = runner.run(seed, text)
        assert outcome != "failed", runner.failures[-1]
        if outcome == "synthesized":
            return
    pytest.fail("no case of 60 synthesized")


def test_a_model_seen_before_shares_its_synthesis_and_lint(tmp_path: Path) -> None:
    """The long run synthesizes each distinct model once and lints each distinct template once;
    the second identical case must be counted, not synthesized again."""
    runner = Runner(tmp_path, synth=True, lint=True)
    seed = next(s for s in SEEDS if s.name == "minimal.yaml")
    text = seed.read_text(encoding="utf-8")
    assert runner.run(seed, text) == "synthesized", runner.failures
    linted = runner.templates_linted
    assert linted >= 1
    assert runner.run(seed, "# the same model, written differently\n" + text) == "synthesized"
    assert (runner.distinct_models, runner.templates_linted) == (1, linted)
    assert runner.counts["synthesized"] == 2


def test_a_synth_failure_is_printed_by_its_first_line_and_a_preflight_refusal_as_it_happens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A long run shows each failure while it runs; a validation error's report ends in its closing
    brace, so the line printed is the exception's first, and a preflight refusal is kept with its text."""
    runner = Runner(tmp_path, synth=True, lint=False)
    seed = next(s for s in SEEDS if s.name == "minimal.yaml")
    text = seed.read_text(encoding="utf-8")

    def fails(path: Path) -> list[str]:
        raise RuntimeError('Stack Factory failed validation\n{\n  "errors": []\n}')

    monkeypatch.setattr(runner, "_synthesize", fails)
    assert runner.run(seed, text) == "failed"
    assert "failed: minimal.yaml (synth): RuntimeError: Stack Factory failed validation" in capsys.readouterr().err

    runner = Runner(tmp_path / "second", synth=True, lint=False)
    monkeypatch.setattr(runner, "_synthesize", lambda path: ["preflight: GA-P001 the key is the default"])
    assert runner.run(seed, text) == "refused by the preflight"
    assert "refused by the preflight: minimal.yaml: preflight: GA-P001" in capsys.readouterr().err
    assert runner.preflight_refusals and "GA-P001" in runner.preflight_refusals[0]


def test_a_lock_file_refusal_is_clean_and_any_other_value_error_a_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """app.py prints a lock file's refusal (version_lock: ...) without a traceback, as make synth
    does; a ValueError from elsewhere in synthesis is a library fault the loader should have caught."""
    seed = next(s for s in SEEDS if s.name == "minimal.yaml")
    text = seed.read_text(encoding="utf-8")
    runner = Runner(tmp_path, synth=True, lint=False)

    def refuses(path: Path) -> list[str]:
        raise ValueError("version_lock: the factory stacks would depend on each other (A -> B -> A): ...")

    monkeypatch.setattr(runner, "_synthesize", refuses)
    assert runner.run(seed, text) == "refused by the lock file"
    assert "refused by the lock file: minimal.yaml: version_lock: the factory stacks" in capsys.readouterr().err

    runner = Runner(tmp_path / "second", synth=True, lint=False)

    def breaks(path: Path) -> list[str]:
        raise ValueError("fleet: max_capacity 123456789012 is out of range")

    monkeypatch.setattr(runner, "_synthesize", breaks)
    assert runner.run(seed, text) == "failed"
    assert "failed: minimal.yaml (synth): ValueError: fleet: max_capacity" in capsys.readouterr().err
