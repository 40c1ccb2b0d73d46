"""Image Builder workflow documents checked at synth, the sibling of :mod:`toe_document`: a
workflow without steps, a misspelled step action or a reference to an undeclared parameter fails
``cdk synth`` at its line instead of the first build.

What it encodes, and where AWS says so:

- the document ("Create a YAML workflow document",
  https://docs.aws.amazon.com/imagebuilder/latest/userguide/image-workflow-create-document.html):
  ``schemaVersion`` (1.0) is required; ``name`` and ``description`` are optional; ``parameters``
  (each with ``name`` and ``type``, one of string, integer, boolean, stringList; ``default`` and
  ``description`` optional; without a default the value is required at run time) may be left out;
  ``steps``: "up to 15 step actions", run in order; ``outputs`` (``name`` and ``value``).
  A parameter is read as ``$.parameters.<name>``, an earlier step's output as
  ``$.stepOutputs.<step>.<output>``.
- a step's keys, as that page's step table lists them: ``name``, ``action``, ``description``,
  ``onFailure`` (Abort or Continue), ``rollbackEnabled``, ``timeoutSeconds``, ``if`` and
  ``inputs``. The content of ``if`` is not checked.
- a step name: ``^[A-Za-z][A-Za-z0-9-_]{1,99}$`` (``WorkflowStepMetadata.name``,
  https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_WorkflowStepMetadata.html).
- the step actions, from the topic list of "Supported step actions for your workflow document"
  (https://docs.aws.amazon.com/imagebuilder/latest/userguide/wfdoc-step-actions.html).
  ``CollectImageMetadata`` "is only valid for build workflows" (same page). Inconclusive: which
  other actions a type refuses was not read on that page, so they are left to Image Builder,
  which "validates the workflow document steps against the stage you specify" (CreateWorkflow,
  https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_CreateWorkflow.html).
- document size: 1 to 16,000 characters inline (``Data`` of ``AWS::ImageBuilder::Workflow``).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from typing import Any, Final

from .._core.limits import COMPONENT_DATA_MAX
from .._core.safe_yaml import Parsed, YamlRefused, parse
from .toe_document import DocumentChecker, Loc, _suggest


class WorkflowType(enum.Enum):
    """The image creation stage a workflow runs in (``Type`` of ``AWS::ImageBuilder::Workflow``)."""

    BUILD = "BUILD"
    TEST = "TEST"
    DISTRIBUTION = "DISTRIBUTION"


STEP_ACTIONS: Final = (
    *("ApplyImageConfigurations", "BootstrapInstanceForContainer", "CollectImageMetadata"),
    *("CollectImageScanFindings", "CreateImage", "DistributeImage", "ExecuteComponents"),
    *("ExecuteStateMachine", "LaunchInstance", "ModifyImageAttributes", "RegisterImage", "RunCommand"),
    *("RunSysPrep", "SanitizeInstance", "TerminateInstance", "WaitForAction", "WaitForSSMAgent"),
)
"""The step actions AWS's step actions page lists (see the module docstring)."""
_ONLY_IN: Final = {"CollectImageMetadata": WorkflowType.BUILD}
MAX_STEPS: Final = 15
PARAMETER_TYPES: Final = ("string", "integer", "boolean", "stringList")
WORKFLOW_DATA_MAX: Final = COMPONENT_DATA_MAX
_DOCUMENT_KEYS: Final = ("name", "description", "schemaVersion", "parameters", "steps", "outputs")
_STEP_KEYS: Final = ("name", "action", "description", "onFailure", "rollbackEnabled", "timeoutSeconds", "if", "inputs")
_PARAMETER_KEYS: Final = ("name", "type", "default", "description")
_ON_FAILURE: Final = ("Abort", "Continue")
_STEP_NAME_RE: Final = re.compile(r"[A-Za-z][A-Za-z0-9_-]{1,99}", re.ASCII)
_PARAMETER_REF_RE: Final = re.compile(r"\$\.parameters\.([A-Za-z0-9_-]+)", re.ASCII)
_STEP_REF_RE: Final = re.compile(r"\$\.stepOutputs\.([A-Za-z0-9_-]+)", re.ASCII)


