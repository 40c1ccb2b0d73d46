"""GA-P005: no reference crosses a region or an account.

``Fn::ImportValue`` reads exports of the same account and region only; the CDK's cross-region
references (``Custom::CrossRegionExportReader``/``Writer``) stand in with SSM parameters and a
Lambda function, and block updates to the exporting stack while an importer uses a value. The
factory passes names across regions instead (aliases, parameter names).

https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-importvalue.html
("You can't create cross-stack references across Regions").
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..assembly import Assembly
from ..finding import Finding, Rule

CROSS_REGION = ("Custom::CrossRegionExportReader", "Custom::CrossRegionExportWriter")


def _imports(value: Any) -> Iterator[Any]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key == "Fn::ImportValue":
                yield item
            else:
                yield from _imports(item)
    elif isinstance(value, list):
        for item in value:
            yield from _imports(item)


def check(assembly: Assembly) -> Iterator[Finding]:
    for stack in assembly.stacks.values():
        for logical_id, resource in stack.resources.items():
            path = f"{stack.name}/{logical_id}"
            if resource.get("Type") in CROSS_REGION:
                yield RULE.error(
                    (path,),
                    "a cross-region reference (CDK crossRegionReferences) ties this stack to another region's; "
                    "pass a name that both sides know instead (an alias, a parameter name)",
                )
            for imported in _imports(resource):
                name = assembly.text(stack, imported)
                found = assembly.export(name, stack) if name else None
                if found is None:
                    yield RULE.warning(
                        (path,),
                        f"imports {name or imported!r}, which no stack of the assembly exports; make sure it "
                        f"exists in {stack.account}/{stack.region} before this stack deploys",
                    )
                elif (found[0].account, found[0].region) != (stack.account, stack.region):
                    yield RULE.error(
                        (path, found[0].name),
                        f"imports {name!r} from {found[0].name} in {found[0].account}/{found[0].region}, but "
                        f"exports reach only stacks of the same account and region ({stack.account}/{stack.region}); "
                        "pass a name that both sides know instead",
                    )


RULE = Rule(
    id="GA-P005",
    title="no cross-region or cross-account reference",
    citation="https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-importvalue.html",
    check=check,
)
