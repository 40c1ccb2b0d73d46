"""The factory file's volumes of an image: root size, data volumes, and the written size the
expected snapshot cost uses."""

from __future__ import annotations

from typing import Literal

from pydantic import field_validator, model_validator

from .._core.enums import VolumeType
from .._core.volumes import DataVolume, RootVolume
from ._base import _Model


class DataVolumeSpec(_Model):
    device: str
    """Device name, for example /dev/xvdf."""
    size_gib: int
    type: Literal["gp3", "gp2", "io2"] = "gp3"
    iops: int | None = None
    throughput: int | None = None

    @model_validator(mode="after")
    def _check(self) -> DataVolumeSpec:
        self.to_volume()
        return self

    def to_volume(self) -> DataVolume:
        return DataVolume(
            device_name=self.device,
            size_gib=self.size_gib,
            volume_type=VolumeType(self.type),
            iops=self.iops,
            throughput=self.throughput,
        )


class VolumesSpec(_Model):
    root_gib: int | None = None
    """Size of the root volume. Default: 30, or for a layer its parent's (at least that: see ImageFamily)."""
    data: list[DataVolumeSpec] = []
    """Extra volumes baked into the image."""
    used_gib: float | None = None
    """The data all the volumes hold (written blocks), for the expected snapshot cost beside the upper
    bound; measure it with make status (kept snapshots' written size). Default: none, the upper bound only."""

    @field_validator("root_gib")
    @classmethod
    def _root(cls, value: int | None) -> int | None:
        if value is not None:
            RootVolume(size_gib=value)
        return value

    @model_validator(mode="after")
    def _used(self) -> VolumesSpec:
        size = (self.root_gib or RootVolume().size_gib) + sum(d.size_gib for d in self.data)
        if self.used_gib is not None and not 0 < self.used_gib <= size:
            raise ValueError(
                f"used_gib: {self.used_gib!r} is not a written size of {size} GiB of volumes; give more than 0 "
                f"and at most {size}"
            )
        return self
