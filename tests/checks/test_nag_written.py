"""What the GoldenAmi pack reads of a written assembly: construct paths by logical ID, the rules
acknowledged on each construct, and when the assembly does not say enough."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from constructs_lib.checks.nag._written import acknowledged_ids, ancestors, assembly_templates, read_stack, read_tree


def _written(tmp_path: Path, **context: object) -> Path:
    app = cdk.App(outdir=str(tmp_path), context=context)
    stack = cdk.Stack(app, "Written")
    group = Construct(stack, "Group")
    sqs.CfnQueue(group, "Queue")
    cdk.Validations.of(group).acknowledge(cdk.Acknowledgment(id="GoldenAmi-Example", reason="test"))
    app.synth()
    return tmp_path / "Written.template.json"


def test_resources_are_mapped_to_their_construct_paths(tmp_path: Path) -> None:
    written = read_stack(_written(tmp_path))
    assert written is not None
    (queue,) = [i for i, body in written.resources.items() if body["Type"] == "AWS::SQS::Queue"]
    assert written.paths[queue] == "Written/Group/Queue"
    assert written.path == "Written"
    assert written.acknowledged["Written/Group"] == {"GoldenAmi-Example"}


def test_without_logical_id_metadata_nothing_is_read(tmp_path: Path) -> None:
    assert read_stack(_written(tmp_path, **{"aws:cdk:disable-logicalId-metadata": True})) is None


def test_without_a_manifest_nothing_is_read(tmp_path: Path) -> None:
    template = _written(tmp_path)
    (tmp_path / "manifest.json").unlink()
    assert read_stack(template) is None


def test_nested_stacks_are_not_read(tmp_path: Path) -> None:
    app = cdk.App(outdir=str(tmp_path))
    parent = cdk.Stack(app, "Parent")
    sqs.CfnQueue(cdk.NestedStack(parent, "Nested"), "Queue")
    app.synth()
    assert read_stack(tmp_path / "Parent.template.json") is None


def test_the_annotation_namespace_is_dropped_whatever_its_case() -> None:
    entries = [
        {"type": "aws:cdk:acknowledged-rules", "data": {"Annotation::A-1": "r", "annotation::B-2": "r", "C-3": "r"}},
        {"type": "aws:cdk:warning", "data": "not an acknowledgement"},
    ]
    assert acknowledged_ids(entries) == {"A-1", "B-2", "C-3"}


def test_ancestors_run_from_the_construct_to_the_root() -> None:
    assert ancestors("Stage/Stack/Group/Queue") == [
        "Stage/Stack/Group/Queue",
        "Stage/Stack/Group",
        "Stage/Stack",
        "Stage",
        "",
    ]
    assert ancestors("") == [""]


def test_metadata_off_under_one_construct_is_not_read(tmp_path: Path) -> None:
    app = cdk.App(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Partly")
    sqs.CfnQueue(stack, "Mapped")
    quiet = Construct(stack, "Quiet")
    quiet.node.set_context("aws:cdk:disable-logicalId-metadata", True)
    sqs.CfnQueue(quiet, "Unmapped")
    app.synth()
    assert read_stack(tmp_path / "Partly.template.json") is None


def test_the_assembly_lists_the_templates_of_its_stages_and_the_tree_its_order(tmp_path: Path) -> None:
    app = cdk.App(outdir=str(tmp_path))
    stage = cdk.Stage(app, "First")
    sqs.CfnQueue(cdk.Stack(stage, "Inner"), "Queue")
    sqs.CfnQueue(cdk.Stack(app, "Outer"), "Queue")
    app.synth()
    assert assembly_templates(tmp_path) == {
        (tmp_path / "assembly-First" / "FirstInnerB189B486.template.json").resolve(),
        (tmp_path / "Outer.template.json").resolve(),
    }
    tree = read_tree(tmp_path)
    assert tree is not None
    assert tree["First/Inner/Queue"].order < tree["Outer/Queue"].order
    assert tree["Outer/Queue"].cfn_type == "AWS::SQS::Queue"
    (tmp_path / "tree.json").unlink()
    assert read_tree(tmp_path) is None
