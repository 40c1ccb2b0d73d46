"""Image families: layered images (base, runtime, application) in one or both architectures."""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Mapping, Sequence
from typing import Final

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from .._core.enums import Architecture
from .._core.lifecycle_rules import Lifecycle
from .._core.limits import check_name, check_unique
from .._core.network import BuildNetwork
from .._core.targets import FastLaunch, RegionTarget
from .._core.volumes import DataVolume, RootVolume
from ..bake.base_image import BaseImage
from ..bake.component import Component
from ..bake.infrastructure import BuildResources
from ..bake.schedule import Schedule
from ..bake.version_lock import VersionLock
from ..bake.workflow import Workflow
from ..retire.lifecycle import lifecycle_role
from ._logging import PipelineLogGroups, PipelineLogs
from .image import GoldenImage
from .image_pipeline import STANDARD_LIFECYCLE, GoldenImagePipeline

LAYER_SCHEDULE: Final = Schedule(expression="cron(0 */6 * * ? *)")
"""Layers look for a new parent every 6 hours and build only when there is one."""
_SUFFIX: Final = {Architecture.X86_64: "x86-64", Architecture.ARM64: "arm64"}


def variant_name(name: str, architecture: Architecture, architectures: int) -> str:
    """The pipeline (and parameter) name of a new image ``name`` in ``architecture``: the name
    itself for an image in one architecture, ``<name>-x86-64`` / ``<name>-arm64`` for one in two."""
    return name if architectures == 1 else f"{name}-{_SUFFIX[architecture]}"


def variant_names(
    name: str, architectures: Sequence[Architecture], recorded: Mapping[str, str] | None = None
) -> dict[Architecture, str]:
    """The pipeline (and parameter) names of image ``name`` in each of ``architectures``, stable
    once recorded: an architecture keeps the name the lock file records for it, however many the
    image has now, so adding or dropping one never renames (and so replaces) the others or their
    consumers. A new image is named by :func:`variant_name`; an architecture added to a recorded
    image gets ``<name>-x86-64`` / ``<name>-arm64``. ``recorded``: architecture value -> name."""
    recorded = dict(recorded or {})
    taken = set(recorded.values())
    names: dict[Architecture, str] = {}
    for arch in architectures:
        if arch.value in recorded:
            names[arch] = recorded[arch.value]
        elif recorded:
            names[arch] = f"{name}-{_SUFFIX[arch]}"
        else:
            names[arch] = variant_name(name, arch, len(architectures))
        if names[arch] in taken - {recorded.get(arch.value)}:
            names[arch] = f"{name}-{_SUFFIX[arch]}"
        taken.add(names[arch])
    return names


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ImageSpec:
    """One image of a family: on a base image, or on another image of the family (``parent``).

    ``architectures`` defaults to the parent's, else the base image's, else x86_64. With more
    than one, each architecture gets its own pipeline, named ``<name>-x86-64`` and
    ``<name>-arm64`` (so are their parameters). Default schedule: weekly for images on a base,
    every 6 hours for layers, which build only when their parent has a new version;
    ``on_demand=True`` for none.
    """

    name: str
    components: tuple[Component, ...]
    base_image: BaseImage | None = None
    parent: str | None = None
    architectures: tuple[Architecture, ...] | None = None
    root_volume: RootVolume | None = None
    """Default: 30 GiB (RootVolume()); for a layer, its parent's, and a layer's own may not be smaller."""
    data_volumes: tuple[DataVolume, ...] = ()
    schedule: Schedule | None = None
    on_demand: bool = False
    description: str | None = None
    image_tests: bool = True
    image_scanning: bool = True
    build_network: BuildNetwork | None = None
    """Build subnet and security groups. Default: the family's ``build_network``."""
    parameter_name: str | None = None
    """Latest-AMI parameter in every region. Default: ``/golden-ami/<pipeline name>/latest``; an
    image in two architectures gets ``-x86-64`` / ``-arm64`` appended to a name given here."""
    logs: PipelineLogs | None = None
    """CloudWatch log groups for each of the image's pipelines (:class:`PipelineLogGroups`).
    Default: none (build logs go to S3 only)."""
    workflows: tuple[Workflow, ...] = ()
    """Build and test workflows of each of the image's pipelines. Default: Image Builder's own."""
    smoke_test: str | None = None
    """The team's smoke-test script, run on the test instance before distribution. Default: none."""
    fast_launch: Mapping[str, FastLaunch] = dataclasses.field(default_factory=dict)
    """EC2 Fast Launch by region (the home region or one of the family's distributions), for a
    Windows image. Default: none."""
    expected_used_gib: float | None = None
    """Written data of the image's volumes, for the expected snapshot cost. Default: none."""

    def __post_init__(self) -> None:
        check_name("images.name", self.name)
        if self.on_demand and self.schedule is not None:
            raise ValueError(f"images[{self.name}]: on_demand=True and a schedule; give one of them")
        if (self.base_image is None) == (self.parent is None):
            raise ValueError(
                f"images[{self.name}]: give exactly one of base_image= (a base such as BaseImage.aws_managed(...)) "
                "or parent= (the name of another image of the family)"
            )
        if self.architectures is not None:
            if not self.architectures:
                raise ValueError(f"images[{self.name}].architectures: empty; list at least one or leave it unset")
            check_unique(f"images[{self.name}].architectures", tuple(a.value for a in self.architectures))


