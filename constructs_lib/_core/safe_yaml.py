"""Reading YAML that may be hostile: the file's size is checked before it is read, and the
document is composed with anchors and aliases refused (an alias bomb expands exponentially),
nesting bounded (deep nesting exhausts Python's stack), duplicate and empty keys reported with
their lines, and numbers too long to be a setting reported by key instead of being converted.

Everything here is pure: problems come back as ``(key path, line, message)`` so that each front
end (the factory file, a component document) can prefix them in its own way.
"""

from __future__ import annotations

import dataclasses
import os
import stat
from pathlib import Path
from typing import Any, Final

import yaml

MAX_DEPTH: Final = 40
"""Nesting deeper than this is refused: no factory file or component document needs it."""
MAX_NUMBER_CHARS: Final = 40
"""A number written with more characters than this is no setting of AWS's; refused by key."""
_STR: Final = "tag:yaml.org,2002:str"
_NUMBER_TAGS: Final = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")

Path_ = tuple[str | int, ...]


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Parsed:
    """A YAML document read safely: its data, each key path's line, each unquoted number's text as
    written, and the problems found (the data is still usable where they allow)."""

    data: Any
    lines: dict[Path_, int]
    numbers: dict[Path_, str]
    problems: tuple[tuple[Path_, int, str], ...]


class YamlRefused(ValueError):
    """The text cannot be read as YAML at all: ``line`` (1-based, 0 if unknown) and why."""

    def __init__(self, line: int, reason: str) -> None:
        self.line = line
        self.reason = reason
        super().__init__(f"line {line}: {reason}" if line else reason)


def read_bounded(path: Path, limit: int) -> str:
    """The text of ``path``, refused before reading when it is not a regular file or is larger
    than ``limit`` bytes (``/dev/zero`` or a FIFO would otherwise be read until memory runs out).
    Raises :class:`OSError` when unreadable and :class:`ValueError` with the reason otherwise."""
    with open(path, "rb") as handle:  # opened first, so the checks are on the file actually read
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("is not a regular file; give the path of a YAML file")
        if info.st_size > limit:
            raise ValueError(f"is {info.st_size} bytes, over the {limit} this reads; split it or fix the path")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"grew past {limit} bytes while being read; give a file that does not change")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"is not UTF-8 text (byte {error.start}); save it as UTF-8") from None


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses anchors and aliases and bounds nesting while composing."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise YamlRefused(
                event.start_mark.line + 1,
                f"alias *{event.anchor} is not supported (aliases can expand without bound); write the value out",
            )
        event = self.peek_event()  # type: ignore[no-untyped-call]
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise YamlRefused(
                event.start_mark.line + 1, f"anchor &{anchor} is not supported; write the value out where it is used"
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise YamlRefused(
                    event.start_mark.line + 1, f"nested more than {MAX_DEPTH} levels deep; flatten the document"
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def parse(text: str) -> Parsed:
    """Compose ``text`` safely, check its keys and numbers, then construct its data.

    Raises :class:`YamlRefused` when the text is not YAML, holds more than one document, uses an
    anchor or alias, or nests too deep."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    except YamlRefused:
        raise
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        reason = getattr(error, "problem", None) or str(error)
        raise YamlRefused(mark.line + 1 if mark else 0, f"not valid YAML ({reason})") from None
    except RecursionError:  # pragma: no cover - bounded by MAX_DEPTH first
        raise YamlRefused(0, f"nested more than {MAX_DEPTH} levels deep; flatten the document") from None
    finally:
        loader.dispose()
    lines: dict[Path_, int] = {}
    numbers: dict[Path_, str] = {}
    problems: list[tuple[Path_, int, str]] = []

    def walk(node: yaml.Node, path: Path_) -> None:
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key, value in node.value:
                line = key.start_mark.line + 1
                if not isinstance(key, yaml.ScalarNode):
                    problems.append((path, line, "a key must be a plain word, not a list or mapping; rename it"))
                    key.tag, key.value = _STR, "?"
                    continue
                if key.tag != _STR:  # `1: x` or `true: x` would become a number or a boolean
                    key.tag = _STR
                name = str(key.value)
                child = (*path, name)
                if not name.strip():
                    problems.append((child, line, "empty key; give the key a name or remove the entry"))
                elif name in first:
                    problems.append(
                        (child, line, f"key {name!r} is given twice (lines {first[name]} and {line}); keep one")
                    )
                else:
                    first[name] = line
                lines[child] = line
                walk(value, child)
                lines[child] = line
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, (*path, index))
        elif isinstance(node, yaml.ScalarNode) and node.tag in _NUMBER_TAGS:
            numbers[path] = str(node.value)
            if len(str(node.value)) > MAX_NUMBER_CHARS:
                problems.append(
                    (
                        path,
                        node.start_mark.line + 1,
                        f"a number of {len(str(node.value))} characters is no setting; "
                        f"write at most {MAX_NUMBER_CHARS}",
                    )
                )
                node.tag = _STR

    if root is None:
        return Parsed(data=None, lines={(): 1}, numbers={}, problems=())
    walk(root, ())
    constructor = yaml.SafeLoader("")
    try:
        data = constructor.construct_document(root)
    except (yaml.YAMLError, ValueError) as error:  # a timestamp or a binary that does not convert
        mark = getattr(error, "problem_mark", None)
        raise YamlRefused(mark.line + 1 if mark else 0, f"a value does not convert ({error})") from None
    finally:
        constructor.dispose()
    return Parsed(data=data, lines=lines, numbers=numbers, problems=tuple(problems))
