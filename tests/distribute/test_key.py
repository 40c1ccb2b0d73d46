from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam

from constructs_lib import DistributionKey, LaunchPermission
from tests.conftest import lint_errors, make_stack, synth_with_nag, template


def key_statements(stack: cdk.Stack) -> dict[str, dict[str, Any]]:
    (key,) = template(stack).find_resources("AWS::KMS::Key").values()
    return {s.get("Sid", "<account administration>"): s for s in key["Properties"]["KeyPolicy"]["Statement"]}


ORG_OU = "arn:aws:organizations::111111111111:ou/o-exampleorg1/ou-ab12-cdefgh34"
ORG = "arn:aws:organizations::111111111111:organization/o-exampleorg1"
AUTO_SCALING = "role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"


def test_defaults_rotate_retain_alias_and_name_both_service_linked_roles(stack: cdk.Stack) -> None:
    DistributionKey(stack, "Key")
    t = template(stack)
    (key,) = t.find_resources("AWS::KMS::Key").values()
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == "Retain"
    t.has_resource_properties("AWS::KMS::Alias", {"AliasName": "alias/golden-ami/distribution"})
    statements = key_statements(stack)
    assert set(statements) == {
        "<account administration>",
        "ImageBuilderServiceLinkedRoleUse",
        "ImageBuilderServiceLinkedRoleGrantsForAwsResources",
        "AutoScalingServiceLinkedRoleUse",
        "AutoScalingServiceLinkedRoleGrantsForAwsResources",
    }
    # "Required AWS KMS key policy for use with encrypted volumes": the five actions, and grants
    # only for AWS resources, for the service-linked role of the key's own account.
    use = statements["AutoScalingServiceLinkedRoleUse"]
    assert use["Principal"] == {"AWS": f"arn:aws:iam::111111111111:{AUTO_SCALING}"}
    assert use["Action"] == ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"]
    grants = statements["AutoScalingServiceLinkedRoleGrantsForAwsResources"]
    assert grants["Action"] == "kms:CreateGrant"
    assert grants["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}
    builder = statements["ImageBuilderServiceLinkedRoleUse"]["Principal"]["AWS"]
    assert (
        builder
        == "arn:aws:iam::111111111111:role/aws-service-role/imagebuilder.amazonaws.com/AWSServiceRoleForImageBuilder"
    )


def test_without_service_linked_roles_only_the_account_administers(stack: cdk.Stack) -> None:
    DistributionKey(stack, "Key", image_builder=False, auto_scaling=False)
    assert set(key_statements(stack)) == {"<account administration>"}


def test_destination_accounts_use_the_key_and_may_grant_their_auto_scaling(stack: cdk.Stack) -> None:
    DistributionKey(stack, "Key", name="prod", accounts=("222222222222", "333333333333"))
    statements = key_statements(stack)
    use = statements["DestinationAccountsUse"]
    assert use["Action"] == ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"]
    principals = json.dumps(use["Principal"])
    assert ":iam::222222222222:root" in principals and ":iam::333333333333:root" in principals
    grants = statements["DestinationAccountsGrantsForAwsResources"]
    assert grants["Action"] == "kms:CreateGrant"
    assert grants["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}
    auto_scaling = statements["DestinationAccountsGrantsForAutoScaling"]
    assert auto_scaling["Condition"]["StringEquals"] == {
        "kms:GranteePrincipal": [f"arn:aws:iam::{a}:{AUTO_SCALING}" for a in ("222222222222", "333333333333")]
    }
    assert auto_scaling["Condition"]["ForAllValues:StringEquals"]["kms:GrantOperations"] == [
        "Encrypt",
        "Decrypt",
        "ReEncryptFrom",
        "ReEncryptTo",
        "GenerateDataKey",
        "GenerateDataKeyWithoutPlaintext",
        "DescribeKey",
        "CreateGrant",
    ]
    # No statement opens the key to "*" when nothing is shared with an organization.
    assert all(s["Principal"] != "*" and s["Principal"] != {"AWS": "*"} for s in statements.values())
    assert not lint_errors(template(stack).to_json())
    synth_with_nag(stack)


def test_accounts_that_only_launch_get_no_encrypt(stack: cdk.Stack) -> None:
    DistributionKey(
        stack,
        "Key",
        accounts=("222222222222",),
        launch_permission=LaunchPermission(accounts=("222222222222", "333333333333")),
    )
    statements = key_statements(stack)
    launch = statements["SharedAccountsUse"]
    assert launch["Principal"] == {"AWS": "arn:aws:iam::333333333333:root"}
    assert launch["Action"] == [
        "kms:Decrypt",
        "kms:DescribeKey",
        "kms:GenerateDataKeyWithoutPlaintext",
        "kms:ReEncrypt*",
    ]
    assert statements["SharedAccountsGrantsForAutoScaling"]["Condition"]["StringEquals"] == {
        "kms:GranteePrincipal": [f"arn:aws:iam::333333333333:{AUTO_SCALING}"]
    }
    # An account that receives copies too keeps its copy statement only.
    assert statements["DestinationAccountsUse"]["Principal"] == {"AWS": "arn:aws:iam::222222222222:root"}


def test_organizations_and_ous_are_star_bounded_by_org_id_and_path(stack: cdk.Stack) -> None:
    DistributionKey(
        stack, "Key", launch_permission=LaunchPermission(organizations=(ORG,), organizational_units=(ORG_OU,))
    )
    statements = key_statements(stack)
    org = statements["OrganizationsUse"]
    assert org["Principal"] == {"AWS": "*"}
    assert org["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": ["o-exampleorg1"]}}
    assert "kms:Encrypt" not in org["Action"]
    ou = statements["OrganizationalUnitsUse"]
    assert ou["Condition"] == {
        "StringEquals": {"aws:PrincipalOrgID": ["o-exampleorg1"]},
        "ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": ["o-exampleorg1/*/ou-ab12-cdefgh34/*"]},
    }
    grants = statements["OrganizationalUnitsGrantsForAutoScaling"]["Condition"]
    # A member may create the grant for its own Auto Scaling only: the policy variable is the caller's account.
    assert grants["StringEquals"]["kms:GranteePrincipal"] == [f"arn:aws:iam::${{aws:PrincipalAccount}}:{AUTO_SCALING}"]
    assert "StringLike" not in grants
    assert grants["ForAnyValue:StringLike"] == ou["Condition"]["ForAnyValue:StringLike"]
    # Every "*" statement is bounded by the organization.
    stars = [s for s in statements.values() if s["Principal"] == {"AWS": "*"}]
    assert len(stars) == 6 and all("aws:PrincipalOrgID" in s["Condition"]["StringEquals"] for s in stars)
    assert not lint_errors(template(stack).to_json())
    synth_with_nag(stack)


def test_builder_roles_through_the_account_bounded_by_principal_arn(stack: cdk.Stack) -> None:
    DistributionKey(stack, "Key", builder_role_arns=("arn:aws:iam::111111111111:role/GoldenAmiFactory*",))
    statements = key_statements(stack)
    use = statements["PipelineExecutionRolesUse"]
    assert use["Principal"] == {"AWS": "arn:aws:iam::111111111111:root"}
    assert use["Condition"] == {"ArnLike": {"aws:PrincipalArn": ["arn:aws:iam::111111111111:role/GoldenAmiFactory*"]}}


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
        (
            {"launch_permission": LaunchPermission(public=True)},
            r"distribution_key.launch_permission.public: AWS cannot make an AMI with encrypted snapshots public",
        ),
        (
            {"launch_permission": LaunchPermission(accounts=("111111111111",))},
            r"distribution_key.launch_permission.accounts: '111111111111' is the key's own account",
        ),
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
