"""The default factory as `make synth` builds it: snapshot, cfn-lint, cdk-nag, lock, summary."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from scripts.summary import summarize
from tests.conftest import lint_errors as errors_and_warnings

_ASSET_HASH = re.compile(r"[0-9a-f]{64}")


def scrubbed(template: dict[str, Any]) -> Any:
    """The template with asset hashes replaced, so snapshots track content, not hashes."""
    return json.loads(_ASSET_HASH.sub("<asset-hash>", json.dumps(template, sort_keys=True)))


@pytest.fixture
def snapshot_json(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(JSONSnapshotExtension)


def test_default_factory_matches_its_snapshot(
    default_templates: dict[str, Any], snapshot_json: SnapshotAssertion
) -> None:
    assert scrubbed(default_templates) == snapshot_json


def test_default_factory_has_the_web_server_pipeline(default_templates: dict[str, Any]) -> None:
    resources = default_templates["GoldenAmiFactory"]["Resources"]
    pipelines = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::ImageBuilder::ImagePipeline"]
    assert [p["Name"] for p in pipelines] == ["web-server"]
    recipe = next(r["Properties"] for r in resources.values() if r["Type"] == "AWS::ImageBuilder::ImageRecipe")
    assert [m["DeviceName"] for m in recipe["BlockDeviceMappings"]] == ["/dev/xvda", "/dev/xvdf"]


def test_every_template_passes_cfn_lint(default_assembly: cdk.cx_api.CloudAssembly) -> None:
    for stack in default_assembly.stacks:
        assert errors_and_warnings(stack.template, stack.environment.region) == [], stack.stack_name


def test_cfn_lint_would_catch_a_wrong_key() -> None:
    bad = {
        "Resources": {
            "D": {
                "Type": "AWS::ImageBuilder::DistributionConfiguration",
                "Properties": {
                    "Name": "web",
                    "Distributions": [{"Region": "eu-west-1", "AmiDistributionConfiguration": {"amiTags": {}}}],
                },
            }
        }
    }
    assert errors_and_warnings(bad, "eu-west-1"), "cfn-lint accepted a camelCase key"


def test_app_passes_cdk_nag_with_nothing_unacknowledged(default_assembly: cdk.cx_api.CloudAssembly) -> None:
    report = json.loads((Path(default_assembly.directory) / "validation-report.json").read_text())
    assert report["pluginReports"] == [] or all(not p.get("violations") for p in report["pluginReports"])


def test_cdk_nag_runs_and_fails_on_an_unacknowledged_finding(tmp_path: Path) -> None:
    from aws_cdk import aws_s3 as s3
    from cdk_nag import AwsSolutionsChecks

    app = cdk.App(outdir=str(tmp_path))
    s3.Bucket(cdk.Stack(app, "Bad"), "Open")
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    with pytest.raises(RuntimeError, match="ValidationFailed: ERROR The S3 Bucket has server access logs disabled"):
        app.synth()


def test_committed_version_lock_is_current(default_assembly: cdk.cx_api.CloudAssembly) -> None:
    # default_assembly synthesizes with a frozen lock: it would have raised on stale content.
    lock = json.loads(Path("golden-ami.lock.json").read_text())
    component = next(
        r["Properties"]
        for r in default_assembly.get_stack_by_name("GoldenAmiFactory").template["Resources"].values()
        if r["Type"] == "AWS::ImageBuilder::Component"
    )
    assert lock["components"][component["Name"]]["version"] == component["Version"]


def test_summary_names_stacks_pipelines_and_regions(default_assembly: cdk.cx_api.CloudAssembly) -> None:
    lines = summarize(Path(default_assembly.directory))
    assert lines[0].startswith("stack GoldenAmiFactory (eu-west-1): ")
    assert "  pipeline web-server: cron(0 4 ? * SUN *)" in lines
    assert "  distribution web-server: eu-west-1" in lines
    assert "    snapshots at steady state: 27 versions, 1350 GiB, about $67.50/month (upper bound)" in lines
    assert "  lifecycle web-server: 2 rules" in lines
    assert lines[-1] == "estimated snapshot storage: about $67.50/month in total"
