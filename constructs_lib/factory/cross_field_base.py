"""What the factory file's cross-field rules share: key paths and the region check."""

from __future__ import annotations

from .._core.targets import check_region

Loc = tuple[str | int, ...]


def dotted_path(loc: Loc) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else p) for i, p in enumerate(loc))


def valid_region(value: object) -> bool:
    try:
        check_region("region", value)  # type: ignore[arg-type]
    except (ValueError, TypeError):
        return False
    return True
