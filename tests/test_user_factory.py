"""The team's own factory.yaml: whatever it holds, it must synthesize cleanly. The suite's
assertions about content run on tests/fixtures/default, so editing factory.yaml keeps them green."""

from __future__ import annotations

import aws_cdk as cdk
import pytest

import app as factory
from tests.conftest import CONTEXT, lint_errors


@pytest.fixture(scope="module")
def user_assembly(tmp_path_factory: pytest.TempPathFactory) -> cdk.cx_api.CloudAssembly:
    app = cdk.App(
        context={**CONTEXT, "golden-ami:versionLockFrozen": "true"},
        outdir=str(tmp_path_factory.mktemp("user.out")),
    )
    factory.build(app)
    cdk.Validations.of(app).add_plugins(*factory.compliance_packs(app))
    return app.synth()  # an unacknowledged cdk-nag finding or a stale lock raises here


def test_factory_yaml_synthesizes_under_every_pack(user_assembly: cdk.cx_api.CloudAssembly) -> None:
    assert user_assembly.stacks, "factory.yaml produced no stacks"


def test_factory_yaml_templates_pass_cfn_lint(user_assembly: cdk.cx_api.CloudAssembly) -> None:
    found = {s.stack_name: lint_errors(s.template, s.environment.region) for s in user_assembly.stacks}
    assert {name: errs for name, errs in found.items() if errs} == {}


def test_python_app_applies_the_cdk_json_context() -> None:
    # `python app.py` and `cdk synth` must see the same feature flags.
    assert factory.project_context() == CONTEXT
