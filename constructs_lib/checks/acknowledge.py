"""Accepting a finding on purpose, with a reason: one call for the replacement guard's refusals
(``GA-C001`` replace, ``GA-C002`` delete, ``GA-C003`` parameter), the preflight's warnings
(``GA-P009``) and the constructs' warnings (``golden-ami:default-vpc``).

It is CDK's own mechanism (``Validations.of(scope).acknowledge``), which records the
acknowledgement in the cloud assembly's metadata for ``scope`` and its children; cdk-nag reads the
same records, and the preflight reads them from ``cdk.out``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from .._core.warning_ids import CONSTRUCT_WARNINGS
from .preflight import RULES
from .preflight.guard import DELETE_RULE, PARAMETER_RULE, REPLACE_RULE

GUARD_RULES: Final = (REPLACE_RULE, DELETE_RULE, PARAMETER_RULE)
REASON_MIN: Final = 10

if TYPE_CHECKING:
    from constructs import IConstruct


def check_acknowledgement(rule: str, reason: str, path: str | None, *, argument: str = "rule") -> None:
    """Raise ``ValueError`` naming the argument when ``rule``, ``reason`` or ``path`` cannot be acknowledged."""
    known = {*GUARD_RULES, *(r.id for r in RULES), *CONSTRUCT_WARNINGS}
    if rule not in known:
        raise ValueError(
            f"{argument}: {rule!r} is no finding this library reports; give a replacement guard rule "
            f"({', '.join(GUARD_RULES)}), a preflight rule (GA-P001 ... GA-P0{len(RULES)}) or a construct "
            f"warning's ID ({', '.join(CONSTRUCT_WARNINGS)}), as the finding prints it"
        )
    if len(reason.strip()) < REASON_MIN:
        raise ValueError(
            f"reason: {reason!r} is too short to tell a reviewer why; say in a sentence why this change is wanted"
        )
    if path is not None and not rule.startswith("GA-"):
        raise ValueError(
            f"path: {path!r} given for the construct warning {rule!r}; acknowledge a construct's warning on the "
            "construct itself (or a parent), without path="
        )
    if path is not None and not path.strip("/"):
        raise ValueError("path: empty; give the construct path the finding prints (Stack/Construct/...)")


def acknowledge(scope: IConstruct, rule: str, reason: str, *, path: str | None = None) -> None:
    """Accept ``rule`` for ``scope`` and its children, for ``reason``.

    :param scope: the construct the finding concerns, or one of its parents.
    :param rule: ``GA-C001`` (the guard refuses to replace), ``GA-C002`` (to delete), ``GA-C003``
        (a launch template switching latest-AMI parameter), a preflight rule (``GA-P009``) or a
        construct warning's ID (``golden-ami:default-vpc``).
    :param reason: why, in a sentence; shown by ``make synth`` next to the accepted change.
    :param path: for a ``GA-`` rule, the construct path of what the finding concerns when it is no
        longer in the app (a deleted fleet): ``GoldenAmiConsumers-eu-west-1/web-server/Fleet``.
        Default: ``scope`` itself.
    """
    from aws_cdk import Acknowledgment, Validations

    check_acknowledgement(rule, reason, path)
    named = f"{rule}[{path.strip('/')}]" if path is not None else rule
    Validations.of(scope).acknowledge(Acknowledgment(id=named, reason=reason.strip()))
