from __future__ import annotations

import json

import aws_cdk as cdk

from constructs_lib import DistributionAccountRole
from constructs_lib.distribute.stackset import render_role_template
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
    # The factory account, bounded to its GoldenAmiRevoker: a role ARN as principal would have to exist
    # before this stack deploys, and the factory's stacks deploy after the destinations.
    assert trust["Principal"] == {"AWS": f"arn:aws:iam::{FACTORY}:root"}
    assert trust["Condition"] == {"ArnEquals": {"aws:PrincipalArn": f"arn:aws:iam::{FACTORY}:role/GoldenAmiRevoker"}}
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
    revoke_id = next(i for i, r in roles.items() if r["Properties"].get("RoleName") == "GoldenAmiRevoke")
    own = [
        s
        for p in policies
        if {"Ref": revoke_id} in p["Properties"]["Roles"]
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]
    actions = {a for s in own for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert actions == {  # exactly what golden-ami-revoke calls in a destination account
        "ssm:GetParameter",
        "ssm:GetParameterHistory",
        "ssm:PutParameter",
        "ec2:DescribeImages",
        "ec2:DescribeLaunchTemplates",
        "ec2:DescribeLaunchTemplateVersions",
        "ec2:EnableImageDeprecation",
        "ec2:CreateTags",
    }
    assert not lint_errors(template(stack).to_json())
    synth_with_nag(stack)


def test_destination_role_without_parameters_still_makes_a_revoke_role_that_only_deprecates(stack: cdk.Stack) -> None:
    access = DistributionAccountRole(stack, "Access", factory_account=FACTORY)
    assert access.revoke_role is not None
    policies = template(stack).find_resources("AWS::IAM::Policy").values()
    sids = [s["Sid"] for p in policies for s in p["Properties"]["PolicyDocument"]["Statement"]]
    assert "RewriteLatestAmiParameters" not in sids
    assert {"DeprecateFactoryImages", "MarkFactoryImagesRevoked", "FindImagesAndPinnedTemplates"} <= set(sids)
    synth_with_nag(stack)


def test_stackset_members_get_the_revoke_role_with_or_without_parameters() -> None:
    for parameters in ((), ("/golden-ami/web/latest",)):
        body = render_role_template(
            factory_account=FACTORY, key_names=(), parameter_names=parameters, launch_templates=False
        )
        roles = [r["Properties"] for r in body["Resources"].values() if r["Type"] == "AWS::IAM::Role"]
        # With parameters, the labeller's way in too (LabelAccessRole).
        assert sorted(r["RoleName"] for r in roles) == [
            "EC2ImageBuilderDistributionCrossAccountRole",
            "Ec2ImageBuilderCrossAccountLifecycleAccess",
            *(["GoldenAmiLabels"] if parameters else []),
            "GoldenAmiRevoke",
            "GoldenAmiStatus",
        ]
        revoke = next(r for r in roles if r["RoleName"] == "GoldenAmiRevoke")
        assert f":iam::{FACTORY}:role/GoldenAmiRevoker" in json.dumps(revoke["AssumeRolePolicyDocument"])
        assert not lint_errors(body), "the member template must pass cfn-lint"
