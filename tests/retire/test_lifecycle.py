from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Match

from constructs_lib import ImageLifecycle, Lifecycle, LifecycleAction, LifecycleRule, TimeUnit
from tests.conftest import template

DEPRECATE = LifecycleAction.DEPRECATE
DELETE = LifecycleAction.DELETE


def test_standard_preset_deletes_snapshots_and_spares_recent_launches(stack: cdk.Stack) -> None:
    ImageLifecycle(stack, "Retire", name="web", lifecycle=Lifecycle.standard(), recipes=["web"])
    exclusions = {"Amis": {"LastLaunched": {"Value": 30, "Unit": "DAYS"}}, "TagMap": {"golden-ami:keep": "true"}}
    template(stack).has_resource_properties(
        "AWS::ImageBuilder::LifecyclePolicy",
        {
            "Name": "web",
            "ResourceType": "AMI_IMAGE",
            "Status": "ENABLED",
            "ResourceSelection": {"Recipes": [{"Name": "web", "SemanticVersion": "x.x.x"}]},
            "PolicyDetails": [
                {
                    "Action": {"Type": "DEPRECATE", "IncludeResources": {"Amis": True}},
                    "Filter": {"Type": "AGE", "Value": 90, "Unit": "DAYS"},
                    "ExclusionRules": exclusions,
                },
                {
                    "Action": {"Type": "DELETE", "IncludeResources": {"Amis": True, "Snapshots": True}},
                    "Filter": {"Type": "AGE", "Value": 180, "Unit": "DAYS", "RetainAtLeast": 3},
                    "ExclusionRules": exclusions,
                },
            ],
        },
    )


def test_execution_role_has_only_the_lifecycle_policy(stack: cdk.Stack) -> None:
    ImageLifecycle(stack, "Retire", name="web", lifecycle=Lifecycle.keep_last(5), recipes=["web"])
    t = template(stack)
    t.has_resource_properties(
        "AWS::IAM::Role",
        {
            "ManagedPolicyArns": [
                {
                    "Fn::Join": [
                        "",
                        [
                            "arn:",
                            Match.any_value(),
                            ":iam::aws:policy/service-role/EC2ImageBuilderLifecycleExecutionPolicy",
                        ],
                    ]
                }
            ],
            "AssumeRolePolicyDocument": {
                "Statement": [Match.object_like({"Principal": {"Service": "imagebuilder.amazonaws.com"}})]
            },
        },
    )
    t.resource_count_is("AWS::IAM::Policy", 0)


def test_selection_by_tags_and_public_shared_exclusions(stack: cdk.Stack) -> None:
    lifecycle = Lifecycle(
        rules=(LifecycleRule(action=LifecycleAction.DISABLE, age=2, unit=TimeUnit.YEARS),),
        exclude_launched_within_days=None,
        exclude_tags={},
        exclude_public=True,
        exclude_shared_with=("222222222222",),
    )
    ImageLifecycle(stack, "Retire", name="all-golden", lifecycle=lifecycle, tags={"golden-ami:factory": "default"})
    template(stack).has_resource_properties(
        "AWS::ImageBuilder::LifecyclePolicy",
        {
            "ResourceSelection": {"TagMap": {"golden-ami:factory": "default"}},
            "PolicyDetails": [
                Match.object_like(
                    {
                        "Filter": {"Type": "AGE", "Value": 2, "Unit": "YEARS"},
                        "ExclusionRules": {"Amis": {"IsPublic": True, "SharedAccounts": ["222222222222"]}},
                    }
                )
            ],
        },
    )


def test_rejects_more_than_three_rules() -> None:
    rules = (
        *tuple(LifecycleRule(action=a, age=10 * (i + 1)) for i, a in enumerate(LifecycleAction)),
        LifecycleRule(action=DELETE, age=500),
    )
    with pytest.raises(ValueError, match=r"lifecycle.rules: 4 given; a policy takes 1 to 3 rules"):
        Lifecycle(rules=rules)


def test_rejects_an_action_twice() -> None:
    with pytest.raises(ValueError, match=r"lifecycle.rules: DELETE appears twice; give each action one rule"):
        Lifecycle(rules=(LifecycleRule(action=DELETE, age=10), LifecycleRule(action=DELETE, age=20)))


@pytest.mark.parametrize(
    ("field", "kwargs"), [("age", {"age": 0}), ("age", {"age": 1001}), ("keep_last", {"keep_last": 1001})]
)
def test_rejects_counts_and_ages_outside_1_to_1000(field: str, kwargs: dict[str, int]) -> None:
    with pytest.raises(
        ValueError, match=rf"lifecycle.rules\[DELETE\].{field}: \d+ is outside AWS's range; use one from 1 to 1000"
    ):
        LifecycleRule(action=DELETE, **kwargs)


