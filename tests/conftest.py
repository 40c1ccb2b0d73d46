"""Shared fixtures: one synth of the default factory per session, and fresh stacks for units."""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import botocore.loaders
import botocore.session
import pytest
from aws_cdk.assertions import Template
from cfnlint.api import ManualArgs, lint
from cfnlint.config import ConfigMixIn
from cfnlint.rules import RulesCollection
from cfnlint.runner import Runner

import app as factory
from constructs_lib import BaseImage, Component, GoldenImagePipeline, OperatingSystem, VersionLock
from constructs_lib.factory.app import Factory

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
# moto's EC2 would otherwise load its catalogue of public AMIs into every account and region the
# suite touches (seconds each); tests register the images they use.
os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"
# moto gives every test a new default boto3 session, and each session would parse botocore's
# service models again (EC2's alone is megabytes of JSON): the sessions share one loader, whose
# cache keeps each model parsed once per worker. The files never change during a run.
botocore.session.create_loader = functools.cache(botocore.loaders.create_loader)  # type: ignore[attr-defined]
ROOT = Path(__file__).resolve().parent.parent
CONTEXT: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text())["context"]
ACCOUNT = "111111111111"
# The suite's own copy of the sample factory: teams edit factory.yaml, the suite keeps its fixture.
DEFAULT_FACTORY = ROOT / "tests" / "fixtures" / "default" / "factory.yaml"
DEFAULT_LOCK = DEFAULT_FACTORY.with_name("factory.lock.json")
REGION = "eu-west-1"

DOCUMENT = """\
name: hello
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Hello
        action: ExecuteBash
        inputs:
          commands: [echo hello]
"""


def make_stack(region: str = REGION, **context: Any) -> cdk.Stack:
    """A stack in a new app that carries the project's cdk.json context."""
    app = cdk.App(context={**CONTEXT, **context})
    return cdk.Stack(app, "Test", env=cdk.Environment(account=ACCOUNT, region=region))


@pytest.fixture
def stack() -> cdk.Stack:
    return make_stack()


@pytest.fixture
def lock(tmp_path: Path) -> VersionLock:
    return VersionLock.at(tmp_path / "lock.json")


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No AWS credentials wherever boto3 looks: environment, config files, instance metadata."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def al2023() -> BaseImage:
    return BaseImage.aws_managed(OperatingSystem.AMAZON_LINUX_2023)


@pytest.fixture
def hello() -> Component:
    return Component.from_inline("hello", DOCUMENT)


@pytest.fixture(scope="session")
def default_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[cdk.App, Factory]:
    """The sample factory (the suite's fixture copy of factory.yaml) built once, with a frozen
    version lock, as in CI."""
    app = cdk.App(
        context={**CONTEXT, "golden-ami:versionLockFrozen": "true", "factory": str(DEFAULT_FACTORY)},
        outdir=str(tmp_path_factory.mktemp("cdk.out")),
    )
    return app, factory.build(app)


@pytest.fixture(scope="session")
def default_factory(default_build: tuple[cdk.App, Factory]) -> Factory:
    return default_build[1]


@pytest.fixture(scope="session")
def default_assembly(default_build: tuple[cdk.App, Factory]) -> cdk.cx_api.CloudAssembly:
    """The default factory synthesized once under the four cdk-nag packs, exactly as `make synth`
    does in CI."""
    app = default_build[0]
    cdk.Validations.of(app).add_plugins(*factory.compliance_packs(app))
    return app.synth()


@pytest.fixture(scope="session")
def default_templates(default_assembly: cdk.cx_api.CloudAssembly) -> dict[str, dict[str, Any]]:
    return {s.stack_name: s.template for s in default_assembly.stacks}


def make_pipeline(
    stack: cdk.Stack, lock: VersionLock, *, construct_id: str = "Web", **overrides: Any
) -> GoldenImagePipeline:
    """A pipeline named ``web`` on Amazon Linux 2023 with ``update-linux``, plus ``overrides``."""
    props: dict[str, Any] = {
        "image_name": "web",
        "base_image": BaseImage.aws_managed(OperatingSystem.AMAZON_LINUX_2023),
        "components": [Component.aws_managed("update-linux")],
        "version_lock": lock,
    }
    props.update(overrides)
    return GoldenImagePipeline(stack, construct_id, **props)


def template(stack: cdk.Stack) -> Template:
    return Template.from_stack(stack)


@functools.cache
def _lint_rules() -> RulesCollection:
    """cfn-lint's default rules, loaded once per worker: loading them takes about 0.3 s, linting a
    small template a tenth of that. The command line likewise loads them once for all templates."""
    return Runner(ConfigMixIn(regions=[REGION])).rules


def lint_errors(template: dict[str, Any], region: str = REGION) -> list[str]:
    """cfn-lint's errors and warnings (what its command line reports by default)."""
    matches = lint(json.dumps(template), rules=_lint_rules(), config=ManualArgs(regions=[region]))
    return [str(m) for m in matches if m.rule.id[0] in "EW"]


def synth_with_nag(stack: cdk.Stack) -> None:
    """Synthesize ``stack``'s app under AwsSolutionsChecks; an unacknowledged finding raises."""
    from cdk_nag import AwsSolutionsChecks

    app = stack.node.root
    assert isinstance(app, cdk.App)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    app.synth()
