from __future__ import annotations

import json

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam

from constructs_lib import DistributionKey
from tests.conftest import lint_errors, make_stack, synth_with_nag, template


def test_defaults_rotate_retain_and_alias(stack: cdk.Stack) -> None:
    DistributionKey(stack, "Key")
    t = template(stack)
    (key,) = t.find_resources("AWS::KMS::Key").values()
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == "Retain"
    t.has_resource_properties("AWS::KMS::Alias", {"AliasName": "alias/golden-ami/distribution"})
    statements = key["Properties"]["KeyPolicy"]["Statement"]
    assert len(statements) == 1  # only the owning account's administration


def test_destination_accounts_are_named_and_may_create_grants_for_aws_resources(stack: cdk.Stack) -> None:
    DistributionKey(stack, "Key", name="prod", accounts=("222222222222", "333333333333"))
    (key,) = template(stack).find_resources("AWS::KMS::Key").values()
    statements = {s.get("Sid"): s for s in key["Properties"]["KeyPolicy"]["Statement"]}
    use = statements["UseByDestinationAccounts"]
    assert use["Action"] == ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"]
    principals = json.dumps(use["Principal"])
    assert ":iam::222222222222:root" in principals and ":iam::333333333333:root" in principals
    grants = statements["GrantsForEbsInDestinationAccounts"]
    assert grants["Action"] == "kms:CreateGrant"
    assert grants["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}
    # No statement opens the key to "*".
    assert all(s["Principal"] != "*" and s["Principal"] != {"AWS": "*"} for s in statements.values())
    assert not lint_errors(template(stack).to_json())
    synth_with_nag(stack)


def test_alias_arn_is_deterministic_per_partition() -> None:
    assert DistributionKey.alias_arn("111111111111", "us-east-1") == (
        "arn:aws:kms:us-east-1:111111111111:alias/golden-ami/distribution"
    )
    assert DistributionKey.alias_arn("111111111111", "cn-north-1", "prod") == (
        "arn:aws-cn:kms:cn-north-1:111111111111:alias/golden-ami/prod"
    )


def test_grant_encrypt_decrypt(stack: cdk.Stack) -> None:
    key = DistributionKey(stack, "Key")
    role = iam.Role(stack, "Launcher", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))
    grant = key.grant_encrypt_decrypt(role)
    assert grant.success


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"accounts": ("12345",)}, r"distribution_key.accounts: '12345' is not an AWS account ID"),
        ({"accounts": ("222222222222", "222222222222")}, r"distribution_key.accounts: '222222222222' is listed twice"),
        ({"accounts": ("111111111111",)}, r"distribution_key.accounts: '111111111111' is the key's own account"),
        ({"name": "my key"}, r"distribution_key.name: 'my key' contains a space"),
    ],
)
def test_rejects_bad_input(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DistributionKey(make_stack(), "Key", **kwargs)  # type: ignore[arg-type]


def test_alias_arn_rejects_bad_region_and_account() -> None:
    with pytest.raises(ValueError, match=r"distribution_key.region: 'us-east-9' is not an AWS region"):
        DistributionKey.alias_arn("111111111111", "us-east-9")
    with pytest.raises(ValueError, match=r"distribution_key.account: '1111' is not an AWS account ID"):
        DistributionKey.alias_arn("1111", "us-east-1")