@pytest.mark.parametrize("retain", [0, 11])
def test_rejects_retain_at_least_outside_1_to_10(retain: int) -> None:
    with pytest.raises(ValueError, match=rf"retain_at_least: {retain} is outside AWS's range; use one from 1 to 10"):
        LifecycleRule(action=DELETE, age=30, retain_at_least=retain)


def test_rejects_a_rule_with_both_or_neither_filter() -> None:
    with pytest.raises(ValueError, match=r"give exactly one of age and keep_last"):
        LifecycleRule(action=DELETE)
    with pytest.raises(ValueError, match=r"give exactly one of age and keep_last"):
        LifecycleRule(action=DELETE, age=3, keep_last=3)


@pytest.mark.parametrize("days", [0, 366])
def test_rejects_last_launched_exclusion_outside_1_to_365(days: int) -> None:
    with pytest.raises(
        ValueError,
        match=rf"lifecycle.exclude_launched_within_days: {days} days is outside AWS's range; use one from 1 to 365 days",
    ):
        Lifecycle(rules=(LifecycleRule(action=DELETE, age=30),), exclude_launched_within_days=days)


def test_rejects_delete_before_deprecate_by_age_across_units() -> None:
    with pytest.raises(ValueError, match=r"DELETE would reach images before DEPRECATE does; delete later"):
        Lifecycle(
            rules=(
                LifecycleRule(action=DEPRECATE, age=3, unit=TimeUnit.MONTHS),
                LifecycleRule(action=DELETE, age=8, unit=TimeUnit.WEEKS),
            )
        )


def test_rejects_delete_before_deprecate_by_count() -> None:
    with pytest.raises(ValueError, match=r"DELETE would reach images before DEPRECATE does"):
        Lifecycle(rules=(LifecycleRule(action=DEPRECATE, keep_last=5), LifecycleRule(action=DELETE, keep_last=5)))


def test_rejects_selection_by_both_recipes_and_tags(stack: cdk.Stack) -> None:
    with pytest.raises(ValueError, match=r"lifecycle: select images by recipes or by tags, exactly one of them"):
        ImageLifecycle(stack, "Retire", name="web", lifecycle=Lifecycle.standard(), recipes=["web"], tags={"a": "b"})


def test_versions_kept_follows_the_delete_rule() -> None:
    assert Lifecycle.keep_last(4).versions_kept(30.0) == 4
    assert Lifecycle.standard().versions_kept(4.0) == 24  # 180 days of weekly builds
    assert Lifecycle.standard().versions_kept(0.1) == 3  # retain_at_least wins
    assert Lifecycle(rules=(LifecycleRule(action=DEPRECATE, age=30),)).versions_kept(4.0) is None


@pytest.mark.parametrize("action", [LifecycleAction.DEPRECATE, LifecycleAction.DISABLE])
def test_rejects_retain_at_least_where_aws_does_not_document_it(action: LifecycleAction) -> None:
    with pytest.raises(ValueError) as raised:
        LifecycleRule(action=action, age=30, retain_at_least=2)
    assert str(raised.value) == (
        f"lifecycle.rules[{action.value}].retain_at_least: AWS documents it only for DELETE rules (images kept "
        "after the DELETE action); remove it here. A deprecated AMI still launches by its ID (launch templates and "
        "Auto Scaling groups included), and exclude_launched_within_days keeps AMIs in use from any action"
    )


def test_rejects_retain_at_least_on_a_count_rule() -> None:
    with pytest.raises(ValueError, match=r"lifecycle.rules\[DELETE\].retain_at_least: only age rules take it"):
        LifecycleRule(action=DELETE, keep_last=3, retain_at_least=2)


def test_rejects_more_than_50_recipes(stack: cdk.Stack) -> None:
    with pytest.raises(ValueError, match=r"lifecycle.recipes: 51 given; a policy selects at most 50, split it"):
        ImageLifecycle(
            stack, "Retire", name="web", lifecycle=Lifecycle.standard(), recipes=[f"img{i}" for i in range(51)]
        )


def test_rejects_deleting_without_the_last_launched_exclusion() -> None:
    with pytest.raises(
        ValueError,
        match=r"lifecycle.exclude_launched_within_days: None with a DELETE rule deletes AMIs \(and snapshots\) "
        r"that fleets launched recently; give a number of days \(1 to 365\), or pass delete_launched_images=True",
    ):
        Lifecycle(rules=(LifecycleRule(action=DELETE, age=30),), exclude_launched_within_days=None)


def test_deleting_launched_images_is_an_explicit_choice(stack: cdk.Stack) -> None:
    lifecycle = Lifecycle(
        rules=(LifecycleRule(action=DELETE, age=30),), exclude_launched_within_days=None, delete_launched_images=True
    )
    ImageLifecycle(stack, "Retire", name="web", lifecycle=lifecycle, recipes=["web"])
    (policy,) = template(stack).find_resources("AWS::ImageBuilder::LifecyclePolicy").values()
    assert "LastLaunched" not in str(policy["Properties"]["PolicyDetails"])
