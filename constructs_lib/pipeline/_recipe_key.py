"""The home-region key a pipeline's recipe needs when its AMI leaves the account, made by the
library when none is given: one per account and region, shared by every pipeline there."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from aws_cdk import Stack, Stage
from aws_cdk import aws_kms as kms
from constructs import Construct

from .._core.targets import LaunchPermission, RegionTarget
from ..distribute.key import DistributionKey

AUTO_KEY_ID: Final = "GoldenAmiRecipeKey"
AUTO_KEY_NAME: Final = "recipes"
"""Its alias is ``alias/golden-ami/recipes``."""


def needs_home_key(distributions: Sequence[RegionTarget], home: str, encrypted: bool) -> bool:
    """Whether the AMI built at home leaves the account: copied into another account, or shared
    in the home region. The distribution's key encrypts only the copies; the AMI built at home,
    shared there and the source of every copy, is encrypted by the recipe
    (https://docs.aws.amazon.com/imagebuilder/latest/userguide/cr-upd-ami-distribution-settings.html),
    and AWS lets no other account use the account's default EBS key."""
    if not encrypted:
        return False
    return any(
        t.target_accounts
        or (t.region == home and not t.launch_permission.is_owner_only and not t.launch_permission.public)
        for t in distributions
    )


def recipe_key(
    scope: Construct, given: kms.IKey | None, distributions: Sequence[RegionTarget], home: str, encrypted: bool
) -> kms.IKey | None:
    """``given``, else the account and region's recipe key when the AMI leaves the account, else None."""
    if given is not None or not needs_home_key(distributions, home, encrypted):
        return given
    return auto_recipe_key(scope, distributions, home)


def auto_recipe_key(scope: Construct, distributions: Sequence[RegionTarget], home: str) -> kms.IKey:
    """The account and region's recipe key (made on first use, in the first stack that needs it),
    allowing the accounts this pipeline copies into and the principals it shares with at home."""
    stack = Stack.of(scope)
    key = _existing(stack) or DistributionKey(stack, AUTO_KEY_ID, name=AUTO_KEY_NAME)
    home_target = next((t for t in distributions if t.region == home), None)
    sharing = home_target.launch_permission if home_target is not None else LaunchPermission()
    copies = tuple(dict.fromkeys(a for t in distributions for a in t.target_accounts))
    key.allow(accounts=copies, launch_permission=sharing)
    return key.key


def _existing(stack: Stack) -> DistributionKey | None:
    """The recipe key a stack of the same account and region of the app (stage) already made:
    its stacks are searched wherever they sit under the stage, not inside them."""
    stage = Stage.of(stack)
    todo = list(stage.node.children) if stage is not None else []
    while todo:
        child = todo.pop()
        if isinstance(child, Stage):
            continue  # another stage deploys apart
        if not isinstance(child, Stack):
            todo.extend(child.node.children)
        elif (child.account, child.region) == (stack.account, stack.region):
            found = child.node.try_find_child(AUTO_KEY_ID)
            if isinstance(found, DistributionKey):
                return found
    return None
