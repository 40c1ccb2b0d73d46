"""A cloud assembly read back from disk: every stack's template, account, region and
dependencies, and the resolution of what synthesis leaves symbolic between them.

Pure JSON: no jsii, no CDK constructs. The preflight's rules ask this module what a value in one
template means in the whole assembly: a key alias ARN becomes the ``AWS::KMS::Key`` behind its
``AWS::KMS::Alias`` (in any stack of that account and region), an ``Fn::ImportValue`` the value its
exporting stack writes, a ``Ref`` to a parameter its default, and ``Ref``/``Fn::GetAtt`` to a
resource a :class:`Reference` to it. Environments whose account is a placeholder
(``111111111111``) are taken as written; unresolved ones (``unknown-account``, a token) become
``None`` and rules that need them skip.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

ACCOUNT = re.compile(r"[0-9]{12}")
KMS_ARN = re.compile(r"arn:aws[-a-z]*:kms:([a-z0-9-]+):([0-9]{12}):(alias/.+|key/.+)")
PSEUDO = {"AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com", "AWS::NoValue": None}


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Reference:
    """A resource of the assembly, as ``Ref`` or ``Fn::GetAtt`` names it."""

    stack: str
    logical_id: str
    attribute: str | None = None

    @property
    def path(self) -> str:
        return f"{self.stack}/{self.logical_id}"


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Stack:
    """One stack artifact: its name, environment (``None`` when unresolved), template and the
    stacks it depends on directly."""

    name: str
    account: str | None
    region: str | None
    template: Mapping[str, Any]
    dependencies: tuple[str, ...] = ()
    acknowledged: Mapping[str, Mapping[str, str]] = dataclasses.field(default_factory=dict)
    """Per construct path, the findings acknowledged there (``Validations.acknowledge``) and why."""

    def path_of(self, logical_id: str) -> str | None:
        """The construct path of the resource ``logical_id`` (``aws:cdk:path``), when recorded."""
        path = self.resources.get(logical_id, {}).get("Metadata", {}).get("aws:cdk:path")
        return path if isinstance(path, str) else None

    @property
    def resources(self) -> Mapping[str, Mapping[str, Any]]:
        resources: Mapping[str, Mapping[str, Any]] = self.template.get("Resources", {})
        return resources


def _environment(value: str) -> tuple[str | None, str | None]:
    account, _, region = value.removeprefix("aws://").partition("/")
    return (
        account if ACCOUNT.fullmatch(account) else None,
        region if re.fullmatch(r"[a-z]{2}(-[a-z]+)+-[0-9]", region) else None,
    )


ACKNOWLEDGED = "aws:cdk:acknowledged-rules"
"""The metadata entry ``Validations.of(scope).acknowledge`` writes for the construct ``scope``."""


def _acknowledged(root: Path, artifact: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """The acknowledgements a stack artifact's metadata records, by construct path (without the
    ``Annotation::`` prefix CDK puts before IDs it does not know)."""
    metadata: dict[str, list[Mapping[str, Any]]] = dict(artifact.get("metadata") or {})
    extra = artifact.get("additionalMetadataFile")
    if isinstance(extra, str) and (root / extra).exists():
        for path, entries in json.loads((root / extra).read_text(encoding="utf-8")).items():
            metadata[path] = [*metadata.get(path, []), *entries]
    found: dict[str, dict[str, str]] = {}
    for path, entries in metadata.items():
        for entry in entries:
            if entry.get("type") == ACKNOWLEDGED and isinstance(entry.get("data"), Mapping):
                for rule, reason in entry["data"].items():
                    rule = rule[len("Annotation::") :] if rule.lower().startswith("annotation::") else rule
                    found.setdefault(path.strip("/"), {})[rule] = str(reason)
    return found


class Assembly:
    """Every stack of a cloud assembly, and what their templates mean together."""

    def __init__(self, stacks: Sequence[Stack]) -> None:
        self.stacks: dict[str, Stack] = {s.name: s for s in stacks}
        self._exports: dict[str, list[tuple[Stack, Any]]] = {}
        for stack in stacks:
            for output in stack.template.get("Outputs", {}).values():
                name = output.get("Export", {}).get("Name")
                if isinstance(name, str):
                    self._exports.setdefault(name, []).append((stack, output.get("Value")))

    @classmethod
    def from_directory(cls, directory: str | Path) -> Assembly:
        """The assembly ``cdk synth`` wrote to ``directory`` (``manifest.json`` and templates)."""
        root = Path(directory)
        manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
        artifacts: Mapping[str, Any] = manifest.get("artifacts", {})
        names = {k for k, a in artifacts.items() if a.get("type") == "aws:cloudformation:stack"}
        stacks = []
        for name in sorted(names):
            artifact = artifacts[name]
            account, region = _environment(artifact.get("environment", ""))
            template = json.loads((root / artifact["properties"]["templateFile"]).read_text(encoding="utf-8"))
            stacks.append(
                Stack(
                    name=name,
                    account=account,
                    region=region,
                    template=template,
                    dependencies=tuple(d for d in artifact.get("dependencies", []) if d in names),
                    acknowledged=_acknowledged(root, artifact),
                )
            )
        return cls(stacks)

    def acknowledged(self) -> dict[str, dict[str, str]]:
        """Every acknowledgement of the assembly, by construct path."""
        found: dict[str, dict[str, str]] = {}
        for stack in self.stacks.values():
            for path, rules in stack.acknowledged.items():
                found.setdefault(path, {}).update(rules)
        return found

    # Walking the assembly

    def resources(self, *types: str) -> Iterator[tuple[Stack, str, Mapping[str, Any]]]:
        """Every resource of one of ``types`` as (stack, logical ID, resource), in a stable order."""
        for stack in self.stacks.values():
            for logical_id, resource in stack.resources.items():
                if resource.get("Type") in types:
                    yield stack, logical_id, resource

    def resource(self, reference: Reference) -> Mapping[str, Any] | None:
        stack = self.stacks.get(reference.stack)
        return stack.resources.get(reference.logical_id) if stack else None

    def in_environment(self, account: str | None, region: str | None) -> Iterator[Stack]:
        """The stacks deployed to ``account`` (any region when ``region`` is None)."""
        for stack in self.stacks.values():
            if account is not None and stack.account == account and region in (None, stack.region):
                yield stack

    def depends_on(self, stack: str, other: str) -> bool:
        """True when ``stack`` deploys after ``other`` (directly or through other stacks)."""
        seen: set[str] = set()
        todo = [stack]
        while todo:
            current = todo.pop()
            for dependency in self.stacks[current].dependencies if current in self.stacks else ():
                if dependency == other:
                    return True
                if dependency not in seen:
                    seen.add(dependency)
                    todo.append(dependency)
        return False

    def export(self, name: str, importer: Stack) -> tuple[Stack, Any] | None:
        """The stack exporting ``name`` and the value it exports: the one in the importer's account
        and region, else any (which the importer cannot reach)."""
        found = self._exports.get(name, [])
        same = [e for e in found if (e[0].account, e[0].region) == (importer.account, importer.region)]
        return (same or found)[0] if found else None

    # Resolving values

    def resolve(self, stack: Stack, value: Any) -> Any:
        """``value`` with what the assembly knows substituted: strings for pseudo parameters,
        parameter defaults, joins and imports; a :class:`Reference` for a resource. Returns
        ``None`` when a part cannot be known at synth."""
        if isinstance(value, (str, int, float, bool)) or value is None:
            return value
        if isinstance(value, Mapping) and len(value) == 1:
            ((function, argument),) = value.items()
            if function == "Ref":
                return self._ref(stack, argument)
            if function == "Fn::GetAtt":
                parts = argument.split(".", 1) if isinstance(argument, str) else argument
                if isinstance(parts, Sequence) and len(parts) == 2 and parts[0] in stack.resources:
                    return Reference(stack=stack.name, logical_id=str(parts[0]), attribute=str(parts[1]))
                return None
            if function == "Fn::Join" and isinstance(argument, Sequence) and len(argument) == 2:
                parts = [self.resolve(stack, p) for p in argument[1]]
                if all(isinstance(p, str) for p in parts):
                    return str(argument[0]).join(parts)
                return None
            if function == "Fn::ImportValue":
                name = self.resolve(stack, argument)
                found = self.export(name, stack) if isinstance(name, str) else None
                return self.resolve(found[0], found[1]) if found else None
            if function == "Fn::Sub" and isinstance(argument, str):
                return self._sub(stack, argument)
            if function.startswith("Fn::"):
                return None
        return value

    def text(self, stack: Stack, value: Any) -> str | None:
        """``value`` as a string when the assembly determines it, else None."""
        resolved = self.resolve(stack, value)
        return resolved if isinstance(resolved, str) else None

    def _ref(self, stack: Stack, name: Any) -> Any:
        if name == "AWS::AccountId":
            return stack.account
        if name == "AWS::Region":
            return stack.region
        if name in PSEUDO:
            return PSEUDO[name]
        if name in stack.template.get("Parameters", {}):
            default = stack.template["Parameters"][name].get("Default")
            return default if isinstance(default, str) else None
        if name in stack.resources:
            return Reference(stack=stack.name, logical_id=str(name))
        return None

    def _sub(self, stack: Stack, text: str) -> str | None:
        missing = False

        def substitute(match: re.Match[str]) -> str:
            nonlocal missing
            value = self.resolve(stack, {"Ref": match.group(1)})
            if not isinstance(value, str):
                missing = True
                return ""
            return value

        result = re.sub(r"\$\{([^}!]+)\}", substitute, text)
        return None if missing else result

    def key(self, stack: Stack, value: Any) -> Reference | str | None:
        """The ``AWS::KMS::Key`` that ``value`` (a key or alias ID or ARN, a ``Ref``/``GetAtt``
        or an import) names, searched in the stacks of the account and region the value names
        (the stack's own when it names none). A key ARN outside the assembly comes back as the
        ARN; None when nothing names a key."""
        resolved = self.resolve(stack, value)
        if isinstance(resolved, Reference):
            resource = self.resource(resolved) or {}
            if resource.get("Type") == "AWS::KMS::Key":
                return Reference(stack=resolved.stack, logical_id=resolved.logical_id)
            if resource.get("Type") == "AWS::KMS::Alias":
                return self.key(self.stacks[resolved.stack], resource.get("Properties", {}).get("TargetKeyId"))
            return None
        if not isinstance(resolved, str):
            return None
        account, region, name = stack.account, stack.region, resolved
        match = KMS_ARN.fullmatch(resolved)
        if match:
            region, account, name = match.group(1), match.group(2), match.group(3)
        if not name.startswith("alias/"):
            return resolved
        for candidate in self.in_environment(account, region):
            for logical_id, resource in candidate.resources.items():
                if resource.get("Type") == "AWS::KMS::Alias" and (
                    self.text(candidate, resource.get("Properties", {}).get("AliasName")) == name
                ):
                    return self.key(candidate, resource["Properties"].get("TargetKeyId")) or Reference(
                        stack=candidate.name, logical_id=logical_id
                    )
        return resolved
