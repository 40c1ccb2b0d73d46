"""The GoldenAmi cdk-nag pack: the rules cdk-nag lacks for Image Builder and launch templates."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import jsii
from aws_cdk import (
    CfnResource,
    IPolicyValidationContext,
    PolicyValidationPluginReport,
    PolicyViolatingResource,
    PolicyViolation,
    Stack,
    Stage,
)
from cdk_nag import IApplyRule, NagMessageLevel, NagPack, NagRuleCompliance
from constructs import IConstruct

from ._written import (
    TreeNode,
    WrittenStack,
    acknowledged_ids,
    ancestors,
    assembly_templates,
    properties_by_type,
    read_stack,
    read_tree,
)
from .rule import Compliance, Properties, Rule
from .rules import RULES

PACK_NAME = "GoldenAmi"
_BY_TYPE: dict[str, list[Rule]] = {}
for _rule in RULES:
    _BY_TYPE.setdefault(_rule.resource_type, []).append(_rule)


def _finding_id(rule: Rule) -> str:
    """The ID cdk-nag reports the rule's findings under, and acknowledgements name."""
    return f"{PACK_NAME}-{rule.id}"


_BY_ID: Final = {_finding_id(rule): rule for rule in RULES}
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
        # The logical ID as written: get_logical_id would miss an override_logical_id.
        found = resources.get(stack.resolve(resource.logical_id))
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
                self._by_type[key] = properties_by_type(written)
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
        self._verbose = verbose
        self._cache = _Cache()

    @property
    def name(self) -> str:
        return PACK_NAME

    @property
    def rule_ids(self) -> list[str]:
        return list(_BY_ID)

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

    def validate(self, context: IPolicyValidationContext) -> PolicyValidationPluginReport:
        """Judge the app's stacks from their written templates, construct metadata and tree, in one
        call from node, with the report cdk-nag's walk of the tree would give.

        cdk-nag's ``NagPack.validate`` walks the construct tree in node and calls this pack's
        Python ``check_resource`` back once per resource, each call with its own round trips:
        about 0.9 s of the large fleet's synth. This reads what aws-cdk-lib has written before it
        calls a plugin (``_written.py``) and applies each rule and each acknowledgement as
        cdk-nag's ``applyRule`` and ``isAcknowledged`` do, in the walk's order. Where the assembly
        does not say all the walk would see (the plugin given only some of the app's stacks, as
        on a ``Stage``; nested stacks; logical-ID metadata turned off; no ``tree.json``), the
        walk decides.
        """
        judged = self._judge_written(context)
        return judged if judged is not None else super().validate(context)

    def _judge_written(self, context: IPolicyValidationContext) -> PolicyValidationPluginReport | None:
        root = context.app_construct
        outdir = getattr(root, "outdir", None)  # the App; the walk starts from it too
        given = {Path(p).resolve() for p in context.template_paths}
        if not isinstance(outdir, str) or assembly_templates(outdir) != given:
            return None
        tree = read_tree(outdir)
        stacks = [written for path in sorted(given) if (written := read_stack(path)) is not None]
        if tree is None or len(stacks) != len(given):
            return None
        above = self._acknowledged_above(root, [written.path for written in stacks])
        if above is None:
            return None
        findings: list[tuple[int, int, str, str]] = []
        for written in stacks:
            found = self._findings(written, above, tree)
            if found is None:
                return None
            findings.extend(found)
        grouped: dict[str, list[str]] = {}
        for *_, rule_id, path in sorted(findings):  # the walk's order: tree pre-order, then rule order
            grouped.setdefault(rule_id, []).append(path)
        return PolicyValidationPluginReport(
            success=not grouped,
            violations=[
                PolicyViolation(
                    rule_name=rule_id,
                    description=self._description(_BY_ID[rule_id]),
                    severity="error",
                    violating_resources=[
                        PolicyViolatingResource(construct_path=p, locations=["Properties"]) for p in paths
                    ],
                )
                for rule_id, paths in grouped.items()
            ],
        )

    def _description(self, rule: Rule) -> str:
        # As cdk-nag's addViolation words a finding.
        return f"{rule.info} {rule.explanation}" if self._verbose else rule.info

    @staticmethod
    def _findings(
        written: WrittenStack, above: dict[str, frozenset[str]], tree: dict[str, TreeNode]
    ) -> list[tuple[int, int, str, str]] | None:
        """(tree order, rule order, rule ID, construct path) of each unacknowledged finding in one
        written stack; None when a resource is not in the tree or the tree gives its construct
        another type than the template (an override of ``Type``: the walk judges the construct's)."""
        by_type = properties_by_type(written.resources)

        def siblings(resource_type: str) -> list[Properties]:
            return by_type.get(resource_type, [])

        acknowledged = {**above, **written.acknowledged}
        findings = []
        for logical_id, body in written.resources.items():
            path = written.paths[logical_id]
            node = tree.get(path)
            resource_type = str(body.get("Type"))
            if node is None or node.cfn_type not in (None, resource_type):
                return None
            properties = body.get("Properties", {})
            for index, rule in enumerate(_BY_TYPE.get(resource_type, ())):
                if rule.check(properties, siblings) is not Compliance.NON_COMPLIANT:
                    continue
                rule_id = _finding_id(rule)
                if not any(rule_id in acknowledged.get(p, ()) for p in ancestors(path)):
                    findings.append((node.order, index, rule_id, path))
        return findings

    @staticmethod
    def _acknowledged_above(root: IConstruct, stack_paths: list[str]) -> dict[str, frozenset[str]] | None:
        """Rules acknowledged on the constructs above the stacks (the app, its stages), whose
        metadata no stack's file holds: a few jsii reads, one per construct. None when a path
        does not lead to a construct."""
        found: dict[str, frozenset[str]] = {"": _metadata_ids(root)}
        for stack_path in stack_paths:
            node, walked = root, ""
            for part in stack_path.split("/")[:-1]:
                walked = f"{walked}/{part}" if walked else part
                child = node.node.try_find_child(part)
                if child is None:
                    return None
                node = child
                if walked not in found:
                    found[walked] = _metadata_ids(node)
        return found


def _metadata_ids(construct: IConstruct) -> frozenset[str]:
    return acknowledged_ids([{"type": e.type, "data": e.data} for e in construct.node.metadata])
