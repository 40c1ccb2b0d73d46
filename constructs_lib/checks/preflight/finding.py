"""What a preflight rule is and what it reports."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Iterable

from .assembly import Assembly


class Severity(enum.Enum):
    """``error`` stops ``make synth``: AWS would refuse the deploy or the feature would do nothing.
    ``warning`` prints: the preflight cannot see the whole rule, or the risk is the user's call."""

    ERROR = "error"
    WARNING = "warning"


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Finding:
    """One breach: the rule (``GA-P001``), its severity, the resources involved as
    ``stack/logicalId`` and a message that ends with the fix."""

    rule: str
    severity: Severity
    resources: tuple[str, ...]
    message: str

    def __str__(self) -> str:
        return f"{self.severity.value} {self.rule} [{', '.join(self.resources)}]: {self.message}"


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Rule:
    """A rule: its ID, what it checks (``title``), the AWS page whose rule it encodes
    (``citation``) and the check, a pure function of the assembly."""

    id: str
    title: str
    citation: str
    check: Callable[[Assembly], Iterable[Finding]]

    def error(self, resources: Iterable[str], message: str) -> Finding:
        return Finding(rule=self.id, severity=Severity.ERROR, resources=tuple(resources), message=message)

    def warning(self, resources: Iterable[str], message: str) -> Finding:
        return Finding(rule=self.id, severity=Severity.WARNING, resources=tuple(resources), message=message)
