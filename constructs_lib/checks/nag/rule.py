"""What a rule of the GoldenAmi pack is: a pure function over one resource's CloudFormation
properties (PascalCase, resolved), with the other resources of its stack at hand."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Mapping, Sequence
from typing import Any

Properties = Mapping[str, Any]


class Compliance(enum.Enum):
    COMPLIANT = "compliant"
    NON_COMPLIANT = "non-compliant"
    NOT_APPLICABLE = "not applicable"


def verdict(ok: bool) -> Compliance:
    return Compliance.COMPLIANT if ok else Compliance.NON_COMPLIANT


def unresolved(value: Any) -> bool:
    """True for a CloudFormation intrinsic (``{"Ref": ...}``, ``{"Fn::...": ...}``) the rule cannot judge."""
    return isinstance(value, Mapping) and len(value) == 1 and next(iter(value)).startswith(("Ref", "Fn::"))


Siblings = Callable[[str], Sequence[Properties]]
"""The resolved properties of every resource of a type in the same stack."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Rule:
    """One rule: its ID suffix (``GoldenAmi-<id>``), the resource type it judges, why it fires
    (``info``), why it exists (``explanation``), and the check."""

    id: str
    resource_type: str
    info: str
    explanation: str
    check: Callable[[Properties, Siblings], Compliance]
