"""Each preflight rule: nothing on the good scenario, its finding once one thing is broken."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from constructs_lib.checks.preflight import RULES, Finding, Rule, Severity
from tests.checks.preflight.scenario import ASG, D, F, U, assemble, good

Stacks = dict[str, dict[str, Any]]
RULE = {r.id: r for r in RULES}
"""The preflight's rules by ID, as the preflight runs them."""


def errors(rule: Rule, stacks: Stacks) -> list[Finding]:
    return [f for f in rule.check(assemble(stacks)) if f.severity is Severity.ERROR]


def warnings(rule: Rule, stacks: Stacks) -> list[Finding]:
    return [f for f in rule.check(assemble(stacks)) if f.severity is Severity.WARNING]


def key_statements(stacks: Stacks, region: str = "us-east-1") -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = stacks[f"Keys-{region}"]["resources"]["Key"]["Properties"]["KeyPolicy"][
        "Statement"
    ]
    return statements


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_raises_no_error_on_the_good_scenario(rule: Rule) -> None:
    assert errors(rule, good()) == []


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_cites_the_aws_page_it_encodes(rule: Rule) -> None:
    module = importlib.import_module(rule.check.__module__)
    assert re.fullmatch(r"https://docs\.aws\.amazon\.com/[A-Za-z0-9/_.#-]+\.html", rule.citation)
    assert rule.citation in (module.__doc__ or "").replace("\n", "")
    assert (module.__doc__ or "").startswith(f"{rule.id}: ")


def test_rules_holds_every_rule_module_once() -> None:
    package = Path(importlib.import_module("constructs_lib.checks.preflight.rules").__file__ or "").parent
    modules = sorted(p.stem for p in package.glob("*.py") if p.stem != "__init__")
    assert sorted(r.check.__module__.rpartition(".")[2] for r in RULES) == modules


def test_rule_ids_are_unique_and_numbered() -> None:
    ids = [r.id for r in RULES]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"GA-P[0-9]{3}", i) for i in ids)


def test_p001_flags_a_shared_recipe_on_the_default_ebs_key() -> None:
    stacks = good()
    del stacks["Factory"]["resources"]["Recipe"]["Properties"]["BlockDeviceMappings"][0]["Ebs"]["KmsKeyId"]
    (finding,) = errors(RULE["GA-P001"], stacks)
    assert finding.resources == ("Factory/Recipe", "Factory/Distribution")
    assert "Set Ebs.KmsKeyId" in finding.message


def test_p001_accepts_the_default_key_when_nothing_leaves_the_account() -> None:
    stacks = good()
    del stacks["Factory"]["resources"]["Recipe"]["Properties"]["BlockDeviceMappings"][0]["Ebs"]["KmsKeyId"]
    for entry in stacks["Factory"]["resources"]["Distribution"]["Properties"]["Distributions"]:
        del entry["AmiDistributionConfiguration"]["TargetAccountIds"]
        del entry["AmiDistributionConfiguration"]["LaunchPermissionConfiguration"]
    assert errors(RULE["GA-P001"], stacks) == []


def test_p002_flags_a_key_that_does_not_name_the_auto_scaling_role() -> None:
    stacks = good()
    stacks["Keys-us-east-1"]["resources"]["Key"]["Properties"]["KeyPolicy"]["Statement"] = [
        s for s in key_statements(stacks) if not s.get("Sid", "").startswith("AutoScaling")
    ]
    (finding,) = errors(RULE["GA-P002"], stacks)
    assert finding.resources == ("Keys-us-east-1/Key",)
    assert ASG in finding.message and "kms:CreateGrant" in finding.message


def test_p002_flags_a_key_that_does_not_admit_a_target_account() -> None:
    stacks = good()
    key_statements(stacks)[1]["Principal"]["AWS"] = [f"arn:aws:iam::{U}:root"]
    (finding,) = errors(RULE["GA-P002"], stacks)
    assert f"does not let account {D}" in finding.message


def test_p002_flags_a_shared_account_the_key_does_not_admit() -> None:
    stacks = good()
    key_statements(stacks, "eu-west-1")[1]["Principal"]["AWS"] = [f"arn:aws:iam::{D}:root"]
    (finding,) = errors(RULE["GA-P002"], stacks)
    assert f"shared with {U}" in finding.message


