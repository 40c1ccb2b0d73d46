"""The assembly loader: environments from the manifest, and what it resolves across stacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from constructs_lib.checks.preflight import Assembly, Reference, Stack


def write_assembly(directory: Path, stacks: dict[str, tuple[str, dict[str, object], list[str]]]) -> Path:
    artifacts: dict[str, object] = {"Tree": {"type": "cdk:tree", "properties": {"file": "tree.json"}}}
    for name, (environment, template, dependencies) in stacks.items():
        (directory / f"{name}.template.json").write_text(json.dumps(template))
        artifacts[name] = {
            "type": "aws:cloudformation:stack",
            "environment": environment,
            "properties": {"templateFile": f"{name}.template.json"},
            "dependencies": [*dependencies, f"{name}.assets"],
        }
    (directory / "manifest.json").write_text(json.dumps({"version": "55.0.0", "artifacts": artifacts}))
    return directory


KEY = {
    "Resources": {
        "Key": {"Type": "AWS::KMS::Key", "Properties": {}},
        "Alias": {"Type": "AWS::KMS::Alias", "Properties": {"AliasName": "alias/k", "TargetKeyId": {"Ref": "Key"}}},
    },
    "Outputs": {"Arn": {"Value": {"Fn::GetAtt": ["Key", "Arn"]}, "Export": {"Name": "KeyArn"}}},
}


@pytest.fixture
def assembly(tmp_path: Path) -> Assembly:
    return Assembly.from_directory(
        write_assembly(
            tmp_path,
            {
                "Keys": ("aws://111111111111/eu-west-1", KEY, []),
                "Other": ("aws://222222222222/eu-west-1", KEY, []),
                "App": (
                    "aws://111111111111/eu-west-1",
                    {"Resources": {}, "Parameters": {"Name": {"Type": "String", "Default": "web"}}},
                    ["Keys"],
                ),
                "Late": ("aws://111111111111/eu-west-1", {"Resources": {}}, ["App"]),
                "Agnostic": ("aws://unknown-account/unknown-region", {"Resources": {}}, []),
            },
        )
    )


def test_reads_stacks_environments_and_dependencies_from_the_manifest(assembly: Assembly) -> None:
    assert sorted(assembly.stacks) == ["Agnostic", "App", "Keys", "Late", "Other"]
    assert (assembly.stacks["Other"].account, assembly.stacks["Other"].region) == ("222222222222", "eu-west-1")
    assert assembly.stacks["App"].dependencies == ("Keys",)  # asset artifacts are not stacks


def test_unresolved_environments_become_none(assembly: Assembly) -> None:
    assert (assembly.stacks["Agnostic"].account, assembly.stacks["Agnostic"].region) == (None, None)
    assert list(assembly.in_environment(None, None)) == []


def test_dependencies_are_transitive(assembly: Assembly) -> None:
    assert assembly.depends_on("Late", "Keys")
    assert not assembly.depends_on("Keys", "Late")


def test_alias_arn_resolves_to_the_key_of_that_account_and_region(assembly: Assembly) -> None:
    app = assembly.stacks["App"]
    assert assembly.key(app, "arn:aws:kms:eu-west-1:222222222222:alias/k") == Reference(stack="Other", logical_id="Key")
    assert assembly.key(app, "alias/k") == Reference(stack="Keys", logical_id="Key")
    assert (
        assembly.key(app, "arn:aws:kms:us-east-1:111111111111:alias/k") == "arn:aws:kms:us-east-1:111111111111:alias/k"
    )


def test_imports_parameters_and_pseudo_parameters_resolve(assembly: Assembly) -> None:
    app = assembly.stacks["App"]
    assert assembly.resolve(app, {"Fn::ImportValue": "KeyArn"}) == Reference(
        stack="Keys", logical_id="Key", attribute="Arn"
    )
    assert assembly.key(app, {"Fn::ImportValue": "KeyArn"}) == Reference(stack="Keys", logical_id="Key")
    assert (
        assembly.text(
            app,
            {
                "Fn::Join": [
                    "",
                    ["arn:", {"Ref": "AWS::Partition"}, ":x:", {"Ref": "AWS::AccountId"}, ":", {"Ref": "Name"}],
                ]
            },
        )
        == "arn:aws:x:111111111111:web"
    )
    assert assembly.text(app, {"Fn::Sub": "${AWS::Region}/${Name}"}) == "eu-west-1/web"
    assert assembly.text(app, {"Fn::Join": ["", [{"Fn::GetAZs": ""}]]}) is None


def test_stack_resources_default_to_empty() -> None:
    assert Stack(name="s", account=None, region=None, template={}).resources == {}
