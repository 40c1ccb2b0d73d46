"""The GoldenAmi cdk-nag pack: the rules cdk-nag lacks for Image Builder and launch templates."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import jsii
from aws_cdk import CfnResource, Stack, Stage
from cdk_nag import IApplyRule, NagMessageLevel, NagPack, NagRuleCompliance
from constructs import IConstruct

from .rule import Compliance, Properties, Rule
from .rules import RULES

PACK_NAME = "GoldenAmi"
_BY_TYPE: dict[str, list[Rule]] = {}
for _rule in RULES:
    _BY_TYPE.setdefault(_rule.resource_type, []).append(_rule)
_COMPLIANCE = {
    Compliance.COMPLIANT: NagRuleCompliance.COMPLIANT,
    Compliance.NON_COMPLIANT: NagRuleCompliance.NON_COMPLIANT,
    Compliance.NOT_APPLICABLE: NagRuleCompliance.NOT_APPLICABLE,
}


def properties_of(resource: CfnResource) -> Properties:
    """The resource's CloudFormation properties, PascalCase and resolved (property overrides aside)."""
    stack = Stack.of(resource)
    # Resolve first: lazy values (tags, for example) do not pass the renderer's type checks.
    rendered: Properties = resource._render_properties(stack.resolve(resource._cfn_properties)) or {}
    return rendered


class _Cache:
    """Properties resolved once per resource, and resources by type once per stack, for one
    validation run: every call into jsii is a round trip to node."""

    def __init__(self) -> None:
        # Keyed by the Python proxy: jsii hands out one proxy per node object, and reading a
        # construct path would itself be a round trip.
        self._properties: dict[int, tuple[CfnResource, Properties]] = {}
        self._by_type: dict[int, dict[str, list[Properties]]] = {}
        self._templates: dict[int, dict[str, Any] | None] = {}

    def properties(self, resource: CfnResource) -> Properties:
        key = id(resource)
        if key not in self._properties:
            self._properties[key] = (resource, self._from_template(resource) or properties_of(resource))
        return self._properties[key][1]

    def _from_template(self, resource: CfnResource) -> Properties | None:
        """The resource's properties as synthesized (overrides included), when cdk-nag runs as a
        validation plugin after the templates are written; None when there is no template yet
        (``validate_scope`` on a tree that was not synthesized)."""
        stack = Stack.of(resource)
        resources = self._written(stack)
        if resources is None:
            return None
        found = resources.get(stack.get_logical_id(resource))
        return found.get("Properties", {}) if found else None

    def _written(self, stack: Stack) -> dict[str, Any] | None:
        """The Resources section of ``stack``'s written template; None before it is written."""
        key = id(stack)
        if key not in self._templates:
            path = Path(Stage.of(stack).outdir) / stack.template_file  # type: ignore[union-attr]
            try:
                self._templates[key] = json.loads(path.read_text(encoding="utf-8")).get("Resources", {})
            except (OSError, ValueError):
                self._templates[key] = None
        return self._templates[key]

    def siblings(self, resource: CfnResource) -> Any:
        """Resources of a type in ``resource``'s stack, looked up only when a rule asks."""

        def of_type(resource_type: str) -> Sequence[Properties]:
            stack = Stack.of(resource)
            key = id(stack)
            written = self._written(stack)
            if key not in self._by_type and written is not None:
                # From the written template: no round trip per resource of the stack.
                by_type: dict[str, list[Properties]] = {}
                for body in written.values():
                    if body.get("Type") in _SIBLING_TYPES:
                        by_type.setdefault(body["Type"], []).append(body.get("Properties", {}))
                self._by_type[key] = by_type
            if key not in self._by_type:
                found: dict[str, list[CfnResource]] = {}
                for child in stack.node.find_all():
                    if (
                        isinstance(child, CfnResource)
                        and child.cfn_resource_type in _SIBLING_TYPES
                        and Stack.of(child) is stack
                    ):
                        found.setdefault(child.cfn_resource_type, []).append(child)
                self._by_type[key] = {t: [self.properties(c) for c in cs] for t, cs in found.items()}
            return self._by_type[key].get(resource_type, [])

        return of_type


# The resource types rules look up besides the one they judge.
_SIBLING_TYPES: Final = frozenset({"AWS::ImageBuilder::LifecyclePolicy", "AWS::Logs::LogGroup"})


@jsii.implements(IApplyRule)
class _Application:
    """One rule applied to one resource, in the shape cdk-nag's applyRule wants."""

    def __init__(self, rule: Rule, node: CfnResource, cache: _Cache) -> None:
        self._rule = rule
        self._node = node
        self._cache = cache

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
        return _COMPLIANCE[self._rule.check(self._cache.properties(node), self._cache.siblings(node))]


class GoldenAmiChecks(NagPack):
    """cdk-nag rules for EC2 Image Builder and launch templates. Findings are
    ``GoldenAmi-<rule>``; acknowledge one like any other cdk-nag finding.

    Example::

        Validations.of(app).add_plugins(AwsSolutionsChecks(app), GoldenAmiChecks(app))
    """

    def __init__(self, scope: IConstruct | None = None, *, verbose: bool = False) -> None:
        super().__init__(scope, verbose=verbose)
        self._pack_name = PACK_NAME
        self._cache = _Cache()

    @property
    def name(self) -> str:
        return PACK_NAME

    @property
    def rule_ids(self) -> list[str]:
        return [f"{PACK_NAME}-{rule.id}" for rule in RULES]

    def _check_resource(self, node: CfnResource) -> None:
        rules = _BY_TYPE.get(node.cfn_resource_type, ())
        if not rules:
            return
        properties, siblings = self._cache.properties(node), self._cache.siblings(node)
        for rule in rules:
            # Only findings go through cdk-nag (which applies acknowledgements and reports them):
            # every call into it is a round trip to node, and compliant resources need none.
            if rule.check(properties, siblings) is not Compliance.NON_COMPLIANT:
                continue
            # jsii reads these as properties; the protocol declares them settable, which cdk-nag never uses.
            self._apply_rule(_Application(rule, node, self._cache))  # type: ignore[arg-type]
