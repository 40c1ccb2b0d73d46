"""Factory stacks: only those that hold an image are made, whatever the lock file remembers."""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk

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
