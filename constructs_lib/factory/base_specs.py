"""What an image of the factory file starts from: an AWS-managed OS, an AMI, a Marketplace
product, an SSM parameter, a VM image imported from S3, or a configured instance captured."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .._core.enums import Architecture, Platform
from ..bake.base_image import BaseImage, OperatingSystem
from ..bake.capture import check_instance_id, check_keep_devices
from ..bake.vm_import_options import BootMode, DiskFormat, DiskImage, LicenseType, check_import_options
from ._base import _Model

OS_BY_NAME = {
    "amazon-linux-2023": OperatingSystem.AMAZON_LINUX_2023,
    "amazon-linux-2": OperatingSystem.AMAZON_LINUX_2,
    "ubuntu-24.04": OperatingSystem.UBUNTU_24_04,
    "ubuntu-22.04": OperatingSystem.UBUNTU_22_04,
    "rhel-9": OperatingSystem.RHEL_9,
    "sles-15": OperatingSystem.SLES_15,
    "windows-server-2022": OperatingSystem.WINDOWS_SERVER_2022,
    "windows-server-2025": OperatingSystem.WINDOWS_SERVER_2025,
}
OsName = Literal[
    "amazon-linux-2023",
    "amazon-linux-2",
    "ubuntu-24.04",
    "ubuntu-22.04",
    "rhel-9",
    "sles-15",
    "windows-server-2022",
    "windows-server-2025",
]
ArchName = Literal["x86_64", "arm64"]
PlatformName = Literal["Linux", "Windows"]
X86_ONLY = {
    "rhel-9": "AWS documents no name for its {arch} managed image",
    "sles-15": "AWS documents no name for its {arch} managed image",
    "windows-server-2022": "AWS publishes Windows Server AMIs for x86_64 only, no {arch} one",
    "windows-server-2025": "AWS publishes Windows Server AMIs for x86_64 only, no {arch} one",
}
"""The os bases offered for x86_64 only, and why (see OperatingSystem.parent_image)."""


class ImportSpec(_Model):
    """A VM disk image in S3, imported as an encrypted AMI with the factory's key."""

    s3: str
    """s3://bucket/key of the disk image (OVA, VMDK, VHD, VHDX or raw)."""
    format: Literal["ova", "vmdk", "vhd", "vhdx", "raw"] | None = None
    """Default: the key's extension."""
    boot_mode: Literal["uefi", "legacy-bios"] | None = None
    """Default: the one VM Import detects."""
    license: Literal["BYOL", "AWS"] = "BYOL"
    """AWS replaces a Windows Server license with an AWS one; Linux takes only BYOL."""
    platform: Literal["Linux", "Windows"] = "Linux"
    version: str = "1.0.0"
    """The Image Builder image's version."""
    encrypted: bool = True
    """Always true: the factory does not import unencrypted disks."""
    out_of_band: bool = False
    """Use the AMI golden-ami-import recorded in the lock file, for imports that may take over an hour."""
    remove_on_delete: bool = False
    """Deregister the AMI and delete its snapshots with the stack. Default: kept."""

    @model_validator(mode="after")
    def _check(self) -> ImportSpec:
        if not self.encrypted:
            raise ValueError("encrypted: an import is always encrypted with the factory's key; remove encrypted: false")
        if self.license == "AWS" and self.platform == "Linux":
            raise ValueError(
                "license: 'AWS' is not possible for a Linux import; Linux imports support only BYOL (VM "
                "Import/Export user guide, licensing considerations); write license: BYOL"
            )
        self.disk()
        return self

    def disk(self) -> DiskImage:
        return DiskImage(s3_url=self.s3, disk_format=DiskFormat(self.format) if self.format else None)

    def options(self) -> tuple[BootMode | None, LicenseType, Platform]:
        return (
            BootMode(self.boot_mode) if self.boot_mode else None,
            LicenseType(self.license),
            Platform(self.platform),
        )


class InstanceSpec(_Model):
    """A configured EC2 instance of the factory's account and home region, captured as an AMI."""

    id: str
    """The instance ID, i-..."""
    keep_devices: list[str] = []
    """Device names whose volumes go into the image (the root among them). Default: all."""
    no_reboot: bool = False
    """Capture without a reboot (the file system may be inconsistent). Default: reboot."""
    remove_on_delete: bool = False
    """Deregister the AMI and delete its snapshots with the stack. Default: kept."""

    @model_validator(mode="after")
    def _check(self) -> InstanceSpec:
        check_instance_id("id", self.id)
        return self


