"""checkov, from its own virtual environment (make test installs it), over every template of the
default factory: no failed check, and each skip carries its reason in the resource's Metadata."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import aws_cdk as cdk

from tests.conftest import ROOT

CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"


def checkov(*directories: Path) -> list[dict[str, Any]]:
    """checkov's reports over every template (``*.template.json``) in ``directories``, in one run:
    checkov takes about 2 s to start, so the suite starts it once per set of assemblies. Each
    check's ``file_abs_path`` says which directory it came from (:func:`failed_by_directory`)."""
    assert CHECKOV.exists(), "checkov is missing: `make test` installs it into .venv-checkov"
    files = sorted(str(f) for d in directories for f in Path(d).glob("*.template.json"))
    assert files, f"no template in {', '.join(map(str, directories))}"
    options = ["--framework", "cloudformation", "--skip-download", "-o", "json"]
    result = subprocess.run(
        [str(CHECKOV), *(a for f in files for a in ("-f", f)), *options],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    reports: list[dict[str, Any]] = report if isinstance(report, list) else [report]
    return reports


def failed_by_directory(report: dict[str, Any], directories: list[Path]) -> dict[Path, list[str]]:
    """The failed check IDs of one :func:`checkov` report, per directory it scanned."""
    failed: dict[Path, list[str]] = {d: [] for d in directories}
    for check in report["results"]["failed_checks"]:
        (directory,) = (d for d in directories if Path(check["file_abs_path"]).parent == Path(d))
        failed[directory].append(check["check_id"])
    return failed


def test_default_factory_has_no_failed_checkov_check(default_assembly: cdk.cx_api.CloudAssembly) -> None:
    (report,) = checkov(Path(default_assembly.directory))
    failed = [(c["check_id"], c["resource"], c["file_path"]) for c in report["results"]["failed_checks"]]
    assert failed == []
    scanned = {Path(c["file_abs_path"]).name for c in report["results"]["passed_checks"]}
    for region in ("eu-west-1", "us-east-1", "ap-southeast-2"):
        assert f"GoldenAmiConsumers-{region}.template.json" in scanned
    for skipped in report["results"]["skipped_checks"]:
        assert skipped["check_result"]["suppress_comment"].strip(), skipped["check_id"]


def test_checkov_fails_a_launch_template_without_imdsv2(tmp_path: Path) -> None:
    bad = {
        "Resources": {
            "Template": {
                "Type": "AWS::EC2::LaunchTemplate",
                "Properties": {"LaunchTemplateData": {"MetadataOptions": {"HttpTokens": "optional"}}},
            }
        }
    }
    (tmp_path / "bad.template.json").write_text(json.dumps(bad))
    (report,) = checkov(tmp_path)
    assert "CKV_AWS_79" in {c["check_id"] for c in report["results"]["failed_checks"]}
