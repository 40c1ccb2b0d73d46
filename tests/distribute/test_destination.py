from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest

from constructs_lib import DistributionAccountRole
from tests.conftest import lint_errors, make_stack, synth_with_nag, template

FACTORY = "999999999999"


def statements(stack: cdk.Stack) -> dict[str, dict[str, Any]]:
    """The distribution role's statements by Sid (the revoke and status roles made beside it have
    their own tests)."""
    revoke = [{"Ref": logical_id} for logical_id in [*revoke_roles(stack), *status_roles(stack)]]
    policies = [
        p
        for p in template(stack).find_resources("AWS::IAM::Policy").values()
        if not any(ref in p["Properties"]["Roles"] for ref in revoke)
    ]
    return {s["Sid"]: s for p in policies for s in p["Properties"]["PolicyDocument"]["Statement"]}


def test_role_has_the_fixed_name_the_managed_policy_and_trusts_only_the_factory(stack: cdk.Stack) -> None:
    DistributionAccountRole(stack, "Access", factory_account=FACTORY)
    (role,) = (
        template(stack)
        .find_resources("AWS::IAM::Role", {"Properties": {"RoleName": "EC2ImageBuilderDistributionCrossAccountRole"}})
        .values()
    )
    props = role["Properties"]
    assert props["RoleName"] == "EC2ImageBuilderDistributionCrossAccountRole"
    assert "Ec2ImageBuilderCrossAccountDistributionAccess" in json.dumps(props["ManagedPolicyArns"])
    (trust,) = props["AssumeRolePolicyDocument"]["Statement"]
    assert json.dumps(trust["Principal"]).count("root") == 1 and f":iam::{FACTORY}:root" in json.dumps(trust)
    keys = statements(stack)["UseFactoryDistributionKeys"]
    # AWS's inline policy for this role (cross-account-dist.html), on the factory account's keys
    # only; no kms:ResourceAliases, which no AWS page confirms for keys of another account.
    assert sorted(keys["Action"]) == [
        "kms:CreateGrant",
        "kms:Decrypt",
        "kms:DescribeKey",
        "kms:Encrypt",
        "kms:GenerateDataKey*",
        "kms:ListGrants",
        "kms:ReEncrypt*",
        "kms:RevokeGrant",
    ]
    assert "Condition" not in keys
    assert f":kms:*:{FACTORY}:key/*" in json.dumps(keys["Resource"])
    assert set(statements(stack)) == {"UseFactoryDistributionKeys"}


def test_parameters_and_launch_templates_when_asked(stack: cdk.Stack) -> None:
    DistributionAccountRole(
        stack,
        "Access",
        factory_account=FACTORY,
        key_names=("prod", "dev"),
        parameter_names=("/golden-ami/web/latest",),
        launch_templates=True,
    )
    found = statements(stack)
    assert "parameter/golden-ami/web/latest" in json.dumps(found["WriteLatestAmiParameters"]["Resource"])
    templates = found["NewVersionsOfManagedLaunchTemplates"]
    assert templates["Condition"] == {"StringEquals": {"aws:ResourceTag/golden-ami:image-builder-updates": "true"}}
    assert templates["Action"] == ["ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate"]
    tagging = found["TagLaunchTemplatesImageBuilderCreates"]
    assert tagging["Action"] == "ec2:CreateTags"
    assert tagging["Condition"] == {"StringEquals": {"aws:RequestTag/CreatedBy": "EC2 Image Builder"}}
    assert ":launch-template/*" in json.dumps(tagging["Resource"])
    assert not lint_errors(template(stack).to_json())
    synth_with_nag(stack)


def test_unencrypted_copies_need_no_key_permissions(stack: cdk.Stack) -> None:
    DistributionAccountRole(stack, "Access", factory_account=FACTORY, key_names=())
    policies = template(stack).find_resources("AWS::IAM::Policy")
    # Only the revoke and status roles' policies (every destination account gets both); none on the
    # distribution role.
    assert sorted(p["Properties"]["Roles"][0]["Ref"] for p in policies.values()) == sorted(
        [next(iter(revoke_roles(stack))), next(iter(status_roles(stack)))]
    )
    assert "kms:" not in json.dumps(policies)


