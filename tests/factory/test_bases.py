"""Import and instance bases in the factory file: what the factory makes for them, the start
condition their pipelines get, the out-of-band path, and every bad input refused with its line."""

from __future__ import annotations

import re
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from constructs_lib.bake.version_lock import VersionLock
from constructs_lib.factory.app import Factory, build_factory
from constructs_lib.factory.loader import FactoryFileError, load_factory
from tests.conftest import ACCOUNT, CONTEXT

IMPORT = """\
images:
  - name: legacy
    base:
      import: {s3: s3://disk-images/web.vmdk%s}
    components: [{aws: update-linux}]
"""
INSTANCE = """\
images:
  - name: hand
    base: {instance: i-0123456789abcdef0}
    components: [{aws: update-linux}]
"""


def build(tmp_path: Path, text: str) -> tuple[Factory, VersionLock]:
    path = tmp_path / "factory.yaml"
    path.write_text(text)
    lock = VersionLock(tmp_path / "lock.json")
    app = cdk.App(context=CONTEXT)
    return build_factory(app, load_factory(path), base_dir=tmp_path, lock=lock, account=ACCOUNT), lock


def factory_template(factory: Factory) -> Template:
    return Template.from_stack(factory.factory_stacks[0])


def test_import_base_makes_the_import_the_role_and_the_key(tmp_path: Path) -> None:
    factory, _ = build(tmp_path, IMPORT % "")
    template = factory_template(factory)
    template.resource_count_is("Custom::GoldenAmiVmImport", 1)
    template.has_resource_properties("AWS::IAM::Role", {"RoleName": "golden-ami-factory-vmimport"})
    assert any(s.stack_name == "GoldenAmiKeys-eu-west-1" for s in factory.stacks)
    (recipe,) = template.find_resources("AWS::ImageBuilder::ImageRecipe").values()
    (import_id,) = template.find_resources("Custom::GoldenAmiVmImport")
    assert recipe["Properties"]["ParentImage"] == {"Fn::GetAtt": [import_id, "ImageArn"]}
    # A fixed parent never brings a dependency update: the pipeline builds at every schedule match.
    (pipeline,) = template.find_resources("AWS::ImageBuilder::ImagePipeline").values()
    assert pipeline["Properties"]["Schedule"]["PipelineExecutionStartCondition"] == "EXPRESSION_MATCH_ONLY"
    assert "fixed parent" in factory.pipelines[0].base_image.description


def test_instance_base_makes_a_capture(tmp_path: Path) -> None:
    factory, _ = build(tmp_path, INSTANCE)
    template = factory_template(factory)
    template.has_resource_properties("Custom::GoldenAmiInstanceCapture", {"InstanceId": "i-0123456789abcdef0"})
    (pipeline,) = template.find_resources("AWS::ImageBuilder::ImagePipeline").values()
    assert pipeline["Properties"]["Schedule"]["PipelineExecutionStartCondition"] == "EXPRESSION_MATCH_ONLY"
    assert not any(s.stack_name.startswith("GoldenAmiKeys") for s in factory.stacks)


def test_out_of_band_import_needs_the_recorded_ami(tmp_path: Path) -> None:
    with pytest.raises(
        ValueError,
        match=r"images\[0\].base.import.out_of_band: no AMI is recorded for 'legacy'; run 'golden-ami-import --image legacy --s3 s3://disk-images/web.vmdk",
    ):
        build(tmp_path, IMPORT % ", out_of_band: true")


def test_out_of_band_import_uses_the_recorded_ami_and_keeps_the_role(tmp_path: Path) -> None:
    VersionLock(tmp_path / "lock.json").record_import(
        "legacy", ami="ami-0123456789abcdef0", source="s3://disk-images/web.vmdk", task="import-ami-1"
    )
    factory, _ = build(tmp_path, IMPORT % ", out_of_band: true")
    template = factory_template(factory)
    template.resource_count_is("Custom::GoldenAmiVmImport", 0)
    template.has_resource_properties("AWS::IAM::Role", {"RoleName": "golden-ami-factory-vmimport"})
    (recipe,) = template.find_resources("AWS::ImageBuilder::ImageRecipe").values()
    assert recipe["Properties"]["ParentImage"] == "ami-0123456789abcdef0"


def test_out_of_band_import_of_another_disk_is_refused(tmp_path: Path) -> None:
    VersionLock(tmp_path / "lock.json").record_import(
        "legacy", ami="ami-0123456789abcdef0", source="s3://disk-images/old.vmdk", task="import-ami-1"
    )
    with pytest.raises(
        ValueError, match=re.escape("records 's3://disk-images/old.vmdk' for 'legacy', not 's3://disk-images/web.vmdk'")
    ):
        build(tmp_path, IMPORT % ", out_of_band: true")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            IMPORT % ", encrypted: false",
            r"images\[0\]\.base\.import\.encrypted: an import is always encrypted with the factory's key",
        ),
        (
            IMPORT.replace("s3://disk-images/web.vmdk", "https://example.com/web.vmdk") % "",
            r"images\[0\]\.base\.import\.s3: 'https://example.com/web.vmdk' is not an S3 URL",
        ),
        (
            IMPORT.replace("web.vmdk", "web.qcow2") % "",
            r"images\[0\]\.base\.import\.format: 'qcow2' .* is not a format VM Import/Export imports",
        ),
        (IMPORT % ", boot_mode: uefi-preferred", r"images\[0\]\.base\.import\.boot_mode: "),
        (
            IMPORT % ", license: AWS",
            r"images\[0\]\.base\.import\.license: 'AWS' is not possible for a Linux import; .* write license: BYOL",
        ),
        (
            IMPORT.replace("      import:", "      architecture: arm64\n      import:") % "",
            r"images\[0\]\.base\.architecture: 'arm64' cannot be imported",
        ),
        (INSTANCE.replace("i-0123456789abcdef0", "i-xyz"), r"'i-xyz' is not an EC2 instance ID"),
        (
            INSTANCE.replace(
                "{instance: i-0123456789abcdef0}", "{instance: {id: i-0123456789abcdef0}, os: ubuntu-24.04}"
            ),
            r"give exactly one of os, ami, marketplace, ssm, import, instance \(2 given\)",
        ),
    ],
    ids=["unencrypted", "not-s3", "format", "boot-mode", "license", "arm64", "instance-id", "two-bases"],
)
def test_bad_bases_are_refused_with_their_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "factory.yaml"
    path.write_text(text)
    with pytest.raises(FactoryFileError) as caught:
        load_factory(path)
    found = "\n".join(caught.value.problems)
    assert "factory.yaml:" in found
    assert re.search(message, found), found


def test_report_shows_where_an_imported_or_captured_base_comes_from(tmp_path: Path) -> None:
    from constructs_lib.factory.report import diagram, render

    imported, _ = build(tmp_path, IMPORT % "")
    assert '  src_legacy[("disk image<br/>s3://disk-images/web.vmdk")]' in diagram(imported)
    assert "  src_legacy -->|import, fixed parent| legacy" in diagram(imported)
    assert "| base | VM image imported from s3://disk-images/web.vmdk (fixed parent) |" in render(imported)
    (tmp_path / "captured").mkdir()
    captured, _ = build(tmp_path / "captured", INSTANCE)
    assert "  src_hand -->|capture, fixed parent| hand" in diagram(captured)
