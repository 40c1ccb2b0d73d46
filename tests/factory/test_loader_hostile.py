"""Hostile and generated factory files: each is refused cleanly, by file, line and key path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from constructs_lib.factory.loader import MAX_FILE_BYTES, FactoryFileError, load_factory
from tests.conftest import ROOT
from tests.factory.test_loader import MINIMAL, problems, write


def test_empty_key_is_refused_by_line(tmp_path: Path) -> None:
    (problem,) = problems(tmp_path, '"": null\n' + MINIMAL)
    assert problem.endswith(":1: (top level): empty key; give the key a name or remove the entry") or problem.endswith(
        ": empty key; give the key a name or remove the entry"
    )
    assert f"{tmp_path / 'factory.yaml'}:1: " in problem


def test_deep_nesting_is_refused_without_recursion_error(tmp_path: Path) -> None:
    text = MINIMAL + "tags: " + "[" * 5000 + "]" * 5000 + "\n"
    (problem,) = problems(tmp_path, text)
    assert ":5: nested more than 40 levels deep; flatten the document" in problem


def test_alias_bomb_is_refused_at_once(tmp_path: Path) -> None:
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
    )
    outcome: list[list[str]] = []

    def load() -> None:
        with pytest.raises(FactoryFileError) as caught:
            load_factory(write(tmp_path, bomb + MINIMAL))
        outcome.append(caught.value.problems)

    worker = threading.Thread(target=load, daemon=True)
    worker.start()
    worker.join(timeout=5)
    assert outcome, "the loader did not return within 5 s"
    assert outcome[0] == [
        f"{tmp_path / 'factory.yaml'}:1: anchor &a is not supported; write the value out where it is used"
    ]


def test_alias_alone_is_refused(tmp_path: Path) -> None:
    (problem,) = problems(tmp_path, "tags: *t\n" + MINIMAL)
    assert problem.endswith(":1: alias *t is not supported (aliases can expand without bound); write the value out")


def test_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "factory.yaml"
    with open(path, "wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: nothing is written, the size is what counts
    with pytest.raises(FactoryFileError) as caught:
        load_factory(path)
    assert caught.value.problems == [
        f"{path}: is {MAX_FILE_BYTES + 1} bytes, over the {MAX_FILE_BYTES} this reads; split it or fix the path"
    ]


def test_device_as_factory_file_is_refused_without_reading() -> None:
    with pytest.raises(FactoryFileError) as caught:
        load_factory("/dev/zero")
    assert caught.value.problems == ["/dev/zero: is not a regular file; give the path of a YAML file"]


def test_dev_zero_as_component_is_refused_without_reading(tmp_path: Path) -> None:
    text = MINIMAL.replace("[{aws: update-linux}]", "[{file: /dev/zero}]")
    (problem,) = problems(tmp_path, text)
    assert problem.endswith(
        ":4: images[0].components[0]: '/dev/zero' is not a regular file; give the path of a YAML file"
    )


def test_component_path_too_long_for_the_file_system_is_refused(tmp_path: Path) -> None:
    """Found by the long fuzz run: a 300-character file name raised OSError (ENAMETOOLONG)."""
    text = MINIMAL.replace("[{aws: update-linux}]", "[{file: " + "x" * 300 + "}]")
    (problem,) = problems(tmp_path, text)
    assert problem.endswith(
        ":4: images[0].components[0].file: '" + "x" * 80 + "' cannot be a path here (File name too long)"
    )


def test_key_given_twice_names_both_lines(tmp_path: Path) -> None:
    (problem,) = problems(
        tmp_path, MINIMAL + "images:\n  - {name: other, base: {os: ubuntu-24.04}, components: [{aws: update-linux}]}\n"
    )
    assert problem.endswith(":5: images: key 'images' is given twice (lines 1 and 5); keep one")
    (problem,) = problems(tmp_path, MINIMAL + "    tests: true\n    tests: false\n")
    assert problem.endswith(":6: images[0].tests: key 'tests' is given twice (lines 5 and 6); keep one")


def test_five_thousand_digit_number_names_its_key(tmp_path: Path) -> None:
    (problem,) = problems(tmp_path, MINIMAL + "    volumes: {root_gib: " + "9" * 5000 + "}\n")
    assert problem.endswith(
        ":5: images[0].volumes.root_gib: a number of 5000 characters is no setting; write at most 40"
    )


@pytest.mark.parametrize(
    ("snippet", "where"),
    [
        ("account: 123456789012\n", ":1: account: "),
        ("accounts: {destinations: [123456789012]}\n", ":1: accounts.destinations[0]: "),
        ("sharing:\n  accounts:\n    - 123456789012\n", ":3: sharing.accounts[0]: "),
    ],
)
def test_unquoted_account_is_told_to_be_a_string(tmp_path: Path, snippet: str, where: str) -> None:
    (problem,) = problems(tmp_path, snippet + MINIMAL)
    assert problem.endswith(where + "123456789012 is a number here; write it as a string: '123456789012'")


def test_field_and_cross_field_problems_come_together_at_their_entries(tmp_path: Path) -> None:
    text = """\
