"""AWSTOE component documents checked at synth against AWS's published document rules, so that a
misspelled action (``ExecuteBsh``) fails ``cdk synth`` instead of an image build an hour later.

One checker for every platform: components for Linux today, Windows components and workflows
later. What it encodes, and where AWS says so:

- the document: ``schemaVersion`` (1.0) and ``phases`` are required; ``name``, ``description``,
  ``parameters`` and ``constants`` are optional. Phases are ``build``, ``validate`` and ``test``
  (Image Builder also runs ``container-host-test``); each phase has ``steps``.
  https://docs.aws.amazon.com/imagebuilder/latest/userguide/toe-use-documents.html
- a step: ``name``, ``action`` and ``inputs``, with ``timeoutSeconds``, ``onFailure`` (Abort,
  Continue, Ignore), ``maxAttempts``, ``loop`` and ``if``. Same page; loops:
  https://docs.aws.amazon.com/imagebuilder/latest/userguide/image-builder-looping-constructs.html
  (``for`` with start, end, updateBy, or ``forEach``). ``if`` is accepted without a check of its
  content: its page was not verified.
- the action modules and their platforms:
  https://docs.aws.amazon.com/imagebuilder/latest/userguide/toe-action-modules.html
  (``ExecuteBash``: "This module supports Linux."; ``ExecutePowerShell``: "supports the Windows
  platform and Windows PowerShell"; the owner and permission modules: "not supported on Windows
  platforms"; ``InstallMSI``, ``UninstallMSI``, ``SetRegistry``: Windows). The list is the
  June 2023 page plus ``Assert`` from the current one; modules AWS added later are refused until
  added here, and macOS is accepted only where the page says so (Assert) or where a module names no
  platform.
- required inputs, only where the page's input table says "Required: Yes" and was read
  (ExecuteBash ``commands``; ExecuteBinary ``path``; ExecutePowerShell ``commands`` or ``file``;
  S3Download, S3Upload, WebDownload, CopyFile, CopyFolder: each item ``source`` and
  ``destination``; AppendFile: each item ``path``).
- ``parameters`` and ``constants``: each ``- name: {type: string, ...}``; ``type`` is required and
  ``string`` is the one type AWSTOE supports ("Use variables in your custom component document",
  https://docs.aws.amazon.com/imagebuilder/latest/userguide/toe-user-defined-variables.html). The
  API's ``ComponentParameterDetail`` pattern also names Integer, Boolean and StringList, but says
  "The currently supported value is string", so the checker holds to ``string``.
- ``{{ name }}`` expressions: a one-word name must be a declared parameter or constant;
  ``loop.*`` and chained ``phase.step.outputs.*`` references are accepted as written.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any, Final

from .._core.enums import Platform
from .._core.safe_yaml import Parsed, YamlRefused, parse

_L, _W, _M = Platform.LINUX, Platform.WINDOWS, Platform.MACOS
_ALL: Final = frozenset({_L, _W, _M})
_LINUX_WINDOWS: Final = frozenset({_L, _W})
ACTION_MODULES: Final[Mapping[str, frozenset[Platform]]] = {
    "Assert": _ALL,
    "ExecuteBash": frozenset({_L}),
    "ExecuteBinary": _ALL,
    "ExecuteDocument": _ALL,
    "ExecutePowerShell": frozenset({_W}),
    "S3Download": _ALL,
    "S3Upload": _ALL,
    "WebDownload": _ALL,
    **{
        m: _ALL
        for m in (
            "AppendFile",
            "CopyFile",
            "CopyFolder",
            "CreateFile",
            "CreateFolder",
            "DeleteFile",
            "DeleteFolder",
            "ListFiles",
            "MoveFile",
            "MoveFolder",
            "ReadFile",
            "SetFileEncoding",
        )
    },
    **{
        m: frozenset({_L, _M})
        for m in ("CreateSymlink", "SetFileOwner", "SetFolderOwner", "SetFilePermissions", "SetFolderPermissions")
    },
    "InstallMSI": frozenset({_W}),
    "UninstallMSI": frozenset({_W}),
    "Reboot": _LINUX_WINDOWS,
    "SetRegistry": frozenset({_W}),
    "UpdateOS": _LINUX_WINDOWS,
}
"""AWSTOE's action modules and the platforms each supports (see the module docstring)."""
PHASES: Final = ("build", "validate", "test", "container-host-test")
_DOCUMENT_KEYS: Final = ("name", "description", "schemaVersion", "phases", "parameters", "constants")
_STEP_KEYS: Final = ("name", "action", "timeoutSeconds", "onFailure", "maxAttempts", "inputs", "loop", "if")
_ON_FAILURE: Final = ("Abort", "Continue", "Ignore")
_NO_INPUTS: Final = frozenset({"Reboot", "UpdateOS"})  # every input of theirs is optional
_EACH_ITEM: Final[Mapping[str, tuple[str, ...]]] = {
    **{m: ("source", "destination") for m in ("S3Download", "S3Upload", "WebDownload", "CopyFile", "CopyFolder")},
    "AppendFile": ("path",),
}
_EXPRESSION_RE: Final = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_REFERENCE_RE: Final = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*)\s*", re.ASCII)
_STEP_NAME_RE: Final = re.compile(r"[A-Za-z0-9_-]{1,128}", re.ASCII)

