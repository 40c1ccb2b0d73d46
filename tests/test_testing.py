"""constructs_lib.testing, as a library user's snapshot test uses it: after a component change the
test fails naming the user's lock file, which stays byte-identical."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

from constructs_lib import BaseImage, Component, GoldenImagePipeline, OperatingSystem, PipelineHolds, VersionLock
from constructs_lib.testing import ENVIRONMENT, snapshot_app, template_of
from tests.conftest import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "snapshot" / "golden-ami.lock.json"


def platform(app: cdk.App, component: Path, lock: VersionLock | None = None) -> cdk.Stack:
    stack = cdk.Stack(app, "Platform", env=ENVIRONMENT)
    GoldenImagePipeline(
        stack,
        "Web",
        image_name="web-server",
        base_image=BaseImage.aws_managed(OperatingSystem.AMAZON_LINUX_2023),
        components=[Component.aws_managed("update-linux"), Component.from_file(component, name="nginx")],
        version_lock=lock,
    )
    return stack


@pytest.fixture
def user_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user's repository: the committed lock file in tests/, a component, a cdk.json."""
    (tmp_path / "tests").mkdir()
    shutil.copy(FIXTURE, tmp_path / "tests" / "golden-ami.lock.json")
    shutil.copy(ROOT / "components" / "web-server.yaml", tmp_path / "web-server.yaml")
    shutil.copy(ROOT / "cdk.json", tmp_path / "cdk.json")
    monkeypatch.chdir(tmp_path)
    VersionLock._open.clear()
    return tmp_path


@pytest.mark.parametrize("explicit", [False, True], ids=["lock-from-context", "VersionLock.at-explicitly"])
def test_a_changed_component_fails_naming_the_users_lock_which_stays_unwritten(user_repo: Path, explicit: bool) -> None:
    lock = user_repo / "tests" / "golden-ami.lock.json"
    before = lock.read_bytes()
    component = user_repo / "web-server.yaml"
    component.write_text(component.read_text() + "\n# changed\n")
    if explicit:
        VersionLock.at("tests/golden-ami.lock.json")  # the app opened it unfrozen first
    app = snapshot_app("tests/golden-ami.lock.json")
    with pytest.raises(ValueError) as raised:
        platform(app, component, VersionLock.at("tests/golden-ami.lock.json") if explicit else None)
    assert "tests/golden-ami.lock.json is frozen; synthesize once with it unfrozen (" in str(raised.value)
    assert "'cdk synth' in your own app" in str(raised.value)
    assert lock.read_bytes() == before


def test_an_unchanged_stack_gives_the_same_scrubbed_template_twice(user_repo: Path) -> None:
    lock = user_repo / "tests" / "golden-ami.lock.json"
    before = lock.read_bytes()
    first: Any = template_of(platform(snapshot_app("tests/golden-ami.lock.json"), user_repo / "web-server.yaml"))
    second: Any = template_of(platform(snapshot_app("tests/golden-ami.lock.json"), user_repo / "web-server.yaml"))
    assert first == second
    assert lock.read_bytes() == before


def test_asset_hashes_are_scrubbed(user_repo: Path) -> None:
    stack = cdk.Stack(snapshot_app("tests/golden-ami.lock.json"), "Holds", env=ENVIRONMENT)
    PipelineHolds.of(stack)  # bundles a function: an asset
    text = json.dumps(template_of(stack))
    assert "<asset-hash>" in text
    assert not re.search(r"[0-9a-f]{64}", text)


def test_the_apps_context_comes_from_cdk_json_with_the_lock_frozen(user_repo: Path) -> None:
    app = snapshot_app("tests/golden-ami.lock.json", context={"mine": "yes"})
    assert app.node.try_get_context("golden-ami:versionLockFrozen") == "true"
    assert app.node.try_get_context("mine") == "yes"
    assert app.node.try_get_context("@aws-cdk/aws-iam:minimizePolicies") is True  # from cdk.json


def test_a_missing_lock_file_is_named_with_the_fix(user_repo: Path) -> None:
    with pytest.raises(ValueError) as raised:
        snapshot_app("tests/nope.json")
    assert str(raised.value) == (
        "lock_file: 'tests/nope.json' is not a file; give the lock file your synth writes and you commit "
        "(golden-ami.lock.json next to app.py by default), relative to the working directory"
    )
