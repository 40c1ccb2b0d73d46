"""GA-P010: a service-managed StackSet's ``CallAs`` matches the account that deploys it.

From the organization's management account a service-managed StackSet needs ``CallAs: SELF``
(CloudFormation's default); from a registered delegated administrator, ``DELEGATED_ADMIN``. The
management account is read from the organization and OU ARNs the factory shares with
(``arn:aws:organizations::<management account>:...``); without one the rule cannot tell.

https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStackSet.html ("To
create a StackSet with service-managed permissions while signed in to the management account,
specify SELF ... while signed in to a delegated administrator account, specify DELEGATED_ADMIN").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .._model import builds, copies
from ..assembly import Assembly
from ..finding import Finding, Rule

MANAGEMENT = re.compile(r"arn:aws[-a-z]*:organizations::([0-9]{12}):.+")


def check(assembly: Assembly) -> Iterator[Finding]:
    management = set()
    for build in builds(assembly):
        for copy in copies(assembly, build):
            for arn in (*copy.organizations, *copy.organizational_units):
                match = MANAGEMENT.fullmatch(arn)
                if match:
                    management.add(match.group(1))
    for stack, logical_id, resource in assembly.resources("AWS::CloudFormation::StackSet"):
        properties = resource.get("Properties", {})
        if properties.get("PermissionModel") != "SERVICE_MANAGED" or not management or stack.account is None:
            continue
        call_as = properties.get("CallAs", "SELF")
        expected = "SELF" if stack.account in management else "DELEGATED_ADMIN"
        if call_as != expected:
            why = (
                f"account {stack.account} is the organization's management account (the shared organization ARNs "
                "name it)"
                if expected == "SELF"
                else f"account {stack.account} is not the management account ({', '.join(sorted(management))}) "
                "and must be a registered delegated administrator"
            )
            yield RULE.error(
                (f"{stack.name}/{logical_id}",),
                f"CallAs is {call_as}, but {why}; set CallAs: {expected} (stackset.call_as in the factory file)",
            )


RULE = Rule(
    id="GA-P010",
    title="a StackSet's CallAs matches the account that deploys it",
    citation="https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStackSet.html",
    check=check,
)
