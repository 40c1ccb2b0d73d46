"""Build and test steps for an image: AWS-managed components and the team's own documents."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import yaml

from .._core.enums import Platform
from .._core.limits import COMPONENT_DATA_MAX, check_version
from .._core.safe_yaml import read_bounded
from .toe_document import check_document

_MANAGED_NAME_RE: Final = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$", re.ASCII)
_OWN_NAME_RE: Final = re.compile(r"^[-_A-Za-z0-9]{1,100}$", re.ASCII)


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
        cls,
        path: str | Path,
        *,
        name: str | None = None,
        description: str | None = None,
        version: str = "1.0.0",
        platform: Platform = Platform.LINUX,
    ) -> Component:
        """A component document from a YAML file, read and checked now.

        Default name: the file name without extension. Default description: the document's
        ``description``, else ``name``. Default starting version: ``1.0.0``. Default platform:
        Linux (the document's action modules are checked against it).
        """
        file = Path(path)
        try:
            # Checked before reading: `/dev/zero` or a FIFO would otherwise be read without end.
            text = read_bounded(file, COMPONENT_DATA_MAX * 4)
        except OSError as error:
            raise ValueError(
                f"components: cannot read {str(file)!r} ({error.strerror}); check the path (a relative path "
                f"is taken from {Path.cwd()})"
            ) from None
        except ValueError as error:
            raise ValueError(f"components: {str(file)!r} {error}") from None
        return cls._parsed(name or file.stem, text, str(file), description, version, platform)

    @classmethod
    def from_inline(
        cls,
        name: str,
        document: str | Mapping[str, Any],
        *,
        description: str | None = None,
        version: str = "1.0.0",
        platform: Platform = Platform.LINUX,
    ) -> Component:
        """A component document given as YAML text or as a mapping, checked now for ``platform``."""
        text = document if isinstance(document, str) else yaml.safe_dump(dict(document), sort_keys=False)
        return cls._parsed(name, text, f"inline component {name!r}", description, version, platform)

    @classmethod
    def _parsed(
        cls, name: str, text: str, source: str, description: str | None, version: str, platform: Platform
    ) -> Component:
        if not _OWN_NAME_RE.fullmatch(name):
            raise ValueError(
                f"components.name: {name!r} cannot name a component; use up to 100 letters, digits, '-' "
                "and '_' (the pipeline prefixes it with the image name)"
            )
        check_version(f"components[{name}].version", version)
        document = parse_document(text, source, platform)
        summary = description or str(document.get("description") or name)
        return cls(name=name, description=summary[:1024], data=text, version=version, source=source)


def parse_document(text: str, source: str, platform: Platform = Platform.LINUX) -> dict[str, Any]:
    """Parse and check an Image Builder component document for ``platform`` (see
    :mod:`constructs_lib.bake.toe_document`); ``source`` names it in errors."""
    if not 1 <= len(text) <= COMPONENT_DATA_MAX:
        raise ValueError(
            f"components: {source} is {len(text)} characters; Image Builder accepts 1 to "
            f"{COMPONENT_DATA_MAX}, so split it into several components"
        )
    return check_document(text, source, platform)
