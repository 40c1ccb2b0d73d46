"""The replacement guard: what a deploy of this synth does to each resource the last synth
recorded (create, update in place, replace, delete), and a refusal when it would replace or delete
what runs instances or holds AMIs.

CloudFormation's rules, as this module applies them:

- A property that the resource type's schema lists under ``createOnlyProperties`` "can only be
  specified by the customer when creating a resource"; a new value replaces the resource
  ("Resource type schema",
  https://docs.aws.amazon.com/cloudformation-cli/latest/userguide/resource-type-schema.html;
  "Update behaviors of stack resources",
  https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html:
  "Replacement: AWS CloudFormation recreates the resource during an update, which also generates a
  new physical ID"). The package carries these lists for the types it creates
  (``create_only.json``, written by ``scripts/create_only.py`` from cfn-lint's copy of the schemas);
  other types are read from cfn-lint when it is installed.
- A resource whose logical ID changes is a new resource: CloudFormation creates the new one and
  deletes the old.
- ``Ref`` and ``Fn::GetAtt`` of a replaced resource return its new physical ID and attributes, so
  a resource naming it in a create-only property is replaced in turn, and one naming it anywhere
  else is updated.
- An Auto Scaling group with ``UpdatePolicy.AutoScalingReplacingUpdate.WillReplace`` is replaced
  when its ``LaunchConfigurationName``, ``VPCZoneIdentifier``, ``LaunchTemplate`` or
  ``PlacementGroup`` changes ("UpdatePolicy attribute",
  https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-updatepolicy.html:
  "These replacement operations occur when you make one or more of the following changes").
  ``MixedInstancesPolicy``, which holds the launch template when the group mixes instance types,
  is counted too (the page does not list it; counted so as to refuse rather than miss). A
  launch template updated in place changes its ``LatestVersionNumber``, so a group naming it
  there is replaced as well.
- A custom resource is replaced when its provider answers an update with a new physical ID, and
  CloudFormation then deletes the old one ("Custom resources",
  https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-custom-resources.html);
  the templates do not say what a provider answers, so any change to one counts as a replacement
  unless its provider says which properties give a new physical ID: the library's own providers
  in :data:`PROVIDERS`, any other through the resource's ``golden-ami:createOnly`` metadata (a
  list of property names). A change of those replaces it; of the others, updates it.
- ``DeletionPolicy: Retain`` (or ``RetainExceptOnCreate``, which deletes only what a failed stack
  creation made) keeps the physical resource when CloudFormation deletes it from the stack (a
  logical ID that changes included), ``UpdateReplacePolicy: Retain`` when a replacement removes it
  (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html,
  https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-updatereplacepolicy.html).

Not followed: a value another stack imports (``Fn::ImportValue``); CloudFormation refuses to change
an export another stack imports ("Exporting stack output values"), so such a deploy stops before
it replaces anything.

The guard (:mod:`.guard`) refuses (errors ``GA-C001`` replace, ``GA-C002`` delete, ``GA-C003`` parameter) a deploy
that would replace or delete an Auto Scaling group, a launch template or a KMS key, replace or
delete an ``AWS::ImageBuilder::Image`` that CloudFormation would delete (not kept by ``Retain``),
or point a launch template at another latest-AMI parameter. A change made on purpose is accepted
the way CDK accepts any validation finding, with a reason next to the construct::

    Validations.of(fleet).acknowledge(Acknowledgment(id="GA-C001", reason="new subnets: fleet moved"))

or from anywhere in the app for a construct that no longer exists, naming its path in brackets
(``GA-C002[GoldenAmiConsumers-eu-west-1/web/Fleet]``); the factory file's ``acknowledge:`` entries
do the latter.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any, Final

from . import schemas

TABLE: Final = Path(__file__).with_name("create_only.json")
"""Create-only properties of the resource types the library creates (``scripts/create_only.py``)."""
TRANSIENT: Final = ("_refs", "_create_refs", "_replacing_refs")
"""Record keys the classifier needs from the current synth only (never stored in the lock file)."""


class Kind(enum.StrEnum):
    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"
    DELETE = "delete"


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Change:
    """What a deploy does to one resource: its stack, logical ID, type, construct path, the kind
    of change and why."""

    stack: str
    logical_id: str
    type: str
    path: str | None
    kind: Kind
    reason: str
    removed: bool = False
    """The resource leaves the template (a delete, or a logical ID that changes): its
    ``DeletionPolicy`` applies, not its ``UpdateReplacePolicy``."""

    @property
    def address(self) -> str:
        return f"{self.stack}/{self.logical_id}"

    def __str__(self) -> str:
        return f"{self.address} ({self.type}): {self.kind.value}, {self.reason}"


# Create-only properties


@cache
def _table() -> dict[str, list[str]]:
    table: dict[str, list[str]] = json.loads(TABLE.read_text(encoding="utf-8"))
    return table


def schema_create_only(resource_type: str) -> tuple[str, ...] | None:
    """``resource_type``'s create-only property pointers from cfn-lint's schemas; None when
    cfn-lint is not installed or has no schema for the type."""
    schema = schemas.resource_schema(resource_type)
    return None if schema is None else tuple(schema.get("createOnlyProperties", ()))


PROVIDERS: Final[dict[str, tuple[str, ...]]] = {
    # retire/hold_function: the physical ID is the parameter's name; Pipeline and Watch (the
    # pipeline's other properties) only make it read the status again.
    "Custom::PipelineHold": ("/properties/Name", "/properties/ServiceToken"),
    # distribute/grant_function: the physical ID is "<key ARN>|<grant ID>". With a Name, "you can retry
    # a CreateGrant request with identical parameters; if the grant already exists, the original
    # GrantId is returned" (https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateGrant.html);
    # any other value makes a new grant, and so a new physical ID.
    "Custom::AutoScalingKeyGrant": (
        "/properties/Region",
        "/properties/KeyAlias",
        "/properties/GranteePrincipal",
        "/properties/RetiringPrincipal",
        "/properties/GrantName",
        "/properties/ServiceToken",
    ),
}
"""The library's custom resource types whose provider keeps the physical ID through an update of
any other property: the properties that give a new one. ``ServiceToken`` is among them, as
CloudFormation refuses to update it ("Updates aren't supported",
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cfn-customresource.html)."""
CREATE_ONLY_METADATA: Final = "golden-ami:createOnly"
"""A custom resource's metadata naming the properties whose change makes its provider answer
with a new physical ID, for providers outside the library."""


def custom_create_only(resource: Mapping[str, Any]) -> tuple[str, ...] | None:
    """What a custom resource's provider says replaces it; None when it says nothing."""
    declared = resource.get("Metadata", {}).get(CREATE_ONLY_METADATA)
    if isinstance(declared, list) and all(isinstance(p, str) for p in declared):
        return tuple(f"/properties/{p}" for p in {*declared, "ServiceToken"})
    return PROVIDERS.get(str(resource.get("Type")))


