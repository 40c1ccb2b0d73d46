"""Each rule of the GoldenAmi pack on a good and a bad example: pure functions, no synth."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from constructs_lib.checks.nag import RULES, Compliance, Rule

LT = "AWS::EC2::LaunchTemplate"


def none(_: str) -> Sequence[Mapping[str, Any]]:
    return []


def with_policy(recipe: str) -> Any:
    def siblings(kind: str) -> Sequence[Mapping[str, Any]]:
        if kind == "AWS::ImageBuilder::LifecyclePolicy":
            return [{"ResourceType": "AMI_IMAGE", "ResourceSelection": {"Recipes": [{"Name": recipe}]}}]
        return []

    return siblings


def encrypted(flag: bool) -> dict[str, Any]:
    return {"DeviceName": "/dev/xvda", "Ebs": {"Encrypted": flag, "VolumeSize": 30}}


def distribution(**ami: Any) -> dict[str, Any]:
    return {"Distributions": [{"Region": "eu-west-1", "AmiDistributionConfiguration": {"Name": "x", **ami}}]}


def vm_import_role(*statements: dict[str, Any], managed: list[str] | None = None) -> dict[str, Any]:
    role: dict[str, Any] = {
        "AssumeRolePolicyDocument": {
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "vmie.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ]
        },
        "Policies": [{"PolicyName": "VmImport", "PolicyDocument": {"Statement": list(statements)}}],
    }
    if managed:
        role["ManagedPolicyArns"] = managed
    return role


def read(*resources: str) -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Action": ["s3:GetBucketLocation", "s3:GetObject", "s3:ListBucket"],
        "Resource": list(resources),
    }


KEY_STATEMENT = {
    "Effect": "Allow",
    "Action": ["kms:Decrypt", "kms:CreateGrant"],
    "Resource": "arn:aws:kms:eu-west-1:111111111111:key/abc",
}


# rule id -> (good properties, bad properties, siblings)
LOGGING = {
    "LoggingConfiguration": {
        "ImageLogGroupName": "/aws/imagebuilder/web",
        "PipelineLogGroupName": "/aws/imagebuilder/pipeline/web",
    }
}


def log_groups(**extra: Any) -> Any:
    def siblings(kind: str) -> Sequence[Mapping[str, Any]]:
        if kind != "AWS::Logs::LogGroup":
            return []
        names = ("/aws/imagebuilder/web", "/aws/imagebuilder/pipeline/web")
        return [
            {"LogGroupName": n, "KmsKeyId": {"Fn::GetAtt": ["Key", "Arn"]}, "RetentionInDays": 365, **extra}
            for n in names
        ]

    return siblings


EXAMPLES: dict[str, tuple[dict[str, Any], dict[str, Any], Any]] = {
    "RecipeVolumesEncrypted": (
        {"BlockDeviceMappings": [encrypted(True), encrypted(True)]},
        {"BlockDeviceMappings": [encrypted(True), encrypted(False)]},
        none,
    ),
    "BuildInstancesImdsv2": (
        {"InstanceMetadataOptions": {"HttpTokens": "required"}},
        {"InstanceMetadataOptions": {"HttpTokens": "optional"}},
        none,
    ),
    "BuildInstancesTerminateOnFailure": (
        {"TerminateInstanceOnFailure": True},
        {"TerminateInstanceOnFailure": False},
        none,
    ),
    "BuildLogsToS3": ({"Logging": {"S3Logs": {"S3BucketName": {"Ref": "Logs"}}}}, {"Logging": {}}, none),
    "ImageTestsEnabled": (
        {"ImageTestsConfiguration": {"ImageTestsEnabled": True}},
        {"ImageTestsConfiguration": {"ImageTestsEnabled": False}},
        none,
    ),
    "ImageScanningEnabled": (
        {"ImageScanningConfiguration": {"ImageScanningEnabled": True}},
        {},
        none,
    ),
    "CrossAccountCopiesEncrypted": (
        distribution(TargetAccountIds=["222222222222"], KmsKeyId="arn:aws:kms:eu-west-1:111111111111:alias/a"),
        distribution(TargetAccountIds=["222222222222"]),
        none,
    ),
    "NoPublicLaunchPermission": (
        distribution(LaunchPermissionConfiguration={"UserIds": ["222222222222"]}),
        distribution(LaunchPermissionConfiguration={"UserGroups": ["all"]}),
        none,
    ),
    "RecipeLifecycleCovered": ({"Name": "web"}, {"Name": "api"}, with_policy("web")),
    "LaunchTemplateImdsv2": (
        {"LaunchTemplateData": {"MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 1}}},
        {"LaunchTemplateData": {"MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 2}}},
        none,
    ),
    "LaunchTemplateVolumesEncrypted": (
        {"LaunchTemplateData": {"BlockDeviceMappings": [encrypted(True)]}},
        {"LaunchTemplateData": {"BlockDeviceMappings": [{"DeviceName": "/dev/xvdf", "Ebs": {"VolumeSize": 8}}]}},
        none,
    ),
    "LaunchTemplateNoPublicIp": (
        {"LaunchTemplateData": {"NetworkInterfaces": [{"DeviceIndex": 0, "AssociatePublicIpAddress": False}]}},
        {"LaunchTemplateData": {"NetworkInterfaces": [{"DeviceIndex": 0, "AssociatePublicIpAddress": True}]}},
        none,
    ),
    "PipelineAutoDisable": (
        {"Schedule": {"ScheduleExpression": "cron(0 4 ? * SUN *)", "AutoDisablePolicy": {"FailureCount": 3}}},
        {"Schedule": {"ScheduleExpression": "cron(0 4 ? * SUN *)"}},
        none,
    ),
    # Same properties; the good stack defines both groups with key and retention, the bad one neither.
    "PipelineLogGroupsProtected": (LOGGING, LOGGING, (log_groups(), none)),
    "VmImportEncrypted": (
        {"Encrypted": "true", "KmsKeyId": "arn:aws:kms:eu-west-1:111111111111:key/abc"},
        {"Encrypted": "false", "KmsKeyId": "arn:aws:kms:eu-west-1:111111111111:key/abc"},
        none,
    ),
    "VmImportRoleScoped": (
        vm_import_role(read("arn:aws:s3:::disk-images", "arn:aws:s3:::disk-images/*"), KEY_STATEMENT),
        vm_import_role(read("*"), KEY_STATEMENT),
        none,
    ),
}
BY_ID = {rule.id: rule for rule in RULES}


def test_a_log_group_without_retention_or_not_in_the_stack_is_not_protected() -> None:
    rule = BY_ID["PipelineLogGroupsProtected"]
    assert rule.check(LOGGING, log_groups(RetentionInDays=None)) is Compliance.NON_COMPLIANT
    assert rule.check(LOGGING, none) is Compliance.NON_COMPLIANT
    unnamed = {"LoggingConfiguration": {"ImageLogGroupName": "/aws/imagebuilder/web"}}
    assert rule.check(unnamed, log_groups()) is Compliance.NON_COMPLIANT


def test_every_rule_has_examples() -> None:
    assert set(EXAMPLES) == set(BY_ID)


@pytest.mark.parametrize("rule_id", sorted(EXAMPLES))
def test_good_example_complies(rule_id: str) -> None:
    good, _, siblings = EXAMPLES[rule_id]
    siblings = siblings[0] if isinstance(siblings, tuple) else siblings
    assert BY_ID[rule_id].check(good, siblings) is Compliance.COMPLIANT


@pytest.mark.parametrize("rule_id", sorted(EXAMPLES))
def test_bad_example_does_not(rule_id: str) -> None:
    _, bad, siblings = EXAMPLES[rule_id]
    siblings = siblings[1] if isinstance(siblings, tuple) else siblings
    assert BY_ID[rule_id].check(bad, siblings) is Compliance.NON_COMPLIANT


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_every_rule_explains_itself(rule: Rule) -> None:
    assert rule.info.endswith(".") and len(rule.explanation) > 60
    # An AWS resource type, or the library's own custom resources.
    assert rule.resource_type.startswith(("AWS::", "Custom::GoldenAmi"))


@pytest.mark.parametrize(
    ("rule_id", "properties"),
    [
        ("BuildInstancesImdsv2", {"InstanceMetadataOptions": {"HttpTokens": {"Ref": "Tokens"}}}),
        ("RecipeVolumesEncrypted", {"BlockDeviceMappings": [{"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"}]}),
        ("PipelineAutoDisable", {}),
        ("CrossAccountCopiesEncrypted", distribution()),
        ("RecipeLifecycleCovered", {"Name": {"Fn::Sub": "x"}}),
        ("PipelineLogGroupsProtected", {}),
        ("PipelineLogGroupsProtected", {"LoggingConfiguration": {"ImageLogGroupName": {"Ref": "Name"}}}),
    ],
)
def test_rules_step_aside_when_they_cannot_judge(rule_id: str, properties: dict[str, Any]) -> None:
    assert BY_ID[rule_id].check(properties, none) is Compliance.NOT_APPLICABLE


def test_a_launch_template_without_volumes_does_not_comply() -> None:
    # A Fast Launch image's templates acknowledge it (they leave the volumes to the encrypted AMI).
    check = BY_ID["LaunchTemplateVolumesEncrypted"].check
    assert check({"LaunchTemplateData": {"ImageId": "ami-1"}}, none) is Compliance.NON_COMPLIANT


def test_tag_selected_policies_cover_recipes() -> None:
    def tagged(kind: str) -> Sequence[Mapping[str, Any]]:
        return [{"ResourceSelection": {"TagMap": {"team": "platform"}}}] if kind.endswith("LifecyclePolicy") else []

    assert BY_ID["RecipeLifecycleCovered"].check({"Name": "api"}, tagged) is Compliance.COMPLIANT
    assert BY_ID["LaunchTemplateImdsv2"].resource_type == LT


@pytest.mark.parametrize(
    "role",
    [
        vm_import_role(read("arn:aws:s3:::disk-images"), {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}),
        vm_import_role(
            read("arn:aws:s3:::disk-images"), {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": "*"}
        ),
        vm_import_role(
            read("arn:aws:s3:::disk-images"), {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}
        ),
        vm_import_role(read("arn:aws:s3:::disk-images"), managed=["arn:aws:iam::aws:policy/AmazonS3FullAccess"]),
    ],
    ids=["kms-star", "every-key", "undocumented-action", "managed-policy"],
)
def test_import_role_broader_than_documented_is_flagged(role: dict[str, Any]) -> None:
    assert BY_ID["VmImportRoleScoped"].check(role, none) is Compliance.NON_COMPLIANT


def test_import_role_rule_ignores_other_roles() -> None:
    other = vm_import_role({"Effect": "Allow", "Action": "*", "Resource": "*"})
    other["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] = {"Service": "lambda.amazonaws.com"}
    assert BY_ID["VmImportRoleScoped"].check(other, none) is Compliance.NOT_APPLICABLE


def test_import_without_a_key_is_refused() -> None:
    assert BY_ID["VmImportEncrypted"].check({"Encrypted": "true"}, none) is Compliance.NON_COMPLIANT
