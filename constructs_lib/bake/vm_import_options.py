"""What a VM import takes: the disk image in S3 and the options ``ImportImage`` accepts, with the
combinations it refuses refused at synth. Pure values, shared by the construct and the
out-of-band command."""

from __future__ import annotations

import dataclasses
import enum
import re
from typing import Final

from .._core.enums import Architecture, Platform
from .._core.limits import is_token

# A bucket name (S3 user guide, "Bucket naming rules": 3 to 63 of a-z 0-9 . -, starting and
# ending with a letter or digit) and a key.
_S3_URL_RE: Final = re.compile(r"s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/(\S+)", re.ASCII)


class DiskFormat(enum.Enum):
    """Disk image formats VM Import/Export imports ("Image formats supported by VM
    Import/Export", https://docs.aws.amazon.com/vm-import/latest/userguide/prerequisites.html)."""

    OVA = "ova"
    VMDK = "vmdk"
    """Stream-optimized ESX VMDK."""
    VHD = "vhd"
    VHDX = "vhdx"
    RAW = "raw"


class BootMode(enum.Enum):
    """Boot modes ``ImportImage`` accepts: ``uefi-preferred`` is valid for other EC2 calls but
    "isn't supported for importing images" (API reference, ImportImage, BootMode)."""

    LEGACY_BIOS = "legacy-bios"
    UEFI = "uefi"


class LicenseType(enum.Enum):
    """``BYOL`` keeps the source system's license; ``AWS`` replaces it with an AWS license.
    "Linux operating systems support only the BYOL license type for a VM import task"
    (https://docs.aws.amazon.com/vm-import/latest/userguide/licensing-considerations.html)."""

    BYOL = "BYOL"
    AWS = "AWS"


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class DiskImage:
    """A disk image in S3: ``s3://bucket/key`` and its format. The format defaults to the key's
    extension when that is one AWS imports."""

    s3_url: str
    disk_format: DiskFormat | None = None

    def __post_init__(self) -> None:
        if is_token(self.s3_url):
            raise ValueError("s3_url: give the disk image's S3 URL as a literal, for example 's3://bucket/disk.vmdk'")
        if not _S3_URL_RE.fullmatch(self.s3_url):
            raise ValueError(
                f"s3_url: {self.s3_url!r} is not an S3 URL; use 's3://<bucket>/<key>', for example "
                "'s3://my-disk-images/web/disk1.vmdk'"
            )
        if self.disk_format is None:
            extension = self.s3_url.rsplit(".", 1)[-1].lower()
            known = {f.value: f for f in DiskFormat}
            if extension not in known:
                raise ValueError(
                    f"disk_format: {extension!r} (the extension of {self.s3_url!r}) is not a format VM "
                    f"Import/Export imports; use one of {', '.join(sorted(known))}, or give disk_format"
                )
            object.__setattr__(self, "disk_format", known[extension])

    @property
    def bucket(self) -> str:
        return self.s3_url.removeprefix("s3://").split("/", 1)[0]

    @property
    def format(self) -> DiskFormat:
        assert self.disk_format is not None
        return self.disk_format


def check_import_options(
    architecture: Architecture, boot_mode: BootMode | None, license_type: LicenseType, platform: Platform
) -> None:
    """The combinations ``ImportImage`` refuses, refused at synth."""
    if architecture is not Architecture.X86_64:
        raise ValueError(
            f"architecture: {architecture.value!r} cannot be imported; ImportImage's Architecture takes i386 or "
            "x86_64 (API reference, ImportImage); import an x86_64 disk, or capture an arm64 instance instead"
        )
    if platform is Platform.MACOS:
        raise ValueError(
            "platform: 'macOS' cannot be imported; ImportVmImage takes Linux or Windows; use Platform.LINUX or WINDOWS"
        )
    if platform is Platform.LINUX and license_type is LicenseType.AWS:
        raise ValueError(
            "license_type: 'AWS' is not possible for Linux; Linux imports support only BYOL "
            "(VM Import/Export user guide, licensing considerations); use LicenseType.BYOL"
        )
    if boot_mode is not None and not isinstance(boot_mode, BootMode):
        raise ValueError(
            f"boot_mode: {boot_mode!r} is not a boot mode ImportImage takes; use BootMode.UEFI or LEGACY_BIOS"
        )
