"""GA-P006: stacks deploy in the order their resources need: keys before the pipelines whose
recipes and distributions use them (and before any resource that names a key by alias ARN, such
as a grant in another account), destination roles before the pipelines that copy into their
accounts, pipelines before the consumers that read their latest-AMI parameters.

CloudFormation orders resources inside one stack by their references; between stacks only the
deployment order does (the CDK CLI deploys a stack after those it depends on), and a reference
by name (an alias ARN, a parameter name) creates no dependency.

https://docs.aws.amazon.com/cdk/v2/guide/stacks.html (stacks are the unit of deployment; the
order between them is the dependencies the assembly records) and
https://docs.aws.amazon.com/imagebuilder/latest/userguide/cross-account-dist.html (the
destination role must exist before Image Builder copies into the account).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .._model import builds, consumers, copies, parameters_written, recipe_keys
from ..assembly import KMS_ARN, Assembly, Reference, Stack
from ..finding import Finding, Rule

DESTINATION_ROLE = "ec2imagebuilderdistributioncrossaccountrole"


def _strings(assembly: Assembly, stack: Stack, value: Any) -> Iterator[str]:
    """Every string in ``value``, joins and substitutions resolved where the assembly can."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        if len(value) == 1 and next(iter(value)) in ("Fn::Join", "Fn::Sub"):
            text = assembly.text(stack, value)
            if text is not None:
                yield text
                return
        for item in value.values():
            yield from _strings(assembly, stack, item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(assembly, stack, item)


def check(assembly: Assembly) -> Iterator[Finding]:
    needs: dict[tuple[str, str], tuple[str, str]] = {}
    for build in builds(assembly):
        keys = recipe_keys(assembly, build) + [c.key for c in copies(assembly, build)]
        for key in keys:
            if isinstance(key, Reference) and key.stack != build.stack.name:
                needs.setdefault((build.stack.name, key.stack), (key.path, "its key"))
        for copy in copies(assembly, build):
            if copy.account == build.stack.account:
                continue
            for stack, logical_id, resource in assembly.resources("AWS::IAM::Role"):
                name = assembly.text(stack, resource.get("Properties", {}).get("RoleName")) or ""
                if stack.account == copy.account and name.lower() == DESTINATION_ROLE:
                    needs.setdefault(
                        (build.stack.name, stack.name), (f"{stack.name}/{logical_id}", "its destination role")
                    )
    for stack in assembly.stacks.values():
        for logical_id, resource in stack.resources.items():
            for text in _strings(assembly, stack, resource.get("Properties", {})):
                if not (KMS_ARN.fullmatch(text) and ":alias/" in text):
                    continue
                key = assembly.key(stack, text)
                if isinstance(key, Reference) and key.stack != stack.name:
                    needs.setdefault((stack.name, key.stack), (f"{stack.name}/{logical_id}", "a key"))
    producers: dict[tuple[str, str, str], set[str]] = {}
    for stack, _, resource in assembly.resources("AWS::ImageBuilder::DistributionConfiguration"):
        for written in parameters_written(assembly, stack, resource):
            producers.setdefault(written, set()).add(stack.name)
    for consumer in consumers(assembly):
        for producer in sorted(
            producers.get((str(consumer.stack.region), str(consumer.stack.account), consumer.parameter), ())
        ):
            if producer != consumer.stack.name:
                needs.setdefault(
                    (consumer.stack.name, producer), (consumer.path, f"the pipeline writing {consumer.parameter}")
                )
    for (name, other), (path, what) in sorted(needs.items()):
        if not assembly.depends_on(name, other):
            yield RULE.error(
                (path, other),
                f"stack {name} uses {what} from stack {other} but does not depend on it, so a deploy may create "
                f"it first and fail; add the dependency ({name}.add_dependency({other}))",
            )


RULE = Rule(
    id="GA-P006",
    title="keys and destinations before pipelines, pipelines before consumers",
    citation="https://docs.aws.amazon.com/cdk/v2/guide/stacks.html",
    check=check,
)
