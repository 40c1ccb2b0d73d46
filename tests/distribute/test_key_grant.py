from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest

from constructs_lib import AutoScalingKeyGrants
from tests.conftest import lint_errors, make_stack, synth_with_nag, template

FACTORY = "999999999999"
AUTO_SCALING = "arn:aws:iam::111111111111:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"


def test_one_grant_per_region_for_this_accounts_auto_scaling(stack: cdk.Stack) -> None:
    AutoScalingKeyGrants(stack, "Grants", factory_account=FACTORY, regions=("eu-west-1", "us-east-1"))
    t = template(stack)
    grants = t.find_resources("Custom::AutoScalingKeyGrant")
    assert sorted(g["Properties"]["Region"] for g in grants.values()) == ["eu-west-1", "us-east-1"]
    for grant in grants.values():
        props = grant["Properties"]
        region = props["Region"]
        assert props["KeyAlias"] == f"arn:aws:kms:{region}:{FACTORY}:alias/golden-ami/distribution"
        assert props["GranteePrincipal"] == AUTO_SCALING
    (policy,) = t.find_resources("AWS::IAM::Policy").values()
    found = {s["Sid"]: s for s in policy["Properties"]["PolicyDocument"]["Statement"]}
    create = found["GrantAutoScalingOnFactoryKeys"]
    assert create["Resource"] == f"arn:aws:kms:*:{FACTORY}:key/*"
    assert create["Condition"]["StringEquals"] == {"kms:GranteePrincipal": AUTO_SCALING}
    assert found["CreateAutoScalingServiceLinkedRole"]["Condition"] == {
        "StringEquals": {"iam:AWSServiceName": "autoscaling.amazonaws.com"}
    }
    assert set(found) == {
        "WriteOwnLogs",
        "CreateAutoScalingServiceLinkedRole",
        "FindFactoryKeys",
        "GrantAutoScalingOnFactoryKeys",
        "RetireOwnGrants",
    }
    assert "kms:RevokeGrant" not in json.dumps(policy)
    # No reserved concurrency: a new account may have none to reserve.
    (function,) = t.find_resources("AWS::Lambda::Function").values()
    assert "ReservedConcurrentExecutions" not in function["Properties"]
    assert not lint_errors(t.to_json())
    synth_with_nag(stack)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"factory_account": "abc", "regions": ("eu-west-1",)}, r"factory_account: 'abc' is not an AWS account ID"),
        ({"factory_account": FACTORY, "regions": ()}, r"regions: none given"),
        ({"factory_account": FACTORY, "regions": ("eu-west-9",)}, r"regions: 'eu-west-9' is not an AWS region"),
        ({"factory_account": FACTORY, "regions": ("eu-west-1", "eu-west-1")}, r"regions: 'eu-west-1' is listed twice"),
    ],
)
def test_rejects_bad_input(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        AutoScalingKeyGrants(make_stack(), "Grants", **kwargs)
