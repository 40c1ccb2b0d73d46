"""GA-P020: a fleet in another account than the key's can launch its copy: that account's Auto
Scaling holds a grant on the key of the fleet's region before the fleet's stack deploys.

Auto Scaling launches as ``AWSServiceRoleForAutoScaling``, which has no KMS access of its own; for a
key of another account AWS documents a grant the launching account creates for that role ("Required
AWS KMS key policy for use with encrypted volumes",
https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html).
So for each launch template reading a latest-AMI parameter in an account that receives encrypted
copies from another, a stack of that account (the same one, or one it depends on) must create the
grant for the template's region. Without it the group's launches fail with the key inaccessible,
after the deploy has succeeded.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from .._model import builds, consumers, copies
from ..assembly import Assembly, Stack
from ..finding import Finding, Rule

AUTO_SCALING_ROLE = "AWSServiceRoleForAutoScaling"
REGION_IN_KMS_ARN = ":kms:"


def _grant_region(assembly: Assembly, stack: Stack, resource: Mapping[str, Any]) -> str | None:
    """The region of the key an Auto Scaling grant is made on: its ``Region`` property, else the
    region in its key ARN, else its stack's region; None when it is no such grant."""
    properties = resource.get("Properties", {})
    if not str(resource.get("Type", "")).startswith("Custom::") or AUTO_SCALING_ROLE not in json.dumps(
        properties.get("GranteePrincipal", "")
    ):
        return None
    region = assembly.text(stack, properties.get("Region"))
    if region:
        return region
    for value in properties.values():
        text = assembly.text(stack, value)
        if text and REGION_IN_KMS_ARN in text:
            return text.split(":")[3]
    return stack.region


def check(assembly: Assembly) -> Iterator[Finding]:
    encrypted_from: dict[tuple[str, str], str] = {}  # (account, region) -> the key's account
    for build in builds(assembly):
        for copy in copies(assembly, build):
            if copy.key is not None and copy.account != build.stack.account:
                encrypted_from[(copy.account, copy.region)] = str(build.stack.account)
    grants: dict[tuple[str, str], list[str]] = {}
    for stack in assembly.stacks.values():
        for resource in stack.resources.values():
            region = _grant_region(assembly, stack, resource)
            if region is not None:
                grants.setdefault((str(stack.account), region), []).append(stack.name)
    for consumer in consumers(assembly):
        where = (str(consumer.stack.account), str(consumer.stack.region))
        if where not in encrypted_from:
            continue
        made_by = grants.get(where, [])
        if any(name == consumer.stack.name or assembly.depends_on(consumer.stack.name, name) for name in made_by):
            continue
        account, region = where
        fix = (
            f"make {consumer.stack.name} depend on {', '.join(sorted(made_by))}"
            if made_by
            else f"add AutoScalingKeyGrants(factory_account={encrypted_from[where]!r}, regions=[{region!r}]) to a "
            f"stack of account {account} and make {consumer.stack.name} depend on it"
        )
        yield RULE.error(
            (consumer.path,),
            f"launches copies in {region} of account {account} encrypted with a key of account "
            f"{encrypted_from[where]}, but no grant for that account's {AUTO_SCALING_ROLE} on it exists before this "
            f"stack deploys, so the group's launches fail; {fix}",
        )


RULE = Rule(
    id="GA-P020",
    title="a fleet's Auto Scaling can use its copy's key before the fleet deploys",
    citation="https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html",
    check=check,
)
