from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_kms as kms

from constructs_lib import LaunchPermission, LaunchTemplateTarget, RegionTarget, VersionLock
from tests.conftest import lint_errors, make_pipeline, template

ORG = "arn:aws:organizations::111122223333:organization/o-abcdefghij"
OU = "arn:aws:organizations::111122223333:ou/o-abcdefghij/ou-ab12-cdefgh34"
KEY = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_defaults_share_with_nobody_and_publish_a_parameter() -> None:
    target = RegionTarget(region="eu-west-1")
    assert target.launch_permission.is_owner_only
    assert target.publish_parameter and target.parameter_name is None


def test_rejects_unknown_region_listing_close_matches() -> None:
    with pytest.raises(
        ValueError, match=r"distributions.region: 'eu-west-9' is not an AWS region; did you mean eu-west-\d"
    ):
        RegionTarget(region="eu-west-9")


@pytest.mark.parametrize("account", ["12345", "1234567890123", "12345678901a"])
def test_rejects_account_ids_that_are_not_12_digits(account: str) -> None:
    with pytest.raises(
        ValueError, match=rf"launch_permission.accounts: '{account}' is not an AWS account ID; use exactly 12 digits"
    ):
        LaunchPermission(accounts=(account,))


def test_rejects_malformed_organization_arn() -> None:
    with pytest.raises(
        ValueError, match=r"launch_permission.organizations: 'o-abcdefghij' is not an ARN of that kind; use for example"
    ):
        LaunchPermission(organizations=("o-abcdefghij",))


def test_rejects_an_organization_arn_given_as_ou() -> None:
    with pytest.raises(ValueError, match=r"launch_permission.organizational_units: .* is not an ARN of that kind"):
        LaunchPermission(organizational_units=(ORG,))


def test_accepts_well_formed_principals() -> None:
    permission = LaunchPermission(accounts=("222222222222",), organizations=(ORG,), organizational_units=(OU,))
    assert not permission.is_owner_only


def test_rejects_duplicate_accounts() -> None:
    with pytest.raises(ValueError, match=r"launch_permission.accounts: '222222222222' is listed twice"):
        LaunchPermission(accounts=("222222222222", "222222222222"))


def test_rejects_more_organizations_than_aws_allows() -> None:
    orgs = tuple(f"arn:aws:organizations::111122223333:organization/o-{i:010d}" for i in range(26))
    with pytest.raises(ValueError, match=r"launch_permission.organizations: 26 given; AWS allows at most 25"):
        LaunchPermission(organizations=orgs)


def test_rejects_more_accounts_than_aws_allows() -> None:
    accounts = tuple(f"{i:012d}" for i in range(1537))
    with pytest.raises(ValueError, match=r"launch_permission.accounts: 1537 given; AWS allows at most 1536"):
        LaunchPermission(accounts=accounts)


def test_rejects_copies_into_other_accounts_without_a_key() -> None:
    with pytest.raises(
        ValueError,
        match=r"distributions\[eu-west-1\].kms_key_arn: copies into other accounts \(222222222222\) are encrypted and need a customer managed KMS key in eu-west-1",
    ):
        RegionTarget(region="eu-west-1", target_accounts=("222222222222",))


@pytest.mark.parametrize("name", ["no-slash", "/has space", "/aws/service/mine"])
def test_rejects_parameter_names_aws_would_reject(name: str) -> None:
    with pytest.raises(ValueError, match=r"distributions\[eu-west-1\].parameter_name: .*"):
        RegionTarget(region="eu-west-1", parameter_name=name)


def test_rejects_parameter_accounts_that_receive_no_copy() -> None:
    with pytest.raises(ValueError, match=r"parameter_accounts: '333333333333' is not a target account of eu-west-1"):
        RegionTarget(
            region="eu-west-1", kms_key_arn=KEY, target_accounts=("222222222222",), parameter_accounts=("333333333333",)
        )


def test_rejects_ami_name_without_placeholder() -> None:
    with pytest.raises(ValueError, match=r"distributions\[eu-west-1\].ami_name: 'web' lacks"):
        RegionTarget(region="eu-west-1", ami_name="web")


@pytest.mark.parametrize("name", ["web/{{ imagebuilder:buildDate }}", "web?{{ imagebuilder:buildDate }}"])
def test_rejects_ami_name_with_forbidden_characters(name: str) -> None:
    with pytest.raises(ValueError, match=r"distributions\[eu-west-1\].ami_name: .* characters"):
        RegionTarget(region="eu-west-1", ami_name=name)


def test_rejects_ami_name_longer_than_aws_allows() -> None:
    with pytest.raises(ValueError, match=r"distributions\[eu-west-1\].ami_name: .*127"):
        RegionTarget(region="eu-west-1", ami_name="w" * 120 + "{{ imagebuilder:buildDate }}")


def test_launch_template_targets_render_typed_configurations(stack: cdk.Stack, lock: VersionLock) -> None:
    target = RegionTarget(
        region="eu-west-1",
        kms_key_arn="arn:aws:kms:eu-west-1:111111111111:alias/golden-ami/distribution",
        target_accounts=("222222222222",),
        launch_templates=(
            LaunchTemplateTarget(launch_template_id="lt-0123456789abcdef0"),
            LaunchTemplateTarget(
                launch_template_id="lt-0123456789abcdef1", account="222222222222", set_default_version=False
            ),
        ),
    )
    home_key = kms.Alias.from_alias_name(stack, "HomeKey", "alias/golden-ami/distribution")
    make_pipeline(stack, lock, distributions=[target], kms_key=home_key)
    (dist,) = template(stack).find_resources("AWS::ImageBuilder::DistributionConfiguration").values()
    assert dist["Properties"]["Distributions"][0]["LaunchTemplateConfigurations"] == [
        {"LaunchTemplateId": "lt-0123456789abcdef0", "SetDefaultVersion": True},
        {"LaunchTemplateId": "lt-0123456789abcdef1", "AccountId": "222222222222", "SetDefaultVersion": False},
    ]
    assert not lint_errors(template(stack).to_json())


@pytest.mark.parametrize("template_id", ["lt-123", "0123456789abcdef0", "LT-0123456789abcdef0"])
def test_rejects_malformed_launch_template_ids(template_id: str) -> None:
    with pytest.raises(ValueError, match=rf"launch_templates: '{template_id}' is not a launch template ID"):
        LaunchTemplateTarget(launch_template_id=template_id)


def test_rejects_launch_templates_in_accounts_that_get_no_copy() -> None:
    with pytest.raises(
        ValueError,
        match=r"launch_templates: lt-0123456789abcdef0 is in account '333333333333', which is not a target account",
    ):
        RegionTarget(
            region="eu-west-1",
            launch_templates=(LaunchTemplateTarget(launch_template_id="lt-0123456789abcdef0", account="333333333333"),),
        )


def test_rejects_more_launch_templates_than_aws_allows() -> None:
    many = tuple(LaunchTemplateTarget(launch_template_id=f"lt-{i:017d}") for i in range(101))
    with pytest.raises(ValueError, match=r"launch_templates: 101 given; AWS allows at most 100 per region"):
        RegionTarget(region="eu-west-1", launch_templates=many)
