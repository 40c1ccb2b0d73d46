"""The home-region AMI on a customer managed key whenever it is shared or copied into other accounts.

"Create and update AMI distribution configurations": the distribution's key "doesn't apply for
the original AMI that the build creates under your account in the source Region"
(https://docs.aws.amazon.com/imagebuilder/latest/userguide/cr-upd-ami-distribution-settings.html).
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
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


def key_policy(stack: cdk.Stack) -> dict[str, dict[str, Any]]:
    (key,) = template(stack).find_resources("AWS::KMS::Key").values()
    return {st["Sid"]: st for st in key["Properties"]["KeyPolicy"]["Statement"] if "Sid" in st}


def test_sharing_and_copying_without_a_key_get_the_recipe_key_made(stack: cdk.Stack, lock: VersionLock) -> None:
    """The AMI built at home is shared there and copied into another account: with no kms_key the
    library makes the account and region's recipe key, allowing both, and the recipe uses it."""
    home = RegionTarget(region="eu-west-1", launch_permission=SHARED)
    copy = RegionTarget(region="us-east-1", kms_key_arn=EAST_ALIAS, target_accounts=("222222222222",))
    pipeline(stack, lock, distributions=[home, copy])
    t = template(stack)
    (alias,) = t.find_resources("AWS::KMS::Alias").values()
    assert alias["Properties"]["AliasName"] == "alias/golden-ami/recipes"
    (key_id,) = t.find_resources("AWS::KMS::Key")
    (recipe,) = t.find_resources("AWS::ImageBuilder::ImageRecipe").values()
    for mapping in recipe["Properties"]["BlockDeviceMappings"]:
        assert mapping["Ebs"]["Encrypted"] is True
        assert mapping["Ebs"]["KmsKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    policy = key_policy(stack)
    assert policy["DestinationAccountsUse"]["Principal"] == {"AWS": "arn:aws:iam::222222222222:root"}
    assert policy["SharedAccountsUse"]["Principal"] == {"AWS": "arn:aws:iam::333333333333:root"}
    synth_with_nag(stack)


def test_pipelines_of_an_account_and_region_share_one_recipe_key_allowing_each(lock: VersionLock) -> None:
    app = cdk.App()
    env = cdk.Environment(account="111111111111", region="eu-west-1")
    first, second = cdk.Stack(app, "First", env=env), cdk.Stack(app, "Second", env=env)
    pipeline(
        first,
        lock,
        distributions=[RegionTarget(region="us-east-1", kms_key_arn=EAST_ALIAS, target_accounts=("222222222222",))],
    )
    pipeline(
        first,
        lock,
        construct_id="Api",
        image_name="api",
        distributions=[RegionTarget(region="eu-west-1", launch_permission=SHARED)],
    )
    pipeline(
        second,
        lock,
        construct_id="Batch",
        image_name="batch",
        distributions=[
            RegionTarget(region="us-east-1", kms_key_arn=EAST_ALIAS, target_accounts=("222222222222", "444444444444"))
        ],
    )
    assert len(template(first).find_resources("AWS::KMS::Key")) == 1
    assert not template(second).find_resources("AWS::KMS::Key")  # the first stack's key, referenced
    policy = key_policy(first)
    assert {"DestinationAccountsUse", "SharedAccounts2Use", "DestinationAccounts3Use"} <= set(policy)
    assert "444444444444" in str(policy["DestinationAccounts3Use"]["Principal"])
    assert "222222222222" not in str(policy["DestinationAccounts3Use"]["Principal"])  # allowed once


def test_a_key_given_is_used_and_none_is_made(stack: cdk.Stack, lock: VersionLock) -> None:
    copy = RegionTarget(region="us-east-1", kms_key_arn=EAST_ALIAS, target_accounts=("222222222222",))
    pipeline(stack, lock, distributions=[copy], kms_key=kms.Key(stack, "Mine"))
    assert not template(stack).find_resources("AWS::KMS::Alias")


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


def test_stacks_grouped_under_constructs_still_share_one_recipe_key(lock: VersionLock) -> None:
    """An alias is unique per account and region: stacks of one environment grouped under
    constructs must not each make ``alias/golden-ami/recipes``."""
    from constructs import Construct

    app = cdk.App()
    env = cdk.Environment(account="111111111111", region="eu-west-1")
    first = cdk.Stack(Construct(app, "G1"), "First", env=env)
    second = cdk.Stack(Construct(app, "G2"), "Second", env=env)
    copy = RegionTarget(region="us-east-1", kms_key_arn=EAST_ALIAS, target_accounts=("222222222222",))
    pipeline(first, lock, distributions=[copy])
    pipeline(second, lock, construct_id="Api", image_name="api", distributions=[copy])
    made = [s for s in (first, second) if template(s).find_resources("AWS::KMS::Alias")]
    assert made == [first]
