"""The image a recipe starts from: AWS-managed, any AMI, a Marketplace product or an SSM parameter."""

from __future__ import annotations

import dataclasses
import enum
import re
from typing import Final, Protocol

from .._core.enums import Architecture
from .._core.limits import is_token
from .._core.volumes import DataVolume

_AMI_ID_RE: Final = re.compile(r"^ami-([0-9a-f]{8}|[0-9a-f]{17})$", re.ASCII)
_SSM_NAME_RE: Final = re.compile(r"^/?[a-zA-Z0-9_.\-/]{1,1011}$", re.ASCII)
_PRODUCT_RE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{2,63}$", re.ASCII)


class OperatingSystem(enum.Enum):
    """AWS-managed base operating systems, resolved through AWS's public SSM parameters.

    Each member knows its public parameter per architecture and the device name of its root
    volume, which the recipe's block device mapping must reuse to resize the root disk.
    """

    AMAZON_LINUX_2023 = "al2023"
    """Amazon Linux 2023, default kernel. Root device ``/dev/xvda``."""
    UBUNTU_24_04 = "ubuntu-24.04"
    """Ubuntu 24.04 LTS (Noble), Canonical's gp3 images. Root device ``/dev/sda1``."""
    UBUNTU_22_04 = "ubuntu-22.04"
    """Ubuntu 22.04 LTS (Jammy), Canonical's gp2 images. Root device ``/dev/sda1``."""

    def ssm_parameter(self, architecture: Architecture) -> str:
        """The public SSM parameter that holds the newest AMI ID of this OS in every region."""
        if self is OperatingSystem.AMAZON_LINUX_2023:
            return f"/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{architecture.value}"
        release, disk = {"ubuntu-24.04": ("24.04", "ebs-gp3"), "ubuntu-22.04": ("22.04", "ebs-gp2")}[self.value]
        arch = "amd64" if architecture is Architecture.X86_64 else "arm64"
        return f"/aws/service/canonical/ubuntu/server/{release}/stable/current/{arch}/hvm/{disk}/ami-id"

    @property
    def root_device_name(self) -> str:
        """Device name of the root volume in AWS's images of this OS."""
        return "/dev/xvda" if self is OperatingSystem.AMAZON_LINUX_2023 else "/dev/sda1"


