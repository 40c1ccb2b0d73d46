from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

from constructs_lib import CallAs, DistributionAccountStackSet
from constructs_lib.distribute.stackset import management_account_of, render_role_template
from tests.conftest import lint_errors, make_stack, synth_with_nag, template

FACTORY = "111111111111"


def stack_set(stack: cdk.Stack) -> dict[str, Any]:
    (resource,) = template(stack).find_resources("AWS::CloudFormation::StackSet").values()
    props: dict[str, Any] = resource["Properties"]
    return props


def test_service_managed_auto_deployed_to_the_ous_in_one_region(stack: cdk.Stack) -> None:
    DistributionAccountStackSet(
        stack,
        "Members",
        factory_account=FACTORY,
        organizational_units=("ou-ab12-cdefgh34",),
        call_as=CallAs.DELEGATED_ADMIN,
    )
    props = stack_set(stack)
    assert props["PermissionModel"] == "SERVICE_MANAGED"
    assert props["AutoDeployment"] == {"Enabled": True, "RetainStacksOnAccountRemoval": False}
    assert props["CallAs"] == "DELEGATED_ADMIN"
    assert props["Capabilities"] == ["CAPABILITY_NAMED_IAM"]
    assert props["StackInstancesGroup"] == [
        {"DeploymentTargets": {"OrganizationalUnitIds": ["ou-ab12-cdefgh34"]}, "Regions": ["eu-west-1"]}
    ]
    body = json.loads(props["TemplateBody"])
    roles = [r for r in body["Resources"].values() if r["Type"] == "AWS::IAM::Role"]
    # the destination role, the lifecycle policies', the revoke command's and the status command's
    # ways in (IAM is global: one each per account)
    assert [r["Properties"]["RoleName"] for r in roles] == [
        "EC2ImageBuilderDistributionCrossAccountRole",
        "Ec2ImageBuilderCrossAccountLifecycleAccess",
        "GoldenAmiRevoke",
        "GoldenAmiStatus",
    ]
    # Standalone: no CDK bootstrap parameter or rule, so member accounts need no bootstrap.
    assert "Parameters" not in body and "Rules" not in body
    assert not lint_errors(body), "the member template itself must pass cfn-lint"
    assert not lint_errors(template(stack).to_json())
    synth_with_nag(stack)


def test_member_template_is_the_role_construct() -> None:
    body = render_role_template(
        factory_account=FACTORY,
        key_names=("distribution",),
        parameter_names=("/golden-ami/web/latest",),
        launch_templates=True,
    )
    policy = next(r for r in body["Resources"].values() if r["Type"] == "AWS::IAM::Policy")
    sids = [s["Sid"] for s in policy["Properties"]["PolicyDocument"]["Statement"]]
    assert sids == [
        "UseFactoryDistributionKeys",
        "WriteLatestAmiParameters",
        "NewVersionsOfManagedLaunchTemplates",
        "TagLaunchTemplatesImageBuilderCreates",
        "FindLaunchTemplates",
    ]


def test_call_as_self_and_region(stack: cdk.Stack) -> None:
    DistributionAccountStackSet(
        stack,
        "Members",
        factory_account=FACTORY,
        organizational_units=("r-ab12",),
        region="us-east-1",
        call_as=CallAs.SELF,
    )
    props = stack_set(stack)
    assert props["CallAs"] == "SELF"
    assert props["StackInstancesGroup"][0]["Regions"] == ["us-east-1"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"organizational_units": ()}, r"organizational_units: none given"),
        (
            {"organizational_units": ("arn:aws:organizations::111111111111:ou/o-exampleorgid/ou-ab12-cdefgh34",)},
            r"is not an OU or root ID \(an OU ID, not its ARN",
        ),
        ({"organizational_units": ("ou-x",)}, r"organizational_units: 'ou-x' is not an OU or root ID"),
        (
            {"organizational_units": ("ou-ab12-cdefgh34",) * 2},
            r"organizational_units: 'ou-ab12-cdefgh34' is listed twice",
        ),
        ({"organizational_units": ("r-ab12",), "region": "eu-west-9"}, r"region: 'eu-west-9' is not an AWS region"),
    ],
)
def test_rejects_bad_input(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DistributionAccountStackSet(
            make_stack(), "Members", factory_account=FACTORY, call_as=CallAs.DELEGATED_ADMIN, **kwargs
        )


def test_destinations_with_a_stack_of_their_own_are_left_out(stack: cdk.Stack) -> None:
    """Their own stack already creates EC2ImageBuilderDistributionCrossAccountRole; a stack
    instance there would fail with "already exists"."""
    members = DistributionAccountStackSet(
        stack,
        "Members",
        factory_account=FACTORY,
        organizational_units=("ou-ab12-cdefgh34",),
        call_as=CallAs.SELF,
        exclude_accounts=("222222222222", "444444444444"),
    )
    assert stack_set(stack)["StackInstancesGroup"][0]["DeploymentTargets"] == {
        "OrganizationalUnitIds": ["ou-ab12-cdefgh34"],
        "Accounts": ["222222222222", "444444444444"],
        "AccountFilterType": "DIFFERENCE",
    }
    assert members.excluded_accounts == ("222222222222", "444444444444")
    assert not lint_errors(template(stack).to_json())


@pytest.mark.parametrize(
    ("management_account", "expected"),
    [(FACTORY, CallAs.SELF), ("999999999999", CallAs.DELEGATED_ADMIN)],
)
def test_call_as_is_derived_from_the_management_account(
    stack: cdk.Stack, management_account: str, expected: CallAs
) -> None:
    members = DistributionAccountStackSet(
        stack,
        "Members",
        factory_account=FACTORY,
        organizational_units=("r-ab12",),
        management_account=management_account,
    )
    assert members.call_as is expected
    assert stack_set(stack)["CallAs"] == expected.value


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, r"call_as: not given, and the organization's management account is unknown.*AWS requires SELF"),
        (
            {"call_as": CallAs.DELEGATED_ADMIN, "management_account": FACTORY},
            r"call_as: DELEGATED_ADMIN contradicts the organization: the factory account 111111111111 is its "
            r"management account \(111111111111\), so it must be SELF",
        ),
        (
            {"call_as": CallAs.SELF, "management_account": "999999999999"},
            r"call_as: SELF contradicts .* is not its management account .* must be DELEGATED_ADMIN",
        ),
        ({"management_account": "12"}, r"management_account: '12' is not an AWS account ID"),
        (
            {"call_as": CallAs.SELF, "exclude_accounts": ("2222",)},
            r"exclude_accounts: '2222' is not an AWS account ID",
        ),
    ],
)
def test_rejects_call_as_that_aws_would_refuse(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DistributionAccountStackSet(
            make_stack(), "Members", factory_account=FACTORY, organizational_units=("r-ab12",), **kwargs
        )


def test_management_account_of_organization_arns() -> None:
    arns = (
        "arn:aws:organizations::111111111111:organization/o-exampleorg1",
        "arn:aws:organizations::111111111111:ou/o-exampleorg1/ou-ab12-cdefgh34",
    )
    assert management_account_of("sharing", arns) == "111111111111"
    assert management_account_of("sharing", ()) is None
    with pytest.raises(
        ValueError, match=r"sharing: the ARNs name 2 management accounts \(111111111111, 222222222222\)"
    ):
        management_account_of("sharing", (*arns, "arn:aws:organizations::222222222222:organization/o-exampleorg2"))


def test_rendering_the_member_template_leaves_no_directory_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    render_role_template(factory_account=FACTORY, key_names=(), parameter_names=(), launch_templates=False)
    assert list(tmp_path.iterdir()) == []
