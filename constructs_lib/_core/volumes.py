"""The image's block device mapping: a root volume and data volumes, always encrypted."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import Final

from .enums import VolumeType
from .limits import check_range

# Source: AWS::ImageBuilder::ImageRecipe EbsInstanceBlockDeviceSpecification.
SIZE_MIN: Final = 1
SIZE_MAX: Final = 16_000
IOPS_MIN: Final = 100
IOPS_MAX: Final = 64_000
GP3_IOPS_MIN: Final = 3_000
THROUGHPUT_MIN: Final = 125
THROUGHPUT_MAX: Final = 1_000
_DEVICE_RE: Final = re.compile(r"^/dev/(xvd[a-z]{1,2}|sd[a-z]{1,2}[0-9]?|nvme[0-9]+n1)$", re.ASCII)


def _check_device(field: str, device_name: str) -> None:
    if not _DEVICE_RE.fullmatch(device_name):
        raise ValueError(
            f"{field}: {device_name!r} is not a Linux device name; use /dev/xvdf ... /dev/xvdz "
            "for data volumes, or the base image's root device (/dev/xvda, /dev/sda1)"
        )


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class _Volume:
    size_gib: int
    volume_type: VolumeType = VolumeType.GP3
    iops: int | None = None
    throughput: int | None = None

    def _check(self, field: str) -> None:
        check_range(f"{field}.size_gib", self.size_gib, SIZE_MIN, SIZE_MAX, " GiB")
        if self.iops is not None:
            low = GP3_IOPS_MIN if self.volume_type is VolumeType.GP3 else IOPS_MIN
            check_range(f"{field}.iops", self.iops, low, IOPS_MAX)
            if self.volume_type is VolumeType.GP2:
                raise ValueError(f"{field}.iops: gp2 volumes take no IOPS setting; use VolumeType.GP3 or drop iops")
        elif self.volume_type is VolumeType.IO2:
            raise ValueError(f"{field}.iops: io2 volumes need provisioned IOPS; set iops ({IOPS_MIN} to {IOPS_MAX})")
        if self.throughput is not None:
            if self.volume_type is not VolumeType.GP3:
                raise ValueError(f"{field}.throughput: only gp3 volumes take a throughput; use VolumeType.GP3")
            check_range(f"{field}.throughput", self.throughput, THROUGHPUT_MIN, THROUGHPUT_MAX, " MiB/s")


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class RootVolume(_Volume):
    """The boot volume. ``device_name`` defaults to the base image's root device.

    Default: 30 GiB gp3 with the gp3 baseline (3000 IOPS, 125 MiB/s), encrypted.
    """

    size_gib: int = 30
    device_name: str | None = None

    def __post_init__(self) -> None:
        self._check("root_volume")
        if self.device_name is not None:
            _check_device("root_volume.device_name", self.device_name)


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class DataVolume(_Volume):
    """An extra EBS volume baked into the image, for example ``/dev/xvdf`` for application data.

    Default type: gp3, encrypted.
    """

    device_name: str

    def __post_init__(self) -> None:
        _check_device("data_volumes.device_name", self.device_name)
        self._check(f"data_volumes[{self.device_name}]")


def layered(inherited: Sequence[DataVolume], own: Sequence[DataVolume]) -> tuple[DataVolume, ...]:
    """The data volumes of an AMI built on a parent: the parent's, then the recipe's own, which
    replace a parent's volume on the same device."""
    devices = {v.device_name for v in own}
    return (*[v for v in inherited if v.device_name not in devices], *own)
