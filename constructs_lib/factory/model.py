"""The factory file's whole model: its top-level keys and the rules across them."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, ValidationInfo, field_validator, model_validator

from .._core.enums import Architecture, Platform
from .._core.instance_types import check_instance_types
from .._core.limits import check_tags
from .._core.targets import check_account, check_region
from .._core.volumes import RootVolume
from ..distribute.stackset import CALL_AS_RULE, CallAs, management_account_of
from ..pipeline.family import variant_name
from ._base import _Model
from .base_specs import X86_ONLY
from .network_specs import BuildNetworkSpec
from .platforms import image_platforms, platform_problems
from .specs import AccountsSpec, ConsumerSpec, ImageModel, LifecycleSpec, SharingSpec


class FactoryModel(_Model):
    """A golden AMI factory: images, where they go, who may launch them, and who launches them."""

    account: str | None = None
    """The factory account. Default: context 'account', else CDK_DEFAULT_ACCOUNT, else a placeholder."""
    home_region: str = "eu-west-1"
    """Where the pipelines run."""
    regions: list[str] = []
    """Regions the AMIs are copied to besides the home region."""
    accounts: AccountsSpec = AccountsSpec()
    sharing: SharingSpec = SharingSpec()
    lifecycle: LifecycleSpec = LifecycleSpec()
    build_on_deploy: bool = False
    """Build every image once while the factory deploys, parents first, and again whenever the regions,
    destinations or sharing change, so that a new region or account has the image when the deploy ends."""
    build_network: BuildNetworkSpec | None = None
    """Build subnet and security groups (home region) of every image. Default: the account's default VPC,
    with a warning at synth."""
    tags: dict[str, str] = {}
    """Tags on every resource and AMI."""
    images: Annotated[list[ImageModel], Field(min_length=1)]
    consumers: list[ConsumerSpec] = []

    @field_validator("account")
    @classmethod
    def _account(cls, value: str | None) -> str | None:
        return check_account("account", value) if value is not None else None

    @field_validator("home_region")
    @classmethod
    def _home(cls, value: str) -> str:
        return check_region("home_region", value)

    @field_validator("regions")
    @classmethod
    def _regions(cls, value: list[str]) -> list[str]:
        for region in value:
            check_region("regions", region)
        twice = [r for i, r in enumerate(value) if r in value[:i]]
        if twice:
            raise ValueError(f"{twice[0]!r} is listed twice; list each region once")
        return value

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: dict[str, str]) -> dict[str, str]:
        return check_tags("tags", value)

    @model_validator(mode="after")
    def _across(self, info: ValidationInfo) -> FactoryModel:
        # The loader runs these rules itself, on the raw data, so that they are reported together
        # with field errors and at the line of the entry they are about.
        if (info.context or {}).get("across", True):
            found = cross_field_problems(self.model_dump(mode="python"), (info.context or {}).get("base_dir"))
            if found:
                loc, message = found[0]
                raise ValueError(f"{_dotted(loc)}: {message}")
        # A rule on the whole model (the organization's management account from the sharing ARNs).
        management = self.management_account
        if self.accounts.stackset is not None and self.accounts.stackset.call_as is None and management is None:
            raise ValueError(
                "accounts.stackset.call_as: not given, and no organization or OU ARN under sharing names the "
                "organization's management account to derive it from; set call_as: SELF or DELEGATED_ADMIN. "
                f"{CALL_AS_RULE}"
            )
        return self

    @property
    def all_regions(self) -> list[str]:
        """The home region first, then the others."""
        return [self.home_region, *[r for r in self.regions if r != self.home_region]]

    def architectures(self) -> dict[str, list[Architecture]]:
        """Each image's architectures: its own, else its parent's, else its base's, else x86_64
        (the rule :class:`ImageFamily` applies)."""
        found: dict[str, list[Architecture]] = {}
        by_name = {i.name: i for i in self.images}

        def of(image: ImageModel) -> list[Architecture]:
            if image.name not in found:
                if image.architectures:
                    found[image.name] = [Architecture(a) for a in image.architectures]
                elif image.parent and image.parent in by_name:
                    found[image.name] = of(by_name[image.parent])
                elif image.base and image.base.architecture:
                    found[image.name] = [Architecture(image.base.architecture)]
                else:
                    found[image.name] = [Architecture.X86_64]
            return found[image.name]

        for image in self.images:
            of(image)
        return found

    def platforms(self) -> dict[str, Platform]:
        """Each image's platform: its base's, else its parent's (see :func:`image_platforms`)."""
        return image_platforms(self.model_dump(mode="python")["images"])

    def pipeline_names(self) -> list[str]:
        """Every pipeline the file makes (an image in two architectures makes two)."""
        return [variant_name(name, arch, len(archs)) for name, archs in self.architectures().items() for arch in archs]

    @property
    def management_account(self) -> str | None:
        """The organization's management account, as the organization and OU ARNs under sharing name it."""
        return management_account_of("sharing", [*self.sharing.organizations, *self.sharing.organizational_units])

    @property
    def call_as(self) -> CallAs | None:
        """The StackSet's call_as as the file gives it; None to derive it from :attr:`management_account`."""
        stackset = self.accounts.stackset
        return CallAs(stackset.call_as) if stackset and stackset.call_as else None


