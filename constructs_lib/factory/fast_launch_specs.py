"""The factory file's EC2 Fast Launch of a Windows image: per region, with the rules across fields
(a Windows image, a region the factory distributes to) reported at the entry's key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import model_validator

from .._core.enums import Platform
from .._core.targets import FAST_LAUNCH_PARALLEL_MIN, FastLaunch, check_region
from ._base import _Model

Loc = tuple[str | int, ...]


class FastLaunchRegionSpec(_Model):
    """Where EC2 Fast Launch launches its prep instances in one region. Default: the default VPC."""

    subnet: str | None = None
    """Home region only: a subnet for a launch template the factory makes (IMDSv2, no public IP)."""
    launch_template: str | None = None
    """An existing launch template of that region by ID (lt-...), with version."""
    launch_template_name: str | None = None
    """Or by name, with version (EC2 takes one of the two)."""
    version: str | None = None
    """The launch template's version, for example '1'."""

    @model_validator(mode="after")
    def _check(self) -> FastLaunchRegionSpec:
        self.to_fast_launch(FAST_LAUNCH_PARALLEL_MIN, 1)
        return self

    def to_fast_launch(self, max_parallel_launches: int, snapshots: int) -> FastLaunch:
        return FastLaunch(
            max_parallel_launches=max_parallel_launches,
            snapshots=snapshots,
            launch_template_id=self.launch_template,
            launch_template_name=self.launch_template_name,
            launch_template_version=self.version,
            subnet_id=self.subnet,
        )


class FastLaunchSpec(_Model):
    """EC2 Fast Launch for a Windows image: pre-provisioned snapshots in the source account."""

    regions: dict[str, FastLaunchRegionSpec] | None = None
    """Region -> where the prep instances run there. Default: the home region, in its default VPC."""
    max_parallel_launches: int = FAST_LAUNCH_PARALLEL_MIN
    """Prep instances at a time, 6 or more."""
    snapshots: int = 5
    """Pre-provisioned snapshots kept, 1 to 10000."""

    @model_validator(mode="after")
    def _check(self) -> FastLaunchSpec:
        for region in self.regions or {}:
            check_region("regions", region)
        FastLaunch(max_parallel_launches=self.max_parallel_launches, snapshots=self.snapshots)
        return self

    def by_region(self, home: str) -> dict[str, FastLaunch]:
        """Region -> the library's :class:`FastLaunch` there."""
        regions = self.regions if self.regions is not None else {home: FastLaunchRegionSpec()}
        return {r: where.to_fast_launch(self.max_parallel_launches, self.snapshots) for r, where in regions.items()}


def fast_launch_problems(
    images: list[Any], platforms: Mapping[str, Platform], home: Any, regions: Any
) -> list[tuple[Loc, str]]:
    """Fast Launch on an image that is not Windows, or in a region the factory does not distribute to,
    or a subnet outside the home region (where the factory makes no stacks of its own)."""
    problems: list[tuple[Loc, str]] = []
    if not isinstance(home, str) or not isinstance(regions, list):
        return problems
    reached = [home, *[r for r in regions if r != home]]
    for n, image in enumerate(images):
        given = image.get("fast_launch") if isinstance(image, Mapping) else None
        if not isinstance(given, Mapping):
            continue
        platform = platforms.get(str(image.get("name")))
        if platform is not None and platform is not Platform.WINDOWS:
            problems.append(
                (
                    ("images", n, "fast_launch"),
                    f"EC2 Fast Launch pre-provisions Windows AMIs only, and {image.get('name')!r} is "
                    f"{platform.value}; drop fast_launch",
                )
            )
            continue
        per_region = given.get("regions")
        for region, where in per_region.items() if isinstance(per_region, Mapping) else ():
            loc: Loc = ("images", n, "fast_launch", "regions", region)
            if region not in reached:
                problems.append(
                    (
                        loc,
                        f"{region!r} is not a region the factory distributes to ({', '.join(reached)}); "
                        "add it to regions",
                    )
                )
            elif isinstance(where, Mapping) and where.get("subnet") and region != home:
                problems.append(
                    (
                        (*loc, "subnet"),
                        f"the factory makes the launch template for a subnet in the home region {home} only; in "
                        f"{region}, create one with the subnet there and give launch_template and version",
                    )
                )
    return problems