@cache
def create_only(resource_type: str) -> tuple[str, ...] | None:
    """The create-only property pointers of ``resource_type`` (``/properties/Name``); None when
    unknown (neither the package's table nor cfn-lint knows the type)."""
    if resource_type in _table():
        return tuple(_table()[resource_type])
    return schema_create_only(resource_type)


def _at(value: Any, parts: list[str]) -> Any:
    """The value at a schema pointer's ``parts`` (``*`` for every item of a list)."""
    if not parts:
        return value
    head, *rest = parts
    if head == "*":
        return [_at(v, rest) for v in value] if isinstance(value, list) else None
    if isinstance(value, Mapping) and head in value:
        return _at(value[head], rest)
    return None


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:12]


def references(value: Any, resources: Mapping[str, Any]) -> set[str]:
    """The logical IDs of ``resources`` that ``value`` names with ``Ref``, ``Fn::GetAtt`` or ``Fn::Sub``."""
    found: set[str] = set()
    if isinstance(value, Mapping):
        for key, argument in value.items():
            if key == "Ref" and argument in resources:
                found.add(str(argument))
            elif key == "Fn::GetAtt":
                target = argument.split(".", 1)[0] if isinstance(argument, str) else argument[0]
                if target in resources:
                    found.add(str(target))
            elif key == "Fn::Sub":
                text = argument if isinstance(argument, str) else argument[0]
                found |= {r for r in resources if f"${{{r}}}" in text or f"${{{r}." in text}
                if not isinstance(argument, str):
                    found |= references(argument[1:], resources)
            else:
                found |= references(argument, resources)
    elif isinstance(value, list):
        for item in value:
            found |= references(item, resources)
    return found


