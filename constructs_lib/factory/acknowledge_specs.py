"""The factory file's ``acknowledge:`` entries: findings accepted on purpose, each with its reason."""

from __future__ import annotations

from pydantic import field_validator, model_validator

from ..checks.acknowledge import check_acknowledgement
from ._base import _Model


class AcknowledgementSpec(_Model):
    """A finding accepted on purpose: the replacement guard's (a fleet replaced or deleted), a
    preflight warning, or a construct's warning."""

    id: str
    """The finding's ID as make synth prints it: GA-C001 (replace), GA-C002 (delete), GA-C003
    (parameter), a preflight rule (GA-P009) or a construct warning (golden-ami:default-vpc)."""
    path: str
    """The construct path the finding prints (GoldenAmiConsumers-eu-west-1/web-server/Fleet), or a
    parent of it; for a preflight warning also its stack/logicalId."""
    reason: str
    """Why, in a sentence; make synth prints it next to the accepted finding."""

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value.strip("/"):
            raise ValueError("empty; give the construct path the finding prints (Stack/Construct/...)")
        return value.strip("/")

    @model_validator(mode="after")
    def _check(self) -> AcknowledgementSpec:
        check_acknowledgement(self.id, self.reason, self.path if self.id.startswith("GA-") else None, argument="id")
        return self
