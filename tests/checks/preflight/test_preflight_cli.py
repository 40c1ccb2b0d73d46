"""``python -m constructs_lib.checks.preflight``: findings, exit code, and the change report
against the lock file's record of the last synth."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from constructs_lib.bake.version_lock import VersionLock
from constructs_lib.checks.preflight.__main__ import main
from tests.checks.preflight.test_known_bad import KNOWN_BAD
from tests.conftest import ROOT


def test_errors_stop_with_rule_resources_and_fix(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(KNOWN_BAD / "multi-account")]) == 1
    err = capsys.readouterr().err
    assert "preflight: error GA-P001 [GoldenAmiFactory/baseubuntux8664Recipe473D89BD" in err
    assert "Set Ebs.KmsKeyId" in err


def warnings_only(tmp_path: Path) -> Path:
    """The multi-account assembly without the stacks that hold its errors."""
    out = shutil.copytree(KNOWN_BAD / "multi-account", tmp_path / "out")
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["artifacts"] = {
        k: v
        for k, v in manifest["artifacts"].items()
        if not k.startswith(("GoldenAmiFactory", "GoldenAmiDestination", "GoldenAmiMember"))
    }
    (out / "manifest.json").write_text(json.dumps(manifest))
    return out


def test_warnings_alone_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(warnings_only(tmp_path))]) == 0
    assert "0 errors" in capsys.readouterr().out


def test_first_synth_records_and_the_next_reports_what_changed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lock = tmp_path / "golden-ami.lock.json"
    # A synth with errors is not recorded: the next one compares with what could be deployed.
    assert main([str(KNOWN_BAD / "multi-account"), "--lock", str(lock)]) == 1
    assert not lock.exists()
    VersionLock._open.clear()
    main([str(warnings_only(tmp_path)), "--lock", str(lock)])
    assert "no record of the last synth" in capsys.readouterr().out
    recorded = json.loads(lock.read_text())["resources"]
    key = recorded["GoldenAmiKeys-us-east-1"]["DistributionKey7E662550"]
    assert key["type"] == "AWS::KMS::Key" and key["name"] is None and key["keeps"] == ["delete", "replace"]
    assert key["path"] == "GoldenAmiKeys-us-east-1/DistributionKey/Resource/Resource"
    VersionLock._open.clear()
    main([str(warnings_only(tmp_path / "again")), "--lock", str(lock), "--frozen"])
    out = capsys.readouterr().out
    assert "change report against" in out and out.rstrip().endswith(": nothing changes")


def test_runs_without_loading_the_cdk(tmp_path: Path) -> None:
    # Pure JSON: the preflight reads cdk.out and the lock file without jsii or aws-cdk-lib.
    code = (
        "import sys\n"
        "from constructs_lib.checks.preflight.__main__ import main\n"
        f"main([{str(KNOWN_BAD / 'default')!r}, '--lock', {str(tmp_path / 'lock.json')!r}])\n"
        "assert 'aws_cdk' not in sys.modules and 'jsii' not in sys.modules, 'the CDK was loaded'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False)
    assert "the CDK was loaded" not in result.stderr
    assert "preflight: error GA-P001" in result.stderr


def test_an_acknowledged_error_still_stops_and_says_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = shutil.copytree(KNOWN_BAD / "multi-account", tmp_path / "out")
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["artifacts"]["GoldenAmiFactory"]["metadata"] = {
        "/GoldenAmiFactory": [
            {"type": "aws:cdk:acknowledged-rules", "data": {"Annotation::GA-P001": "we accept the default key"}}
        ]
    }
    (out / "manifest.json").write_text(json.dumps(manifest))
    assert main([str(out)]) == 1
    err = capsys.readouterr().err
    assert "preflight: error GA-P001 [GoldenAmiFactory/baseubuntux8664Recipe473D89BD" in err
    assert (
        "preflight: the acknowledgement of GA-P001 above does not apply: an error is what AWS would refuse or a "
        "feature that would do nothing, so only its fix clears it"
    ) in err
