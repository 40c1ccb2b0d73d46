#!/usr/bin/env python3
"""The golden AMI factory described by a factory file: what `make synth` builds and `make deploy` deploys.

The file is `factory.yaml` unless context `factory` names another (`make synth FACTORY=...`).
The factory account comes from the file, else context `account`, else CDK_DEFAULT_ACCOUNT (set
by the CLI when it finds credentials), else a placeholder, so synthesis never needs credentials;
a deploy with the placeholder fails fast. `-c pin=<image or consumer>=<image version label>[,...]`
pins those consumers to one image version (README: rollback runbook). A bad file is reported
line by line, without a traceback.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

# node's young generation, set before importing aws_cdk starts node: a semi-space of 1 MiB for V8's
# scavenger instead of 16 MiB on 64-bit systems ("--max-semi-space-size",
# https://nodejs.org/api/cli.html#--max-semi-space-sizesize-in-mib; allowed in NODE_OPTIONS). It
# takes about 35 MiB off the large fleet's peak memory, with no slower synth in paired runs
# (BENCHMARKS.md). Only when this file runs as the app: importing it (the tests do) changes nothing.
YOUNG_GENERATION = "--max-semi-space-size=1"


def young_generation(options: str) -> str:
    """``options`` (a NODE_OPTIONS value) with :data:`YOUNG_GENERATION` added, unless it sets the
    semi-space already. Node reads ``_`` in an option's name as ``-`` ("All options, including V8
    options, allow words to be separated by both dashes (-) and underscores (_)",
    https://nodejs.org/api/cli.html#options)."""
    if "--max-semi-space-size" in options.replace("_", "-"):
        return options
    return f"{options} {YOUNG_GENERATION}".strip()


if __name__ == "__main__":
    os.environ["NODE_OPTIONS"] = young_generation(os.environ.get("NODE_OPTIONS", ""))

import aws_cdk as cdk  # noqa: E402
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks  # noqa: E402

from constructs_lib import start_validation_engine  # noqa: E402

if TYPE_CHECKING:
    from constructs_lib.factory.app import Factory

HERE = Path(__file__).resolve().parent
PLACEHOLDER_ACCOUNT = "111111111111"
DEFAULT_FACTORY = HERE / "factory.yaml"
REPORT = "factory-report.md"


def factory_path(app: cdk.App) -> Path:
    """The factory file: context `factory`, else factory.yaml next to this app."""
    given = app.node.try_get_context("factory")
    return Path(given).resolve() if given else DEFAULT_FACTORY


@dataclass(frozen=True, kw_only=True, slots=True)
class Settings:
    """What the app reads from its context, read before anything else runs in node."""

    path: Path
    frozen: bool
    lock_file: Path
    account: str
    pin: str | None

    @classmethod
    def of(cls, app: cdk.App) -> Settings:
        path = factory_path(app)
        context = app.node.try_get_context
        lock_file = context("golden-ami:versionLockFile") or path.with_name(
            "golden-ami.lock.json" if path == DEFAULT_FACTORY else f"{path.stem}.lock.json"
        )
        return cls(
            path=path,
            frozen=str(context("golden-ami:versionLockFrozen")).lower() == "true",
            lock_file=Path(lock_file),
            account=str(context("account") or os.environ.get("CDK_DEFAULT_ACCOUNT") or PLACEHOLDER_ACCOUNT),
            pin=context("pin"),
        )


def build(app: cdk.App, settings: Settings | None = None) -> Factory:
    """Add the stacks of the factory file to ``app`` and return what was built."""
    # Imported here, not at the top: main() starts CloudFormation Validate's engine first, and
    # node builds it while these import and the file is read (constructs_lib/checks/cfn_validate.py).
    from constructs_lib import VersionLock
    from constructs_lib.factory.app import build_factory
    from constructs_lib.factory.loader import load_factory

    settings = settings or Settings.of(app)
    lock = VersionLock.at(settings.lock_file, frozen=settings.frozen)
    # Consumers name the pipelines as the lock file records them (stable across architectures).
    model = load_factory(settings.path, recorded=lock.all_variants())
    return build_factory(
        app,
        model,
        base_dir=settings.path.parent,
        lock=lock,
        account=settings.account,
        pin=settings.pin,
    )


def compliance_packs(app: cdk.App) -> list[cdk.IPolicyValidationPlugin]:
    """The cdk-nag packs every synth of the factory must pass: AWS Solutions, NIST 800-53 rev 5,
    HIPAA Security, and the library's own GoldenAmi pack."""
    from constructs_lib import GoldenAmiChecks

    return [AwsSolutionsChecks(app), NIST80053R5Checks(app), HIPAASecurityChecks(app), GoldenAmiChecks(app)]


def project_context() -> dict[str, object]:
    """cdk.json's context. The CLI passes it to the app; giving it to ``cdk.App`` as well makes
    ``python app.py``, the tests and the benchmark judge the same templates as ``cdk synth``
    (context from the CLI and ``-c`` still takes precedence over these defaults)."""
    context: dict[str, object] = json.loads((HERE / "cdk.json").read_text(encoding="utf-8"))["context"]
    return context


def main() -> None:
    app = cdk.App(context=project_context())
    settings = Settings.of(app)
    # From here until the build, nothing else talks to node: it builds CDK's CloudFormation
    # Validate engine while the library imports and the factory file is read, and a bad file is
    # reported without waiting for it.
    start_validation_engine()
    from constructs_lib.factory.loader import FactoryFileError
    from constructs_lib.factory.report import render
    from constructs_lib.launch.launch_template import check_pin

    if settings.pin is not None:
        try:
            check_pin("context pin (-c pin=... or make synth PIN=...)", settings.pin)
        except ValueError as error:  # not the factory file's fault: say where the value came from
            print(error, file=sys.stderr)
            sys.exit(1)
    try:
        factory = build(app, settings)
    except FactoryFileError as error:
        print(f"The factory file has {len(error.problems)} problem(s):", file=sys.stderr)
        print("\n".join(f"  {p}" for p in error.problems), file=sys.stderr)
        sys.exit(1)
    except ValueError as error:
        print(f"{settings.path}: {error}", file=sys.stderr)
        sys.exit(1)
    cdk.Validations.of(app).add_plugins(*compliance_packs(app))
    Path(app.outdir).mkdir(parents=True, exist_ok=True)
    (Path(app.outdir) / REPORT).write_text(render(factory), encoding="utf-8")
    app.synth()


if __name__ == "__main__":
    main()
