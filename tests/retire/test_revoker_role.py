from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam

from constructs_lib import RevokerRole
from constructs_lib.retire import hold, revoke
from tests.conftest import lint_errors, synth_with_nag, template

PARAMETER = "/golden-ami/web/latest"


def statements(stack: cdk.Stack) -> dict[str, dict[str, Any]]:
    policies = template(stack).find_resources("AWS::IAM::Policy").values()
    return {s["Sid"]: s for p in policies for s in p["Properties"]["PolicyDocument"]["Statement"]}


def trust(stack: cdk.Stack) -> str:
    (role,) = template(stack).find_resources("AWS::IAM::Role").values()
    assert role["Properties"]["RoleName"] == "GoldenAmiRevoker"
    return json.dumps(role["Properties"]["AssumeRolePolicyDocument"])


def test_defaults_trust_the_factory_account_and_assume_only_revoke_roles_anywhere(stack: cdk.Stack) -> None:
    RevokerRole(stack, "Revoker", parameter_names=[PARAMETER])
    assert f":iam::{stack.account}:root" in trust(stack)
    found = statements(stack)
    assert found["ActInDestinationAccounts"]["Action"] == "sts:AssumeRole"
    assert "iam::*:role/GoldenAmiRevoke" in json.dumps(found["ActInDestinationAccounts"]["Resource"])
    assert not lint_errors(template(stack).to_json())
    synth_with_nag(stack)


def test_all_arguments(stack: cdk.Stack) -> None:
    named = iam.ArnPrincipal("arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Revokers_0a")
    RevokerRole(
        stack,
        "Revoker",
        parameter_names=[PARAMETER, "/golden-ami/api/latest"],
        destination_accounts=["222222222222", "333333333333"],
        trusted_principal=named,
        pipeline_role_name_prefix="MyFactory",
    )
    assert "AWSReservedSSO_Revokers_0a" in trust(stack) and ":root" not in trust(stack)
    found = statements(stack)
    targets = json.dumps(found["ActInDestinationAccounts"]["Resource"])
    assert ":iam::222222222222:role/GoldenAmiRevoke" in targets and ":iam::333333333333:role/GoldenAmiRevoke" in targets
    assert "iam::*:" not in targets
    assert ":role/MyFactory*" in json.dumps(found["PassThePipelinesOwnExecutionRole"]["Resource"])
    assert len(found["RewriteLatestAmiParameters"]["Resource"]) == 2
    synth_with_nag(stack)


def test_allows_exactly_what_the_revoke_command_calls(stack: cdk.Stack) -> None:
    RevokerRole(stack, "Revoker", parameter_names=[PARAMETER])
    found = statements(stack)
    allowed = {a for s in found.values() for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert allowed == {
        "imagebuilder:GetImage",  # find_places
        "imagebuilder:GetImagePipeline",  # hold, lift
        "imagebuilder:UpdateImagePipeline",
        "iam:PassRole",  # UpdateImagePipeline sends the pipeline's execution role back
        "ssm:GetParameter",  # apply
        "ssm:GetParameterHistory",  # plan
        "ssm:PutParameter",  # apply
        "ec2:DescribeImages",  # plan
        "ec2:DescribeLaunchTemplates",  # plan: pinned templates
        "ec2:DescribeLaunchTemplateVersions",  # plan: what a pinned template reads
        "ec2:EnableImageDeprecation",  # apply
        "ec2:CreateTags",  # apply
        "sts:AssumeRole",  # sessions: GoldenAmiRevoke in destination accounts
    }
    source = Path(revoke.__file__).read_text() + Path(hold.__file__).read_text()
    for call in (
        "get_image(",
        "get_image_pipeline(",
        "update_image_pipeline(",
        "get_parameter(",
        "put_parameter(",
        "enable_image_deprecation(",
        "create_tags(",
        "describe_images(",
        'get_paginator("describe_launch_templates")',
        "describe_launch_template_versions(",
        "assume_role(",
    ):
        assert call in source, f"the command no longer calls {call}: drop its permission"
    factory_made = {"aws:ResourceTag/golden-ami:pipeline": "?*"}
    assert found["DeprecateFactoryImages"]["Condition"] == {"StringLike": factory_made}
    assert found["MarkFactoryImagesRevoked"]["Condition"]["ForAllValues:StringEquals"] == {
        "aws:TagKeys": ["golden-ami:revoked"]
    }
    assert found["PassThePipelinesOwnExecutionRole"]["Condition"] == {
        "StringEquals": {"iam:PassedToService": "imagebuilder.amazonaws.com"}
    }
    # Any pipeline's status parameter of the home region: a revoke holds, a lift releases.
    assert found["HoldThePipelinesStatus"]["Action"] == ["ssm:GetParameter", "ssm:PutParameter"]
    assert found["HoldThePipelinesStatus"]["Resource"] == (
        f"arn:aws:ssm:{stack.region}:{stack.account}:parameter/golden-ami/*/status"
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"parameter_names": []}, r"parameter_names: \(\) names no parameter"),
        ({"parameter_names": ["golden-ami/x"]}, r"parameter_names: "),
        ({"parameter_names": [PARAMETER, PARAMETER]}, r"parameter_names: "),
        ({"parameter_names": [PARAMETER], "destination_accounts": []}, r"destination_accounts: \(\) names no account"),
        ({"parameter_names": [PARAMETER], "destination_accounts": ["12345"]}, r"destination_accounts: "),
        ({"parameter_names": [PARAMETER], "pipeline_role_name_prefix": "a/b*"}, r"pipeline_role_name_prefix: 'a/b\*'"),
    ],
)
def test_rejects_bad_arguments_naming_them(stack: cdk.Stack, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RevokerRole(stack, "Revoker", **kwargs)
