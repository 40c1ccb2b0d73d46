"""StatusAccessRole: GoldenAmiStatus trusts only the factory's GoldenAmiStatusReader, reads exactly the
parameters it is given, describes, and writes nothing (the calls it must allow are matched against a
real run in tests/factory/test_status.py)."""

from __future__ import annotations

import json

import aws_cdk as cdk
import pytest

from constructs_lib.distribute.status_role import StatusAccessRole
from tests.conftest import make_stack, synth_with_nag, template

FACTORY = "111111111111"


def test_trusts_the_reader_role_by_name_and_reads_only_its_parameters() -> None:
    stack = make_stack()
    StatusAccessRole(stack, "Status", factory_account=FACTORY, parameter_names=["/golden-ami/web/latest"])
    (role,) = template(stack).find_resources("AWS::IAM::Role").values()
    props = role["Properties"]
    assert props["RoleName"] == "GoldenAmiStatus"
    (trust,) = props["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Condition"] == {
        "ArnEquals": {"aws:PrincipalArn": f"arn:aws:iam::{FACTORY}:role/GoldenAmiStatusReader"}
    }
    (policy,) = template(stack).find_resources("AWS::IAM::Policy").values()
    statements = {s["Sid"]: s for s in policy["Properties"]["PolicyDocument"]["Statement"]}
    assert statements["ReadLatestAmiParameters"]["Action"] == ["ssm:GetParameter", "ssm:GetParameterHistory"]
    assert "parameter/golden-ami/web/latest" in json.dumps(statements["ReadLatestAmiParameters"]["Resource"])
    assert statements["DescribeFleetsAndImages"]["Resource"] == "*"
    assert all(a.split(":")[1].startswith("Describe") for a in statements["DescribeFleetsAndImages"]["Action"])
    synth_with_nag(stack)


def test_without_parameters_it_only_describes_and_a_bad_account_is_refused() -> None:
    stack = make_stack()
    StatusAccessRole(stack, "Status", factory_account=FACTORY, parameter_names=())
    (policy,) = template(stack).find_resources("AWS::IAM::Policy").values()
    assert [s["Sid"] for s in policy["Properties"]["PolicyDocument"]["Statement"]] == ["DescribeFleetsAndImages"]
    with pytest.raises(ValueError, match="factory_account"):
        StatusAccessRole(cdk.Stack(cdk.App(), "S"), "Status", factory_account="1234", parameter_names=())
