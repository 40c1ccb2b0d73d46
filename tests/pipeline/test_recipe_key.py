"""The home-region AMI on a customer managed key whenever it is shared or copied into other accounts.

"Create and update AMI distribution configurations": the distribution's key "doesn't apply for
the original AMI that the build creates under your account in the source Region"
(https://docs.aws.amazon.com/imagebuilder/latest/userguide/cr-upd-ami-distribution-settings.html).
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_kms as kms

from constructs_lib import LaunchPermission, RegionTarget, VersionLock
from tests.conftest import make_pipeline as pipeline
from tests.conftest import synth_with_nag, template

HOME_ALIAS = "arn:aws:kms:eu-west-1:111111111111:alias/golden-ami/distribution"
EAST_ALIAS = "arn:aws:kms:us-east-1:111111111111:alias/golden-ami/distribution"
SHARED = LaunchPermission(accounts=("333333333333",))


def execution_statements(stack: cdk.Stack) -> dict[str, dict[str, Any]]:
    return {
        s["Sid"]: s
        for r in template(stack).find_resources("AWS::IAM::Policy").values()
        for s in r["Properties"]["PolicyDocument"]["Statement"]
        if "Sid" in s
    }


def test_copying_into_other_accounts_needs_the_recipe_key(stack: cdk.Stack, lock: VersionLock) -> None:
    # A copy into another account starts from the AMI built at home, whatever key the target has.
    copy = RegionTarget(region="us-east-1", kms_key_arn=EAST_ALIAS, target_accounts=("222222222222",))
    with pytest.raises(
        ValueError,
        match=r"kms_key: the AMI is copied into other accounts in us-east-1 but the recipe's volumes use the "
        r"account's default EBS key.*pass kms_key= a customer managed key in the home region eu-west-1",
    ):
        pipeline(stack, lock, distributions=[copy])


def test_sharing_at_home_with_a_distribution_key_still_needs_the_recipe_key(
    stack: cdk.Stack, lock: VersionLock
) -> None:
    home = RegionTarget(region="eu-west-1", kms_key_arn=HOME_ALIAS, launch_permission=SHARED)
    with pytest.raises(ValueError, match=r"kms_key: the AMI is shared with other accounts in eu-west-1"):
        pipeline(stack, lock, distributions=[home])


def test_sharing_only_elsewhere_needs_only_that_region_key(stack: cdk.Stack, lock: VersionLock) -> None:
    # Copies within the account may start from the default key; the copy is on the target's key.
    built = pipeline(
        stack, lock, distributions=[RegionTarget(region="us-east-1", kms_key_arn=EAST_ALIAS, launch_permission=SHARED)]
    )
    assert built.recipe.resource.block_device_mappings is not None


def test_recipe_key_by_alias_encrypts_every_volume_and_the_execution_role_may_use_it(
    stack: cdk.Stack, lock: VersionLock
) -> None:
    home_key = kms.Alias.from_alias_name(stack, "HomeKey", "alias/golden-ami/distribution")
    copy = RegionTarget(region="us-east-1", kms_key_arn=EAST_ALIAS, target_accounts=("222222222222",))
    pipeline(stack, lock, distributions=[copy], kms_key=home_key)
    (recipe,) = template(stack).find_resources("AWS::ImageBuilder::ImageRecipe").values()
    for mapping in recipe["Properties"]["BlockDeviceMappings"]:
        assert mapping["Ebs"]["Encrypted"] is True
        assert mapping["Ebs"]["KmsKeyId"] == HOME_ALIAS
    statements = execution_statements(stack)
    use = statements["UseRecipeKey"]
    assert use["Condition"] == {"ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/golden-ami/distribution"}}
    assert use["Resource"] == "arn:aws:kms:*:111111111111:key/*"
    grants = statements["GrantsOnRecipeKeyForAwsResources"]
    assert grants["Action"] == "kms:CreateGrant"
    assert grants["Condition"]["Bool"] == {"kms:GrantIsForAWSResource": "true"}
    synth_with_nag(stack)


def test_recipe_key_object_is_named_by_arn(stack: cdk.Stack, lock: VersionLock) -> None:
    key = kms.Key(stack, "HomeKey", enable_key_rotation=True)
    pipeline(stack, lock, distributions=[RegionTarget(region="eu-west-1", launch_permission=SHARED)], kms_key=key)
    use = execution_statements(stack)["UseRecipeKey"]
    assert "Condition" not in use
    assert use["Resource"] == {"Fn::GetAtt": [stack.get_logical_id(key.node.default_child), "Arn"]}  # type: ignore[arg-type]