class _Checker(DocumentChecker):
    def __init__(self, parsed: Parsed, kind: WorkflowType) -> None:
        super().__init__(parsed)
        self.kind = kind
        self.parameters: set[str] = set()

    def document(self, doc: Mapping[str, Any]) -> None:
        self.header(doc, _DOCUMENT_KEYS)
        self.declared(doc.get("parameters"))
        steps = doc.get("steps")
        if not isinstance(steps, list) or not steps:
            self.add(("steps",), "a workflow needs a 'steps' list with at least one step (LaunchInstance, ...)")
            return
        if len(steps) > MAX_STEPS:
            self.add(("steps",), f"{len(steps)} steps; a workflow has at most {MAX_STEPS}, so split it into two")
        seen: list[str] = []
        for s, step in enumerate(steps):
            self.step(("steps", s), step, seen)
        outputs = doc.get("outputs")
        if outputs is not None and not (
            isinstance(outputs, list) and all(isinstance(o, Mapping) and {"name", "value"} <= set(o) for o in outputs)
        ):
            self.add(("outputs",), "outputs is a list of '- name: ..., value: ...' entries")
        self.references(doc.get("outputs"), ("outputs",), seen)

    def declared(self, entries: Any) -> None:
        if entries is None:
            return
        if not isinstance(entries, list):
            self.add(("parameters",), "parameters is a list of '- name: ..., type: string' entries")
            return
        for i, entry in enumerate(entries):
            loc: Loc = ("parameters", i)
            if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
                self.add(loc, "each parameter is a mapping with 'name' and 'type'")
                continue
            for key in entry:
                if key not in _PARAMETER_KEYS:
                    self.add((*loc, str(key)), f"unknown key {key!r}; {_suggest(str(key), list(_PARAMETER_KEYS))}")
            name = entry["name"]
            if name in self.parameters:
                self.add((*loc, "name"), f"parameter {name!r} is declared twice; declare it once")
            self.parameters.add(name)
            if entry.get("type") not in PARAMETER_TYPES:
                hint = _suggest(str(entry.get("type")), list(PARAMETER_TYPES))
                self.add((*loc, "type"), f"type {entry.get('type')!r} is not a workflow parameter type; {hint}")

    def step(self, loc: Loc, step: Any, seen: list[str]) -> None:
        if not isinstance(step, Mapping):
            self.add(loc, "a step is a mapping with 'name', 'action' and 'inputs'")
            return
        for key in step:
            if key not in _STEP_KEYS:
                self.add((*loc, str(key)), f"unknown step key {key!r}; {_suggest(str(key), list(_STEP_KEYS))}")
        name = step.get("name")
        if not isinstance(name, str) or not _STEP_NAME_RE.fullmatch(name):
            self.add((*loc, "name"), f"step name {name!r} must be a letter, then 1 to 99 letters, digits, '-' or '_'")
        elif name in seen:
            self.add((*loc, "name"), f"step name {name!r} is also step {seen.index(name)}'s; name each once")
        action = step.get("action")
        if not isinstance(action, str) or action not in STEP_ACTIONS:
            self.add(
                (*loc, "action"),
                f"{action!r} is not a workflow step action; {_suggest(str(action), sorted(STEP_ACTIONS))}",
            )
        elif action in _ONLY_IN and _ONLY_IN[action] is not self.kind:
            self.add(
                (*loc, "action"), f"{action} runs only in {_ONLY_IN[action].value} workflows, not {self.kind.value}"
            )
        on_failure = step.get("onFailure")
        if on_failure is not None and on_failure not in _ON_FAILURE:
            self.add((*loc, "onFailure"), f"{on_failure!r} is not one of {', '.join(_ON_FAILURE)}")
        timeout = step.get("timeoutSeconds")
        if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 1):
            self.add((*loc, "timeoutSeconds"), f"{timeout!r} is not a whole number of seconds of at least 1")
        if "rollbackEnabled" in step and not isinstance(step["rollbackEnabled"], bool):
            self.add((*loc, "rollbackEnabled"), f"{step['rollbackEnabled']!r} is not true or false")
        self.references({k: v for k, v in step.items() if k in ("inputs", "if")}, loc, seen)
        if isinstance(name, str):
            seen.append(name)

    def references(self, node: Any, loc: Loc, earlier: list[str]) -> None:
        """``$.parameters.x`` names a declared parameter; ``$.stepOutputs.s`` an earlier step."""
        if isinstance(node, Mapping):
            for key, value in node.items():
                self.references(value, (*loc, str(key)), earlier)
        elif isinstance(node, list):
            for i, value in enumerate(node):
                self.references(value, (*loc, i), earlier)
        elif isinstance(node, str):
            for ref in _PARAMETER_REF_RE.findall(node):
                if ref not in self.parameters:
                    self.add(loc, f"'$.parameters.{ref}' names no parameter; declare {ref!r} under parameters")
            for ref in _STEP_REF_RE.findall(node):
                if ref not in earlier:
                    self.add(
                        loc, f"'$.stepOutputs.{ref}' names no earlier step; a step reads the outputs of steps before it"
                    )


def check_workflow_document(text: str, source: str, kind: WorkflowType) -> dict[str, Any]:
    """Parse ``text`` as an Image Builder workflow document of type ``kind`` and check it; raise
    ``ValueError`` listing every problem as ``workflows: <source>:<line>: <key path>: <message>``."""
    if not 1 <= len(text) <= WORKFLOW_DATA_MAX:
        raise ValueError(
            f"workflows: {source} is {len(text)} characters; Image Builder takes 1 to {WORKFLOW_DATA_MAX} inline, "
            "so move steps into a second workflow"
        )
    try:
        parsed = parse(text)
    except YamlRefused as error:
        raise ValueError(f"workflows: {source}:{error.line or 1}: {error.reason}; fix the document") from None
    document = parsed.data
    if not isinstance(document, dict):
        raise ValueError(f"workflows: {source}:1: not a YAML mapping; a workflow has 'schemaVersion: 1.0' and 'steps'")
    checker = _Checker(parsed, kind)
    checker.document(document)
    if checker.problems:
        raise ValueError(
            "\n".join(f"workflows: {source}:{line}: {message}" for line, message in sorted(checker.problems))
        )
    return document
