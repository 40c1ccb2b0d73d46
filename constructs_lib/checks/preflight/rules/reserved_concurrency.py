"""GA-P011: no Lambda function reserves concurrency.

AWS keeps 100 units of an account's concurrency unreserved ("You can reserve up to the Unreserved
account concurrency value minus 100"), and new accounts start with a reduced concurrency quota
whose value AWS does not document. A reservation can therefore fail to deploy in a new account
("Specified ConcurrentExecutions for function decreases account's UnreservedConcurrentExecution
below its minimum value"), forty minutes into a deploy. The library's functions reserve none, so
every reservation in the assembly is an error; one added by an escape hatch names the way out.

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
        if value is not None:
            reserved.setdefault((stack.account, stack.region), []).append((f"{stack.name}/{logical_id}", value))
    for (account, region), functions in sorted(reserved.items(), key=str):
        paths = [p for p, _ in functions]
        total = sum(v for _, v in functions if isinstance(v, int))
        yield RULE.error(
            paths,
            f"reserve {total} concurrent executions in {region} of account {account}; Lambda keeps "
            f"{UNRESERVED_MINIMUM} of an account's concurrency unreserved and new accounts start with a reduced quota "
            f"of undocumented size (below the standard {STANDARD_QUOTA}), so the deploy can fail there; drop the "
            "reservation (ReservedConcurrentExecutions): the library's functions are safe under concurrent runs",
        )


RULE = Rule(
    id="GA-P011",
    title="no function reserves concurrency",
    citation="https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html",
    check=check,
)
