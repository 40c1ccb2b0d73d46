"""GA-P011: a Lambda function's reserved concurrency does not assume more than a new account's
quota leaves.

AWS keeps 100 units of an account's concurrency unreserved ("You can reserve up to the Unreserved
account concurrency value minus 100"), and new accounts start with a reduced concurrency quota
whose value AWS does not document. A reservation can therefore fail to deploy in a new account
("Specified ConcurrentExecutions for function decreases account's UnreservedConcurrentExecution
below its minimum value"): every reservation is a warning, and reservations that leave less than
100 of the standard 1,000 are an error.

https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html and
https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html ("New AWS accounts have
reduced concurrency and memory quotas").
"""

from __future__ import annotations

from collections.abc import Iterator

from ..assembly import Assembly
from ..finding import Finding, Rule

STANDARD_QUOTA = 1000
UNRESERVED_MINIMUM = 100


def check(assembly: Assembly) -> Iterator[Finding]:
    reserved: dict[tuple[str | None, str | None], list[tuple[str, int]]] = {}
    for stack, logical_id, resource in assembly.resources("AWS::Lambda::Function"):
        value = resource.get("Properties", {}).get("ReservedConcurrentExecutions")
        if isinstance(value, int) and value > 0:
            reserved.setdefault((stack.account, stack.region), []).append((f"{stack.name}/{logical_id}", value))
    for (account, region), functions in sorted(reserved.items(), key=str):
        total = sum(v for _, v in functions)
        paths = [p for p, _ in functions]
        if total > STANDARD_QUOTA - UNRESERVED_MINIMUM:
            yield RULE.error(
                paths,
                f"reserve {total} concurrent executions in {region} of account {account}; AWS keeps "
                f"{UNRESERVED_MINIMUM} unreserved, so even the standard quota of {STANDARD_QUOTA} cannot hold them; "
                "reserve less",
            )
        else:
            yield RULE.warning(
                paths,
                f"reserve {total} concurrent executions in {region} of account {account}; AWS keeps "
                f"{UNRESERVED_MINIMUM} unreserved and new accounts have a reduced quota of undocumented size, so the "
                "deploy can fail there; check 'aws lambda get-account-settings' (UnreservedConcurrentExecutions "
                f"must stay at least {UNRESERVED_MINIMUM} + {total}) or drop the reservation",
            )


RULE = Rule(
    id="GA-P011",
    title="reserved concurrency fits a new account's quota",
    citation="https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html",
    check=check,
)
