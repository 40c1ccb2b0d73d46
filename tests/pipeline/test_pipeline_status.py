"""GoldenImagePipeline(status_parameter=): the pipeline's Status read from an SSM parameter at
every deploy, through a stack parameter of an SSM parameter type (synthesis)."""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
import pytest

from constructs_lib import PipelineHolds
from constructs_lib.bake.version_lock import VersionLock
from constructs_lib.checks.preflight.assembly import Assembly
from constructs_lib.checks.preflight.rules import pipeline_hold
from tests.conftest import lint_errors, make_pipeline, template


def test_without_it_the_status_is_enabled(stack: cdk.Stack, lock: VersionLock) -> None:
    make_pipeline(stack, lock)
    (pipeline,) = template(stack).find_resources("AWS::ImageBuilder::ImagePipeline").values()
    assert pipeline["Properties"]["Status"] == "ENABLED"
    parameters = template(stack).to_json().get("Parameters", {})
    assert not [p for p in parameters.values() if str(p.get("Default", "")).endswith("/status")]


def test_with_it_the_status_is_the_ssm_value_of_a_stack_parameter(stack: cdk.Stack, lock: VersionLock) -> None:
    made = make_pipeline(stack, lock, status_parameter="/golden-ami/web/status")
    t = template(stack).to_json()
    (pipeline,) = (r for r in t["Resources"].values() if r["Type"] == "AWS::ImageBuilder::ImagePipeline")
    reference = pipeline["Properties"]["Status"]["Ref"]
    assert t["Parameters"][reference]["Type"] == "AWS::SSM::Parameter::Value<String>"
    assert t["Parameters"][reference]["Default"] == "/golden-ami/web/status"
    assert made.status_parameter == "/golden-ami/web/status"
    assert not lint_errors(t)


def test_a_bad_parameter_name_is_refused(stack: cdk.Stack, lock: VersionLock) -> None:
    with pytest.raises(ValueError) as raised:
        make_pipeline(stack, lock, status_parameter="golden-ami/web/status")
    assert str(raised.value).startswith(
        "status_parameter: 'golden-ami/web/status' is not an SSM parameter name Image Builder accepts; start with '/'"
    )


def test_pipelines_and_their_holds_in_an_earlier_stack_pass_the_preflight(lock: VersionLock) -> None:
    app = cdk.App()
    env = cdk.Environment(account="111111111111", region="eu-west-1")
    holds_stack, pipelines = cdk.Stack(app, "Holds", env=env), cdk.Stack(app, "Pipelines", env=env)
    holds = PipelineHolds(holds_stack, "Holds", pipelines=["web"])
    pipelines.add_dependency(holds_stack)
    make_pipeline(pipelines, lock, status_parameter=holds.parameter_name("web"))
    out = app.synth().directory
    assert list(pipeline_hold.RULE.check(Assembly.from_directory(out))) == []
    # Without the dependency the first deploy would fail: the preflight says so.
    manifest_file = Path(out) / "manifest.json"
    manifest = json.loads(manifest_file.read_text())
    artifact = manifest["artifacts"]["Pipelines"]
    artifact["dependencies"] = [d for d in artifact["dependencies"] if d != "Holds"]
    manifest_file.write_text(json.dumps(manifest))
    (finding,) = pipeline_hold.RULE.check(Assembly.from_directory(out))
    assert finding.severity.value == "error"
