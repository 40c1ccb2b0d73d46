"""The GoldenAmi cdk-nag pack: the rules cdk-nag lacks for Image Builder and launch templates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jsii
from aws_cdk import CfnResource, Stack
from cdk_nag import IApplyRule, NagMessageLevel, NagPack, NagRuleCompliance
from constructs import IConstruct

from .rule import Compliance, Properties, Rule
from .rules import RULES

PACK_NAME = "GoldenAmi"
_COMPLIANCE = {
    Compliance.COMPLIANT: NagRuleCompliance.COMPLIANT,
    Compliance.NON_COMPLIANT: NagRuleCompliance.NON_COMPLIANT,
    Compliance.NOT_APPLICABLE: NagRuleCompliance.NOT_APPLICABLE,
}


def properties_of(resource: CfnResource) -> Properties:
    """The resource's CloudFormation properties, PascalCase and resolved (property overrides aside)."""
    stack = Stack.of(resource)
    # Resolve first: lazy values (tags, for example) do not pass the renderer's type checks.
    rendered = resource._render_properties(stack.resolve(resource._cfn_properties))
    resolved: dict[str, Any] = stack.resolve(rendered) or {}
    return resolved


def _siblings(resource: CfnResource) -> Any:
    stack = Stack.of(resource)

    def of_type(resource_type: str) -> Sequence[Properties]:
        return [
            properties_of(c)
            for c in stack.node.find_all()
            if isinstance(c, CfnResource) and c.cfn_resource_type == resource_type and Stack.of(c) is stack
        ]

    return of_type


@jsii.implements(IApplyRule)
class _Application:
    """One rule applied to one resource, in the shape cdk-nag's applyRule wants."""

    def __init__(self, rule: Rule, node: CfnResource) -> None:
        self._rule = rule
        self._node = node

    @property
    def node(self) -> CfnResource:
        return self._node

    @property
    def rule_suffix_override(self) -> str:
        return self._rule.id

    @property
    def info(self) -> str:
        return self._rule.info

    @property
    def explanation(self) -> str:
        return self._rule.explanation

    @property
    def level(self) -> NagMessageLevel:
        return NagMessageLevel.ERROR

    def rule(self, node: CfnResource) -> NagRuleCompliance:
        return _COMPLIANCE[self._rule.check(properties_of(node), _siblings(node))]


class GoldenAmiChecks(NagPack):
    """cdk-nag rules for EC2 Image Builder and launch templates. Findings are
    ``GoldenAmi-<rule>``; acknowledge one like any other cdk-nag finding.

    Example::

        Validations.of(app).add_plugins(AwsSolutionsChecks(app), GoldenAmiChecks(app))
    """

    def __init__(self, scope: IConstruct | None = None, *, verbose: bool = False) -> None:
        super().__init__(scope, verbose=verbose)
        self._pack_name = PACK_NAME

    @property
    def name(self) -> str:
        return PACK_NAME

    @property
    def rule_ids(self) -> list[str]:
        return [f"{PACK_NAME}-{rule.id}" for rule in RULES]

    def _check_resource(self, node: CfnResource) -> None:
        for rule in RULES:
            if node.cfn_resource_type == rule.resource_type:
                # jsii reads these as properties; the protocol declares them settable, which cdk-nag never uses.
                self._apply_rule(_Application(rule, node))  # type: ignore[arg-type]
