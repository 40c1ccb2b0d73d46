"""Pipeline and parameter names stay with their architecture (issue: change without fear): adding
an architecture to an image with consumers adds pipelines and replaces or deletes no Auto Scaling
group, launch template or parameter; dropping one renames nothing left. The lock file records the
names; a new image is named as before, so today's factories keep every name."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

import app as factory_app
from constructs_lib import Architecture
from constructs_lib.pipeline.family import variant_names
from tests.conftest import CONTEXT, DEFAULT_FACTORY

X86, ARM = Architecture.X86_64, Architecture.ARM64


def test_a_new_image_is_named_as_before() -> None:
    assert variant_names("web", [X86]) == {X86: "web"}
    assert variant_names("web", [X86, ARM]) == {X86: "web-x86-64", ARM: "web-arm64"}


def test_recorded_names_stay_and_an_added_architecture_is_suffixed() -> None:
    assert variant_names("web", [X86, ARM], {"x86_64": "web"}) == {X86: "web", ARM: "web-arm64"}
    assert variant_names("base", [X86], {"x86_64": "base-x86-64", "arm64": "base-arm64"}) == {X86: "base-x86-64"}
    # An architecture dropped and added again gets its old name back.
    assert variant_names("web", [ARM], {"x86_64": "web", "arm64": "web-arm64"}) == {ARM: "web-arm64"}


def synth(directory: Path, text: str) -> dict[str, dict[str, Any]]:
    """The templates of the factory file ``text`` (in ``directory``, beside its lock), by stack."""
    (directory / "factory.yaml").write_text(text)
    out = directory / f"out-{len(list(directory.glob('out-*')))}"
    app = cdk.App(
        context={
            **CONTEXT,
            "factory": str(directory / "factory.yaml"),
            "golden-ami:versionLockFile": str(directory / "factory.lock.json"),
        },
        outdir=str(out),
    )
    factory_app.build(app)
    assembly = app.synth()
    return {s.stack_name: s.template for s in assembly.stacks}


def kept(templates: dict[str, dict[str, Any]], *types: str) -> dict[str, str]:
    """Logical ID (by stack) -> type of every resource of ``types``."""
    return {
        f"{stack}/{logical_id}": r["Type"]
        for stack, template in templates.items()
        for logical_id, r in template["Resources"].items()
        if r["Type"] in types
    }


def pipelines(templates: dict[str, dict[str, Any]]) -> set[str]:
    return {
        r["Properties"]["Name"]
        for t in templates.values()
        for r in t["Resources"].values()
        if r["Type"] == "AWS::ImageBuilder::ImagePipeline"
    }


def parameters(templates: dict[str, dict[str, Any]]) -> set[str]:
    return {
        c["ParameterName"]
        for t in templates.values()
        for r in t["Resources"].values()
        if r["Type"] == "AWS::ImageBuilder::DistributionConfiguration"
        for d in r["Properties"]["Distributions"]
        for c in d.get("SsmParameterConfigurations", [])
    }


@pytest.fixture(scope="module")
def edits(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, dict[str, Any]]]:
    """The sample synthesized as it is, with an architecture added to its consumed image, then
    with one dropped from its base, each on the lock file the synth before wrote."""
    directory = tmp_path_factory.mktemp("edits")
    shutil.copytree(DEFAULT_FACTORY.parent / "components", directory / "components")
    text = DEFAULT_FACTORY.read_text()
    before = synth(directory, text)
    lock = json.loads((directory / "factory.lock.json").read_text())
    assert lock["variants"]["web-server"] == {"x86_64": "web-server"}
    added = text.replace(
        "    parent: base-al2023\n    architectures: [x86_64]",
        "    parent: base-al2023\n    architectures: [x86_64, arm64]",
    )
    assert added != text
    with_arm = synth(directory, added)
    dropped = added.replace(
        "    architectures: [x86_64, arm64]\n    components:\n      - aws: update-linux",
        "    architectures: [x86_64]\n    components:\n      - aws: update-linux",
    )
    dropped = dropped.replace(
        "    parent: base-al2023\n    architectures: [x86_64, arm64]",
        "    parent: base-al2023\n    architectures: [x86_64]",
    )
    assert dropped.count("architectures: [x86_64]\n") == 2
    without_arm = synth(directory, dropped)
    return {"before": before, "added": with_arm, "dropped": without_arm}


FLEET_TYPES = ("AWS::AutoScaling::AutoScalingGroup", "AWS::EC2::LaunchTemplate")


def test_adding_an_architecture_keeps_every_fleet_template_and_parameter(edits: dict[str, Any]) -> None:
    before, added = edits["before"], edits["added"]
    assert kept(before, *FLEET_TYPES) and kept(added, *FLEET_TYPES) == kept(before, *FLEET_TYPES)
    images = {
        r["Properties"]["LaunchTemplateData"]["ImageId"]
        for t in added.values()
        for r in t["Resources"].values()
        if r["Type"] == "AWS::EC2::LaunchTemplate"
    }
    assert images == {"resolve:ssm:/golden-ami/web-server/latest"}
    assert parameters(before) < parameters(added)
    assert pipelines(added) - pipelines(before) == {"web-server-arm64"}
    assert pipelines(before) <= pipelines(added)


def test_dropping_an_architecture_renames_nothing_left(edits: dict[str, Any]) -> None:
    added, dropped = edits["added"], edits["dropped"]
    assert pipelines(dropped) == {"base-al2023-x86-64", "web-server"}
    assert pipelines(dropped) <= pipelines(added)
    assert parameters(dropped) <= parameters(added)
    assert kept(dropped, *FLEET_TYPES) == kept(added, *FLEET_TYPES)
