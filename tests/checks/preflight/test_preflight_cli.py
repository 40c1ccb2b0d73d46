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


def test_warnings_alone_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = shutil.copytree(KNOWN_BAD / "multi-account", tmp_path / "out")
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["artifacts"] = {
        k: v
        for k, v in manifest["artifacts"].items()
        if not k.startswith(("GoldenAmiFactory", "GoldenAmiDestination", "GoldenAmiMember"))
    }
    (out / "manifest.json").write_text(json.dumps(manifest))
    assert main([str(out)]) == 0
    assert "0 errors" in capsys.readouterr().out


def test_first_synth_records_and_the_next_reports_what_changed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lock = tmp_path / "golden-ami.lock.json"
    main([str(KNOWN_BAD / "multi-account"), "--lock", str(lock)])
    assert "no record of the last synth" in capsys.readouterr().out
    recorded = json.loads(lock.read_text())["resources"]
    assert recorded["GoldenAmiFactory"]["baseubuntux8664FE6FABC1"] == {
        "type": "AWS::ImageBuilder::ImagePipeline",
        "name": "base-ubuntu",
    }
    VersionLock._open.clear()
    main([str(KNOWN_BAD / "multi-account"), "--lock", str(lock), "--frozen"])
    assert "no resource replaced, renamed or removed" in capsys.readouterr().out


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