class BaseSpec(_Model):
    """What an image starts from: exactly one of os, ami, marketplace, ssm, import, instance."""

    os: OsName | None = None
    """An AWS-managed operating system, resolved per architecture at every build (rhel-9 and sles-15:
    x86_64 only). amazon-linux-2 is past its end of support and needs allow_end_of_life: true."""
    allow_end_of_life: bool = False
    """Build on an os past its end of support (amazon-linux-2, 2026-06-30), which gets no security updates."""
    ami: str | None = None
    """A fixed AMI ID in the factory's home region."""
    marketplace: str | None = None
    """An AWS Marketplace product ID the account subscribes to."""
    ssm: str | None = None
    """An SSM parameter holding an AMI ID."""
    import_: ImportSpec | None = Field(default=None, alias="import")
    """A VM disk image in S3, imported as an AMI (a fixed parent)."""
    instance: InstanceSpec | str | None = None
    """A configured instance (its ID, or id and options), captured as an AMI (a fixed parent)."""
    architecture: ArchName | None = None
    """The architecture of an ami, marketplace, ssm, import or instance base (os bases follow the image's)."""
    root_device: str | None = None
    """Root device of the base. Default: /dev/sda1 for an import or a Windows base, else /dev/xvda."""
    platform: PlatformName | None = None
    """Linux or Windows, for an ami, marketplace or ssm base (os bases and imports know theirs). Default: Linux."""

    @model_validator(mode="after")
    def _one(self) -> BaseSpec:
        given = [k for k in ("os", "ami", "marketplace", "ssm", "import_", "instance") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of os, ami, marketplace, ssm, import, instance ({len(given)} given)")
        if self.allow_end_of_life and (self.os is None or OS_BY_NAME[self.os].end_of_support is None):
            raise ValueError(
                f"allow_end_of_life: true, but {self.os or 'this base'!r} is not past its end of support; remove it"
            )
        ended = OS_BY_NAME[self.os].end_of_support if self.os is not None else None
        if ended is not None and not self.allow_end_of_life:
            raise ValueError(
                f"os: {self.os!r} reached end of support on {ended.isoformat()} and gets no security updates; use "
                "os: amazon-linux-2023, or add allow_end_of_life: true to build on it anyway"
            )
        if self.platform is not None and (self.os is not None or self.import_ is not None or self.instance):
            where = "os bases know their platform" if self.os else "an import takes import.platform"
            if self.instance is not None:
                where = "an instance base is captured as a Linux image"
            raise ValueError(f"platform: {where}; remove platform")
        if self.import_ is not None:
            check_import_options(self.arch or Architecture.X86_64, *self.import_.options())
        elif self.instance is not None:
            check_keep_devices(self.capture().keep_devices, self.root_device or "/dev/xvda")
        else:
            self.to_base_image()
        return self

    @property
    def arch(self) -> Architecture | None:
        return Architecture(self.architecture) if self.architecture else None

    @property
    def made_by_construct(self) -> bool:
        """An import or a capture: the base is made at deploy (or recorded out of band)."""
        return self.import_ is not None or self.instance is not None

    def capture(self) -> InstanceSpec:
        """The instance base as a spec (a bare ID becomes one with defaults)."""
        assert self.instance is not None
        return InstanceSpec(id=self.instance) if isinstance(self.instance, str) else self.instance

    def os_platform(self) -> Platform:
        """The platform the base runs: the os's, the import's, else the platform key (default Linux)."""
        if self.os is not None:
            return OS_BY_NAME[self.os].platform
        if self.import_ is not None:
            return Platform(self.import_.platform)
        return Platform(self.platform or "Linux")

    def to_base_image(self) -> BaseImage:
        arch = self.arch
        device = self.root_device
        platform = Platform(self.platform or "Linux")
        if self.os is not None:
            return BaseImage.aws_managed(
                OS_BY_NAME[self.os], arch or Architecture.X86_64, allow_end_of_life=self.allow_end_of_life
            )
        if self.ami is not None:
            return BaseImage.from_ami_id(self.ami, architecture=arch, root_device_name=device, platform=platform)
        if self.marketplace is not None:
            return BaseImage.from_marketplace(
                self.marketplace, architecture=arch, root_device_name=device, platform=platform
            )
        if self.ssm is not None:
            return BaseImage.from_ssm_parameter(self.ssm, architecture=arch, root_device_name=device, platform=platform)
        raise ValueError("base: an import or instance base is made by the factory app, not by the file alone")
