"""GA-P017: a Fast Launch AMI is encrypted by its recipe, with a key Fast Launch may use (good and bad examples)."""

from __future__ import annotations

from typing import Any

from constructs_lib.checks.preflight import Severity
from constructs_lib.checks.preflight.rules import fast_launch_key
from tests.checks.preflight.scenario import F, assemble, good

FAST = {"Enabled": True, "MaxParallelLaunches": 6, "SnapshotConfiguration": {"TargetResourceCount": 5}}


def with_fast_launch(*regions: str) -> dict[str, Any]:
    stacks = good()
    for entry in stacks["Factory"]["resources"]["Distribution"]["Properties"]["Distributions"]:
        if entry["Region"] in regions:
            entry["FastLaunchConfigurations"] = [dict(FAST)]
    return stacks


def errors(stacks: dict[str, Any]) -> list[str]:
    return [f.message for f in fast_launch_key.RULE.check(assemble(stacks)) if f.severity is Severity.ERROR]


def test_accepts_keys_whose_account_may_create_grants_and_an_encrypted_recipe() -> None:
    assert errors(with_fast_launch("eu-west-1", "us-east-1")) == []


def test_a_key_that_admits_the_fast_launch_role_itself_passes() -> None:
    stacks = with_fast_launch("us-east-1")
    role = f"arn:aws:iam::{F}:role/aws-service-role/ec2fastlaunch.amazonaws.com/AWSServiceRoleForEC2FastLaunch"
    stacks["Keys-us-east-1"]["resources"]["Key"]["Properties"]["KeyPolicy"]["Statement"] = [
        {
            "Effect": "Allow",
            "Principal": {"AWS": role},
            "Action": list(fast_launch_key.FAST_LAUNCH_USE),
            "Resource": "*",
        }
    ]
    assert errors(stacks) == []


def test_flags_a_distribution_key_no_caller_may_create_grants_on() -> None:
    stacks = with_fast_launch("us-east-1")
    stacks["Keys-us-east-1"]["resources"]["Key"]["Properties"]["KeyPolicy"]["Statement"] = [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"}, "Action": "kms:*", "Resource": "*"}
    ]
    (message,) = errors(stacks)
    assert message.startswith("Fast Launch in us-east-1: key Keys-us-east-1/Key encrypts the AMI there")
    assert "kms:CreateGrant, which EC2 needs to grant" in message


def test_flags_an_unencrypted_recipe_volume() -> None:
    stacks = with_fast_launch("eu-west-1")
    stacks["Factory"]["resources"]["Recipe"]["Properties"]["BlockDeviceMappings"][0]["Ebs"]["Encrypted"] = False
    (message,) = errors(stacks)
    assert "the recipe leaves /dev/xvda unencrypted" in message


def test_ignores_distributions_without_fast_launch() -> None:
    stacks = good()
    stacks["Factory"]["resources"]["Recipe"]["Properties"]["BlockDeviceMappings"][0]["Ebs"]["Encrypted"] = False
    assert errors(stacks) == []
