"""Factory stacks: only those that hold an image are made, whatever the lock file remembers."""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
import pytest

import app as factory_app
from tests.conftest import CONTEXT
from tests.factory.test_loader import MINIMAL


def test_a_lock_file_from_a_larger_factory_makes_no_empty_stack(tmp_path: Path) -> None:
    path = tmp_path / "factory.yaml"
    path.write_text(MINIMAL)
    lock = tmp_path / "factory.lock.json"
    # A file that once had 20 pipelines in stack 0 and 'base' in stack 1, then lost the 20.
    stacks = {f"gone-{n}": {"pipelines": 1, "stack": 0} for n in range(20)}
    stacks["base"] = {"pipelines": 1, "stack": 1}
    lock.write_text(json.dumps({"components": {}, "stacks": stacks}))
    app = cdk.App(context={**CONTEXT, "factory": str(path), "golden-ami:versionLockFile": str(lock)})
    built = factory_app.build(app)
    assert [s.stack_name for s in built.factory_stacks] == ["GoldenAmiFactory2"]
    template = app.synth().get_stack_by_name("GoldenAmiFactory2").template
    assert any(r["Type"] == "AWS::ImageBuilder::ImagePipeline" for r in template["Resources"].values())


LAYERS = """\
images:
  - name: app
    parent: runtime
    components: [{aws: amazon-cloudwatch-agent-linux}]
  - name: runtime
    parent: base
    components: [{aws: python-3-linux}]
  - name: base
    base: {os: amazon-linux-2023}
    components: [{aws: update-linux}]
"""


def _build(tmp_path: Path, stacks: dict[str, dict[str, int]]) -> factory_app.Factory:
    path = tmp_path / "factory.yaml"
    path.write_text(LAYERS)
    lock = tmp_path / "factory.lock.json"
    lock.write_text(json.dumps({"components": {}, "stacks": stacks}))
    app = cdk.App(context={**CONTEXT, "factory": str(path), "golden-ami:versionLockFile": str(lock)})
    return factory_app.build(app)


def test_a_new_layer_goes_to_its_parents_stack_or_a_later_one(tmp_path: Path) -> None:
    # Stack 0 has room, but the base was placed in stack 1: its layers follow it there.
    built = _build(tmp_path, {"base": {"pipelines": 1, "stack": 1}})
    assert [s.stack_name for s in built.factory_stacks] == ["GoldenAmiFactory2"]
    recorded = json.loads((tmp_path / "factory.lock.json").read_text())["stacks"]
    assert {name: entry["stack"] for name, entry in recorded.items()} == {"base": 1, "runtime": 1, "app": 1}


def test_rejects_a_lock_file_placement_that_makes_stacks_depend_on_each_other(tmp_path: Path) -> None:
    # runtime in stack 0 needs base (stack 1), and app in stack 1 needs runtime: a cycle the CDK
    # would refuse with a DependencyCycle traceback.
    stacks = {
        "base": {"pipelines": 1, "stack": 1},
        "runtime": {"pipelines": 1, "stack": 0},
        "app": {"pipelines": 1, "stack": 1},
    }
    with pytest.raises(ValueError) as caught:
        _build(tmp_path, stacks)
    assert str(caught.value) == (
        "version_lock: the factory stacks would depend on each other (GoldenAmiFactory -> GoldenAmiFactory2 -> "
        "GoldenAmiFactory): CloudFormation cannot deploy stacks that each need the other. These images sit in an "
        "earlier stack than their parents: runtime; delete their entries under 'stacks' in factory.lock.json so that synth places them "
        "again, after their parents (their pipelines then move to that stack and are created anew)"
    )