def test_p002_flags_a_destination_account_without_the_auto_scaling_grant() -> None:
    stacks = good()
    del stacks["Destination"]["resources"]["AutoScalingGrant"]
    found = errors(RULE["GA-P002"], stacks)
    assert {f.resources for f in found} == {("Keys-eu-west-1/Key",), ("Keys-us-east-1/Key",)}
    assert all("aws kms create-grant" in f.message for f in found)


def test_p002_flags_a_key_no_builder_can_use() -> None:
    stacks = good()
    key_statements(stacks, "eu-west-1")[0]["Principal"]["AWS"] = f"arn:aws:iam::{F}:role/admin"
    (finding,) = errors(RULE["GA-P002"], stacks)
    assert "Factory/ExecutionRole or" in finding.message and "AWSServiceRoleForImageBuilder" in finding.message


def test_p002_warns_with_the_grant_command_for_share_only_accounts() -> None:
    found = warnings(RULE["GA-P002"], good())
    assert len(found) == 2
    assert all(
        f"arn:aws:iam::{U}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling" in f.message
        for f in found
    )


def test_p003_flags_ou_sharing_without_the_conditioned_statement() -> None:
    stacks = good()
    key_statements(stacks)[4]["Condition"] = {"StringEquals": {"aws:PrincipalOrgID": "o-exampleorg1"}}
    (finding,) = errors(RULE["GA-P003"], stacks)
    assert "aws:PrincipalOrgPaths (o-exampleorg1/*/ou-ab12-cdefgh34/*)" in finding.message


def test_p003_does_not_count_an_unrelated_organization() -> None:
    stacks = good()
    key_statements(stacks, "eu-west-1")[4]["Condition"]["StringEquals"]["aws:PrincipalOrgID"] = "o-other"
    assert len(errors(RULE["GA-P003"], stacks)) == 1


def test_p004_flags_a_stackset_that_can_reach_a_destination_account() -> None:
    stacks = good()
    targets = stacks["MemberAccounts"]["resources"]["StackSet"]["Properties"]["StackInstancesGroup"][0][
        "DeploymentTargets"
    ]
    del targets["Accounts"], targets["AccountFilterType"]
    # Each fixed role name of the member template collides: the distribution and the lifecycle role.
    found = {f.resources: f for f in errors(RULE["GA-P004"], stacks)}
    assert set(found) == {
        ("MemberAccounts/StackSet", "Destination/Role"),
        ("MemberAccounts/StackSet", "Destination/LifecycleRole"),
    }
    finding = found[("MemberAccounts/StackSet", "Destination/Role")]
    assert "AccountFilterType: DIFFERENCE" in finding.message


def test_p004_flags_one_role_name_twice_in_an_account_across_regions() -> None:
    stacks = good()
    stacks["Other"] = {
        "account": D,
        "region": "us-east-1",
        "resources": {
            "Again": {
                "Type": "AWS::IAM::Role",
                "Properties": {"RoleName": "ec2imagebuilderdistributioncrossaccountrole"},
            }
        },
    }
    (finding,) = errors(RULE["GA-P004"], stacks)
    assert finding.resources == ("Destination/Role", "Other/Again")


def test_p005_flags_an_import_from_another_region() -> None:
    stacks = good()
    stacks["Keys-eu-west-1"]["Outputs"] = {
        "KeyArn": {"Value": {"Fn::GetAtt": ["Key", "Arn"]}, "Export": {"Name": "KeyArn"}}
    }
    stacks["Consumers"]["resources"]["Function"]["Properties"]["KmsKeyArn"] = {"Fn::ImportValue": "KeyArn"}
    (finding,) = errors(RULE["GA-P005"], stacks)
    assert finding.resources == ("Consumers/Function", "Keys-eu-west-1")


