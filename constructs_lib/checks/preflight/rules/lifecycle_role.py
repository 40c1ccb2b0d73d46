"""GA-P019: every account the factory copies AMIs into, where a lifecycle policy of the factory
account retires them, holds the role ``Ec2ImageBuilderCrossAccountLifecycleAccess``.

Image Builder's lifecycle management acts on resources distributed to other accounts through a
role in each destination account, whose name is fixed ("You must use this exact name",
https://docs.aws.amazon.com/imagebuilder/latest/userguide/image-lifecycle-prerequisites.html, which
makes it a prerequisite). Without it the factory's lifecycle policies have no way into that account,
so its copies are not retired with the factory account's (an inference from the page: it says
what the role is for, not what happens without it).
Accounts the AMIs are only shared with hold nothing to retire ("With launch permissions, all AMI
resources remain in your account", same page), so only target accounts are checked.

An account with a stack of its own must create the role there, or declare that it has it already
(``DistributionAccountRole(lifecycle_role=False)``, ``accounts.lifecycle_role_exists``). An account with none may be a
member of a StackSet; which accounts the StackSet reaches is decided by the organization at deploy,
not by the assembly, so such an account passes when a StackSet's member template creates the role.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from .._model import builds, copies, member_stacks
from ..assembly import Assembly
from ..finding import Finding, Rule

ROLE_NAME = "Ec2ImageBuilderCrossAccountLifecycleAccess"
EXISTS = "golden-ami:lifecycle-role-exists"
"""Metadata of a resource whose account has the role from outside the assembly (made by hand)."""
TRUSTED = "imagebuilder.amazonaws.com"


def _creates_role(resources: object) -> bool:
    """True when ``resources`` create the role, or declare that their account has it already
    (``DistributionAccountRole(lifecycle_role=False)``: metadata ``golden-ami:lifecycle-role-exists``)."""
    if not isinstance(resources, dict):
        return False
    for resource in resources.values():
        if not isinstance(resource, dict):
            continue
        if resource.get("Metadata", {}).get(EXISTS) is True:
            return True
        properties = resource.get("Properties", {})
        if resource.get("Type") == "AWS::IAM::Role" and properties.get("RoleName") == ROLE_NAME:
            return TRUSTED in json.dumps(properties.get("AssumeRolePolicyDocument", {}))
    return False


def check(assembly: Assembly) -> Iterator[Finding]:
    retiring = {str(stack.account) for stack, _, _ in assembly.resources("AWS::ImageBuilder::LifecyclePolicy")}
    holders = {str(stack.account) for stack in assembly.stacks.values() if _creates_role(stack.resources)}
    has_stack = {str(stack.account) for stack in assembly.stacks.values()}
    members = any(_creates_role(member.resources) for _, member in member_stacks(assembly))
    reported: set[str] = set()
    for build in builds(assembly):
        if str(build.stack.account) not in retiring:
            continue
        for copy in copies(assembly, build):
            account = copy.account
            if account == build.stack.account or account in holders or account in reported:
                continue
            if account not in has_stack and members:
                continue
            reported.add(account)
            yield RULE.error(
                (build.path,),
                f"copies AMIs into account {account}, which holds no {ROLE_NAME} role (trusted by {TRUSTED}): the "
                f"lifecycle policies of account {build.stack.account} cannot retire the copies there, so they and "
                "their snapshots are kept and billed forever; add LifecycleAccountRole (DistributionAccountRole makes "
                "it) to a stack of that account",
            )


RULE = Rule(
    id="GA-P019",
    title="every account that receives copies holds the lifecycle role",
    citation="https://docs.aws.amazon.com/imagebuilder/latest/userguide/image-lifecycle-prerequisites.html",
    check=check,
)
