"""Generated and hostile factory files: every one either synthesizes templates that pass cfn-lint
and the compliance packs, or is refused cleanly with a FactoryFileError. Never a traceback, a
hang or an invalid template.

Cases are mutations of factory.yaml and every example: values replaced (by plausible and by
hostile ones), keys dropped, renamed or added, list entries dropped or repeated, and now and then
the text itself broken (aliases, duplicate keys, deep nesting, long numbers, truncation). About
a quarter of the cases are left unmutated or mutated only plausibly, so that a good share reaches
synthesis. The suite runs a few cases (tests/test_fuzz.py); ``make fuzz N=10000`` runs the long
version and prints the counts.

Every accepted case is checked, but the work is done once per distinct thing: cases whose loaded
model is the same (most often the unmutated seeds; the model is the loader's whole output and
synthesis reads nothing else from the file) share one synthesis, and a template that is byte for
byte one already linted (most stacks of a mutated multi-region file are unchanged) shares that
lint. Both are exact, since synthesis and cfn-lint are deterministic; the counts say how many
cases and how many distinct models there were. Each synthesized assembly also goes through the
preflight; an error there counts as refused at synth (``make synth`` stops on it), a traceback as
a failure.

    python -m scripts.fuzz --cases 10000 [--minutes 60] [--no-synth]
"""

from __future__ import annotations

import argparse
import collections
import copy
import hashlib
import json
import random
import re
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import yaml

ROOT: Final = Path(__file__).resolve().parent.parent
SEEDS: Final = (ROOT / "factory.yaml", *sorted((ROOT / "examples").glob("*.yaml")))
_PLAUSIBLE: Final[tuple[Any, ...]] = (
    "eu-west-1",
    "us-east-1",
    "eu-central-1",
    "123456789012",
    "210987654321",
    30,
    64,
    1,
    2,
    True,
    False,
    "m7i.large",
    "m7g.large",
    "cron(0 4 ? * MON *)",
    "stable",
    "arm64",
    "x86_64",
)
_HOSTILE: Final[tuple[Any, ...]] = (
    "",
    " ",
    "333333333333\n",
    "eu-west-9",
    "12345",
    123456789012,
    -1,
    0,
    10**50,
    1.5,
    None,
    [],
    {},
    ["a", "b"],
    {"x": 1},
    "x" * 300,
    "../../etc/passwd",
    "/dev/zero",
    "ami-0123",
    "arn:aws:organizations::123456789012:ou/o-abc/ou-x",
    "${AWS::AccountId}",
    "{{ nope }}",
    "ExecuteBsh",
    "é" * 10,
    "on-demand",
)
_TEXT_BREAKS: Final[tuple[Callable[[str, random.Random], str], ...]] = (
    lambda text, rng: "anchor: &a [1, 2]\nalias: *a\n" + text,
    lambda text, rng: text + text.splitlines()[0] + "\n",
    lambda text, rng: text + "tags: " + "[" * 100 + "]" * 100 + "\n",
    lambda text, rng: text + "build_on_deploy: " + "7" * 5000 + "\n",
    lambda text, rng: text[: rng.randrange(len(text))],
    lambda text, rng: '"": null\n' + text,
    lambda text, rng: text.replace(":", "::", 1),
    lambda text, rng: text + "\t- broken\n",
)