home_region: eu-west-1
images:
  - name: base
    base: {os: amazon-linux-2023}
    components: [{aws: update-linux}]
    volumes: {root_gib: many}
  - name: web
    parent: bsae
    components: [{aws: update-linux}]
consumers:
  - image: base
    instance_type: m7g.large
  - image: nope
  - image: base
    name: other
    regions: [us-west-2]
"""
    found = problems(tmp_path, text)
    tails = [p.split("factory.yaml", 1)[1] for p in found]
    expected = [
        ":6: images[0].volumes.root_gib: Input should be a valid integer, unable to parse string as an integer "
        "(got 'many')",
        ":8: images[1].parent: 'bsae' is not an image of this file; did you mean 'base'?",
        ":12: consumers[0].instance_type: 'm7g.large' is an arm64 instance type but the image is x86_64",
        ":13: consumers[1].image: 'nope' is not an image of this file; images are: base, web",
        ":16: consumers[2].regions: 'us-west-2' is not a region the factory distributes to (eu-west-1); "
        "add it to regions",
    ]
    assert len(tails) == len(expected), found
    for tail, start in zip(tails, expected, strict=True):
        assert tail.startswith(start), (tail, start)


def test_layer_cycle_points_at_the_entry(tmp_path: Path) -> None:
    text = (
        MINIMAL
        + "  - {name: app, parent: web, components: [{aws: update-linux}]}\n"
        + "  - {name: web, parent: app, components: [{aws: update-linux}]}\n"
    )
    (problem,) = problems(tmp_path, text)
    assert problem.endswith(
        ":5: images[1].parent: app -> web -> app form a cycle (each is layered on the next); give one of them a base "
        "instead of a parent"
    )


def test_consumer_instance_type_typo_has_line_and_key(tmp_path: Path) -> None:
    (problem,) = problems(tmp_path, MINIMAL + "consumers:\n  - image: base\n    instance_type: m7i_large\n")
    assert ":7: consumers[0].instance_type: 'm7i_large' " in problem


def test_messages_use_the_files_keys_not_python_names(tmp_path: Path) -> None:
    text = MINIMAL + "sharing: {accounts: ['1']}\n"
    (problem,) = problems(tmp_path, text)
    assert ":5: sharing.accounts: '1' is not an AWS account ID" in problem
    for python_name in ("launch_permission", "base_image", "expression"):
        assert python_name not in problem


def test_pin_from_context_does_not_blame_the_factory_file(tmp_path: Path) -> None:
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    factory = write(tmp_path, MINIMAL)
    result = subprocess.run(
        [sys.executable, "app.py"],
        cwd=ROOT,
        env={
            **env,
            "CDK_CONTEXT_JSON": json.dumps({"factory": str(factory), "pin": "aws-x"}),
            "CDK_OUTDIR": str(tmp_path / "out"),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("context pin (-c pin=... or make synth PIN=...): 'aws-x' is neither")
    assert "factory.yaml" not in result.stderr


def test_image_needs_exactly_one_of_base_and_parent(tmp_path: Path) -> None:
    (problem,) = problems(tmp_path, MINIMAL.replace("    base: {os: amazon-linux-2023}\n", "    base: null\n"))
    assert problem.endswith(":2: images[0]: give exactly one of base or parent (neither given)")
    text = MINIMAL + "  - {name: web, parent: base, base: {os: ubuntu-24.04}, components: [{aws: update-linux}]}\n"
    (problem,) = problems(tmp_path, text)
    assert problem.endswith(":5: images[1]: give exactly one of base or parent (both given)")
