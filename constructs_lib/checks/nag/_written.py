"""What the GoldenAmi pack reads of a written cloud assembly to judge a stack without walking the
construct tree through jsii: the stack's resources, each resource's construct path, and the rules
acknowledged on each construct of the stack.

aws-cdk-lib writes all three before it calls a validation plugin (``buildAssembly`` runs before
``validateTemplates``): the template, and the stack's construct metadata, in the stack artifact of
``manifest.json`` or in the file its ``additionalMetadataFile`` names. Each ``CfnElement`` records
its logical ID there (``aws:cdk:logicalId``), and ``Validations.acknowledge`` records what it
acknowledges (``aws:cdk:acknowledged-rules``). That order and those entries are read from
aws-cdk-lib's code (``core/lib/private/synthesis.js``, ``stack-synthesizers/_shared.js``,
``validation/validations.js``), not from a documented contract: when the assembly does not hold
what is needed, :func:`read_stack` says so and the pack walks the tree as cdk-nag does.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

LOGICAL_ID: Final = "aws:cdk:logicalId"
ACKNOWLEDGED: Final = "aws:cdk:acknowledged-rules"
NESTED_STACK: Final = "AWS::CloudFormation::Stack"
# cdk-nag's own reading of an acknowledged rule ID (nag-pack.js, isAcknowledged): the annotation
# namespace aws-cdk-lib prefixes is dropped, whatever its case.
_NAMESPACE: Final = re.compile(r"^annotation::", re.IGNORECASE)


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class WrittenStack:
    """One written stack: ``resources`` by logical ID (as in the template), ``paths`` from logical
    ID to construct path (``Stack/Construct/Resource``, as ``node.path`` gives it), and
    ``acknowledged`` from construct path to the rule IDs acknowledged on that construct."""

    resources: Mapping[str, Mapping[str, Any]]
    paths: Mapping[str, str]
    acknowledged: Mapping[str, frozenset[str]]


def acknowledged_ids(entries: Any) -> frozenset[str]:
    """The rule IDs one construct's metadata acknowledges (entries of ``aws:cdk:acknowledged-rules``)."""
    found: set[str] = set()
    for entry in entries or ():
        if entry.get("type") == ACKNOWLEDGED and isinstance(entry.get("data"), Mapping):
            found.update(_NAMESPACE.sub("", str(key)) for key in entry["data"])
    return frozenset(found)


def read_stack(template_path: str | Path) -> WrittenStack | None:
    """The stack written at ``template_path``, or None when its assembly does not say which
    construct each resource belongs to (no manifest entry or metadata, logical-ID metadata turned
    off, or nested stacks, whose templates are assets of this one)."""
    template_path = Path(template_path)
    try:
        template = json.loads(template_path.read_text(encoding="utf-8"))
        manifest = json.loads((template_path.parent / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    artifact = next(
        (
            a
            for a in manifest.get("artifacts", {}).values()
            if a.get("type") == "aws:cloudformation:stack"
            and a.get("properties", {}).get("templateFile") == template_path.name
        ),
        None,
    )
    if artifact is None:
        return None
    metadata: dict[str, Any] = dict(artifact.get("metadata") or {})
    if artifact.get("additionalMetadataFile"):
        try:
            extra = json.loads((template_path.parent / artifact["additionalMetadataFile"]).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        metadata.update(extra)
    resources: dict[str, Mapping[str, Any]] = template.get("Resources") or {}
    if any(body.get("Type") == NESTED_STACK for body in resources.values()):
        return None
    paths: dict[str, str] = {}
    acknowledged: dict[str, frozenset[str]] = {}
    for slashed, entries in metadata.items():
        path = slashed.removeprefix("/")
        for entry in entries:
            if entry.get("type") == LOGICAL_ID and isinstance(entry.get("data"), str):
                paths[entry["data"]] = path
        ids = acknowledged_ids(entries)
        if ids:
            acknowledged[path] = ids
    # Every construct-made resource records its logical ID; a template resource without one was
    # either added to the template directly (cdk-nag would not see it either: it walks constructs)
    # or the metadata is off, and then nothing can be mapped.
    if resources and not paths:
        return None
    return WrittenStack(resources=resources, paths=paths, acknowledged=acknowledged)


def ancestors(path: str) -> list[str]:
    """``path`` and each construct path above it, nearest first, ending with the root's ``""``."""
    found = [path]
    while path:
        path = path.rpartition("/")[0]
        found.append(path)
    return found
