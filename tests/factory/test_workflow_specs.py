"""Workflows and the smoke test in the factory file: the library's checks, at the entry's line."""

from __future__ import annotations

from pathlib import Path

import pytest

from constructs_lib import WorkflowOnFailure, WorkflowType
from constructs_lib.factory.loader import FactoryFileError, load_factory

IMAGE = """\
images:
  - name: base
    base: {os: amazon-linux-2023}
    components: [{aws: update-linux}]
"""


def load(tmp_path: Path, extra: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "factory.yaml"
    path.write_text(IMAGE + extra)
    return load_factory(path)


def problems(tmp_path: Path, extra: str) -> list[str]:
    with pytest.raises(FactoryFileError) as caught:
        load(tmp_path, extra)
    return [p.removeprefix(f"{tmp_path / 'factory.yaml'}:") for p in caught.value.problems]


def test_defaults_no_workflows_and_no_smoke_test(tmp_path: Path) -> None:
    spec = load(tmp_path, "").images[0].to_spec(tmp_path)
    assert (spec.workflows, spec.smoke_test) == ((), None)


def test_all_keys_workflows_and_a_smoke_test_file(tmp_path: Path) -> None:
    (tmp_path / "smoke.sh").write_text("curl -f http://localhost/\n")
    (tmp_path / "check.yaml").write_text(
        "schemaVersion: 1.0\nparameters:\n  - name: port\n    type: integer\n"
        "steps:\n  - name: Launch\n    action: LaunchInstance\n"
    )
    extra = """\
    workflows:
      - {aws: test-image, version: 1.0.x, on_failure: continue, parallel_group: checks}
      - {file: check.yaml, type: test, version: 2.0.0, parameters: {port: 8080}}
    smoke_test: {file: smoke.sh}
"""
    spec = load(tmp_path, extra).images[0].to_spec(tmp_path)
    managed, own = spec.workflows
    assert (managed.version, managed.on_failure, managed.parallel_group) == (
        "1.0.x",
        WorkflowOnFailure.CONTINUE,
        "checks",
    )
    assert (own.name, own.type, own.version, own.parameters) == (
        "check",
        WorkflowType.TEST,
        "2.0.0",
        (("port", ("8080",)),),
    )
    assert spec.smoke_test == "curl -f http://localhost/\n"


def test_rejects_an_unknown_aws_managed_workflow_at_its_line(tmp_path: Path) -> None:
    assert problems(tmp_path, "    workflows: [{aws: build-imag}]\n") == [
        "5: images[0].workflows[0]: 'build-imag' is not an AWS-managed workflow; did you mean 'build-image'?"
    ]


def test_rejects_a_workflow_document_without_steps(tmp_path: Path) -> None:
    (found,) = problems(tmp_path, "    workflows:\n      - {name: empty, type: test, inline: {schemaVersion: 1.0}}\n")
    assert found.startswith("6: images[0].workflows[0]: inline workflow 'empty':1: steps: a workflow needs a 'steps'")


def test_rejects_an_own_workflow_without_a_type(tmp_path: Path) -> None:
    (found,) = problems(tmp_path, "    workflows: [{file: check.yaml}]\n")
    assert "images[0].workflows[0]" in found and "needs type: build or type: test" in found


def test_rejects_a_type_on_an_aws_managed_workflow(tmp_path: Path) -> None:
    (found,) = problems(tmp_path, "    workflows: [{aws: test-image, type: build}]\n")
    assert "has its own type; leave type out" in found


def test_rejects_test_workflows_when_tests_are_off(tmp_path: Path) -> None:
    (found,) = problems(tmp_path, "    tests: false\n    smoke_test: {script: 'true'}\n")
    assert found.startswith("2: images[0].workflows: ") and "with image_tests=False" in found


def test_rejects_an_empty_smoke_test(tmp_path: Path) -> None:
    assert problems(tmp_path, "    smoke_test: {script: ''}\n") == [
        "5: images[0].smoke_test: the script is empty; give the commands of the smoke test, one a line"
    ]


def test_rejects_a_missing_smoke_test_file(tmp_path: Path) -> None:
    (found,) = problems(tmp_path, "    smoke_test: {file: nothing.sh}\n")
    assert found.startswith("5: images[0].smoke_test.file: ") and "cannot read 'nothing.sh'" in found
