from __future__ import annotations

import json

import aws_cdk as cdk
import pytest

from constructs_lib import DistributionAccountRole, RevokeAccessRole
from tests.conftest import lint_errors, synth_with_nag, template

FACTORY = "999999999999"


def test_destination_role_with_parameters_makes_the_revoke_role(stack: cdk.Stack) -> None:
    access = DistributionAccountRole(
        stack, "Access", factory_account=FACTORY, parameter_names=("/golden-ami/web/latest",)
    )
    assert access.revoke_role is not None
    roles = template(stack).find_resources("AWS::IAM::Role")
    revoke = next(r["Properties"] for r in roles.values() if r["Properties"].get("RoleName") == "GoldenAmiRevoke")
    (trust,) = revoke["AssumeRolePolicyDocument"]["Statement"]
    assert f":iam::{FACTORY}:role/GoldenAmiRevoker" in json.dumps(trust["Principal"])
    policies = template(stack).find_resources("AWS::IAM::Policy").values()
    found = {s["Sid"]: s for p in policies for s in p["Properties"]["PolicyDocument"]["Statement"]}
    assert found["RewriteLatestAmiParameters"]["Action"] == [
        "ssm:GetParameter",
        "ssm:GetParameterHistory",
        "ssm:PutParameter",
    ]
    factory_made = {"aws:ResourceTag/golden-ami:pipeline": "?*"}
    assert found["DeprecateFactoryImages"]["Condition"] == {"StringLike": factory_made}
    assert found["MarkFactoryImagesRevoked"]["Condition"] == {
        "StringLike": factory_made,
        "ForAllValues:StringEquals": {"aws:TagKeys": ["golden-ami:revoked"]},
        "Null": {"aws:TagKeys": "false"},
    }
    assert not lint_errors(template(stack).to_json())
    synth_with_nag(stack)


def test_destination_role_without_parameters_has_no_revoke_role(stack: cdk.Stack) -> None:
    assert DistributionAccountRole(stack, "Access", factory_account=FACTORY).revoke_role is None


def test_rejects_a_revoke_role_without_parameters(stack: cdk.Stack) -> None:
    with pytest.raises(ValueError, match=r"parameter_names: \(\) names no parameter"):
        RevokeAccessRole(stack, "Revoke", factory_account=FACTORY, parameter_names=())
