"""The factory file's whole model: its top-level keys and the rules across them."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, ValidationInfo, field_validator, model_validator

from .._core.enums import Architecture, Platform
from .._core.limits import check_tags
from .._core.targets import check_account, check_region
from ..distribute.stackset import CALL_AS_RULE, CallAs, management_account_of
from ..pipeline.family import variant_name
from ._base import _Model
from .acknowledge_specs import AcknowledgementSpec
from .consumer_specs import ConsumerSpec
from .cross_field import cross_field_problems
from .cross_field_base import dotted_path
from .network_specs import BuildNetworkSpec
from .notification_specs import NotificationsSpec
from .platforms import image_platforms
from .specs import AccountsSpec, ImageModel, LifecycleSpec, SharingSpec


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
    destinations or sharing change, so that a new region or account has the image when the deploy ends.
    Default: true when the file has consumers or layers (a fleet's parameter and a layer's parent
    exist only once an image is built), else false."""
    build_network: BuildNetworkSpec | None = None
    """Build subnet and security groups (home region) of every image. Default: the account's default VPC,
    with a warning at synth."""
    tags: dict[str, str] = {}
    """Tags on every resource and AMI."""
    images: Annotated[list[ImageModel], Field(min_length=1)]
    consumers: list[ConsumerSpec] = []
    notifications: NotificationsSpec | None = None
    """One encrypted SNS topic for what needs a person, from every region and account. Default: none."""
    acknowledge: list[AcknowledgementSpec] = []
    """Findings accepted on purpose, each with its reason: a replacement or deletion the replacement
    guard refuses (GA-C001, GA-C002, GA-C003), a preflight warning, a construct warning."""

    @model_validator(mode="before")
    @classmethod
    def _build_on_deploy_default(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "build_on_deploy" in data:
            return data
        images = data.get("images")
        layered = isinstance(images, list) and any(
            isinstance(image, dict) and image.get("parent") is not None for image in images
        )
        return {**data, "build_on_deploy": bool(data.get("consumers")) or layered}

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
                raise ValueError(f"{dotted_path(loc)}: {message}")
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
        """Every pipeline the file makes (an image in two architectures makes two), named as for a
        new factory; a lock file's records keep earlier names (:func:`variant_names`)."""
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