def revoke_roles(stack: cdk.Stack) -> dict[str, object]:
    return template(stack).find_resources("AWS::IAM::Role", {"Properties": {"RoleName": "GoldenAmiRevoke"}})


def status_roles(stack: cdk.Stack) -> dict[str, object]:
    return template(stack).find_resources("AWS::IAM::Role", {"Properties": {"RoleName": "GoldenAmiStatus"}})


def test_passes_cdk_nag_in_an_account_agnostic_stack() -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "Agnostic")
    DistributionAccountRole(stack, "Access", factory_account=FACTORY, parameter_names=("/x/y",), launch_templates=True)
    synth_with_nag(stack)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"factory_account": "abc"}, r"factory_account: 'abc' is not an AWS account ID"),
        ({"factory_account": "111111111111"}, r"factory_account: '111111111111' is this stack's own account"),
        ({"factory_account": FACTORY, "parameter_names": ("no-slash",)}, r"parameter_names: 'no-slash'"),
        ({"factory_account": FACTORY, "key_names": ("a", "a")}, r"key_names: 'a' is listed twice"),
    ],
)
def test_rejects_bad_input(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DistributionAccountRole(make_stack(), "Access", **kwargs)


# "Prerequisites for lifecycle management", "Create an IAM role for Image Builder cross-account
# lifecycle management"
# (https://docs.aws.amazon.com/imagebuilder/latest/userguide/image-lifecycle-prerequisites.html):
# "Enter Ec2ImageBuilderCrossAccountLifecycleAccess as the Role name. You must use this exact name."
# Its trust policy, as the page shows it:
#   "Principal": {"Service": ["imagebuilder.amazonaws.com"]}, "Action": "sts:AssumeRole",
#   "Condition": {"StringEquals": {"aws:SourceAccount": "444455556666"},
#                 "ArnLike": {"aws:SourceArn": "arn:*:imagebuilder:*:*:image/*/*/*"}}
# and "Select EC2ImageBuilderLifecycleExecutionPolicy from the managed policy list".
PAGE_ROLE_NAME = "Ec2ImageBuilderCrossAccountLifecycleAccess"
PAGE_SERVICE = "imagebuilder.amazonaws.com"
PAGE_SOURCE_ARN = "arn:*:imagebuilder:*:*:image/*/*/*"
PAGE_POLICY = "EC2ImageBuilderLifecycleExecutionPolicy"


def check_lifecycle_role(resources: dict[str, Any], factory: str, here: str) -> None:
    """The one lifecycle role of ``resources`` is named, trusted and given its policy as the page says."""
    (role,) = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::IAM::Role" and r["Properties"].get("RoleName") == PAGE_ROLE_NAME
    ]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": PAGE_SERVICE} and trust["Action"] == "sts:AssumeRole"
    assert trust["Condition"]["ArnLike"] == {"aws:SourceArn": PAGE_SOURCE_ARN}
    # The page's SourceAccount reads as either account (the construct's docstring); both, nothing else.
    accounts = trust["Condition"]["StringEquals"]["aws:SourceAccount"]
    assert sorted(json.dumps(a) for a in accounts) == sorted(json.dumps(a) for a in (factory, here))
    assert set(trust["Condition"]) == {"StringEquals", "ArnLike"}
    (policy,) = role["ManagedPolicyArns"]
    assert json.dumps(policy).endswith(f':iam::aws:policy/service-role/{PAGE_POLICY}"]]}}')


def test_the_lifecycle_role_is_named_trusted_and_given_its_policy_as_aws_documents(stack: cdk.Stack) -> None:
    DistributionAccountRole(stack, "Access", factory_account=FACTORY)
    check_lifecycle_role(template(stack).to_json()["Resources"], FACTORY, stack.account)


def test_an_account_that_has_the_lifecycle_role_already_can_leave_it_out(stack: cdk.Stack) -> None:
    DistributionAccountRole(stack, "Access", factory_account=FACTORY, lifecycle_role=False)
    assert not template(stack).find_resources("AWS::IAM::Role", {"Properties": {"RoleName": PAGE_ROLE_NAME}})
