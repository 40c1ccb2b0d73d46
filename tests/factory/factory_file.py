"""Write a factory file (and the files it names) into a test's directory and load it, or collect
the problems the loader reports, each from its line on (``8: images[0]...: message``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from constructs_lib.factory.loader import FactoryFileError, load_factory


def load(tmp_path: Path, text: str, files: Mapping[str, str] | None = None) -> Any:
    for name, body in (files or {}).items():
        (tmp_path / name).write_text(body)
    path = tmp_path / "factory.yaml"
    path.write_text(text)
    return load_factory(path)


def problems(tmp_path: Path, text: str, files: Mapping[str, str] | None = None) -> list[str]:
    with pytest.raises(FactoryFileError) as caught:
        load(tmp_path, text, files)
    return [p.split("factory.yaml:", 1)[1] for p in caught.value.problems]
