"""Reading a factory file: YAML to the model, with every problem reported as
``file:line: key.path: message`` (lines mapped from the YAML nodes), all at once.

The file is read safely (:mod:`constructs_lib._core.safe_yaml`): its size is checked before it is
read, anchors and aliases are refused, nesting is bounded, and duplicate or empty keys and
over-long numbers are reported by key. Field errors and the rules across fields (unknown parent,
layer cycle, consumer image, region and instance type) are reported together, each at the line of
the entry it is about, wherever the fields a rule needs are themselves valid.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel, ValidationError

from .._core.safe_yaml import YamlRefused, parse, read_bounded
from .cross_field import cross_field_problems
from .model import FactoryModel

MAX_FILE_BYTES: Final = 1024 * 1024
"""A factory file larger than this is refused before it is read (the largest example is 10 KiB)."""
_PREFIX_RE: Final = re.compile(
    r"([a-z][a-z0-9_]*(?:\[[^\]]*\])?(?:\.[a-z][a-z0-9_]*(?:\[[^\]]*\])?)*): (.*)", re.ASCII | re.DOTALL
)
# The library's argument names that the factory file spells differently.
_FILE_KEYS: Final = {
    "expression": "cron",
    "base_image": "base",
    "launch_permission": "sharing",
    "device_name": "device",
    "volume_type": "type",
    "start_condition": "start",
    "subnet_id": "subnet",
    "subnet_ids": "subnets",
    "vpc_id": "vpc",
    "security_group_ids": "security_groups",
    "license_type": "license",
    "disk_format": "format",
    "s3_url": "s3",
}

Loc = tuple[str | int, ...]


class FactoryFileError(ValueError):
    """Every problem in a factory file, one line each: ``file:line: key.path: message``."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def _path(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _fields_at(loc: Loc) -> list[str]:
    """The keys a model accepts at ``loc``, as written in the file (``import``, not ``import_``),
    for suggesting a fix to a typo."""
    model: Any = FactoryModel
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(model, "model_fields", {})
        field = next((f for name, f in fields.items() if (f.alias or name) == part), None)
        if field is None:
            return []
        annotation = field.annotation
        candidates = [annotation, *getattr(annotation, "__args__", ())]
        for candidate in list(candidates):
            candidates += list(getattr(candidate, "__args__", ()))
        model = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
        if model is None:
            return []
    return [field.alias or name for name, field in getattr(model, "model_fields", {}).items()]


def _as_written(loc: Loc, message: str) -> tuple[Loc, str]:
    """Drop the library's argument name from a message (the key path says where), moving the
    path down to the file's key when the argument names one (``schedule.expression`` -> ``cron``)."""
    found = _PREFIX_RE.fullmatch(message)
    if not found:
        return loc, message
    prefix, rest = found.groups()
    if not loc and prefix.split(".", 1)[0].split("[", 1)[0] in _fields_at(()):
        # A rule on the whole model names its own path (accounts.stackset.call_as): point there.
        words = re.findall(r"([a-z_]+)|\[(\d+)\]", prefix, re.ASCII)
        return tuple(int(index) if index else word for word, index in words), rest
    last = prefix.rsplit(".", 1)[-1].split("[", 1)[0]
    key = _FILE_KEYS.get(last, last)
    here = _fields_at(loc)
    if key in here and (not loc or loc[-1] != key):
        return (*loc, key), rest
    # A check of the whole entry about one of its sub-entries' keys (base: import.license).
    below = [(child, key) for child in here if key in _fields_at((*loc, child))]
    if len(below) == 1:
        return (*loc, *below[0]), rest
    return loc, rest


def _message(error: Mapping[str, Any], loc: Loc, numbers: Mapping[Loc, str]) -> tuple[Loc, str]:
    kind = error["type"]
    if kind == "extra_forbidden":
        key = loc[-1]
        close = difflib.get_close_matches(str(key), _fields_at(loc[:-1]), n=1, cutoff=0.5)
        hint = f"did you mean {close[0]!r}?" if close else f"allowed: {', '.join(_fields_at(loc[:-1]))}"
        return loc, f"unknown key {key!r}; {hint}"
    if kind == "missing":
        return loc, f"required key {loc[-1]!r} is missing; add it"
    if kind == "string_type" and loc in numbers:
        written = numbers[loc]
        return loc, f"{written} is a number here; write it as a string: '{written}'"
    message = str(error["msg"]).removeprefix("Value error, ")
    if kind in ("value_error", "assertion_error"):
        return _as_written(loc, message)
    value = error.get("input")
    if not isinstance(value, dict | list):
        shown = repr(value)
        message += f" (got {shown if len(shown) <= 80 else shown[:77] + '...'})"
    return loc, message


def _locations(loc: Loc, data: Any) -> Loc:
    """Keep the parts of a pydantic location that are keys or indexes of the data, dropping the
    union-member and validator tags it adds (``ScheduleSpec``, ``function-after[...]``)."""
    kept: list[str | int] = []
    node: Any = data
    for part in loc:
        if isinstance(node, dict) and part in node:  # noqa: SIM114 - apart, mypy narrows each index
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        elif (isinstance(node, dict) and isinstance(part, str) and part[:1].isupper()) or "[" in str(part):
            continue
        else:
            node = None
        kept.append(part)
    return tuple(kept)


