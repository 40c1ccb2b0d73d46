"""The image recipe and the components it owns, versioned so that updates never collide."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Stack
from aws_cdk import aws_imagebuilder as imagebuilder
from aws_cdk import aws_kms as kms
from constructs import Construct

from .._core import render as _render
from .._core.enums import Platform
from .._core.limits import check_name, check_version
from .._core.volumes import DataVolume, RootVolume
from .base_image import BaseImage
from .component import Component
from .version_lock import VersionLock, content_digest

_Recipe = imagebuilder.CfnImageRecipe


class GoldenImageRecipe(Construct):
    """An ``AWS::ImageBuilder::ImageRecipe`` and an ``AWS::ImageBuilder::Component`` per
    document of the team's own.

    The recipe uses Image Builder's auto-versioning (``recipe_version`` ``1.0.x``): each change
    replaces it with the next patch, and an unchanged synth is byte-identical. Components get
    their versions from the version lock (see :mod:`constructs_lib.version_lock`).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        base_image: BaseImage,
        components: Sequence[Component],
        version_lock: VersionLock,
        recipe_version: str = "1.0.x",
        root_volume: RootVolume | None = None,
        data_volumes: Sequence[DataVolume] = (),
        kms_key: kms.IKey | None = None,
        encrypt_volumes: bool = True,
        description: str | None = None,
    ) -> None:
        super().__init__(scope, id)
        check_name("image_name", name)
        if kms_key is not None and not encrypt_volumes:
            raise ValueError(
                "kms_key: a key is given but encrypt_volumes=False; drop the key or keep the volumes encrypted"
            )
        check_version("recipe_version", recipe_version, wildcards=True)
        if not recipe_version.endswith(".x"):
            raise ValueError(
                f"recipe_version: {recipe_version!r} is fixed, so the next change to the recipe would fail "
                f"with 'already exists'; end it with '.x', for example '{recipe_version.rsplit('.', 1)[0]}.x'"
            )
        if not components:
            raise ValueError(
                "components: none given; a recipe needs at least one, for example Component.aws_managed('update-linux')"
                " (or 'update-windows')"
            )
        names = [c.name for c in components]
        if len(set(names)) != len(names):
            twice = next(n for n in names if names.count(n) > 1)
            raise ValueError(f"components: {twice!r} is listed twice; list each component once")
        platform = base_image.platform
        for component in components:
            check_platform(component, platform)
        stack = Stack.of(self)
        self.component_versions: dict[str, str] = {}
        arns: list[str] = []
        for component in components:
            component.check_required()
            if component.is_managed:
                self.component_versions[component.name] = component.version
                arns.append(f"arn:{stack.partition}:imagebuilder:{stack.region}:{component.arn_path}")
                continue
            full_name = check_name("components.name", f"{name}-{component.name}")
            properties = {
                "Name": full_name,
                "Platform": platform.value,
                "Data": component.data,
                "Description": component.description,
            }
            version = version_lock.version_for(full_name, content_digest(properties), component.version)
            resource = imagebuilder.CfnComponent(
                self,
                f"Component{component.name}",
                name=full_name,
                platform=platform.value,
                version=version,
                data=component.data,
                description=component.description,
            )
            self.component_versions[component.name] = version
            arns.append(resource.attr_arn)

        self.resource = _Recipe(
            self,
            "Resource",
            name=name,
            version=recipe_version,
            parent_image=base_image.parent_image,
            description=description or f"{name}: {base_image.description}",
            components=[_configuration(arn, c) for arn, c in zip(arns, components, strict=True)],
            block_device_mappings=_render.block_device_mappings(
                root_volume or RootVolume(),
                base_image.root_device_name,
                tuple(data_volumes),
                kms_key.key_arn if kms_key else None,
                encrypt_volumes,
            ),
        )
        self.name = name
        self.arn = self.resource.attr_arn
        self.platform = platform


def check_platform(component: Component, platform: Platform) -> None:
    """Raise ``ValueError`` when ``component`` runs on another platform than the recipe's image.

    An own document is checked by AWSTOE's rules for the platform it was read for (``ExecuteBash``
    runs on Linux only, ``ExecutePowerShell`` on Windows only, "Action modules supported by AWSTOE",
    https://docs.aws.amazon.com/imagebuilder/latest/userguide/toe-action-modules.html); a referenced one
    by the platform its name says. One of unknown platform passes.
    """
    if component.platform is None or component.platform is platform:
        return
    if component.is_managed:
        fix = f"use its {platform.value} counterpart (for example 'update-{platform.value.lower()}')"
    else:
        fix = (
            f"write it for {platform.value} ({'ExecutePowerShell' if platform is Platform.WINDOWS else 'ExecuteBash'}) "
            f"and read it with platform=Platform.{platform.name}"
        )
    raise ValueError(
        f"components: {component.name!r} runs on {component.platform.value}, but the image's base is "
        f"{platform.value}; {fix}"
    )


def _configuration(arn: str, component: Component) -> _Recipe.ComponentConfigurationProperty:
    """The recipe's entry for one component, with the parameters the recipe sets (none: no key)."""
    parameters = [
        _Recipe.ComponentParameterProperty(name=name, value=[value] if isinstance(value, str) else list(value))
        for name, value in component.parameters
    ]
    return _Recipe.ComponentConfigurationProperty(component_arn=arn, parameters=parameters or None)