def _containers(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    found = [(path, node)] if isinstance(node, dict | list) else []
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in children:
        found += _containers(value, (*path, key))
    return found


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 2:
        return word + "x"
    i = rng.randrange(len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def mutate(data: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """Up to three structural mutations of ``data`` (a copy); none two times in seven."""
    data = copy.deepcopy(data)
    count = rng.choice((0, 0, 1, 1, 1, 2, 3))
    for _ in range(count):
        containers = _containers(data)
        _, node = rng.choice(containers)
        plausible = rng.random() < 0.5
        value = rng.choice(_PLAUSIBLE if plausible else _HOSTILE)
        if isinstance(node, dict) and node:
            key = rng.choice(list(node))
            move = rng.randrange(4)
            if move == 0:
                node[key] = copy.deepcopy(value)
            elif move == 1 and node is not data:
                del node[key]
            elif move == 2:
                node[_typo(str(key), rng)] = node.pop(key)
            else:
                node[rng.choice(("extra", "Name", str(key) + "s"))] = copy.deepcopy(value)
        elif isinstance(node, list) and node:
            i = rng.randrange(len(node))
            move = rng.randrange(3)
            if move == 0:
                node.append(copy.deepcopy(node[i]))
            elif move == 1 and len(node) > 1:
                del node[i]
            else:
                node[i] = copy.deepcopy(value)
    return data


_FIXED_IMAGES: Final = """home_region: eu-west-1
build_on_deploy: true
images:
"""
FIXED: Final[dict[str, str]] = {
    # A layer with an empty architecture list on a two-architecture parent, consumed by a fleet.
    "empty architectures": _FIXED_IMAGES
    + """  - name: base
    base: {os: amazon-linux-2023}
    architectures: [x86_64, arm64]
    components: [{aws: update-linux}]
  - name: web
    parent: base
    architectures: []
    components: [{aws: update-linux}]
consumers:
  - {image: web, instance_type: m7i.large}
""",
    # An S3 key within S3's rules that overflows the import function's description.
    "long import key": _FIXED_IMAGES
    + f"""  - name: imported
    base: {{import: {{s3: "s3://my-bucket/{"k" * 230}.vmdk"}}}}
    components: [{{aws: update-linux}}]
""",
    # An image name within Image Builder's 128 that makes an AMI name over 127.
    "long image name": _FIXED_IMAGES
    + f"""  - name: {"n" * 120}
    base: {{os: amazon-linux-2023}}
    architectures: [x86_64, arm64]
    components: [{{aws: update-linux}}]
""",
    # A description over the recipe's and pipeline's 1,024.
    "long description": _FIXED_IMAGES
    + f"""  - name: web
    description: {"d" * 1100}
    base: {{os: amazon-linux-2023}}
    components: [{{aws: update-linux}}]
""",
}
"""Files that once reached a traceback or an unlocated refusal (issue: live defects): run first,
before the generated cases, by every ``make fuzz``; each must be refused by the loader."""


def case(index: int, rng: random.Random) -> tuple[Path, str]:
    """The seed a case starts from and its text."""
    seed = SEEDS[index % len(SEEDS)]
    data = yaml.safe_load(seed.read_text(encoding="utf-8"))
    text = yaml.safe_dump(mutate(data, rng), sort_keys=False, width=200)
    if rng.random() < 0.1:
        text = rng.choice(_TEXT_BREAKS)(text, rng)
    return seed, text


class Runner:
    """Writes each case next to a copy of the repository's components, then loads and, when
    accepted, synthesizes it (with the packs) and lints every template."""

    def __init__(self, workdir: Path, *, synth: bool, lint: bool) -> None:
        self.workdir = workdir
        self.synth = synth
        self.lint = lint
        shutil.copytree(ROOT / "components", workdir / "components")
        (workdir / "examples").mkdir()
        self.counts: collections.Counter[str] = collections.Counter()
        self.failures: list[str] = []
        self.preflight_refusals: list[str] = []
        self._models: dict[tuple[str, str], str] = {}  # (seed folder, model JSON) -> outcome
        self._linted: dict[tuple[str, str], list[str]] = {}  # (region, template digest) -> problems
        self.distinct_models = 0
        self.templates_linted = 0

    def run(self, seed: Path, text: str) -> str:
        """The outcome: 'refused', 'synthesized' or 'failed' (recorded with its reason)."""
        from constructs_lib.factory.loader import FactoryFileError, load_factory

        path = self.workdir / seed.relative_to(ROOT).parent / "case.yaml"
        path.write_text(text, encoding="utf-8")
        # Each case starts without a lock file on disk, but the process's one lock object per path
        # (VersionLock.at) keeps what earlier cases recorded: placements and versions of images and
        # components since renamed or removed, as the lock file of a long-lived factory keeps them.
        path.with_suffix(".lock.json").unlink(missing_ok=True)
        try:
            # As app.py loads it: consumers name the pipelines the lock object records.
            from constructs_lib import VersionLock

            recorded = VersionLock.at(path.with_suffix(".lock.json")).all_variants()
            model = load_factory(path, recorded=recorded)
        except FactoryFileError:
            return self._count("refused")
        except Exception:
            return self._fail(seed, text, "loader", traceback.format_exc())
        if not self.synth:
            return self._count("accepted")
        key = (str(path.parent), model.model_dump_json())
        if key in self._models:
            return self._count(self._models[key])
        self.distinct_models += 1
        outcome = self._models[key] = self._synthesize_case(seed, text, path)
        return outcome

    def _synthesize_case(self, seed: Path, text: str, path: Path) -> str:
        try:
            problems = self._synthesize(path)
        except ValueError as error:
            if not str(error).startswith("version_lock:"):
                return self._fail(seed, text, "synth", traceback.format_exc(), summary=f"ValueError: {error}")
            # The lock file (carried over from earlier cases) refused, as app.py prints it: clean.
            print(f"  refused by the lock file: {seed.name}: {str(error)[:300]}", file=sys.stderr, flush=True)
            return self._count("refused by the lock file")
        except Exception as error:
            detail = traceback.format_exc()
            report = re.search(r"found in: (\S+validation-report\.json)", str(error))
            if report and Path(report.group(1)).exists():
                detail += Path(report.group(1)).read_text(encoding="utf-8")[:4000]
            first = (str(error).splitlines() or [""])[0]
            return self._fail(seed, text, "synth", detail, summary=f"{type(error).__name__}: {first}")
        if problems and problems[0].startswith("preflight"):
            # A clean refusal, but one the loader should have made at its line: shown as it happens.
            print(f"  refused by the preflight: {seed.name}: {problems[0][:300]}", file=sys.stderr, flush=True)
            self.preflight_refusals.append(f"--- {seed.name}\n{text}\n" + "\n".join(problems))
            return self._count("refused by the preflight")
        if problems:
            return self._fail(seed, text, "cfn-lint", "\n".join(problems))
        return self._count("synthesized")

    def _synthesize(self, path: Path) -> list[str]:
        import aws_cdk as cdk
        from cfnlint.api import ManualArgs, lint

        import app as factory_app
        from constructs_lib.checks import preflight

        out = Path(tempfile.mkdtemp(dir=self.workdir))
        context = {
            **factory_app.project_context(),
            "factory": str(path),
            "golden-ami:versionLockFile": str(path.with_suffix(".lock.json")),
        }
        app = cdk.App(context=context, outdir=str(out))
        factory_app.build(app)
        cdk.Validations.of(app).add_plugins(*factory_app.compliance_packs(app))
        assembly = app.synth()
        problems: list[str] = []
        if self.lint:
            for stack in assembly.stacks:
                template = json.dumps(stack.template, sort_keys=True)
                region = stack.environment.region
                digest = (region, hashlib.sha256(template.encode()).hexdigest())
                if digest not in self._linted:
                    self.templates_linted += 1
                    matches = lint(template, config=ManualArgs(regions=[region]))
                    self._linted[digest] = [str(m) for m in matches if m.rule.id[0] in "EW"]
                problems += [f"{stack.stack_name}: {m}" for m in self._linted[digest]]
        if not problems:
            findings = preflight.run(preflight.Assembly.from_directory(out))
            problems = [f"preflight: {f}" for f in findings if f.severity is preflight.Severity.ERROR]
        shutil.rmtree(out, ignore_errors=True)
        path.with_suffix(".lock.json").unlink(missing_ok=True)
        return problems

    def _count(self, outcome: str) -> str:
        self.counts[outcome] += 1
        return outcome

    def _fail(self, seed: Path, text: str, stage: str, detail: str, *, summary: str = "") -> str:
        self.failures.append(f"--- {seed.name} ({stage})\n{text}\n{detail}")
        # At once, so that a long run shows what fails while it runs; a synth failure by the
        # exception's own line (a validation report's last line is only its closing brace).
        line = summary or detail.rstrip().splitlines()[-1]
        print(f"  failed: {seed.name} ({stage}): {line[:300]}", file=sys.stderr, flush=True)
        return self._count("failed")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--start", type=int, default=0, help="first case index")
    parser.add_argument("--minutes", type=float, default=0, help="stop after this long (0: no limit)")
    parser.add_argument("--no-synth", action="store_true", help="run the loader only")
    args = parser.parse_args(argv)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="fuzz-") as work:
        runner = Runner(Path(work), synth=not args.no_synth, lint=True)
        fixed_failed = 0
        for name, text in FIXED.items():
            outcome = runner.run(ROOT / "factory.yaml", text)
            print(f"  fixed case {name!r}: {outcome}", flush=True)
            if outcome != "refused":
                runner.failures.append(f"--- fixed case {name!r}: {outcome}, not refused by the loader\n{text}")
                fixed_failed += 1
        runner.counts.clear()  # the counts below are the generated cases'
        runner.counts["failed"] += fixed_failed
        done = 0
        for index in range(args.start, args.start + args.cases):
            if args.minutes and time.monotonic() - started > args.minutes * 60:
                break
            seed, text = case(index, random.Random(args.seed * 1_000_003 + index))
            runner.run(seed, text)
            done = index + 1 - args.start
            if done % 100 == 0:
                print(f"  {done} cases: {dict(runner.counts)}", flush=True)
    elapsed = time.monotonic() - started
    counts = runner.counts
    reached = done - counts["refused"]
    print(f"fuzz: {done} of {args.cases} cases and {len(FIXED)} fixed ones in {elapsed:.0f} s (seed {args.seed})")
    for outcome in (
        "refused",
        "accepted",
        "refused by the preflight",
        "refused by the lock file",
        "synthesized",
        "failed",
    ):
        if counts[outcome] or outcome in ("refused", "synthesized", "failed"):
            print(f"  {outcome:26} {counts[outcome]:6}")
    print(f"  past the loader: {reached / max(done, 1):.0%}")
    if runner.synth:
        print(f"  distinct models synthesized: {runner.distinct_models}; templates linted: {runner.templates_linted}")
    kinds = collections.Counter(f.rstrip().splitlines()[-1] for f in runner.failures)
    for kind, n in kinds.most_common():
        print(f"  failure x{n}: {kind}")
    for failure in runner.failures[:5] + runner.preflight_refusals[:5]:
        print(failure, file=sys.stderr)
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
