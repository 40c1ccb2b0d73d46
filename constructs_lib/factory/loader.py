"""Reading a factory file: YAML to the model, with every problem reported as
``file:line: key.path: message`` (lines mapped from the YAML nodes), all at once."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from .model import FactoryModel


class FactoryFileError(ValueError):
    """Every problem in a factory file, one line each: ``file:line: key.path: message``."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def _lines(text: str) -> dict[tuple[str | int, ...], int]:
    """Key path -> 1-based line of every node in a YAML document (best effort)."""
    found: dict[tuple[str | int, ...], int] = {}
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return found

    def walk(node: yaml.Node, path: tuple[str | int, ...]) -> None:
        found[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = (*path, str(key.value))
                found[child] = key.start_mark.line + 1
                walk(value, child)
                found[child] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, (*path, index))

    if root is not None:
        walk(root, ())
    return found


def _path(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _fields_at(loc: tuple[str | int, ...]) -> list[str]:
    """The keys a model accepts at ``loc`` (for suggesting a fix to a typo)."""
    model: Any = FactoryModel
    for part in loc:
        if isinstance(part, int):
            continue
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return []
        annotation = field.annotation
        candidates = [annotation, *getattr(annotation, "__args__", ())]
        for candidate in list(candidates):
            candidates += list(getattr(candidate, "__args__", ()))
        model = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
        if model is None:
            return []
    return list(getattr(model, "model_fields", {}))


def _message(error: Mapping[str, Any]) -> str:
    kind, loc = error["type"], tuple(error["loc"])
    if kind == "extra_forbidden":
        key = loc[-1]
        close = difflib.get_close_matches(str(key), _fields_at(loc[:-1]), n=1, cutoff=0.5)
        hint = f"did you mean {close[0]!r}?" if close else f"allowed: {', '.join(_fields_at(loc[:-1]))}"
        return f"unknown key {key!r}; {hint}"
    if kind == "missing":
        return f"required key {loc[-1]!r} is missing; add it"
    message = str(error["msg"])
    message = message.removeprefix("Value error, ")
    value = error.get("input")
    if kind not in ("value_error", "assertion_error") and not isinstance(value, dict | list):
        message += f" (got {value!r})"
    return message


def _locations(loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """Drop pydantic's union-member and validator tags from a location."""
    return tuple(p for p in loc if isinstance(p, int) or not (p[0].isupper() or "[" in p or p.startswith("function")))


def load_factory(path: str | Path) -> FactoryModel:
    """Read and check a factory file; raise :class:`FactoryFileError` with every problem."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise FactoryFileError([f"{file}: cannot read it ({error.strerror})"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{file}:{mark.line + 1}" if mark else str(file)
        raise FactoryFileError([f"{where}: not valid YAML ({getattr(error, 'problem', error)})"]) from None
    if not isinstance(data, dict):
        raise FactoryFileError([f"{file}:1: the file must be a mapping with at least 'images'"])
    lines = _lines(text)
    try:
        return FactoryModel.model_validate(data, context={"base_dir": file.parent})
    except ValidationError as error:
        problems = []
        seen = set()
        items = error.errors()
        # A union (a schedule mapping or 'on-demand') reports every branch; when a branch got
        # further than a literal mismatch, the literal's complaint is noise.
        deeper = {_locations(tuple(i["loc"])) for i in items if i["type"] != "literal_error"}
        for item in items:
            loc = _locations(tuple(item["loc"]))
            if item["type"] == "literal_error" and len(item["loc"]) > len(loc) and loc in deeper:
                continue
            line = next((lines[loc[:n]] for n in range(len(loc), -1, -1) if loc[:n] in lines), 1)
            problem = f"{file}:{line}: {_path(loc)}: {_message(item)}"
            if problem not in seen:
                seen.add(problem)
                problems.append(problem)
        raise FactoryFileError(problems) from None


def json_schema() -> dict[str, Any]:
    """The JSON schema of the factory file, for editors (see the README)."""
    schema = FactoryModel.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Golden AMI factory file"
    return schema