Loc = tuple[str | int, ...]
_ARCHS = ("x86_64", "arm64")


def _dotted(loc: Loc) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else p) for i, p in enumerate(loc))


def _valid_region(value: object) -> bool:
    try:
        check_region("region", value)  # type: ignore[arg-type]
    except (ValueError, TypeError):
        return False
    return True


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


def cross_field_problems(data: Mapping[str, Any], base_dir: Path | None = None) -> list[tuple[Loc, str]]:
    """The rules across fields, on the file's raw data, each as (key path of the offending entry,
    message). A rule is checked wherever the fields it needs are valid, so that its problems are
    reported together with the field errors."""
    images = data.get("images")
    problems: list[tuple[Loc, str]] = []
    if not isinstance(images, list):
        return problems
    problems += _image_problems(images)
    archs = _image_architectures(images)
    problems += _os_architecture_problems(images, archs)
    if archs is not None:
        problems += _layer_architectures(images, archs)
    problems += platform_problems(images, base_dir)
    problems += _root_sizes(images)
    consumers = data.get("consumers")
    if archs is None or not isinstance(consumers, list):
        return problems
    published = {
        variant_name(name, Architecture(a), len(found)): Architecture(a) for name, found in archs.items() for a in found
    }
    home, regions = data.get("home_region", "eu-west-1"), data.get("regions") or []
    all_regions: list[str] | None = None
    if _valid_region(home) and isinstance(regions, list) and all(_valid_region(r) for r in regions):
        all_regions = [home, *[r for r in regions if r != home]]
    seen: list[tuple[str, str, int]] = []
    for n, consumer in enumerate(consumers):
        if not isinstance(consumer, Mapping) or not isinstance(consumer.get("image"), str):
            continue
        image = consumer["image"]
        if image not in published:
            close = difflib.get_close_matches(image, sorted(published), n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"images are: {', '.join(sorted(published))}"
            problems.append((("consumers", n, "image"), f"{image!r} is not an image of this file; {hint}"))
            continue
        instance_type = consumer.get("instance_type")
        if isinstance(instance_type, str):
            try:
                check_instance_types("instance_type", (instance_type,), published[image])
            except ValueError as error:
                message = str(error).removeprefix("instance_type: ")
                problems.append((("consumers", n, "instance_type"), message))
        own = consumer.get("regions")
        if all_regions is None or (own is not None and not (isinstance(own, list) and all(map(_valid_region, own)))):
            continue
        networks = consumer.get("networks")
        if isinstance(networks, Mapping):
            runs_in = own or all_regions
            for region in networks:
                if region not in runs_in:
                    problems.append(
                        (
                            ("consumers", n, "networks"),
                            f"{region!r} is not a region of this consumer ({', '.join(runs_in)}); name a network "
                            "per region it runs in",
                        )
                    )
        fleet = consumer.get("name") or image
        for region in own or all_regions:
            if region not in all_regions:
                problems.append(
                    (
                        ("consumers", n, "regions"),
                        f"{region!r} is not a region the factory distributes to ({', '.join(all_regions)}); "
                        "add it to regions",
                    )
                )
                continue
            twice = next((m for f, r, m in seen if f == fleet and r == region), None)
            if twice is not None:
                problems.append(
                    (
                        ("consumers", n),
                        f"a second fleet named {fleet!r} in {region} (consumers[{twice}] is the first); "
                        "give one of them a name",
                    )
                )
            seen.append((fleet, region, n))
    return problems
