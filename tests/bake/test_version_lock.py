"""The three properties component versioning must hold together, proved on real synths."""

from __future__ import annotations

import json
import re
from pathlib import Path

import aws_cdk as cdk
import pytest

from constructs_lib import BaseImage, Component, GoldenImagePipeline, VersionLock
from constructs_lib.bake.version_lock import content_digest
from tests.conftest import DOCUMENT, make_stack

CHANGED = DOCUMENT.replace("echo hello", "echo hello again")


def synth(lock_path: Path, document: str, *, frozen: bool = False, version: str = "1.0.0") -> dict:
    stack = make_stack()
    GoldenImagePipeline(
        stack,
        "P",
        image_name="img",
        base_image=BaseImage.from_ami_id("ami-12345678"),
        components=[Component.from_inline("hello", document, version=version)],
        version_lock=VersionLock(lock_path, frozen=frozen),
    )
    return cdk.App.of(stack).synth().get_stack_by_name("Test").template  # type: ignore[union-attr]


def component_version(template: dict) -> str:
    (component,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::ImageBuilder::Component"]
    return component["Properties"]["Version"]


def test_unchanged_content_synthesizes_byte_identical(tmp_path: Path) -> None:
    lock = tmp_path / "lock.json"
    first = json.dumps(synth(lock, DOCUMENT), sort_keys=True)
    lock_text = lock.read_text()
    assert json.dumps(synth(lock, DOCUMENT), sort_keys=True) == first
    assert lock.read_text() == lock_text


def test_changed_content_gets_a_new_version_without_a_manual_bump(tmp_path: Path) -> None:
    lock = tmp_path / "lock.json"
    assert component_version(synth(lock, DOCUMENT)) == "1.0.0"
    assert component_version(synth(lock, CHANGED)) == "1.0.1"
    recorded = json.loads(lock.read_text())["components"]["img-hello"]
    assert recorded["version"] == "1.0.1" and len(recorded["sha256"]) == 64


def test_newer_content_always_gets_a_higher_version_even_when_reverting(tmp_path: Path) -> None:
    lock = tmp_path / "lock.json"
    versions = [component_version(synth(lock, doc)) for doc in (DOCUMENT, CHANGED, DOCUMENT)]
    assert versions == ["1.0.0", "1.0.1", "1.0.2"]


def test_raising_the_floor_starts_a_new_line(tmp_path: Path) -> None:
    lock = tmp_path / "lock.json"
    synth(lock, DOCUMENT)
    assert component_version(synth(lock, DOCUMENT, version="2.0.0")) == "2.0.0"
    assert component_version(synth(lock, CHANGED, version="2.0.0")) == "2.0.1"


def test_a_frozen_lock_refuses_new_content_and_says_how_to_fix_it(tmp_path: Path) -> None:
    lock = tmp_path / "lock.json"
    synth(lock, DOCUMENT)
    before = lock.read_bytes()
    with pytest.raises(ValueError) as raised:
        synth(lock, CHANGED, frozen=True)
    assert re.fullmatch(
        r"version_lock: component 'img-hello' changed \(sha256 [0-9a-f]{12}\) but "
        + re.escape(
            f"{lock} is frozen; synthesize once with it unfrozen ('make synth' in the factory's repository, "
            "'cdk synth' in your own app, which writes the lock file its context names; for a test's copy, copy "
            f"that file over it) and commit {lock} (it will record version 1.0.1)"
        ),
        str(raised.value),
    ), str(raised.value)
    assert lock.read_bytes() == before  # a frozen lock never writes


def test_rejects_a_corrupt_lock_file(tmp_path: Path) -> None:
    lock = tmp_path / "lock.json"
    lock.write_text("{not json")
    with pytest.raises(ValueError, match=r"version_lock: '.*lock.json' is not a valid lock file"):
        VersionLock(lock)


def test_digest_covers_every_property_that_makes_a_version() -> None:
    base = {"Name": "a", "Platform": "Linux", "Data": "x", "Description": "d"}
    assert content_digest(base) == content_digest(dict(reversed(base.items())))
    assert content_digest(base) != content_digest({**base, "Description": "e"})


def test_at_shares_one_lock_per_path(tmp_path: Path) -> None:
    assert VersionLock.at(tmp_path / "l.json") is VersionLock.at(str(tmp_path / "l.json"))


def test_frozen_lock_refuses_a_new_record(tmp_path: Path) -> None:
    with pytest.raises(ValueError) as raised:
        VersionLock(tmp_path / "lock.json", frozen=True).record_resources({})
    assert str(raised.value).startswith(
        f"version_lock: it keeps the record of the last synth, but {tmp_path / 'lock.json'} is frozen; "
    )


def test_a_path_asked_for_frozen_stays_frozen_whoever_opened_it_first(tmp_path: Path) -> None:
    path = tmp_path / "shared.json"
    first = VersionLock.at(path)  # a construct's default, unfrozen
    assert not first.frozen
    assert VersionLock.at(path, frozen=True) is first and first.frozen  # a test freezes the fixture
    assert VersionLock.at(path).frozen  # and code opening it unfrozen afterwards gets it frozen


def test_the_refresh_hint_names_the_file_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tests").mkdir()
    with pytest.raises(ValueError) as raised:
        VersionLock(tmp_path / "tests" / "golden-ami.lock.json", frozen=True).record_resources({})
    assert "but tests/golden-ami.lock.json is frozen; " in str(raised.value)


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


def test_an_out_of_band_import_is_recorded_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "lock.json"
    lock = VersionLock(path)
    assert lock.imported("legacy") is None
    lock.record_import("legacy", ami="ami-0123456789abcdef0", source="s3://disk-images/a.vmdk", task="import-ami-1")
    again = VersionLock(path)
    assert again.imported("legacy") == {
        "ami": "ami-0123456789abcdef0",
        "source": "s3://disk-images/a.vmdk",
        "task": "import-ami-1",
    }
    assert json.loads(path.read_text())["imports"]["legacy"]["ami"] == "ami-0123456789abcdef0"


def test_a_frozen_lock_refuses_to_record_an_import(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"version_lock: lock\.json is frozen"):
        VersionLock(tmp_path / "lock.json", frozen=True).record_import(
            "x", ami="ami-01234567", source="s3://b/k.raw", task="t"
        )


def test_an_image_keeps_its_suffix_per_build_basis_and_gets_it_back_when_an_edit_is_undone(tmp_path: Path) -> None:
    lock = VersionLock(tmp_path / "lock.json")
    assert lock.image_suffix("web", basis="B1", today="T1") == "T1"  # first synth: as before
    assert lock.image_suffix("web", basis="B1", today="T2") == "T1"  # a tags-only edit
    assert lock.image_suffix("web", basis="B2", today="T3") == "T3"  # a region: a new build
    assert lock.image_suffix("web", basis="B1", today="T2") == "T1"  # the region edit undone
    assert json.loads((tmp_path / "lock.json").read_text())["images"] == {"web": {"B2": "T3", "B1": "T1"}}
    for n in range(20):
        lock.image_suffix("web", basis=f"X{n}", today=f"S{n}")
    assert len(VersionLock(tmp_path / "lock.json")._images["web"]) == 10


def test_image_suffixes_in_the_first_form_are_read_and_a_frozen_lock_writes_none(tmp_path: Path) -> None:
    path = tmp_path / "lock.json"
    path.write_text(json.dumps({"components": {}, "images": {"web": {"basis": "B1", "suffix": "T1"}}}))
    frozen = VersionLock(path, frozen=True)
    assert frozen.image_suffix("web", basis="B1", today="T9") == "T1"
    assert frozen.image_suffix("web", basis="B2", today="T9") == "T9"
    assert json.loads(path.read_text())["images"] == {"web": {"basis": "B1", "suffix": "T1"}}
