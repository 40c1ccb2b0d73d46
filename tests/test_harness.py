"""The suite's own checking helpers find what they exist to find: a helper that always passed
would make every test that relies on it pass too."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import lint_errors
from tests.test_checkov import checkov, failed_by_directory

BAD_BUCKET = {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"NoSuchProperty": 1}}}}
OPEN_TEMPLATE = {
    "Resources": {
        "Template": {
            "Type": "AWS::EC2::LaunchTemplate",
            "Properties": {"LaunchTemplateData": {"MetadataOptions": {"HttpTokens": "optional"}}},
        }
    }
}


def test_lint_errors_reports_a_bad_property_in_every_region_with_rules_loaded_once() -> None:
    for region in ("eu-west-1", "us-east-1", "eu-west-1"):
        (error,) = lint_errors(BAD_BUCKET, region)
        assert "NoSuchProperty" in error, region


def test_one_checkov_run_attributes_each_failure_to_its_directory(tmp_path: Path) -> None:
    good, bad = tmp_path / "good", tmp_path / "bad"
    for directory, template in ((good, {"Resources": {}}), (bad, OPEN_TEMPLATE)):
        directory.mkdir()
        (directory / "Stack.template.json").write_text(json.dumps(template))
    (report,) = checkov(good, bad)
    failed = failed_by_directory(report, [good, bad])
    assert failed[good] == []
    assert "CKV_AWS_79" in failed[bad]