def test_p005_accepts_an_import_in_the_same_region_and_flags_cdk_cross_region_references() -> None:
    stacks = good()
    stacks["Keys-us-east-1"]["Outputs"] = {
        "KeyArn": {"Value": {"Fn::GetAtt": ["Key", "Arn"]}, "Export": {"Name": "KeyArn"}}
    }
    stacks["Consumers"]["resources"]["Function"]["Properties"]["KmsKeyArn"] = {"Fn::ImportValue": "KeyArn"}
    assert errors(RULE["GA-P005"], stacks) == []
    stacks["Consumers"]["resources"]["Reader"] = {"Type": "Custom::CrossRegionExportReader", "Properties": {}}
    assert [f.resources for f in errors(RULE["GA-P005"], stacks)] == [("Consumers/Reader",)]


@pytest.mark.parametrize(
    ("stack", "dependency", "what"),
    [
        ("Factory", "Keys-us-east-1", "its key"),
        ("Factory", "Destination", "its destination role"),
        ("Consumers", "Factory", "the pipeline writing"),
    ],
)
def test_p006_flags_a_missing_stack_dependency(stack: str, dependency: str, what: str) -> None:
    stacks = good()
    stacks[stack]["dependencies"].remove(dependency)
    (finding,) = errors(RULE["GA-P006"], stacks)
    assert f"stack {stack} uses {what}" in finding.message and f"add_dependency({dependency})" in finding.message


def test_p007_flags_a_consumer_whose_parameter_comes_only_from_a_schedule() -> None:
    stacks = good()
    del stacks["Factory"]["resources"]["FirstImage"]
    (finding,) = errors(RULE["GA-P007"], stacks)
    assert finding.resources == ("Consumers/LaunchTemplate", "Factory/Pipeline")


def test_p007_flags_a_first_image_that_never_reaches_a_region_added_later() -> None:
    stacks = good()
    del stacks["Factory"]["resources"]["FirstImage"]["Properties"]["ImagePipelineExecutionSettings"]
    (finding,) = errors(RULE["GA-P007"], stacks)
    assert "a region or account added later" in finding.message


def test_p007_accepts_a_custom_resource_that_distributes_the_current_image() -> None:
    stacks = good()
    del stacks["Factory"]["resources"]["FirstImage"]["Properties"]["ImagePipelineExecutionSettings"]
    stacks["Factory"]["resources"]["Redistribute"] = {
        "Type": "Custom::DistributeImage",
        "Properties": {"Distribution": {"Fn::GetAtt": ["Distribution", "Arn"]}},
    }
    assert errors(RULE["GA-P007"], stacks) == []


def test_p007_flags_a_consumer_in_a_region_no_distribution_reaches() -> None:
    stacks = good()
    stacks["Consumers"]["region"] = "ap-southeast-2"
    (finding,) = errors(RULE["GA-P007"], stacks)
    assert "no distribution of the assembly writes it there" in finding.message


def layered(stacks: Stacks) -> dict[str, Any]:
    recipe: dict[str, Any] = json.loads(json.dumps(stacks["Factory"]["resources"]["Recipe"]))
    recipe["Properties"].update(Name="app", ParentImage=f"arn:aws:imagebuilder:eu-west-1:{F}:image/web/x.x.x")
    return recipe


def test_p008_flags_a_layered_recipe_created_before_its_parent_image() -> None:
    stacks = good()
    stacks["Factory"]["resources"]["AppRecipe"] = layered(stacks)
    (finding,) = errors(RULE["GA-P008"], stacks)
    assert finding.resources == ("Factory/AppRecipe",)
    stacks["Factory"]["resources"]["AppRecipe"]["DependsOn"] = ["FirstImage"]
    assert errors(RULE["GA-P008"], stacks) == []


def test_p009_warns_when_a_build_assumes_the_default_vpc() -> None:
    stacks = good()
    assert warnings(RULE["GA-P009"], stacks) == []
    del stacks["Factory"]["resources"]["Infrastructure"]["Properties"]["SubnetId"]
    (finding,) = warnings(RULE["GA-P009"], stacks)
    assert "default VPC" in finding.message


