"""Acknowledging cdk-nag findings next to the resource they concern, always with a reason."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Validations
from constructs import IConstruct


def acknowledge(resource: IConstruct, rule: str, reason: str) -> None:
    """Record that ``rule`` (for example ``AwsSolutions-IAM4[Policy::...]``) is accepted on
    ``resource`` for ``reason``. The reason is shown wherever cdk-nag reports."""
    Validations.of(resource).acknowledge(Acknowledgment(id=rule, reason=reason))
