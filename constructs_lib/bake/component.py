"""Build and test steps for an image: AWS-managed components and the team's own documents."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import yaml

from .._core.limits import COMPONENT_DATA_MAX, check_version

_MANAGED_NAME_RE: Final = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$", re.ASCII)
_OWN_NAME_RE: Final = re.compile(r"^[-_A-Za-z0-9]{1,100}$", re.ASCII)
_PHASES: Final = ("build", "validate", "test")


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Component:
    """One step list of an image recipe. Build one with a class method.

    An AWS-managed component (``Component.aws_managed("update-linux")``) is referenced by
    ARN. A document of the team's own (``Component.from_file`` or ``Component.from_inline``) is
    parsed and checked at synth and becomes an ``AWS::ImageBuilder::Component`` owned by the
    pipeline, named ``<image>-<name>``; its version comes from the version lock, starting at
    ``version`` and rising with every content change.
    """

    name: str
    description: str
    data: str | None = None
    version: str = "1.0.0"
    source: str = "inline"

    @property
    def is_managed(self) -> bool:
        """True for an AWS-managed component, referenced rather than created."""
        return self.data is None

    @classmethod
    def aws_managed(cls, name: str, version: str = "x.x.x") -> Component:
        """An AWS-managed component such as ``update-linux`` or ``aws-cli-version-2-linux``.

        Default version: ``x.x.x``, the newest AWS publishes, resolved at each build.
        """
        if not _MANAGED_NAME_RE.fullmatch(name):
            raise ValueError(
                f"components: {name!r} is not an AWS-managed component name; use the lowercase "
                "name the Image Builder console lists, for example 'update-linux'"
            )
        check_version(f"components[{name}].version", version, wildcards=True)
        return cls(name=name, description=f"AWS-managed {name}", version=version, source="aws")

    @classmethod
    def from_file(
        cls, path: str | Path, *, name: str | None = None, description: str | None = None, version: str = "1.0.0"
    ) -> Component:
        """A component document from a YAML file, read and checked now.

        Default name: the file name without extension. Default description: the document's
        ``description``, else ``name``. Default starting version: ``1.0.0``.
        """
        file = Path(path)
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as error:
            raise ValueError(
                f"components: cannot read {str(file)!r} ({error.strerror}); check the path, relative "
                "paths are taken from the directory 'cdk synth' runs in"
            ) from None
        return cls._parsed(name or file.stem, text, str(file), description, version)

    @classmethod
    def from_inline(
        cls,
        name: str,
        document: str | Mapping[str, Any],
        *,
        description: str | None = None,
        version: str = "1.0.0",
    ) -> Component:
        """A component document given as YAML text or as a mapping, checked now."""
        text = document if isinstance(document, str) else yaml.safe_dump(dict(document), sort_keys=False)
        return cls._parsed(name, text, f"inline component {name!r}", description, version)

    @classmethod
    def _parsed(cls, name: str, text: str, source: str, description: str | None, version: str) -> Component:
        if not _OWN_NAME_RE.fullmatch(name):
            raise ValueError(
                f"components.name: {name!r} cannot name a component; use up to 100 letters, digits, '-' "
                "and '_' (the pipeline prefixes it with the image name)"
            )
        check_version(f"components[{name}].version", version)
        document = parse_document(text, source)
        summary = description or str(document.get("description") or name)
        return cls(name=name, description=summary[:1024], data=text, version=version, source=source)


def parse_document(text: str, source: str) -> dict[str, Any]:
    """Parse and check an Image Builder component document; ``source`` names it in errors."""
    if not 1 <= len(text) <= COMPONENT_DATA_MAX:
        raise ValueError(
            f"components: {source} is {len(text)} characters; Image Builder accepts 1 to "
            f"{COMPONENT_DATA_MAX}, so split it into several components"
        )
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        raise ValueError(f"components: {source} is not valid YAML{where}: {problem}; fix the document") from None
    if not isinstance(document, dict):
        raise ValueError(
            f"components: {source} is not a YAML mapping; an Image Builder document has "
            "'name', 'schemaVersion: 1.0' and 'phases'"
        )
    phases = document.get("phases")
    if not isinstance(phases, list) or not phases:
        raise ValueError(
            f"components: {source} has no 'phases' list; add 'phases:' with at least one of "
            f"{', '.join(_PHASES)}, each with 'steps'"
        )
    for phase in phases:
        phase_name = phase.get("name") if isinstance(phase, dict) else None
        if phase_name not in _PHASES or not isinstance(phase.get("steps"), list):
            raise ValueError(
                f"components: {source} has a phase {phase_name!r} that is not one of "
                f"{', '.join(_PHASES)} with a 'steps' list; rename it or add its steps"
            )
    return document
