"""GA-P016: every GoldenAmiRevoke trusts a role the factory app creates (good and bad fixtures in
tests/fixtures/preflight/revoker_trust/, as ``assemble`` takes them)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from constructs_lib.checks.preflight import Severity
from constructs_lib.checks.preflight.rules import revoker_trust
from tests.checks.preflight.scenario import assemble

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "preflight" / "revoker_trust"


def errors(name: str) -> list[Any]:
    stacks = json.loads((FIXTURES / f"{name}.json").read_text())
    return [f for f in revoker_trust.RULE.check(assemble(stacks)) if f.severity is Severity.ERROR]


def test_accepts_revoke_roles_whose_trusted_factory_role_the_app_creates() -> None:
    assert errors("good") == []


def test_flags_each_revoke_role_whose_trusted_role_no_stack_creates_stackset_members_included() -> None:
    found = errors("bad")
    assert sorted(f.resources[0] for f in found) == [
        "GoldenAmiDestination-222222222222/Revoke",
        "GoldenAmiMemberAccounts/Members",
    ]
    assert all(
        f.message.startswith(
            "GoldenAmiRevoke trusts role 'GoldenAmiRevoker' of account 111111111111, which no stack of that account "
            "creates, so the revoke command cannot act here; add RevokerRole to the factory app"
        )
        for f in found
    )


def _labels_role(trusted: str, name: str = "GoldenAmiLabels") -> dict[str, Any]:
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "RoleName": name,
            "AssumeRolePolicyDocument": {
                "Statement": [
                    {
                        "Action": "sts:AssumeRole",
                        "Effect": "Allow",
                        "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
                        "Condition": {"ArnEquals": {"aws:PrincipalArn": f"arn:aws:iam::111111111111:role/{trusted}"}},
                    }
                ]
            },
        },
    }


def test_a_label_role_whose_labeller_no_stack_creates_is_flagged_and_one_that_exists_passes() -> None:
    stacks = json.loads((FIXTURES / "good.json").read_text())
    stacks["GoldenAmiDestination-222222222222"]["resources"]["Labels"] = _labels_role("GoldenAmiLabeller")
    (found,) = [f for f in revoker_trust.RULE.check(assemble(stacks)) if f.severity is Severity.ERROR]
    assert found.resources == ("GoldenAmiDestination-222222222222/Labels",)
    assert found.message.startswith(
        "GoldenAmiLabels trusts role 'GoldenAmiLabeller' of account 111111111111, which no stack of that account "
        "creates, so the labeller cannot act here; add VersionLabeller"
    )
    stacks["GoldenAmiFactory"]["resources"]["Labeller"] = {
        "Type": "AWS::IAM::Role",
        "Properties": {"RoleName": "GoldenAmiLabeller", "AssumeRolePolicyDocument": {"Statement": []}},
    }
    assert [f for f in revoker_trust.RULE.check(assemble(stacks)) if f.severity is Severity.ERROR] == []


def test_a_status_role_whose_reader_no_stack_creates_is_flagged_and_one_that_exists_passes() -> None:
    stacks = json.loads((FIXTURES / "good.json").read_text())
    stacks["GoldenAmiDestination-222222222222"]["resources"]["Status"] = _labels_role(
        "GoldenAmiStatusReader", name="GoldenAmiStatus"
    )
    (found,) = [f for f in revoker_trust.RULE.check(assemble(stacks)) if f.severity is Severity.ERROR]
    assert found.message.startswith(
        "GoldenAmiStatus trusts role 'GoldenAmiStatusReader' of account 111111111111, which no stack of that "
        "account creates, so the status command cannot act here; add StatusReaderRole"
    )
    stacks["GoldenAmiFactory"]["resources"]["StatusReader"] = {
        "Type": "AWS::IAM::Role",
        "Properties": {"RoleName": "GoldenAmiStatusReader", "AssumeRolePolicyDocument": {"Statement": []}},
    }
    assert [f for f in revoker_trust.RULE.check(assemble(stacks)) if f.severity is Severity.ERROR] == []
