"""The platform (Linux or Windows) of each image of the factory file, and the components that
run on the other one: a rule across fields, reported at the component's key."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._core.enums import Platform
from ..bake.component import Component, platform_by_name
from .base_specs import OS_BY_NAME

Loc = tuple[str | int, ...]


def image_platforms(images: list[Any]) -> dict[str, Platform]:
    """Each image's platform, from the raw entries: an os base's, an import's ``platform``, else the
    base's ``platform`` key (default Linux); a layer takes its parent's."""
    by_name = {r["name"]: r for r in images if isinstance(r, Mapping) and isinstance(r.get("name"), str)}
    found: dict[str, Platform] = {}

    def of(name: str, seen: frozenset[str]) -> Platform | None:
        raw = by_name.get(name)
        if name in found or raw is None:
            return found.get(name)
        base, parent = raw.get("base"), raw.get("parent")
        result: Platform | None = None
        if isinstance(base, Mapping):
            made = base.get("import") or base.get("import_")
            chosen = made.get("platform") if isinstance(made, Mapping) else base.get("platform")
            os_name = base.get("os")
            if isinstance(os_name, str) and os_name in OS_BY_NAME:
                result = OS_BY_NAME[os_name].platform
            else:
                result = Platform(chosen if isinstance(chosen, str) else "Linux")
        elif isinstance(parent, str) and parent not in seen:
            result = of(parent, seen | {parent})
        if result is not None:
            found[name] = result
        return result

    for name in by_name:
        of(name, frozenset({name}))
    return found


def platform_problems(images: list[Any], base_dir: Path | None) -> list[tuple[Loc, str]]:
    """A component of the other platform than its image's: an AWS-managed or Marketplace one by the
    platform its name says, an own document (file or inline) that is valid for the other platform only."""
    problems: list[tuple[Loc, str]] = []
    try:
        platforms = image_platforms(images)
    except ValueError:
        return problems  # a bad platform value is a field error
    for i, raw in enumerate(images):
        platform = platforms.get(str(raw.get("name"))) if isinstance(raw, Mapping) else None
        components = raw.get("components") if isinstance(raw, Mapping) else None
        if platform is None or not isinstance(components, list):
            continue
        for j, entry in enumerate(components):
            if not isinstance(entry, Mapping):
                continue
            market = entry.get("marketplace")
            name = entry.get("aws") or (market.get("name") if isinstance(market, Mapping) else None)
            key = "aws" if entry.get("aws") else "marketplace"
            if isinstance(name, str):
                runs = platform_by_name(name)
                if runs is not None and runs is not platform:
                    problems.append(
                        (
                            ("images", i, "components", j, key),
                            f"{name!r} runs on {runs.value}, but the image is {platform.value} (its base's or its "
                            f"parent's); use its {platform.value} counterpart, for example "
                            f"'update-{platform.value.lower()}'",
                        )
                    )
                continue
            other = Platform.LINUX if platform is Platform.WINDOWS else Platform.WINDOWS
            problem = _valid_for(entry, base_dir, platform)
            if problem is None or _valid_for(entry, base_dir, other) is not None:
                continue  # valid here, or invalid for both (the document's own problems are field errors)
            if problem is not None:
                where = "file" if entry.get("file") is not None else "inline"
                first = problem.splitlines()[0].removeprefix("components: ")
                problems.append(
                    (
                        ("images", i, "components", j, where),
                        f"the document runs on {other.value}, but the image is {platform.value} (its base's or its "
                        f"parent's): {first}",
                    )
                )
    return problems


def _valid_for(entry: Mapping[str, Any], base_dir: Path | None, platform: Platform) -> str | None:
    """None when the own document of ``entry`` checks for ``platform`` (or there is none to check),
    else the checker's message."""
    if entry.get("name") is not None and not isinstance(entry.get("name"), str):
        return None  # a field error
    try:
        if isinstance(entry.get("file"), str) and base_dir is not None:
            if (base_dir / entry["file"]).is_file():
                Component.from_file(base_dir / entry["file"], name=entry.get("name"), platform=platform)
        elif isinstance(entry.get("inline"), str | Mapping) and isinstance(entry.get("name"), str):
            Component.from_inline(entry["name"], entry["inline"], platform=platform)
    except (ValueError, OSError) as error:
        return str(error)
    return None
