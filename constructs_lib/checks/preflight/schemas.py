"""CloudFormation's resource provider schemas, as cfn-lint ships them
(``cfnlint/data/schemas``: a provider index per region, a schema per resource type;
"Resource type schema",
https://docs.aws.amazon.com/cloudformation-cli/latest/userguide/resource-type-schema.html).

cfn-lint is a development dependency: where it is not installed, nothing here is known, and each
caller says what that means for it (the replacement guard falls back on the package's table,
``make policies`` stops with the install command).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any


@cache
def _root() -> Path | None:
    try:
        import cfnlint  # type: ignore[import-untyped]  # its schemas only
    except ImportError:
        return None
    return Path(cfnlint.__file__).parent / "data" / "schemas"


def available() -> bool:
    """Whether cfn-lint, and so the schemas, is installed."""
    return _root() is not None


@cache
def _index(region: str) -> dict[str, str]:
    root = _root()
    if root is None:
        return {}
    provider = root / "providers" / f"{region}.json"
    if not provider.exists():
        provider = root / "providers" / "us-east-1.json"
    index: dict[str, str] = json.loads(provider.read_text(encoding="utf-8"))
    return index


@cache
def resource_schema(resource_type: str, region: str = "us-east-1") -> dict[str, Any] | None:
    """The schema of ``resource_type`` as ``region`` has it; None when cfn-lint is not installed
    or knows no such type there."""
    root, index = _root(), _index(region)
    if root is None or resource_type not in index:
        return None
    schema: dict[str, Any] = json.loads(
        (root / "resources" / f"{index[resource_type]}.json").read_text(encoding="utf-8")
    )
    return schema