def fingerprint(resource: Mapping[str, Any], resources: Mapping[str, Any]) -> dict[str, Any]:
    """What the classifier compares of one resource: a digest of each create-only property that
    is set (``create``, absent when the type is unknown), of all its properties and update policy
    (``props``), when CloudFormation keeps it (``keeps``: on delete, on replace), for a group with
    ``AutoScalingReplacingUpdate`` a digest of what replaces it (``replacing``), and, for this
    synth only, the resources it names (``_refs``, ``_create_refs``, ``_replacing_refs``)."""
    properties = resource.get("Properties", {})
    entry: dict[str, Any] = {
        "props": _digest([properties, resource.get("UpdatePolicy")]),
        "_refs": sorted(references([properties, resource.get("UpdatePolicy")], resources)),
    }
    kind = str(resource["Type"])
    custom = kind.startswith("Custom::") or kind == "AWS::CloudFormation::CustomResource"
    pointers = custom_create_only(resource) if custom else create_only(kind)
    if pointers is not None:
        values = {p.removeprefix("/properties/"): _at(properties, p.split("/")[2:]) for p in pointers}
        entry["create"] = {k: _digest(v) for k, v in sorted(values.items()) if v is not None}
        entry["_create_refs"] = sorted(references([v for v in values.values() if v is not None], resources))
    kept = [p for p in ("delete", "replace") if _keeps(resource, p)]
    if kept:
        entry["keeps"] = kept
    replacing = resource.get("UpdatePolicy", {}).get("AutoScalingReplacingUpdate", {}).get("WillReplace")
    if replacing in (True, "true"):
        watched = [properties.get(k) for k in REPLACING_UPDATE]
        entry["replacing"] = _digest(watched)
        entry["_replacing_refs"] = sorted(references(watched, resources))
    return entry


REPLACING_UPDATE: Final = (
    "LaunchConfigurationName",
    "VPCZoneIdentifier",
    "LaunchTemplate",
    "PlacementGroup",
    "MixedInstancesPolicy",
)
"""The properties whose change replaces a group with ``AutoScalingReplacingUpdate`` (module docstring)."""


def _keeps(resource: Mapping[str, Any], on: str) -> bool:
    """Whether CloudFormation keeps the physical resource when it deletes (``on="delete"``) or
    replaces (``"replace"``) it."""
    if on == "delete":
        return resource.get("DeletionPolicy") in ("Retain", "RetainExceptOnCreate")
    return resource.get("UpdateReplacePolicy") == "Retain"


def keeps(entry: Mapping[str, Any], change: Change) -> bool:
    """Whether the recorded resource ``entry`` outlives ``change`` (records from before
    ``keeps`` had ``retain``: both policies ``Retain``)."""
    if entry.get("retain"):
        return True
    return ("delete" if change.removed else "replace") in entry.get("keeps", ())


