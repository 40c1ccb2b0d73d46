"""Workflows: AWS-managed by name, own documents checked, parameters checked by type, the smoke test."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from constructs_lib import Platform, Workflow, WorkflowOnFailure, WorkflowType
from constructs_lib.bake.workflow import AWS_MANAGED_WORKFLOWS

DOC = """\
schemaVersion: 1.0
parameters:
  - name: port
    type: integer
  - name: hosts
    type: stringList
    default: [localhost]
  - name: verbose
    type: boolean
    default: false
steps:
  - name: Launch
    action: LaunchInstance
    inputs:
      waitFor: ssmAgent
  - name: Check
    action: RunCommand
    inputs:
      documentName: Team-SmokeTest
      instanceId.$: $.stepOutputs.Launch.instanceId
      parameters:
        port.$: $.parameters.port
  - name: Terminate
    action: TerminateInstance
    inputs:
      instanceId.$: $.stepOutputs.Launch.instanceId
"""


def test_defaults_aws_managed_is_the_newest_version_by_type() -> None:
    workflow = Workflow.aws_managed("test-image")
    assert (workflow.type, workflow.version, workflow.is_managed) == (WorkflowType.TEST, "x.x.x", True)
    assert workflow.arn_path() == "aws:workflow/test/test-image/x.x.x"


@pytest.mark.parametrize("name", sorted(AWS_MANAGED_WORKFLOWS))
def test_every_known_aws_managed_workflow_has_its_type(name: str) -> None:
    assert Workflow.aws_managed(name).type is AWS_MANAGED_WORKFLOWS[name]


def test_rejects_an_unknown_aws_managed_workflow() -> None:
    with pytest.raises(ValueError, match=r"'test-images' is not an AWS-managed workflow; did you mean 'test-image'\?"):
        Workflow.aws_managed("test-images")


def test_rejects_an_aws_managed_version_that_is_not_semantic() -> None:
    with pytest.raises(ValueError, match=r"workflows\[build-image\].version"):
        Workflow.aws_managed("build-image", "latest")


def test_all_arguments_own_document_with_parameters_and_test_options() -> None:
    workflow = (
        Workflow.from_inline("check", DOC, type=WorkflowType.TEST, version="2.1.0")
        .with_parameters({"port": 8080, "hosts": ["a", "b"], "verbose": True})
        .with_test_options(on_failure=WorkflowOnFailure.CONTINUE, parallel_group="smoke")
    )
    assert workflow.parameters == (("port", ("8080",)), ("hosts", ("a", "b")), ("verbose", ("true",)))
    assert (workflow.version, workflow.on_failure, workflow.parallel_group) == (
        "2.1.0",
        WorkflowOnFailure.CONTINUE,
        "smoke",
    )
    assert workflow.command_documents == ("Team-SmokeTest",)
    assert [(d.name, d.type, d.has_default) for d in workflow.declared or ()] == [
        ("port", "integer", False),
        ("hosts", "stringList", True),
        ("verbose", "boolean", True),
    ]


def test_from_file_names_it_after_the_file(tmp_path: Path) -> None:
    path = tmp_path / "web-check.yaml"
    path.write_text(DOC)
    workflow = Workflow.from_file(path, type=WorkflowType.TEST).with_parameters({"port": 80})
    assert (workflow.name, workflow.source) == ("web-check", str(path))


def test_rejects_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"workflows: cannot read .*nothing.yaml"):
        Workflow.from_file(tmp_path / "nothing.yaml", type=WorkflowType.TEST)


def test_rejects_a_required_parameter_left_unset() -> None:
    with pytest.raises(ValueError, match=r"'port' has no default in the document, so the pipeline must set it"):
        Workflow.from_inline("check", DOC, type=WorkflowType.TEST).with_parameters({})


def test_rejects_a_parameter_the_document_does_not_declare() -> None:
    with pytest.raises(ValueError, match=r"'check' declares no parameter 'prot'; did you mean 'port'\?"):
        Workflow.from_inline("check", DOC, type=WorkflowType.TEST).with_parameters({"prot": 1})


@pytest.mark.parametrize(
    ("key", "value"), [("port", "8080"), ("port", True), ("hosts", "a"), ("verbose", "yes")], ids=str
)
def test_rejects_a_value_of_another_type(key: str, value: object) -> None:
    with pytest.raises(ValueError, match=rf"parameters.{key}: .* is not of the type '{key}' declares"):
        Workflow.from_inline("check", DOC, type=WorkflowType.TEST).with_parameters({"port": 1, key: value})


def test_rejects_test_options_on_a_build_workflow() -> None:
    with pytest.raises(ValueError, match=r"apply to test workflows only, and this is a BUILD workflow"):
        Workflow.aws_managed("build-image").with_test_options(on_failure=WorkflowOnFailure.CONTINUE)


def test_rejects_a_parallel_group_name_the_api_does_not_take() -> None:
    with pytest.raises(ValueError, match=r"parallel_group: 'my group' is not a group name"):
        Workflow.aws_managed("test-image").with_test_options(parallel_group="my group")


def test_rejects_an_own_name_with_spaces() -> None:
    with pytest.raises(ValueError, match=r"workflows.name: 'my check' cannot name a workflow"):
        Workflow.from_inline("my check", DOC, type=WorkflowType.TEST)


def test_rejects_a_document_without_steps_from_inline() -> None:
    with pytest.raises(ValueError, match=r"inline workflow 'empty':1: steps: a workflow needs"):
        Workflow.from_inline("empty", {"schemaVersion": 1.0}, type=WorkflowType.BUILD)


@pytest.mark.parametrize(
    ("platform", "document"),
    [(Platform.LINUX, "AWS-RunShellScript"), (Platform.WINDOWS, "AWS-RunPowerShellScript")],
    ids=lambda v: getattr(v, "value", v),
)
def test_smoke_test_runs_the_script_between_launch_and_terminate(platform: Platform, document: str) -> None:
    workflow = Workflow.smoke_test("curl -f http://localhost/\n\n  echo ok\n", platform=platform)
    steps = yaml.safe_load(workflow.data or "")["steps"]
    assert [s["action"] for s in steps] == ["LaunchInstance", "RunCommand", "TerminateInstance"]
    run = steps[1]
    assert run["inputs"]["documentName"] == document
    assert run["inputs"]["parameters"] == {"commands": ["curl -f http://localhost/", "  echo ok"]}
    assert run["inputs"]["instanceId.$"] == "$.stepOutputs.LaunchTestInstance.instanceId"
    assert (run["onFailure"], run["timeoutSeconds"], steps[2]["onFailure"]) == ("Abort", 3600, "Continue")
    assert (workflow.type, workflow.name, workflow.command_documents) == (WorkflowType.TEST, "smoke-test", (document,))


def test_rejects_an_empty_smoke_test_script() -> None:
    with pytest.raises(ValueError, match=r"smoke_test: the script is empty"):
        Workflow.smoke_test(" \n", platform=Platform.LINUX)


def test_rejects_a_smoke_test_timeout_out_of_range() -> None:
    with pytest.raises(ValueError, match=r"smoke_test.timeout_seconds: 0 is out of range; use 1 to 43200"):
        Workflow.smoke_test("true", platform=Platform.LINUX, timeout_seconds=0)


def test_rejects_a_smoke_test_on_macos() -> None:
    with pytest.raises(ValueError, match=r"Run Command scripts run on Linux or Windows, not on macOS"):
        Workflow.smoke_test("true", platform=Platform.MACOS)