Loc = tuple[str | int, ...]


def _dotted(loc: Loc) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else p) for i, p in enumerate(loc)) or "(top)"


def _suggest(value: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else f"use one of {', '.join(choices)}"


class DocumentChecker:
    """What the component and the workflow document checkers share: problems by line (the line of
    the nearest key path the parser saw), starting with the parser's own (a duplicate key), and the
    document's own keys and schema version."""

    def __init__(self, parsed: Parsed) -> None:
        self.lines = parsed.lines
        self.problems: list[tuple[int, str]] = [(line, f"{_dotted(loc)}: {m}") for loc, line, m in parsed.problems]

    def add(self, loc: Loc, message: str) -> None:
        line = next((self.lines[loc[:n]] for n in range(len(loc), -1, -1) if loc[:n] in self.lines), 1)
        self.problems.append((line, f"{_dotted(loc)}: {message}"))

    def header(self, doc: Mapping[str, Any], keys: tuple[str, ...]) -> None:
        """Unknown top-level keys (with a suggestion) and a schema version other than 1.0."""
        for key in doc:
            if key not in keys:
                self.add((str(key),), f"unknown key {key!r}; {_suggest(str(key), list(keys))}")
        if str(doc.get("schemaVersion")) not in ("1.0", "1"):
            self.add(
                ("schemaVersion",), f"schemaVersion {doc.get('schemaVersion')!r} is not 1.0; write schemaVersion: 1.0"
            )


class _Checker(DocumentChecker):
    def __init__(self, parsed: Parsed, platform: Platform) -> None:
        super().__init__(parsed)
        self.platform = platform
        self.names: set[str] = set()

    def document(self, doc: Mapping[str, Any]) -> None:
        self.header(doc, _DOCUMENT_KEYS)
        self.declared(doc, "parameters")
        self.declared(doc, "constants")
        phases = doc.get("phases")
        if not isinstance(phases, list) or not phases:
            self.add(("phases",), f"a document needs a 'phases' list with at least one of {', '.join(PHASES[:3])}")
            return
        for p, phase in enumerate(phases):
            self.phase(p, phase)
        self.expressions(doc, ())

    def declared(self, doc: Mapping[str, Any], key: str) -> None:
        entries = doc.get(key)
        if entries is None:
            return
        if not isinstance(entries, list):
            self.add((key,), f"{key} must be a list of '- name: {{type: string, ...}}' entries")
            return
        for i, entry in enumerate(entries):
            if not isinstance(entry, Mapping) or len(entry) != 1:
                self.add((key, i), f"each of {key} is one mapping '- name: {{type: string, ...}}'")
                continue
            name, spec = next(iter(entry.items()))
            self.names.add(str(name))
            kind = spec.get("type") if isinstance(spec, Mapping) else None
            if kind != "string":
                self.add((key, i, str(name)), f"type {kind!r} is not one AWSTOE supports; write type: string")

    def phase(self, p: int, phase: Any) -> None:
        if not isinstance(phase, Mapping):
            self.add(("phases", p), "a phase is a mapping with 'name' and 'steps'")
            return
        name = phase.get("name")
        if name not in PHASES:
            self.add(
                ("phases", p, "name"), f"phase {name!r} is not an AWSTOE phase; {_suggest(str(name), list(PHASES))}"
            )
        steps = phase.get("steps")
        if not isinstance(steps, list):
            self.add(("phases", p, "steps"), "a phase needs a 'steps' list")
            return
        seen: dict[str, int] = {}
        for s, step in enumerate(steps):
            loc: Loc = ("phases", p, "steps", s)
            if not isinstance(step, Mapping):
                self.add(loc, "a step is a mapping with 'name', 'action' and 'inputs'")
                continue
            step_name = step.get("name")
            if not isinstance(step_name, str) or not _STEP_NAME_RE.fullmatch(step_name):
                self.add((*loc, "name"), f"step name {step_name!r} must be 1 to 128 letters, digits, '-' or '_'")
            elif step_name in seen:
                self.add((*loc, "name"), f"step name {step_name!r} is also step {seen[step_name]}'s; name each once")
            else:
                seen[step_name] = s
            self.step(loc, step)

    def step(self, loc: Loc, step: Mapping[str, Any]) -> None:
        for key in step:
            if key not in _STEP_KEYS:
                self.add((*loc, str(key)), f"unknown step key {key!r}; {_suggest(str(key), list(_STEP_KEYS))}")
        action = step.get("action")
        if not isinstance(action, str) or action not in ACTION_MODULES:
            hint = _suggest(str(action), sorted(ACTION_MODULES))
            self.add((*loc, "action"), f"{action!r} is not an AWSTOE action module; {hint}")
        elif self.platform not in ACTION_MODULES[action]:
            fits = ", ".join(sorted(p.value for p in ACTION_MODULES[action]))
            other = {"ExecuteBash": " (use ExecutePowerShell)", "ExecutePowerShell": " (use ExecuteBash)"}.get(
                action, ""
            )
            self.add((*loc, "action"), f"{action} runs on {fits}, not on {self.platform.value}{other}")
        else:
            self.inputs(loc, action, step)
        on_failure = step.get("onFailure")
        if on_failure is not None and on_failure not in _ON_FAILURE and "{{" not in str(on_failure):
            self.add((*loc, "onFailure"), f"{on_failure!r} is not one of {', '.join(_ON_FAILURE)}")
        for key, low in (("timeoutSeconds", -1), ("maxAttempts", 1)):
            value = step.get(key)
            whole = isinstance(value, int) and not isinstance(value, bool) and value >= low
            if value is not None and not whole and "{{" not in str(value):
                self.add((*loc, key), f"{value!r} is not a whole number of at least {low}")
        if "loop" in step:
            self.loop((*loc, "loop"), step["loop"])

    def inputs(self, loc: Loc, action: str, step: Mapping[str, Any]) -> None:
        inputs = step.get("inputs")
        if inputs is None:
            if action not in _NO_INPUTS:
                self.add((*loc, "inputs"), f"{action} needs 'inputs'; add them (see the module's page)")
            return
        at = (*loc, "inputs")
        if action in ("ExecuteBash", "ExecutePowerShell", "ExecuteBinary"):
            if not isinstance(inputs, Mapping):
                self.add(at, f"{action} takes a mapping of inputs")
                return
            if action == "ExecuteBinary" and not isinstance(inputs.get("path"), str):
                self.add(at, "ExecuteBinary needs 'path', the binary to run")
            if action == "ExecuteBash" and not isinstance(inputs.get("commands"), list):
                self.add(at, "ExecuteBash needs 'commands', a list of commands")
            if action == "ExecutePowerShell" and ("commands" in inputs) == ("file" in inputs):
                self.add(at, "ExecutePowerShell needs exactly one of 'commands' (a list) or 'file' (a .ps1 path)")
        elif action in _EACH_ITEM:
            if not isinstance(inputs, list) or not inputs:
                self.add(at, f"{action} takes a list of items, each with {' and '.join(_EACH_ITEM[action])}")
                return
            for i, item in enumerate(inputs):
                missing = [k for k in _EACH_ITEM[action] if not isinstance(item, Mapping) or k not in item]
                if missing:
                    self.add((*at, i), f"{action} item needs {' and '.join(missing)}")

    def loop(self, loc: Loc, loop: Any) -> None:
        if not isinstance(loop, Mapping) or ("for" in loop) == ("forEach" in loop):
            self.add(loc, "a loop has exactly one of 'for' (start, end, updateBy) or 'forEach' (a list)")
            return
        for key in loop:
            if key not in ("name", "for", "forEach"):
                self.add((*loc, str(key)), f"unknown loop key {key!r}; use name, for or forEach")
        if "for" in loop:
            bounds = loop["for"]
            missing = [k for k in ("start", "end", "updateBy") if not isinstance(bounds, Mapping) or k not in bounds]
            if missing:
                self.add((*loc, "for"), f"'for' needs {', '.join(missing)}")
        elif not isinstance(loop["forEach"], list | str | Mapping):
            self.add((*loc, "forEach"), "'forEach' is a list, a delimited string or {list, delimiter}")

    def expressions(self, node: Any, loc: Loc) -> None:
        if isinstance(node, Mapping):
            for key, value in node.items():
                self.expressions(value, (*loc, str(key)))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                self.expressions(value, (*loc, i))
        elif isinstance(node, str) and "{{" in node:
            text = _EXPRESSION_RE.sub("", node)
            if "{{" in text:
                self.add(loc, "a '{{' has no closing '}}'; close the expression")
            for inner in _EXPRESSION_RE.findall(node):
                found = _REFERENCE_RE.fullmatch(inner)
                if not found:
                    self.add(
                        loc,
                        f"'{{{{{inner}}}}}' is not a reference; write {{{{ name }}}} or {{{{ phase.step.outputs.x }}}}",
                    )
                elif "." not in found.group(1) and found.group(1) not in self.names:
                    ref = found.group(1)
                    self.add(loc, f"'{{{{ {ref} }}}}' names no parameter or constant; declare {ref!r} under parameters")


_PSEUDO_REFERENCE_RE: Final = re.compile(r"\$\{AWS::[A-Za-z]+\}", re.ASCII)


def _pseudo_references(checker: _Checker, node: Any, loc: Loc) -> None:
    """A CloudFormation pseudo parameter written into a document (``${AWS::AccountId}``) is never
    substituted: the document reaches the template as a plain string, and cfn-lint and the CDK's
    CloudFormation validation refuse an embedded parameter outside ``Fn::Sub`` (found by the long
    fuzz run). AWSTOE's own variables are written ``{{ name }}``."""
    if isinstance(node, str):
        found = _PSEUDO_REFERENCE_RE.search(node)
        if found:
            checker.add(
                loc,
                f"{found.group()} is a CloudFormation reference, which nothing substitutes in a component "
                "document; pass the value as a component parameter ({{ name }}) or read it on the instance",
            )
    elif isinstance(node, dict):
        for key, value in node.items():
            _pseudo_references(checker, value, (*loc, str(key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _pseudo_references(checker, value, (*loc, index))


def check_document(text: str, source: str, platform: Platform = Platform.LINUX) -> dict[str, Any]:
    """Parse ``text`` as an AWSTOE component document and check it for ``platform``; raise
    ``ValueError`` listing every problem as ``components: <source>:<line>: <key path>: <message>``."""
    try:
        parsed = parse(text)
    except YamlRefused as error:
        raise ValueError(f"components: {source}:{error.line or 1}: {error.reason}; fix the document") from None
    document = parsed.data
    if not isinstance(document, dict):
        raise ValueError(
            f"components: {source}:1: not a YAML mapping; an AWSTOE document has 'schemaVersion: 1.0' and 'phases'"
        )
    checker = _Checker(parsed, platform)
    checker.document(document)
    _pseudo_references(checker, document, ())
    if checker.problems:
        raise ValueError(
            "\n".join(f"components: {source}:{line}: {message}" for line, message in sorted(checker.problems))
        )
    return document