def stored(record: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> dict[str, dict[str, dict[str, Any]]]:
    """``record`` without what only the current synth needs (:data:`TRANSIENT`)."""
    return {
        stack: {lid: {k: v for k, v in entry.items() if k not in TRANSIENT} for lid, entry in resources.items()}
        for stack, resources in record.items()
    }


# Classification

Record = Mapping[str, Mapping[str, Mapping[str, Any]]]


def _custom(entry: Mapping[str, Any]) -> bool:
    kind = str(entry["type"])
    return kind.startswith("Custom::") or kind == "AWS::CloudFormation::CustomResource"


def _direct(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[Kind, str] | None:
    """How ``old`` becomes ``new`` by their own properties, before references are followed."""
    if old["type"] != new["type"]:
        return Kind.REPLACE, f"its type changes from {old['type']}"
    if "create" in old and "create" in new:
        changed = sorted(
            k for k in set(old["create"]) | set(new["create"]) if old["create"].get(k) != new["create"].get(k)
        )
        if changed:
            return Kind.REPLACE, f"{', '.join(changed)} cannot change in place (create-only)"
    elif old.get("name") != new.get("name"):
        return Kind.REPLACE, f"renamed {old.get('name')!r} -> {new.get('name')!r}"
    if "replacing" in new and old.get("replacing") not in (None, True, new["replacing"]):
        return Kind.REPLACE, f"{' or '.join(REPLACING_UPDATE[:4])} changes under AutoScalingReplacingUpdate"
    if "props" in old and old["props"] != new.get("props"):
        if _custom(new) and not ("create" in old and "create" in new):
            return Kind.REPLACE, "a custom resource: any update may replace it"
        return Kind.UPDATE, "properties change in place"
    return None


def _twin(old: Mapping[str, Any], created: Mapping[str, Mapping[str, Any]]) -> str | None:
    for logical_id, new in created.items():
        if new["type"] != old["type"]:
            continue
        if (old.get("name") and new.get("name") == old["name"]) or (old.get("path") and new.get("path") == old["path"]):
            return logical_id
    return None


def classify(previous: Record, current: Record) -> list[Change]:
    """Every resource a deploy of ``current`` creates, updates, replaces or deletes against
    ``previous`` (the lock file's record of the last synth), by stack and logical ID."""
    changes: list[Change] = []
    for stack in sorted(set(previous) | set(current)):
        before, after = previous.get(stack, {}), current.get(stack, {})
        if stack not in current:
            changes += [
                change_of(stack, lid, old, Kind.DELETE, "its stack is removed", removed=True)
                for lid, old in before.items()
            ]
            continue
        # A record from before the guard kept some types only: others are not new, only unrecorded.
        legacy = bool(before) and not any("props" in e for e in before.values())
        known = {e["type"] for e in before.values()}
        kinds: dict[str, tuple[Kind, str]] = {}
        for lid, new in after.items():
            if lid not in before and legacy and new["type"] not in known:
                continue
            if lid not in before:
                kinds[lid] = (Kind.CREATE, "new" if stack in previous else "new stack")
            elif (found := _direct(before[lid], new)) is not None:
                kinds[lid] = found
        _propagate(after, kinds)
        created = {lid: after[lid] for lid, (kind, _) in kinds.items() if kind is Kind.CREATE}
        for lid in sorted(set(before) - set(after)):
            twin = _twin(before[lid], created)
            if twin is not None:
                changes.append(
                    change_of(stack, lid, before[lid], Kind.REPLACE, f"logical ID changes to {twin}", removed=True)
                )
                created.pop(twin)
                kinds[twin] = (Kind.CREATE, f"replaces {lid}")
            else:
                changes.append(
                    change_of(stack, lid, before[lid], Kind.DELETE, "removed from the template", removed=True)
                )
        changes += [change_of(stack, lid, after[lid], kind, why) for lid, (kind, why) in sorted(kinds.items())]
    return changes


def _propagate(after: Mapping[str, Mapping[str, Any]], kinds: dict[str, tuple[Kind, str]]) -> None:
    """Replacements carried along ``Ref`` and ``Fn::GetAtt`` until nothing changes."""
    moved = True
    while moved:
        moved = False
        replaced = {lid for lid, (kind, _) in kinds.items() if kind is Kind.REPLACE}
        for lid, entry in after.items():
            current = kinds.get(lid, (None, ""))[0]
            if current in (Kind.CREATE, Kind.REPLACE):
                continue
            create_hits = sorted(replaced & set(entry.get("_create_refs", ())))
            hits = sorted(replaced & set(entry.get("_refs", ())))
            changed = {k for k, (kind, _) in kinds.items() if kind in (Kind.REPLACE, Kind.UPDATE)}
            replacing_hits = sorted(changed & set(entry.get("_replacing_refs", ())))
            if create_hits or (hits and _custom(entry)):
                kinds[lid] = (Kind.REPLACE, f"it names {(create_hits or hits)[0]}, which is replaced")
                moved = True
            elif replacing_hits:
                kinds[lid] = (
                    Kind.REPLACE,
                    f"it names {replacing_hits[0]}, which changes, under AutoScalingReplacingUpdate",
                )
                moved = True
            elif hits and current is None:
                kinds[lid] = (Kind.UPDATE, f"it names {hits[0]}, which is replaced")
                moved = True


def change_of(
    stack: str, logical_id: str, entry: Mapping[str, Any], kind: Kind, reason: str, *, removed: bool = False
) -> Change:
    return Change(
        stack=stack,
        logical_id=logical_id,
        type=str(entry["type"]),
        path=entry.get("path"),
        kind=kind,
        reason=reason,
        removed=removed,
    )


def summary(changes: list[Change]) -> Iterator[str]:
    """One line per kind of change with its count."""
    for kind in Kind:
        count = sum(c.kind is kind for c in changes)
        if count:
            yield f"{count} {kind.value}"
