"""``make destroy``: dependents first, every ``Retain`` resource listed with the commands that
remove it, the AMIs of every distribution per account and region; destroying needs the typed
account. The default factory is checked where it is synthesized already (tests/test_app.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from constructs_lib.factory import teardown
from tests.factory.test_deploy_policies import assembly

KEY = {"K": {"Type": "AWS::KMS::Key", "DeletionPolicy": "Retain"}, "Q": {"Type": "AWS::SQS::Queue"}}
DISTRIBUTION = {
    "D": {
        "Type": "AWS::ImageBuilder::DistributionConfiguration",
        "Properties": {
            "Distributions": [
                {
                    "Region": "eu-west-1",
                    "AmiDistributionConfiguration": {
                        "Name": "web-{{ imagebuilder:buildDate }}",
                        "TargetAccountIds": ["210987654322"],
                    },
                }
            ]
        },
    },
    "T": {"Type": "AWS::SSM::Parameter", "DeletionPolicy": "RetainExceptOnCreate"},
}


@pytest.fixture
def out(tmp_path: Path) -> Path:
    made = assembly(
        tmp_path,
        {
            "GoldenAmiKeys-eu-west-1": ("aws://210987654321/eu-west-1", {"Resources": KEY}),
            "GoldenAmiFactory": ("aws://210987654321/eu-west-1", {"Resources": DISTRIBUTION}),
        },
    )
    manifest = json.loads((made / "manifest.json").read_text())
    manifest["artifacts"]["GoldenAmiFactory"]["dependencies"] = ["GoldenAmiKeys-eu-west-1", "GoldenAmiFactory.assets"]
    (made / "manifest.json").write_text(json.dumps(manifest))
    return made


def test_dependents_go_first_and_every_retained_resource_has_its_commands(out: Path) -> None:
    found = teardown.plan(out)
    assert [s for s, _, _ in found.order] == ["GoldenAmiFactory", "GoldenAmiKeys-eu-west-1"]
    assert found.factory_account == "210987654321"
    assert found.retained[1].read() == (
        "aws cloudformation describe-stack-resources --stack-name $(aws cloudformation list-stacks --region eu-west-1 "
        "--query \"StackSummaries[?StackName=='GoldenAmiKeys-eu-west-1'] | [0].StackId\" --output text) "
        "--logical-resource-id K --region eu-west-1 --query 'StackResources[0].PhysicalResourceId' --output text"
    )
    assert [(r.logical_id, r.type) for r in found.retained] == [("T", "AWS::SSM::Parameter"), ("K", "AWS::KMS::Key")]
    key = found.retained[1]
    assert key.remove() == "aws kms schedule-key-deletion --key-id <id> --pending-window-in-days 30 --region eu-west-1"
    assert found.retained[0].remove() == (
        "aws cloudcontrol delete-resource --type-name AWS::SSM::Parameter --identifier <id> --region eu-west-1"
    )
    assert found.amis == (("210987654321", "eu-west-1", "web-*"), ("210987654322", "eu-west-1", "web-*"))


def test_the_dry_run_destroys_nothing(out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert teardown.main([str(out)], run=lambda argv: 1 / 0) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("would destroy, in this order:\n  GoldenAmiFactory (account 210987654321, eu-west-1)")
    assert "aws ec2 describe-images --owners self --filters Name=name,Values='web-*' --region eu-west-1" in printed


def test_destroying_needs_the_typed_account_then_destroys_in_order(out: Path) -> None:
    ran: list[list[str]] = []
    assert teardown.main([str(out), "--execute"], confirm=lambda _: "no", run=lambda a: ran.append(a) or 0) == 1
    assert (
        teardown.main([str(out), "--execute"], confirm=lambda _: "210987654322", run=lambda a: ran.append(a) or 0) == 1
    )
    assert ran == []
    assert (
        teardown.main([str(out), "--execute"], confirm=lambda _: "210987654321", run=lambda a: ran.append(a) or 0) == 0
    )
    assert [a[-1] for a in ran] == ["GoldenAmiFactory", "GoldenAmiKeys-eu-west-1"]
    assert ran[0][:5] == ["node_modules/.bin/cdk", "destroy", "--app", str(out), "--force"]


def test_a_pipeline_hold_is_listed_with_the_command_that_deletes_its_parameter(tmp_path: Path) -> None:
    hold = {
        "H": {
            "Type": "Custom::PipelineHold",
            "DeletionPolicy": "Retain",
            "Properties": {"Name": "/golden-ami/w/status"},
        }
    }
    made = assembly(tmp_path, {"GoldenAmiFactory": ("aws://210987654321/eu-west-1", {"Resources": hold})})
    (retained,) = teardown.plan(made).retained
    assert retained.remove() == "aws ssm delete-parameter --name <id> --region eu-west-1"
