"""``python -m constructs_lib.checks.preflight``: findings, exit code, and the change report
against the lock file's record of the last synth."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from constructs_lib.bake.version_lock import VersionLock
from constructs_lib.checks.preflight.__main__ import main
from constructs_lib.checks.preflight.changes import record, report
from tests.checks.preflight.test_known_bad import KNOWN_BAD

Record = dict[str, dict[str, dict[str, object]]]


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


def test_frozen_lock_refuses_a_new_record(tmp_path: Path) -> None:
    with pytest.raises(
        ValueError,
        match=r"version_lock: lock.json is frozen, so it keeps the record of the last synth; run 'make synth' locally and commit lock.json",
    ):
        VersionLock(tmp_path / "lock.json", frozen=True).record_resources({})


def test_record_keeps_components_and_stacks(tmp_path: Path) -> None:
    path = tmp_path / "lock.json"
    path.write_text(
        json.dumps(
            {"components": {"c": {"sha256": "a", "version": "1.0.0"}}, "stacks": {"i": {"stack": 0, "pipelines": 1}}}
        )
    )
    VersionLock(path).record_resources({"S": {}})
    data = json.loads(path.read_text())
    assert (data["components"], data["stacks"], data["resources"]) == (
        {"c": {"sha256": "a", "version": "1.0.0"}},
        {"i": {"stack": 0, "pipelines": 1}},
        {"S": {}},
    )


def fleet(name: str | None = None, image: str = "resolve:ssm:/golden-ami/web/latest") -> Record:
    return {
        "Consumers": {
            name or "webFleetASG1": {"type": "AWS::AutoScaling::AutoScalingGroup", "name": None},
            "webLaunchTemplate": {"type": "AWS::EC2::LaunchTemplate", "name": None, "image": image},
            "webLifecycle": {"type": "AWS::ImageBuilder::LifecyclePolicy", "name": "web"},
            "webPipeline": {"type": "AWS::ImageBuilder::ImagePipeline", "name": "web"},
        }
    }


def test_report_names_recreated_fleets_renamed_parameters_and_orphaned_amis() -> None:
    after = fleet("webx8664FleetASG2", "resolve:ssm:/golden-ami/web-x86-64/latest")
    del after["Consumers"]["webLifecycle"]
    after["Consumers"]["webPipeline"]["name"] = "web-x86-64"
    lines = report(fleet(), after)
    assert "Consumers/webFleetASG1: REMOVED fleet: its instances are terminated" in lines
    assert "Consumers/webx8664FleetASG2: NEW fleet (instances launched from the current image)" in lines
    assert (
        "Consumers/webLaunchTemplate: launch template reads resolve:ssm:/golden-ami/web-x86-64/latest (was resolve:ssm:/golden-ami/web/latest)"
        in lines
    )
    assert (
        "Consumers/webLifecycle: REMOVED AWS::ImageBuilder::LifecyclePolicy 'web': the AMIs it selected are no longer retired"
        in lines
    )
    assert (
        "Consumers/webPipeline: renamed 'web' -> 'web-x86-64' (AWS::ImageBuilder::ImagePipeline; a new name replaces the resource)"
        in lines
    )
    assert report(fleet(), fleet()) == []


def test_report_matches_a_named_resource_whose_logical_id_changed() -> None:
    after = fleet()
    after["Consumers"]["webPipeline2"] = after["Consumers"].pop("webPipeline")
    assert report(fleet(), after) == [
        "Consumers/webPipeline: REPLACED as webPipeline2 (AWS::ImageBuilder::ImagePipeline 'web': logical ID changed)"
    ]


def test_record_reads_names_and_launch_template_images() -> None:
    from constructs_lib.checks.preflight import Assembly

    recorded = record(Assembly.from_directory(KNOWN_BAD / "default"))
    assert (
        recorded["GoldenAmiConsumers-us-east-1"]["webserverLaunchTemplateDB3CAC2B"]["image"]
        == "resolve:ssm:/golden-ami/web-server/latest"
    )
    assert (
        recorded["GoldenAmiDestination-222222222222"]["ImageBuilderAccess1AC4DB3E"]["name"]
        == "EC2ImageBuilderDistributionCrossAccountRole"
    )
