"""GA-P019 (the lifecycle role where the copies are) and GA-P020 (a fleet's Auto Scaling can use its
copy's key), each on the shared scenario (good) and copies of it with one thing broken (bad)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from constructs_lib.checks.preflight.rules import consumer_key, lifecycle_role
from tests.checks.preflight.scenario import D, F, assemble, consumers, destination_role, good


def messages(rule: Any, stacks: dict[str, dict[str, Any]]) -> list[str]:
    return [f.message for f in rule.RULE.check(assemble(stacks))]


@pytest.mark.parametrize("rule", [lifecycle_role, consumer_key])
def test_the_good_scenario_passes(rule: Any) -> None:
    assert messages(rule, good()) == []


def test_a_target_account_without_the_lifecycle_role_is_an_error() -> None:
    stacks = good()
    del stacks["Destination"]["resources"]["LifecycleRole"]
    (message,) = messages(lifecycle_role, stacks)
    assert message.startswith(
        f"copies AMIs into account {D}, which holds no Ec2ImageBuilderCrossAccountLifecycleAccess role (trusted by "
        f"imagebuilder.amazonaws.com): the lifecycle policies of account {F} cannot retire the copies there"
    )


def test_a_target_account_without_a_stack_passes_only_when_the_stackset_makes_the_role() -> None:
    stacks = good()
    del stacks["Destination"]
    stacks["Factory"]["dependencies"].remove("Destination")
    assert messages(lifecycle_role, stacks) == []  # a StackSet member, as far as the assembly can tell
    body = {"Resources": {k: v for k, v in destination_role().items() if k != "LifecycleRole"}}
    stacks["MemberAccounts"]["resources"]["StackSet"]["Properties"]["TemplateBody"] = json.dumps(body)
    assert len(messages(lifecycle_role, stacks)) == 1


def test_without_a_lifecycle_policy_nothing_needs_the_role() -> None:
    stacks = good()
    del stacks["Destination"]["resources"]["LifecycleRole"]
    del stacks["Factory"]["resources"]["Lifecycle"]
    assert messages(lifecycle_role, stacks) == []


def _fleet_in_destination(region: str, depends: bool) -> dict[str, dict[str, Any]]:
    """A fleet in the destination account; the factory depends on the destination stack, so a fleet
    after the factory comes after the grant too (dependencies are followed through)."""
    stacks = good()
    stacks["WorkloadConsumers"] = {
        "account": D,
        "region": region,
        "resources": consumers(),
        "dependencies": ["Factory"] if depends else [],
    }
    return stacks


def test_a_fleet_in_a_destination_account_after_its_grant_passes() -> None:
    assert messages(consumer_key, _fleet_in_destination("eu-west-1", depends=True)) == []


def test_a_fleet_deployed_before_its_accounts_grant_is_an_error() -> None:
    (message,) = messages(consumer_key, _fleet_in_destination("eu-west-1", depends=False))
    assert message == (
        f"launches copies in eu-west-1 of account {D} encrypted with a key of account {F}, but no grant for that "
        "account's AWSServiceRoleForAutoScaling on it exists before this stack deploys, so the group's launches fail; "
        "make WorkloadConsumers depend on Destination"
    )


def test_a_fleet_in_a_region_its_account_has_no_grant_for_is_an_error() -> None:
    (message,) = messages(consumer_key, _fleet_in_destination("us-east-1", depends=True))
    assert message.endswith(
        f"add AutoScalingKeyGrants(factory_account='{F}', regions=['us-east-1']) to a stack of account {D} and make "
        "WorkloadConsumers depend on it"
    )


def test_an_account_that_declares_the_role_exists_passes() -> None:
    stacks = good()
    del stacks["Destination"]["resources"]["LifecycleRole"]
    stacks["Destination"]["resources"]["Role"]["Metadata"] = {"golden-ami:lifecycle-role-exists": True}
    assert messages(lifecycle_role, stacks) == []
