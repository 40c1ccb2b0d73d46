from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Match

from constructs_lib import GoldenImage, RegionTarget, VersionLock
from tests.conftest import lint_errors, make_pipeline, make_stack, synth_with_nag, template


def test_retained_by_default_without_deletion_settings(stack: cdk.Stack, lock: VersionLock) -> None:
    pipeline = make_pipeline(stack, lock, image_tests=False, image_scanning=False)
    GoldenImage(stack, "Now", pipeline=pipeline)
    t = template(stack)
    images = t.find_resources("AWS::ImageBuilder::Image")
    assert len(images) == 1
    (image,) = images.values()
    assert image["DeletionPolicy"] == "Retain"
    assert image["UpdateReplacePolicy"] == "Retain"
    assert "DeletionSettings" not in image["Properties"]
    props = image["Properties"]
    assert props["ImageTestsConfiguration"] == {"ImageTestsEnabled": False, "TimeoutMinutes": 720}
    assert props["ImageScanningConfiguration"] == {"ImageScanningEnabled": False}
    pipe = next(iter(t.find_resources("AWS::ImageBuilder::ImagePipeline").values()))["Properties"]
    for key in ("ImageRecipeArn", "InfrastructureConfigurationArn", "DistributionConfigurationArn", "ExecutionRole"):
        assert props[key] == pipe[key]
    assert (
        len(t.find_resources("AWS::IAM::Role", {"Properties": {"Description": Match.string_like_regexp("deletes")}}))
        == 0
    )


def test_destroy_adds_deletion_settings_with_a_narrow_role(stack: cdk.Stack, lock: VersionLock) -> None:
    pipeline = make_pipeline(stack, lock)
    image = GoldenImage(stack, "Now", pipeline=pipeline, removal_policy=cdk.RemovalPolicy.DESTROY)
    t = template(stack)
    (resource,) = t.find_resources("AWS::ImageBuilder::Image").values()
    assert resource["DeletionPolicy"] == "Delete"
    role_id = stack.get_logical_id(image.deletion_role.node.default_child)  # type: ignore[union-attr, arg-type]
    assert resource["Properties"]["DeletionSettings"] == {"ExecutionRole": {"Fn::GetAtt": [role_id, "Arn"]}}
    # The GetAtt orders the role first on create, so CloudFormation deletes it after the image.
    role = t.to_json()["Resources"][role_id]["Properties"]
    assert role["ManagedPolicyArns"] == [
        {
            "Fn::Join": [
                "",
                [
                    "arn:",
                    {"Ref": "AWS::Partition"},
                    ":iam::aws:policy/service-role/EC2ImageBuilderLifecycleExecutionPolicy",
                ],
            ]
        }
    ]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "111111111111"}
    }
    assert not lint_errors(t.to_json())


@pytest.mark.parametrize("policy", [cdk.RemovalPolicy.SNAPSHOT, cdk.RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE])
def test_rejects_removal_policies_images_do_not_have(
    stack: cdk.Stack, lock: VersionLock, policy: cdk.RemovalPolicy
) -> None:
    pipeline = make_pipeline(stack, lock)
    with pytest.raises(ValueError, match=r"removal_policy: .* use RemovalPolicy.RETAIN .* or RemovalPolicy.DESTROY"):
        GoldenImage(stack, "Now", pipeline=pipeline, removal_policy=policy)


def test_destroy_passes_cdk_nag(stack: cdk.Stack, lock: VersionLock) -> None:
    GoldenImage(stack, "Now", pipeline=make_pipeline(stack, lock), removal_policy=cdk.RemovalPolicy.DESTROY)
    synth_with_nag(stack)


def _image_ids(lock: VersionLock, *regions: str, accounts: tuple[str, ...] = (), late: str | None = None) -> set[str]:
    stack = make_stack()
    pipeline = make_pipeline(
        stack,
        lock,
        distributions=[RegionTarget(region=r, target_accounts=accounts, kms_key_arn=KEY) for r in regions],
        kms_key=kms.Key.from_key_arn(stack, "HomeKey", KEY.replace("us-east-1", "eu-west-1")),
    )
    GoldenImage(stack, "Now", pipeline=pipeline)
    if late is not None:
        pipeline.add_region(RegionTarget(region=late, kms_key_arn=KEY))
    return set(template(stack).find_resources("AWS::ImageBuilder::Image"))


KEY = "arn:aws:kms:us-east-1:111111111111:alias/golden-ami/distribution"


def test_a_new_region_or_account_builds_a_new_image_that_reaches_it(lock: VersionLock) -> None:
    """The parameter in a new region exists only once an image is distributed there: a new
    distribution gives the image a new logical ID, so the deploy builds one (the old is retained)."""
    (today,) = _image_ids(lock, "us-east-1")
    assert _image_ids(lock, "us-east-1") == {today}, "the same distribution keeps the image"
    (new_region,) = _image_ids(lock, "us-east-1", "ap-southeast-2")
    (new_account,) = _image_ids(lock, "us-east-1", accounts=("222222222222",))
    (added_later,) = _image_ids(lock, "us-east-1", late="ap-southeast-2")
    assert len({today, new_region, new_account}) == 3
    assert added_later == new_region, "add_region after the image counts like a distribution given up front"
