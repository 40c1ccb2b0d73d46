"""What the GoldenAmi pack reads of a written cloud assembly to judge its stacks without walking
the construct tree through jsii: each stack's resources, each resource's construct path and its
place in the tree, and the rules acknowledged on each construct of the stack.

aws-cdk-lib writes all of it before it calls a validation plugin (``buildAssembly`` runs before
``validateTemplates``): the templates; each stack's construct metadata, in the stack artifact of
``manifest.json`` or in the file its ``additionalMetadataFile`` names, where each ``CfnElement``
records its logical ID (``aws:cdk:logicalId``), ``Validations.acknowledge`` what it acknowledges
(``aws:cdk:acknowledged-rules``) and the synthesizer the stack's template file
(``aws:cdk:templateFile``); and ``tree.json``, the construct tree in its children's order. That
order and those entries are read from aws-cdk-lib's code (``core/lib/private/synthesis.js``,
``stack-synthesizers/_shared.js``, ``validation/validations.js``, ``private/tree-metadata.js``),
not from a documented contract: wherever the assembly does not hold what is needed, a reader here
returns None and the pack walks the tree as cdk-nag does.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Final

LOGICAL_ID: Final = "aws:cdk:logicalId"
ACKNOWLEDGED: Final = "aws:cdk:acknowledged-rules"
TEMPLATE_FILE: Final = "aws:cdk:templateFile"
CFN_TYPE: Final = "aws:cdk:cloudformation:type"
NESTED_STACK: Final = "AWS::CloudFormation::Stack"
STACK_ARTIFACT: Final = "aws:cloudformation:stack"
NESTED_ASSEMBLY: Final = "cdk:cloud-assembly"
# cdk-nag's own reading of an acknowledged rule ID (nag-pack.js, isAcknowledged:
# k.replace(/^annotation::/i, "")): the annotation namespace dropped, in any ASCII case.
_NAMESPACE: Final = re.compile(r"^annotation::", re.IGNORECASE | re.ASCII)


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class WrittenStack:
    """One written stack: its construct ``path``, ``resources`` by logical ID (as in the
    template), ``paths`` from logical ID to construct path (``Stack/Construct/Resource``, as
    ``node.path`` gives it), and ``acknowledged`` from construct path to the rule IDs
    acknowledged on that construct."""

    path: str
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


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def read_stack(template_path: str | Path) -> WrittenStack | None:
    """The stack written at ``template_path``, or None when its assembly does not say which
    construct each resource belongs to: no manifest entry or metadata, logical-ID metadata turned
    off anywhere in the stack, a logical ID recorded twice, or nested stacks (whose templates are
    assets of this one)."""
    template_path = Path(template_path)
    template, manifest = _json(template_path), _json(template_path.parent / "manifest.json")
    if not isinstance(template, dict) or not isinstance(manifest, dict):
        return None
    artifact = next(
        (
            a
            for a in manifest.get("artifacts", {}).values()
            if a.get("type") == STACK_ARTIFACT and a.get("properties", {}).get("templateFile") == template_path.name
        ),
        None,
    )
    if artifact is None:
        return None
    metadata: dict[str, Any] = dict(artifact.get("metadata") or {})
    if artifact.get("additionalMetadataFile"):
        extra = _json(template_path.parent / artifact["additionalMetadataFile"])
        if not isinstance(extra, dict):
            return None
        metadata.update(extra)
    resources: dict[str, Mapping[str, Any]] = template.get("Resources") or {}
    if any(body.get("Type") == NESTED_STACK for body in resources.values()):
        return None
    stack_path: str | None = None
    paths: dict[str, str] = {}
    acknowledged: dict[str, frozenset[str]] = {}
    for slashed, entries in metadata.items():
        path = slashed.removeprefix("/")
        for entry in entries:
            data = entry.get("data")
            if entry.get("type") == TEMPLATE_FILE and data == template_path.name:
                stack_path = path
            if entry.get("type") == LOGICAL_ID and isinstance(data, str):
                if data in paths:
                    return None
                paths[data] = path
        ids = acknowledged_ids(entries)
        if ids:
            acknowledged[path] = ids
    # Every resource a construct makes records its logical ID (CDK's own metadata resource too);
    # one without it means the metadata is off for part of the stack, or a resource written into
    # the template directly: the walk decides those.
    if stack_path is None or any(logical_id not in paths for logical_id in resources):
        return None
    return WrittenStack(path=stack_path, resources=resources, paths=paths, acknowledged=acknowledged)


def properties_by_type(resources: Mapping[str, Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    """The properties of a written template's resources, by resource type."""
    found: dict[str, list[Mapping[str, Any]]] = {}
    for body in resources.values():
        found.setdefault(str(body.get("Type")), []).append(body.get("Properties", {}))
    return found


def assembly_templates(outdir: str | Path) -> set[Path] | None:
    """Every stack template of the assembly at ``outdir`` and of the assemblies nested in it
    (a ``Stage``'s), or None when a manifest cannot be read."""
    outdir = Path(outdir)
    manifest = _json(outdir / "manifest.json")
    if not isinstance(manifest, dict):
        return None
    found: set[Path] = set()
    for artifact in manifest.get("artifacts", {}).values():
        properties = artifact.get("properties", {})
        if artifact.get("type") == STACK_ARTIFACT:
            found.add((outdir / properties["templateFile"]).resolve())
        elif artifact.get("type") == NESTED_ASSEMBLY:
            nested = assembly_templates(outdir / properties["directoryName"])
            if nested is None:
                return None
            found |= nested
    return found


@dataclasses.dataclass(frozen=True, slots=True)
class TreeNode:
    """One construct of ``tree.json``: its place in the tree's pre-order and, for an L1
    resource, the CloudFormation type its construct declares."""

    order: int
    cfn_type: str | None


def read_tree(outdir: str | Path) -> dict[str, TreeNode] | None:
    """Every construct path of the app's ``tree.json``, in the order cdk-nag's walk visits them
    (pre-order, children in the order they were added); None when there is no tree, or when part
    of it lives in another file (a tree of more than 500,000 constructs)."""
    tree = _json(Path(outdir) / "tree.json")
    if not isinstance(tree, dict) or not isinstance(tree.get("tree"), dict):
        return None
    found: dict[str, TreeNode] = {}
    for node in _preorder(tree["tree"]):
        if "fileName" in node:  # a subtree written to another file
            return None
        cfn_type = (node.get("attributes") or {}).get(CFN_TYPE)
        found[node.get("path", "")] = TreeNode(len(found), cfn_type if isinstance(cfn_type, str) else None)
    return found


def _preorder(node: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(list((current.get("children") or {}).values())))


def ancestors(path: str) -> list[str]:
    """``path`` and each construct path above it, nearest first, ending with the root's ``""``."""
    found = [path]
    while path:
        path = path.rpartition("/")[0]
        found.append(path)
    return found
