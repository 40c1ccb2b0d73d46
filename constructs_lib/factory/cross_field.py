"""The factory file's rules across fields, on its raw data: each problem is reported at the key path
of the offending entry, beside the field errors, wherever the fields a rule needs are valid."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

from .._core import derived
from .._core.enums import Architecture
from .._core.volumes import RootVolume
from ..pipeline.family import variant_names
from .base_specs import X86_ONLY
from .consumer_fields import consumer_problems
from .cross_field_base import Loc
from .fast_launch_specs import fast_launch_problems
from .notification_specs import notification_problems
from .platforms import image_platforms, platform_problems

_ARCHS = ("x86_64", "arm64")


def _image_architectures(images: list[Any]) -> dict[str, list[str]] | None:
    """Each image's architectures by the rule :meth:`FactoryModel.architectures` applies, from raw
    data; None when a field the rule needs is malformed (the field error says which)."""
    by_name: dict[str, Mapping[str, Any]] = {}
    for raw in images:
        if not isinstance(raw, Mapping) or not isinstance(raw.get("name"), str):
            return None
        archs, base = raw.get("architectures"), raw.get("base")
        if archs is not None and (not isinstance(archs, list) or not archs or any(a not in _ARCHS for a in archs)):
            return None
        if base is not None and (not isinstance(base, Mapping) or base.get("architecture") not in (None, *_ARCHS)):
            return None
        parent = raw.get("parent")
        if parent is not None and not isinstance(parent, str):
            return None
        by_name[raw["name"]] = raw
    found: dict[str, list[str]] = {}

    def of(name: str, seen: frozenset[str]) -> list[str]:
        if name not in found:
            raw = by_name[name]
            base = raw.get("base") or {}
            parent = raw.get("parent")
            if raw.get("architectures"):
                found[name] = list(raw["architectures"])
            elif parent in by_name and parent not in seen:
                found[name] = of(parent, seen | {name})
            elif base.get("architecture"):
                found[name] = [base["architecture"]]
            else:
                found[name] = ["x86_64"]
        return found[name]

    for name in by_name:
        of(name, frozenset({name}))
    return found


def _os_architecture_problems(images: list[Any], archs: dict[str, list[str]] | None) -> list[tuple[Loc, str]]:
    """An AWS-managed base offered for x86_64 only (RHEL, SUSE) asked for in another architecture."""
    problems: list[tuple[Loc, str]] = []
    for i, raw in enumerate(images):
        base = raw.get("base") if isinstance(raw, Mapping) else None
        os_name = base.get("os") if isinstance(base, Mapping) else None
        if archs is None or not isinstance(os_name, str) or os_name not in X86_ONLY or raw["name"] not in archs:
            continue
        others = [a for a in archs[raw["name"]] if a != "x86_64"]
        if others:
            why = X86_ONLY[os_name].format(arch=others[0])
            own = (
                "a Linux base for arm64"
                if os_name.startswith("windows")
                else "a base of your own (ami or ssm) for arm64"
            )
            problems.append(
                (
                    ("images", i, "architectures"),
                    f"{os_name} is offered for x86_64 only ({why}); build it for x86_64, or use {own}",
                )
            )
    return problems


def _image_problems(images: list[Any]) -> list[tuple[Loc, str]]:
    """Names given twice, unknown parents and layer cycles, each at the entry it is about."""
    problems: list[tuple[Loc, str]] = []
    index: dict[str, int] = {}
    for i, raw in enumerate(images):
        name = raw.get("name") if isinstance(raw, Mapping) else None
        if isinstance(name, str):
            if name in index:
                problems.append(
                    (("images", i, "name"), f"{name!r} is also images[{index[name]}]'s name; give each image its own")
                )
            else:
                index[name] = i
    for i, raw in enumerate(images):
        if isinstance(raw, Mapping) and (raw.get("base") is None) == (raw.get("parent") is None):
            given = "both" if raw.get("base") is not None else "neither"
            problems.append((("images", i), f"give exactly one of base or parent ({given} given)"))
    parents: dict[str, str] = {}
    for i, raw in enumerate(images):
        if not isinstance(raw, Mapping) or not isinstance(raw.get("parent"), str):
            continue
        parent = raw["parent"]
        if parent not in index:
            close = difflib.get_close_matches(parent, list(index), n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"images are: {', '.join(index) or 'none'}"
            problems.append((("images", i, "parent"), f"{parent!r} is not an image of this file; {hint}"))
        elif isinstance(raw.get("name"), str):
            parents[raw["name"]] = parent
    reported: set[str] = set()
    for start in parents:
        path = [start]
        while path[-1] in parents and parents[path[-1]] not in path:
            path.append(parents[path[-1]])
        if path[-1] in parents and not reported & set(path):
            cycle = path[path.index(parents[path[-1]]) :]
            reported |= set(cycle)
            first = min(cycle, key=lambda n: index[n])
            at = cycle.index(first)
            ring = [*cycle[at:], *cycle[:at], first]
            problems.append(
                (
                    ("images", index[first], "parent"),
                    f"{' -> '.join(ring)} form a cycle (each is layered on the next); give one of them "
                    "a base instead of a parent",
                )
            )
    return problems


def _layer_architectures(images: list[Any], archs: Mapping[str, list[str]]) -> list[tuple[Loc, str]]:
    """A layer builds on its parent's AMI of the same architecture, so it may name only
    architectures its parent builds (:class:`~constructs_lib.pipeline.family.ImageFamily`)."""
    problems: list[tuple[Loc, str]] = []
    for i, raw in enumerate(images):
        parent, own = raw.get("parent"), raw.get("architectures")
        if parent not in archs or not own:
            continue
        for arch in own:
            if arch not in archs[parent]:
                problems.append(
                    (
                        ("images", i, "architectures"),
                        f"{arch} is not built by its parent {parent!r} ({', '.join(archs[parent])}); add it to "
                        "the parent's architectures or drop it here",
                    )
                )
    return problems


def _root_sizes(images: list[Any]) -> list[tuple[Loc, str]]:
    """A layer's build starts from its parent's AMI, whose root snapshot is the parent's root volume;
    EC2 refuses a volume smaller than the snapshot it is made from ("If you specify volumeSize, it
    must be equal or greater than the size of the snapshot":
    https://docs.aws.amazon.com/cdk/api/v2/python/aws_cdk.aws_ec2/EbsDeviceSnapshotOptions.html;
    https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_EbsBlockDevice.html), so a layer's
    root_gib is at least its parent's. Left out, it is the parent's (:class:`ImageFamily`)."""
    given: dict[str, tuple[int, int | None]] = {}  # name -> (index, root_gib as written)
    parents: dict[str, str] = {}
    for i, raw in enumerate(images):
        if not isinstance(raw, Mapping) or not isinstance(raw.get("name"), str):
            continue
        volumes = raw.get("volumes")
        size = volumes.get("root_gib") if isinstance(volumes, Mapping) else None
        given[raw["name"]] = (i, size if isinstance(size, int) and not isinstance(size, bool) else None)
        if isinstance(raw.get("parent"), str):
            parents[raw["name"]] = raw["parent"]

    def effective(name: str, seen: frozenset[str] = frozenset()) -> int:
        _, size = given[name]
        if size is not None:
            return size
        parent = parents.get(name)
        if parent in given and parent not in seen:
            return effective(parent, seen | {name})
        return RootVolume().size_gib

    problems: list[tuple[Loc, str]] = []
    for name, parent in parents.items():
        index, size = given[name]
        if parent not in given or size is None:
            continue
        floor = effective(parent, frozenset({name}))
        if size < floor:
            problems.append(
                (
                    ("images", index, "volumes", "root_gib"),
                    f"{size} GiB is smaller than the root volume of its parent {parent!r} ({floor} GiB), whose "
                    f"snapshot the layer is built from; EC2 needs at least the snapshot's size: use {floor} or "
                    "more, or leave it out to take the parent's",
                )
            )
    return problems


def _derived_problems(
    images: list[Any], archs: dict[str, list[str]] | None, recorded: Mapping[str, Mapping[str, str]]
) -> list[tuple[Loc, str]]:
    """Values within their own rules that overflow a value the library makes from them (an AMI
    name, a description, an import's names): ``_core/derived.py``'s table, at the user's key."""
    problems: list[tuple[Loc, str]] = []

    def check(loc: Loc, rule: Callable[[], None]) -> None:
        try:
            rule()
        except ValueError as error:
            problems.append((loc, str(error).split(": ", 1)[1]))

    for i, raw in enumerate(images):
        if not isinstance(raw, Mapping) or not isinstance(raw.get("name"), str):
            continue
        name = raw["name"]
        found = (archs or {}).get(name) or ["x86_64"]
        # The longest pipeline name leaves the least room: one message, for it.
        named = variant_names(name, [Architecture(a) for a in found], recorded.get(name))
        variants = sorted(named.values(), key=len, reverse=True)
        check(("images", i, "name"), partial(derived.check_image_name, "name", variants[0], given=name))
        if isinstance(raw.get("description"), str):
            check(("images", i, "description"), partial(derived.check_description, "description", raw["description"]))
        base = raw.get("base")
        spec = base.get("import") if isinstance(base, Mapping) else None
        if isinstance(spec, Mapping) and isinstance(spec.get("s3"), str):
            check(("images", i, "base", "import", "s3"), partial(derived.check_import, "s3", spec["s3"], "name", name))
    return list(dict.fromkeys(problems))


def _needs_build_on_deploy(data: Mapping[str, Any], images: list[Any]) -> list[tuple[Loc, str]]:
    """With ``build_on_deploy: false`` no image exists when the factory's deploy ends: a fleet's
    latest-AMI parameter and a layer's parent image are written by the first build (preflight
    rules GA-P007 and GA-P008 say the same after a synth; this says it at the line, before one).
    Left out, it defaults to true for such a file (:class:`FactoryModel`)."""
    if data.get("build_on_deploy") is not False:
        return []
    where: Loc = ("build_on_deploy",)
    problems: list[tuple[Loc, str]] = []
    consumers = data.get("consumers")
    if isinstance(consumers, list) and consumers:
        problems.append(
            (
                where,
                "a fleet launches its image's latest-AMI parameter, which Image Builder writes only when the image is "
                "built, so its stack would fail to create; set build_on_deploy: true (each image is built once "
                "while the factory deploys, 20 to 60 minutes each)",
            )
        )
    layer = next(
        (n for n, image in enumerate(images) if isinstance(image, Mapping) and image.get("parent") is not None), None
    )
    if layer is not None:
        problems.append(
            (
                where,
                "a layer's recipe names its parent's image, which exists only once the parent is built, so the "
                "layer's recipe would fail to create; set build_on_deploy: true (parents are built first)",
            )
        )
    return problems


def cross_field_problems(
    data: Mapping[str, Any],
    base_dir: Path | None = None,
    recorded: Mapping[str, Mapping[str, str]] | None = None,
) -> list[tuple[Loc, str]]:
    """The rules across fields, on the file's raw data, each as (key path of the offending entry,
    message). A rule is checked wherever the fields it needs are valid, so that its problems are
    reported together with the field errors. ``recorded``: the lock file's pipeline names per image
    (:meth:`VersionLock.all_variants`), which consumers name."""
    recorded = recorded or {}
    images = data.get("images")
    problems: list[tuple[Loc, str]] = []
    if not isinstance(images, list):
        return problems
    problems += _image_problems(images)
    problems += _needs_build_on_deploy(data, images)
    problems += notification_problems(data)
    archs = _image_architectures(images)
    problems += _os_architecture_problems(images, archs)
    problems += _derived_problems(images, archs, recorded)
    if archs is not None:
        problems += _layer_architectures(images, archs)
    problems += platform_problems(images, base_dir)
    problems += _root_sizes(images)
    platforms = image_platforms(images)
    problems += fast_launch_problems(images, platforms, data.get("home_region", "eu-west-1"), data.get("regions") or [])
    consumers = data.get("consumers")
    if archs is None or not isinstance(consumers, list):
        return problems
    return problems + consumer_problems(data, consumers, archs, recorded)