def build_order(images: Sequence[ImageSpec]) -> list[ImageSpec]:
    """The images with every parent before its layers; raises on an unknown parent or a cycle."""
    by_name = {image.name: image for image in images}
    check_unique("images.name", tuple(image.name for image in images))
    for image in images:
        if image.parent is not None and image.parent not in by_name:
            close = difflib.get_close_matches(image.parent, list(by_name), n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"images are: {', '.join(by_name)}"
            raise ValueError(f"images[{image.name}].parent: {image.parent!r} is not an image of the family; {hint}")
    ordered: list[ImageSpec] = []
    state: dict[str, str] = {}

    def visit(image: ImageSpec, path: list[str]) -> None:
        if state.get(image.name) == "done":
            return
        if state.get(image.name) == "visiting":
            cycle = [*path[path.index(image.name) :], image.name]
            raise ValueError(
                f"images: {' -> '.join(cycle)} form a cycle (each is layered on the next); an image "
                "cannot be layered on itself, "
                "give one of them a base_image instead of a parent"
            )
        state[image.name] = "visiting"
        if image.parent is not None:
            visit(by_name[image.parent], [*path, image.name])
        state[image.name] = "done"
        ordered.append(image)

    for image in images:
        visit(image, [])
    return ordered


class ImageFamily(Construct):
    """Pipelines for a family of images, layers after their parents, each in its architectures.

    A layer's recipe starts from its parent pipeline's newest image (``.../image/<parent>/x.x.x``)
    and its schedule uses ``ON_DEPENDENCY_UPDATE``, so a change to the base flows up the layers
    without anyone starting a pipeline. With ``build_on_deploy`` every image is built once while
    the stack deploys, parents first, so that layers' parents and consumers' parameters exist.

    Example::

        ImageFamily(self, "Images", version_lock=lock, images=[
            ImageSpec(name="base", base_image=BaseImage.aws_managed(OperatingSystem.AMAZON_LINUX_2023),
                      components=(Component.aws_managed("update-linux"),),
                      architectures=(Architecture.X86_64, Architecture.ARM64)),
            ImageSpec(name="web-server", parent="base", components=(nginx,)),
        ])
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        images: Sequence[ImageSpec],
        version_lock: VersionLock | None = None,
        distributions: Sequence[RegionTarget] = (),
        lifecycle: Lifecycle | None = STANDARD_LIFECYCLE,
        build_on_deploy: bool = False,
        tags: Mapping[str, str] | None = None,
        scopes: Mapping[str, Construct] | None = None,
        share_build_resources: bool = True,
        build_network: BuildNetwork | None = None,
        recipe_key_alias: str | None = None,
        hold_status: bool = False,
    ) -> None:
        """
        :param images: the family; any order, parents are built first.
        :param version_lock: Default: as :class:`GoldenImagePipeline`.
        :param distributions: region targets of every image (parameter names follow each image).
            Default: the home region only.
        :param lifecycle: Default: ``Lifecycle.standard()`` on every image.
        :param build_on_deploy: build each image once during deploy (:class:`GoldenImage`,
            retained). Default: False.
        :param tags: Default: none.
        :param scopes: where to place each image's pipelines, by image name (for example one of
            several stacks). Default: this construct.
        :param share_build_resources: one build instance role, instance profile, log bucket and
            lifecycle role per scope (:class:`BuildResources`) instead of one per pipeline.
            Default: True.
        :param build_network: build subnet and security groups of every image that names none
            (:class:`BuildNetwork`). Default: none, the account's default VPC (a synth warning).
        :param recipe_key_alias: alias (``alias/...``) of a customer managed key in the home
            region that encrypts every recipe's volumes (``kms_key`` of each pipeline). Default:
            none: a pipeline whose AMI is shared or copied into other accounts gets the account and
            region's ``alias/golden-ami/recipes`` (:class:`GoldenImagePipeline`), the others the
            account's default EBS key.
        :param hold_status: hold each pipeline's status in ``/golden-ami/<pipeline>/status``
            (``GoldenImagePipeline(hold_status=)``). Default: False.
        """
        super().__init__(scope, id)
        if not images:
            raise ValueError("images: none given; a family needs at least one ImageSpec")
        for target in distributions:
            if target.parameter_name is not None:
                raise ValueError(
                    f"distributions[{target.region}].parameter_name: a family shares its region targets, so "
                    "each image must publish under its own name; leave parameter_name unset"
                )

        def scope_of(name: str) -> Construct:
            return (scopes or {}).get(name, self)

        # Keyed by the scope itself (jsii hands out one Python proxy per node object, hashed by
        # identity): reading a construct path would be a round trip to jsii.
        shared: dict[Construct, tuple[BuildResources, iam.Role | None]] = {}

        def shared_in(scope: Construct) -> tuple[BuildResources, iam.Role | None]:
            if scope not in shared:
                role = lifecycle_role(scope, "LifecycleRole") if lifecycle is not None else None
                shared[scope] = (BuildResources(scope, "BuildResources"), role)
            return shared[scope]

        keys: dict[Construct, kms.IAlias] = {}

        def key_in(scope: Construct) -> kms.IAlias | None:
            if recipe_key_alias is None:
                return None
            if scope not in keys:
                keys[scope] = kms.Alias.from_alias_name(scope, "RecipeKey", recipe_key_alias)
            return keys[scope]

        self.pipelines: dict[str, dict[Architecture, GoldenImagePipeline]] = {}
        self.images: dict[str, dict[Architecture, GoldenImage]] = {}
        for spec in build_order(images):
            parent = self.pipelines.get(spec.parent) if spec.parent else None
            architectures = spec.architectures or (
                tuple(parent)
                if parent
                else (
                    (spec.base_image.architecture,)
                    if spec.base_image and spec.base_image.architecture
                    else (Architecture.X86_64,)
                )
            )
            variants: dict[Architecture, GoldenImagePipeline] = {}
            recorded = version_lock.variants(spec.name) if version_lock is not None else {}
            names = variant_names(spec.name, architectures, recorded)
            if version_lock is not None:
                version_lock.record_variants(spec.name, {a.value: n for a, n in names.items()})
            for arch in architectures:
                root_volume: RootVolume | None
                if parent is not None:
                    if arch not in parent:
                        raise ValueError(
                            f"images[{spec.name}].architectures: {arch.value} is not built by its parent "
                            f"{spec.parent!r} ({', '.join(a.value for a in parent)}); add it to the parent"
                        )
                    base = BaseImage.from_pipeline(parent[arch])
                    root_volume = _layer_root(spec, parent[arch].root_volume)
                else:
                    assert spec.base_image is not None
                    base = spec.base_image.for_architecture(arch)
                    root_volume = spec.root_volume
                name = names[arch]
                image_targets = distributions
                if spec.parameter_name is not None:
                    suffix = name.removeprefix(spec.name)
                    home = Stack.of(scope_of(spec.name)).region
                    given = list(distributions)
                    if home not in {t.region for t in given}:
                        given.insert(0, RegionTarget(region=home))
                    image_targets = [dataclasses.replace(t, parameter_name=spec.parameter_name + suffix) for t in given]
                if spec.fast_launch:
                    image_targets = _with_fast_launch(spec, image_targets, Stack.of(scope_of(spec.name)).region)
                resources, policy_role = shared_in(scope_of(spec.name)) if share_build_resources else (None, None)
                pipeline = GoldenImagePipeline(
                    scope_of(spec.name),
                    f"{spec.name}-{arch.value}",
                    image_name=name,
                    description=spec.description,
                    base_image=base,
                    components=spec.components,
                    root_volume=root_volume,
                    data_volumes=spec.data_volumes,
                    schedule=None if spec.on_demand else spec.schedule or (LAYER_SCHEDULE if parent else Schedule()),
                    distributions=image_targets,
                    version_lock=version_lock,
                    image_tests=spec.image_tests,
                    image_scanning=spec.image_scanning,
                    build_resources=resources,
                    build_network=spec.build_network or build_network,
                    lifecycle_role=policy_role,
                    lifecycle=lifecycle,
                    tags=tags,
                    kms_key=key_in(scope_of(spec.name)),
                    workflows=spec.workflows,
                    smoke_test=spec.smoke_test,
                    hold_status=hold_status,
                    expected_used_gib=spec.expected_used_gib,
                )
                variants[arch] = pipeline
                if spec.logs is not None:
                    PipelineLogGroups(pipeline, "Logs", pipeline=pipeline, logs=spec.logs)
                if build_on_deploy:
                    image = GoldenImage(pipeline, "FirstImage", pipeline=pipeline)
                    self.images.setdefault(spec.name, {})[arch] = image
                    if parent is not None and spec.parent in self.images:
                        # The recipe names its parent image, which must exist first; a rebuild
                        # (new distribution targets) builds the layer on the rebuilt parent.
                        parent_image = self.images[spec.parent][arch].resource
                        pipeline.recipe.node.add_dependency(parent_image)
                        image.resource.node.add_dependency(parent_image)
            self.pipelines[spec.name] = variants

    def pipeline(self, name: str, architecture: Architecture | None = None) -> GoldenImagePipeline:
        """The pipeline of image ``name`` (in ``architecture`` when the image has several)."""
        if name not in self.pipelines:
            raise ValueError(
                f"pipeline: {name!r} is not an image of the family; images are: {', '.join(self.pipelines)}"
            )
        variants = self.pipelines[name]
        if architecture is None:
            if len(variants) > 1:
                raise ValueError(
                    f"pipeline: {name!r} is built for {', '.join(a.value for a in variants)}; name the architecture"
                )
            return next(iter(variants.values()))
        if architecture not in variants:
            raise ValueError(f"pipeline: {name!r} is not built for {architecture.value}")
        return variants[architecture]

    @property
    def all_pipelines(self) -> list[GoldenImagePipeline]:
        """Every pipeline, parents before layers."""
        return [p for variants in self.pipelines.values() for p in variants.values()]


def _layer_root(spec: ImageSpec, parent_root: RootVolume) -> RootVolume:
    """A layer's root volume: its own, at least as large as its parent's, else the parent's. The
    layer's build starts from the parent's AMI, and EC2 refuses a volume smaller than the snapshot it
    is made from ("If you specify volumeSize, it must be equal or greater than the size of the
    snapshot": https://docs.aws.amazon.com/cdk/api/v2/python/aws_cdk.aws_ec2/EbsDeviceSnapshotOptions.html)."""
    if spec.root_volume is None:
        return parent_root
    if spec.root_volume.size_gib < parent_root.size_gib:
        raise ValueError(
            f"images[{spec.name}].root_volume.size_gib: {spec.root_volume.size_gib} GiB is smaller than the root "
            f"volume of its parent {spec.parent!r} ({parent_root.size_gib} GiB), whose snapshot the layer is built "
            f"from; use {parent_root.size_gib} or more, or leave root_volume unset to take the parent's"
        )
    return spec.root_volume


def _with_fast_launch(spec: ImageSpec, targets: Sequence[RegionTarget], home: str) -> list[RegionTarget]:
    """The image's targets (the home region's included) with its Fast Launch regions set."""
    given = list(targets)
    if home not in {t.region for t in given}:
        given.insert(0, RegionTarget(region=home))
    regions = [t.region for t in given]
    for region in spec.fast_launch:
        if region not in regions:
            raise ValueError(
                f"images[{spec.name}].fast_launch: {region!r} is not a region the image is distributed to "
                f"({', '.join(regions)}); add it to the distributions or drop it"
            )
    return [dataclasses.replace(t, fast_launch=spec.fast_launch.get(t.region, t.fast_launch)) for t in given]