@pytest.mark.parametrize(
    ("call_as", "management", "expected"), [("DELEGATED_ADMIN", F, "SELF"), ("SELF", "999999999999", "DELEGATED_ADMIN")]
)
def test_p010_flags_call_as_that_contradicts_the_management_account(
    call_as: str, management: str, expected: str
) -> None:
    stacks = good()
    stacks["MemberAccounts"]["resources"]["StackSet"]["Properties"]["CallAs"] = call_as
    for entry in stacks["Factory"]["resources"]["Distribution"]["Properties"]["Distributions"]:
        launch = entry["AmiDistributionConfiguration"]["LaunchPermissionConfiguration"]
        launch["OrganizationalUnitArns"] = [launch["OrganizationalUnitArns"][0].replace(F, management)]
    (finding,) = errors(RULE["GA-P010"], stacks)
    assert f"set CallAs: {expected}" in finding.message


def test_p011_refuses_any_reservation_with_the_way_out() -> None:
    stacks = good()
    assert errors(RULE["GA-P011"], stacks) == [] and warnings(RULE["GA-P011"], stacks) == []
    function = stacks["Consumers"]["resources"]["Function"]["Properties"]
    function["ReservedConcurrentExecutions"] = 1
    (finding,) = errors(RULE["GA-P011"], stacks)
    assert finding.message.endswith(
        "Lambda keeps 100 of an account's concurrency unreserved and new accounts start with a reduced quota of "
        "undocumented size (below the standard 1000), so the deploy can fail there; drop the reservation "
        "(ReservedConcurrentExecutions): the library's functions are safe under concurrent runs"
    )
    assert warnings(RULE["GA-P011"], stacks) == []


def test_p012_flags_a_recipe_policy_that_goes_with_its_image() -> None:
    stacks = good()
    policy = stacks["Factory"]["resources"]["Lifecycle"]
    policy["Properties"]["ResourceSelection"] = {"Recipes": [{"Name": "web", "SemanticVersion": "x.x.x"}]}
    (finding,) = errors(RULE["GA-P012"], stacks)
    assert finding.resources == ("Factory/Lifecycle",)
    policy["DeletionPolicy"] = "Retain"
    assert errors(RULE["GA-P012"], stacks) == []


