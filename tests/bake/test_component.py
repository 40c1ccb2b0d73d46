from __future__ import annotations

from pathlib import Path

import pytest

from constructs_lib import Component
from tests.conftest import DOCUMENT


def test_from_file_takes_name_and_description_from_the_file(tmp_path: Path) -> None:
    file = tmp_path / "web-server.yaml"
    file.write_text("description: Serves pages\n" + DOCUMENT)
    component = Component.from_file(file)
    assert (component.name, component.description, component.data) == ("web-server", "Serves pages", file.read_text())
    assert component.source == str(file)
    assert not component.is_managed


def test_inline_mapping_is_dumped_to_yaml() -> None:
    component = Component.from_inline(
        "hi", {"name": "hi", "schemaVersion": 1.0, "phases": [{"name": "build", "steps": []}]}
    )
    assert component.data is not None and "phases:" in component.data


def test_rejects_a_file_that_is_not_yaml(tmp_path: Path) -> None:
    file = tmp_path / "broken.yaml"
    file.write_text("phases:\n  - name: build\n    steps: [\n")
    with pytest.raises(ValueError, match=rf"components: {file}:4: not valid YAML \(.*\); fix the document"):
        Component.from_file(file)


def test_rejects_a_document_without_phases(tmp_path: Path) -> None:
    file = tmp_path / "nophases.yaml"
    file.write_text("name: x\nschemaVersion: 1.0\n")
    with pytest.raises(
        ValueError, match=rf"components: {file}:1: phases: a document needs a 'phases' list with at least one of build"
    ):
        Component.from_file(file)


def test_rejects_a_document_over_16000_characters() -> None:
    big = DOCUMENT + "#" * 16_000
    with pytest.raises(ValueError, match=r"inline component 'big' is \d+ characters; Image Builder accepts 1 to 16000"):
        Component.from_inline("big", big)


def test_rejects_unknown_phase_names() -> None:
    with pytest.raises(
        ValueError, match=r"inline component 'x1x':2: phases\[0\].name: phase 'deploy' is not an AWSTOE phase"
    ):
        Component.from_inline("x1x", "phases:\n  - name: deploy\n    steps: []\n")


def test_rejects_a_document_that_is_a_list() -> None:
    with pytest.raises(ValueError, match=r"not a YAML mapping"):
        Component.from_inline("x1x", "- a\n- b\n")


def test_rejects_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"components: cannot read '.*missing.yaml' \(No such file or directory\)"):
        Component.from_file(tmp_path / "missing.yaml")


def test_aws_managed_defaults_to_the_newest_version() -> None:
    component = Component.aws_managed("update-linux")
    assert (component.is_managed, component.version) == (True, "x.x.x")


@pytest.mark.parametrize("name", ["Update Linux", "update-linux/1.0.0", "-x"])
def test_rejects_malformed_managed_names(name: str) -> None:
    with pytest.raises(ValueError, match=r"is not an AWS-managed component name; use the lowercase name"):
        Component.aws_managed(name)


def test_rejects_a_component_version_that_is_not_semantic() -> None:
    with pytest.raises(ValueError, match=r"components\[hello\].version: '1.0' is not a semantic version"):
        Component.from_inline("hello", DOCUMENT, version="1.0")


def test_rejects_component_names_with_spaces_or_slashes() -> None:
    with pytest.raises(ValueError, match=r"components.name: 'my/component' cannot name a component; use up to 100"):
        Component.from_inline("my/component", DOCUMENT)