class IParentPipeline(Protocol):
    """What a layer needs of the pipeline it is built on."""

    image_name: str
    architecture: Architecture | None
    root_device_name: str
    region: str
    builds_per_month: float
    data_volumes: tuple[DataVolume, ...]

    @property
    def image_arn_wildcard(self) -> str: ...


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class BaseImage:
    """The parent of an image recipe. Build one with a class method, not the constructor.

    ``parent_image`` is what the recipe's ``ParentImage`` receives. ``architecture`` is
    known for AWS-managed images and whenever the caller states it; it drives the default build
    instance types and the check that they fit. ``tracks_updates`` is true when Image Builder
    sees a newer parent as a dependency update (an Image Builder image selected with ``x``).
    """

    parent_image: str
    description: str
    architecture: Architecture | None = None
    root_device_name: str = "/dev/xvda"
    tracks_updates: bool = False
    operating_system: OperatingSystem | None = None
    parent_pipeline: str | None = None
    """The image name of the factory pipeline this image is layered on, if any."""
    region: str | None = None
    """Where the parent lives when it must be the recipe's region (a parent pipeline's image)."""
    builds_per_month: float | None = None
    """How often the parent changes, when known (a parent pipeline's schedule)."""
    inherited_data_volumes: tuple[DataVolume, ...] = ()
    """Data volumes in the parent's block device mapping, which every AMI built on it carries
    (a parent pipeline's, its own ancestors' included)."""

    def for_architecture(self, architecture: Architecture) -> BaseImage:
        """The same base for ``architecture``: AWS-managed images resolve per architecture; any
        other base must already be of that architecture."""
        if self.operating_system is not None:
            return BaseImage.aws_managed(self.operating_system, architecture)
        if self.architecture is architecture:
            return self
        known = self.architecture.value if self.architecture else "of unknown architecture"
        raise ValueError(
            f"architectures: {self.description} is {known}, so it cannot be the base of an "
            f"{architecture.value} image; use BaseImage.aws_managed(...) or a base per architecture"
        )

    @classmethod
    def aws_managed(
        cls, operating_system: OperatingSystem, architecture: Architecture = Architecture.X86_64
    ) -> BaseImage:
        """The newest AWS-published image of ``operating_system``, looked up by Image Builder at
        each build through AWS's public SSM parameter (``ssm:`` parent). The recipe stays the same
        when AWS publishes a new AMI, so no redeploy and no new recipe version are needed.

        Default architecture: x86_64.
        """
        parameter = operating_system.ssm_parameter(architecture)
        return cls(
            parent_image=f"ssm:{parameter}",
            description=f"{operating_system.value} {architecture.value} (AWS-managed, {parameter})",
            architecture=architecture,
            root_device_name=operating_system.root_device_name,
            operating_system=operating_system,
        )

    @classmethod
    def from_pipeline(cls, pipeline: IParentPipeline) -> BaseImage:
        """The newest image another pipeline of the factory built (a layer on top of it).

        The recipe's parent is that pipeline's Image Builder image with version ``x.x.x``, so
        each new parent version is a dependency update: the layer's schedule builds it with
        ``ON_DEPENDENCY_UPDATE``. Architecture and root device come from the parent. The parent
        must be in the same account and region as the layer. The parent's data volumes (its
        ancestors' included) are in every AMI of the layer: ``inherited_data_volumes``.
        """
        return cls(
            parent_image=pipeline.image_arn_wildcard,
            description=f"golden image {pipeline.image_name} (newest version)",
            architecture=pipeline.architecture,
            root_device_name=pipeline.root_device_name,
            tracks_updates=True,
            parent_pipeline=pipeline.image_name,
            region=pipeline.region,
            builds_per_month=pipeline.builds_per_month,
            inherited_data_volumes=tuple(pipeline.data_volumes),
        )

    @classmethod
    def from_ami_id(
        cls, ami_id: str, *, architecture: Architecture | None = None, root_device_name: str = "/dev/xvda"
    ) -> BaseImage:
        """A fixed AMI in the pipeline's region, for example ``ami-0123456789abcdef0``.

        Default root device: ``/dev/xvda``; pass the AMI's own if it differs (``/dev/sda1``).
        """
        if not is_token(ami_id) and not _AMI_ID_RE.fullmatch(ami_id):
            raise ValueError(
                f"base_image: {ami_id!r} is not an AMI ID; use 'ami-' followed by 8 or 17 "
                "lowercase hex digits, for example 'ami-0123456789abcdef0'"
            )
        return cls(
            parent_image=ami_id,
            description=f"AMI {ami_id}",
            architecture=architecture,
            root_device_name=root_device_name,
        )

    @classmethod
    def from_marketplace(
        cls, product_id: str, *, architecture: Architecture | None = None, root_device_name: str = "/dev/xvda"
    ) -> BaseImage:
        """An AWS Marketplace product the account subscribes to, by product ID."""
        if not is_token(product_id) and (
            not _PRODUCT_RE.fullmatch(product_id) or product_id.startswith(("ami-", "arn:"))
        ):
            raise ValueError(
                f"base_image: {product_id!r} is not a Marketplace product ID; use the product's ID "
                "as AWS Marketplace shows it (an AMI ID goes to BaseImage.from_ami_id)"
            )
        return cls(
            parent_image=product_id,
            description=f"AWS Marketplace product {product_id}",
            architecture=architecture,
            root_device_name=root_device_name,
        )

    @classmethod
    def from_ssm_parameter(
        cls, parameter_name: str, *, architecture: Architecture | None = None, root_device_name: str = "/dev/xvda"
    ) -> BaseImage:
        """The AMI ID held by an SSM parameter, read by Image Builder at each build."""
        if not is_token(parameter_name) and not _SSM_NAME_RE.fullmatch(parameter_name):
            raise ValueError(
                f"base_image: {parameter_name!r} is not an SSM parameter name; use letters, digits "
                "and _ . - / only, for example '/golden-ami/base/latest'"
            )
        return cls(
            parent_image=f"ssm:{parameter_name}",
            description=f"AMI in SSM parameter {parameter_name}",
            architecture=architecture,
            root_device_name=root_device_name,
        )