def test_p013_flags_a_destination_role_without_list_and_revoke_grants() -> None:
    stacks = good()
    statement = stacks["Destination"]["resources"]["RolePolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    statement["Action"] = [a for a in statement["Action"] if a not in ("kms:ListGrants", "kms:RevokeGrant")]
    (finding,) = errors(RULE["GA-P013"], stacks)
    assert "kms:ListGrants, kms:RevokeGrant" in finding.message
    statement["Condition"] = {"ForAnyValue:StringEquals": {"kms:ResourceAliases": ["alias/golden-ami/distribution"]}}
    assert len(warnings(RULE["GA-P013"], stacks)) == 1


def test_readme_table_lists_every_rule_with_its_page() -> None:
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    rows = dict(re.findall(r"^\| `(GA-P[0-9]{3})` \|.*\]\((https://[^)]+)\) \|$", readme, flags=re.M))
    assert rows == {r.id: r.citation for r in RULES}


def test_p007_accepts_an_image_whose_logical_id_carries_a_distribution_digest() -> None:
    stacks = good()
    resources = stacks["Factory"]["resources"]
    del resources["FirstImage"]["Properties"]["ImagePipelineExecutionSettings"]
    resources["FirstImage0AE87D0BDCCF3008E"] = resources.pop("FirstImage")
    assert errors(RULE["GA-P007"], stacks) == []
    resources["FirstImage0AE87D0B"] = resources.pop("FirstImage0AE87D0BDCCF3008E")
    assert len(errors(RULE["GA-P007"], stacks)) == 1


def test_p013_flags_launch_template_updates_the_destination_role_cannot_make() -> None:
    stacks = good()
    entry = stacks["Factory"]["resources"]["Distribution"]["Properties"]["Distributions"][0]
    entry["LaunchTemplateConfigurations"] = [{"LaunchTemplateId": "lt-0123456789abcdef0", "AccountId": D}]
    (finding,) = errors(RULE["GA-P013"], stacks)
    assert finding.resources == ("Destination/Role",)
    assert "ec2:CreateLaunchTemplateVersion, ec2:ModifyLaunchTemplate, ec2:CreateTags" in finding.message
    statement = stacks["Destination"]["resources"]["RolePolicy"]["Properties"]["PolicyDocument"]["Statement"]
    statement.append(
        {
            "Effect": "Allow",
            "Action": ["ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate", "ec2:CreateTags"],
            "Resource": "*",
        }
    )
    assert errors(RULE["GA-P013"], stacks) == []


def _layer_launched_without_its_data_volume() -> tuple[dict[str, Any], dict[str, Any]]:
    """The app layer (on web, which has /dev/xvdf) launched in us-east-1 by a template listing only
    the root; returns the stacks and the template's data."""
    stacks = good()
    resources = stacks["Factory"]["resources"]
    resources["Recipe"]["Properties"]["BlockDeviceMappings"].append(
        {"DeviceName": "/dev/xvdf", "Ebs": {"Encrypted": True}}
    )
    app = layered(stacks)
    app["Properties"]["BlockDeviceMappings"] = [{"DeviceName": "/dev/xvda", "Ebs": {"Encrypted": True}}]
    resources["AppRecipe"] = app
    resources["Distribution"]["Properties"]["Distributions"][1]["SsmParameterConfigurations"].append(
        {"ParameterName": "/golden-ami/app/latest"}
    )
    resources["AppPipeline"] = {
        "Type": "AWS::ImageBuilder::ImagePipeline",
        "Properties": {**resources["Pipeline"]["Properties"], "ImageRecipeArn": {"Fn::GetAtt": ["AppRecipe", "Arn"]}},
    }
    data = stacks["Consumers"]["resources"]["LaunchTemplate"]["Properties"]["LaunchTemplateData"]
    data["ImageId"] = "resolve:ssm:/golden-ami/app/latest"
    data["BlockDeviceMappings"] = [{"DeviceName": "/dev/xvda", "Ebs": {"Encrypted": True}}]
    return stacks, data


def test_p014_flags_a_launch_template_that_leaves_out_an_inherited_volume() -> None:
    stacks, data = _layer_launched_without_its_data_volume()
    (finding,) = errors(RULE["GA-P014"], stacks)
    assert "/dev/xvdf (from web)" in finding.message
    data["BlockDeviceMappings"].append({"DeviceName": "/dev/xvdf", "Ebs": {"Encrypted": True}})
    assert errors(RULE["GA-P014"], stacks) == []


def test_p014_leaves_out_only_the_regions_where_fast_launch_is_on() -> None:
    stacks, _ = _layer_launched_without_its_data_volume()
    entries = stacks["Factory"]["resources"]["Distribution"]["Properties"]["Distributions"]
    fast = [{"Enabled": True, "AccountId": F, "MaxParallelLaunches": 6}]
    entries[0]["FastLaunchConfigurations"] = fast  # eu-west-1: not where the template launches
    (finding,) = errors(RULE["GA-P014"], stacks)
    assert "/dev/xvdf (from web)" in finding.message
    entries[1]["FastLaunchConfigurations"] = fast  # us-east-1, the template's region: no mapping to judge
    assert errors(RULE["GA-P014"], stacks) == []


def test_p006_flags_any_resource_that_names_a_key_of_a_stack_it_does_not_follow() -> None:
    stacks = good()
    alias = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, f":kms:us-east-1:{F}:alias/golden-ami/distribution"]]}
    stacks["Destination"]["resources"]["AutoScalingGrant"]["Properties"]["KeyArn"] = alias
    (finding,) = errors(RULE["GA-P006"], stacks)
    assert finding.resources == ("Destination/AutoScalingGrant", "Keys-us-east-1")
    stacks["Destination"]["dependencies"] = ["Keys-us-east-1"]
    assert errors(RULE["GA-P006"], stacks) == []


def test_p001_flags_a_shared_copy_without_a_key_for_its_region() -> None:
    stacks = good()
    del stacks["Factory"]["resources"]["Distribution"]["Properties"]["Distributions"][1][
        "AmiDistributionConfiguration"
    ]["KmsKeyId"]
    (finding,) = errors(RULE["GA-P001"], stacks)
    assert finding.resources == ("Factory/Distribution",)
    assert "KmsKeyId for us-east-1" in finding.message