def _field_problems(
    error: ValidationError, data: Any, numbers: Mapping[Loc, str], known: set[Loc]
) -> list[tuple[Loc, str]]:
    found: list[tuple[Loc, str]] = []
    items = error.errors()
    # A union (a schedule mapping or 'on-demand') reports every branch; when a branch got
    # further than a literal mismatch, the literal's complaint is noise.
    deeper = {_locations(tuple(i["loc"]), data) for i in items if i["type"] != "literal_error"}
    for item in items:
        loc = _locations(tuple(item["loc"]), data)
        if (
            item["type"] == "literal_error"
            and len(item["loc"]) > len(loc)
            and any(d[: len(loc)] == loc for d in deeper)
        ):
            continue
        if any(loc[:n] in known for n in range(1, len(loc) + 1)):
            continue  # already reported by the reader (an empty key, a number too long)
        found.append(_message(item, loc, numbers))
    return found


def load_factory(path: str | Path, *, recorded: Mapping[str, Mapping[str, str]] | None = None) -> FactoryModel:
    """Read and check a factory file; raise :class:`FactoryFileError` with every problem.
    ``recorded``: the lock file's pipeline names per image, which consumers may name. Default:
    none, every image named as a new one."""
    file = Path(path)
    try:
        text = read_bounded(file, MAX_FILE_BYTES)
    except OSError as error:
        raise FactoryFileError([f"{file}: cannot read it ({error.strerror})"]) from None
    except ValueError as error:
        raise FactoryFileError([f"{file}: {error}"]) from None
    try:
        parsed = parse(text)
    except YamlRefused as error:
        raise FactoryFileError([f"{file}:{error.line or 1}: {error.reason}"]) from None
    data = parsed.data
    if not isinstance(data, dict):
        raise FactoryFileError([f"{file}:1: the file must be a mapping with at least 'images'"])
    lines = parsed.lines
    located: list[tuple[int, Loc, str]] = [(line, loc, message) for loc, line, message in parsed.problems]
    known = {loc for _, loc, _ in located}
    model: FactoryModel | None = None
    try:
        model = FactoryModel.model_validate(data, context={"base_dir": file.parent, "across": False})
    except ValidationError as error:
        for loc, message in _field_problems(error, data, parsed.numbers, known):
            located.append((_line(lines, loc), loc, message))
    for loc, message in cross_field_problems(data, file.parent, recorded):
        located.append((_line(lines, loc), loc, message))
    if model is None or located:
        located = _derived([_in_inline(p, lines, text.splitlines()) for p in located])
        problems: list[str] = []
        for line, loc, message in sorted(located, key=lambda p: p[0]):
            problem = f"{file}:{line}: {_path(loc)}: {message}"
            if problem not in problems:
                problems.append(problem)
        raise FactoryFileError(problems)
    return model


_UNKNOWN_IMAGE: Final = "is not an image of this file"


def _derived(located: list[tuple[int, Loc, str]]) -> list[tuple[int, Loc, str]]:
    """An image named nowhere may be one whose entry has a problem of its own (a misspelled
    ``name``): say so after each such reference, pointing at the entries in question."""
    broken = sorted(
        {
            loc[1]
            for _, loc, message in located
            if len(loc) >= 2 and loc[0] == "images" and _UNKNOWN_IMAGE not in message
        },
        key=str,
    )
    if not broken:
        return located
    hint = f" (this may follow from the problem at {', '.join(f'images[{i}]' for i in broken)}: fix that first)"
    return [(line, loc, message + hint if _UNKNOWN_IMAGE in message else message) for line, loc, message in located]


_INLINE_RE: Final = re.compile(r"inline component '[^']*':(\d+): (.*)", re.DOTALL)
_BLOCK_RE: Final = re.compile(r":\s*[|>][-+0-9]*\s*(#.*)?$")
_DOC_PATH_RE: Final = re.compile(r"([A-Za-z_]\w*(?:\[\d+\])*(?:\.[A-Za-z_]\w*(?:\[\d+\])*)*): ")


def _in_inline(problem: tuple[int, Loc, str], lines: Mapping[Loc, int], text: list[str]) -> tuple[int, Loc, str]:
    """A problem at a line of an inline component's document, moved to that line of the file:
    the ``inline:`` key's line plus the document's line for a block scalar (``|``, ``>``)."""
    _, loc, message = problem
    found = _INLINE_RE.fullmatch(message)
    key = (*loc, "inline")
    if found is None or key not in lines:
        return problem
    start = lines[key]
    if 0 < start <= len(text) and _BLOCK_RE.search(text[start - 1]) is not None:
        return start + int(found[1]), key, found[2]
    # A mapping: the document's key path (phases[0].steps[0].action) is a path of the file too.
    path = _DOC_PATH_RE.match(found[2])
    words = re.findall(r"([A-Za-z_]\w*)|\[(\d+)\]", path[1]) if path else []
    inner = tuple(int(index) if index else word for word, index in words)
    return lines.get((*key, *inner), start), key, found[2]


def _line(lines: Mapping[Loc, int], loc: Loc) -> int:
    return next((lines[loc[:n]] for n in range(len(loc), -1, -1) if loc[:n] in lines), 1)


def json_schema() -> dict[str, Any]:
    """The JSON schema of the factory file, for editors (see the README)."""
    schema = FactoryModel.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Golden AMI factory file"
    return schema
