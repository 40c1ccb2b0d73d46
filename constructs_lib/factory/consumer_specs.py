"""The factory file's consumers: the fleets that launch its images, and how they roll onto new ones."""

from __future__ import annotations

from typing import Literal

from pydantic import field_validator, model_validator

from .._core.instance_types import check_instance_types
from .._core.targets import check_account
from ..launch.fleet import InstanceRefresh, check_capacity
from ..launch.launch_template import check_pin
from ..launch.pins import IMAGE_VERSION_LABEL
from ._base import _Model
from .network_specs import FleetNetworkSpec

PIN_EXAMPLE = "v1.2.3-4 for image version 1.2.3/4"


class RefreshSpec(_Model):
    min_healthy_percentage: int = 90
    max_healthy_percentage: int = 100
    checkpoints: list[int] = [50, 100]
    checkpoint_delay_seconds: int = 600
    instance_warmup_seconds: int = 300
    auto_rollback: bool = True

    @model_validator(mode="after")
    def _check(self) -> RefreshSpec:
        self.to_refresh()
        return self

    def to_refresh(self) -> InstanceRefresh:
        return InstanceRefresh(
            min_healthy_percentage=self.min_healthy_percentage,
            max_healthy_percentage=self.max_healthy_percentage,
            checkpoints=tuple(self.checkpoints),
            checkpoint_delay_seconds=self.checkpoint_delay_seconds,
            instance_warmup_seconds=self.instance_warmup_seconds,
            auto_rollback=self.auto_rollback,
        )


class ConsumerSpec(_Model):
    """A launch template and an Auto Scaling group for one image, in each of its regions."""

    image: str
    """An image of this file (with -x86-64 / -arm64 for one of two architectures)."""
    name: str | None = None
    """Names the fleet's constructs. Default: the image; needed when one region has two fleets of it."""
    regions: list[str] | None = None
    """Default: every region of the factory."""
    account: str | None = None
    """The account the fleet runs in: the factory account or one of ``accounts.destinations``, which hold a copy
    and the latest-AMI parameter Image Builder writes there. Default: the factory account."""
    instance_type: str | None = None
    """Default: m7i.large, or m7g.large for arm64 images."""
    min_capacity: int = 1
    max_capacity: int = 2
    refresh: RefreshSpec | Literal["off"] = RefreshSpec()
    """Roll onto each new image, or off."""
    pin: str | None = None
    """An image version label (v1.2.3-4, as the rollout function labels each parameter version) to launch instead
    of the newest AMI. Not a bare parameter version: versions differ per region and per image."""
    networks: dict[str, FleetNetworkSpec] = {}
    """Per region, an existing VPC, subnets and security groups by ID. A region without one gets a new VPC of
    isolated subnets with no route anywhere (for trying the factory out)."""

    @field_validator("account")
    @classmethod
    def _account(cls, value: str | None) -> str | None:
        if value is not None:
            check_account("account", value)
        return value

    @field_validator("instance_type")
    @classmethod
    def _instance_type(cls, value: str | None) -> str | None:
        if value is not None:
            check_instance_types("instance_type", (value,), None)
        return value

    @field_validator("pin", mode="before")
    @classmethod
    def _pin(cls, value: object) -> object:
        if value is None:
            return value
        if isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit()):
            raise ValueError(
                f"{value!r} is a bare parameter version, which names a different image in each region and for "
                f"each image; pin an image version label instead, e.g. {PIN_EXAMPLE}"
            )
        if not isinstance(value, str) or not IMAGE_VERSION_LABEL.fullmatch(value):
            raise ValueError(
                f"{value!r} is not an image version label; write v<major>.<minor>.<patch>-<build>, e.g. {PIN_EXAMPLE}"
            )
        return check_pin("pin", value)

    @model_validator(mode="after")
    def _capacity(self) -> ConsumerSpec:
        check_capacity(self.min_capacity, self.max_capacity)
        return self
