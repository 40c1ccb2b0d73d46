"""The image a recipe starts from: AWS-managed, any AMI, a Marketplace product or an SSM parameter."""

from __future__ import annotations

import dataclasses
import datetime
import enum
import re
from collections.abc import Mapping
from typing import Final, Protocol

from aws_cdk import Aws

from .._core.enums import Architecture, Platform
from .._core.limits import is_token
from .._core.volumes import DataVolume

_AMI_ID_RE: Final = re.compile(r"^ami-([0-9a-f]{8}|[0-9a-f]{17})$", re.ASCII)
_SSM_NAME_RE: Final = re.compile(r"^/?[a-zA-Z0-9_.\-/]{1,1011}$", re.ASCII)
_PRODUCT_RE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{2,63}$", re.ASCII)


class OperatingSystem(enum.Enum):
    """AWS-managed base operating systems, resolved at each build from what AWS publishes.

    Each member knows where AWS publishes its newest image per architecture
    (:meth:`parent_image`), the device name of its root volume, which the recipe's block device
    mapping must reuse to resize the root disk, and the default user of AWS's images of it.

    Default users, from "Manage system users on your Amazon EC2 Linux instance"
    (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/managing-users.html): ``ec2-user`` for
    Amazon Linux, ``ubuntu`` for Ubuntu, ``ec2-user`` (or ``root``) for RHEL and for SUSE. Windows
    Server: ``Administrator``, whose password EC2 encrypts with the launch key pair ("Connect to
    your Windows instance using an RDP client", "Retrieve the administrator password",
    https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/connect-rdp.html).
    """

    AMAZON_LINUX_2023 = "al2023"
    """Amazon Linux 2023, default kernel. Root device ``/dev/xvda``."""
    AMAZON_LINUX_2 = "al2"
    """Amazon Linux 2, past its end of support (2026-06-30): only with ``allow_end_of_life=True``.
    Public parameter ``/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-<arch>-gp2``
    (https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-public-parameters-ami.html).
    Root device ``/dev/xvda``."""
    UBUNTU_24_04 = "ubuntu-24.04"
    """Ubuntu 24.04 LTS (Noble), Canonical's gp3 images. Root device ``/dev/sda1``."""
    UBUNTU_22_04 = "ubuntu-22.04"
    """Ubuntu 22.04 LTS (Jammy), Canonical's gp2 images. Root device ``/dev/sda1``."""
    RHEL_9 = "rhel-9"
    """Red Hat Enterprise Linux 9, x86_64 only: Image Builder's AWS-managed image
    ``arn:<partition>:imagebuilder:<region>:aws:image/red-hat-enterprise-linux-9-x86/x.x.x``.
    Root device ``/dev/sda1`` (see :meth:`OperatingSystem.parent_image` for what AWS documents)."""
    SLES_15 = "sles-15"
    """SUSE Linux Enterprise Server 15, x86_64 only: Image Builder's AWS-managed image
    ``arn:<partition>:imagebuilder:<region>:aws:image/suse-linux-enterprise-server-15-x86/x.x.x``.
    Root device ``/dev/sda1`` (see :meth:`OperatingSystem.parent_image`)."""
    WINDOWS_SERVER_2022 = "windows-server-2022"
    """Windows Server 2022 Datacenter, English, full (desktop experience) base, x86_64 only: public
    parameter ``/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base``. Root device
    ``/dev/sda1``; components and user data in PowerShell (see :attr:`platform`)."""
    WINDOWS_SERVER_2025 = "windows-server-2025"
    """Windows Server 2025, as 2022: ``/aws/service/ami-windows-latest/Windows_Server-2025-English-Full-Base``."""

    @property
    def platform(self) -> Platform:
        """Image Builder's platform of this OS: the ``Platform`` of the recipe's components."""
        return Platform.WINDOWS if self in _WINDOWS else Platform.LINUX

    def parent_image(self, architecture: Architecture) -> str:
        """What the recipe's ``ParentImage`` names for this OS in ``architecture``.

        Amazon Linux and Ubuntu: the public SSM parameter (``ssm:`` prefix), read by Image Builder
        at each build. RHEL and SUSE: no AWS page found documents a public SSM parameter for
        them (the Systems Manager guide documents Amazon Linux's and Windows'), so the parent is
        Image Builder's AWS-managed image, whose ARN has owner ``aws`` and version ``x.x.x`` for
        the newest
        ("How Image Builder works with IAM", "Managed image ARN",
        https://docs.aws.amazon.com/imagebuilder/latest/userguide/security-iam-service-with-iam.html).
        Inconclusive: no AWS page found lists the managed images' names;
        ``red-hat-enterprise-linux-9-x86`` and ``suse-linux-enterprise-server-15-x86`` are the names
        public Image Builder examples use, in the pattern of the documented ``amazon-linux-2-arm64``
        (not checked against an account here: ``aws imagebuilder list-images --owner Amazon`` shows them). Their
        arm64 names are not documented at all, so arm64 is refused for them. Root device
        ``/dev/sda1`` for both is likewise not on an AWS page (the EC2 guide says only that it is
        ``/dev/sda1`` or ``/dev/xvda`` depending on the AMI); set ``RootVolume(device_name=...)``
        if a build shows otherwise.
        """
        if self in _WINDOWS and architecture is not Architecture.X86_64:
            raise ValueError(
                f"architectures: {self.value} is x86_64 only (AWS publishes its Windows Server AMIs under "
                f"/aws/service/ami-windows-latest for x86_64, no {architecture.value} one); build it for x86_64, "
                "or choose a Linux base for arm64"
            )
        if self in _MANAGED_IMAGE:
            if architecture is not Architecture.X86_64:
                raise ValueError(
                    f"architectures: {self.value} is offered here for x86_64 only (AWS documents no name for "
                    f"its arm64 managed image); build it for x86_64, or use BaseImage.from_ami_id(...) or "
                    f"BaseImage.from_ssm_parameter(...) with an arm64 image of your own"
                )
            return f"arn:{Aws.PARTITION}:imagebuilder:{Aws.REGION}:aws:image/{_MANAGED_IMAGE[self]}/x.x.x"
        return f"ssm:{self.ssm_parameter(architecture)}"

    def ssm_parameter(self, architecture: Architecture) -> str:
        """The public SSM parameter that holds the newest AMI ID of this OS in every region; raises
        ``ValueError`` for an OS resolved through Image Builder instead (RHEL, SUSE)."""
        if self is OperatingSystem.AMAZON_LINUX_2023:
            return f"/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{architecture.value}"
        if self is OperatingSystem.AMAZON_LINUX_2:
            return f"/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-{architecture.value}-gp2"
        if self in _WINDOWS:
            return f"/aws/service/ami-windows-latest/{_WINDOWS[self]}"
        if self in _MANAGED_IMAGE:
            raise ValueError(
                f"operating_system: {self.value} has no public SSM parameter; its parent is Image Builder's "
                "managed image, see OperatingSystem.parent_image"
            )
        release, disk = {"ubuntu-24.04": ("24.04", "ebs-gp3"), "ubuntu-22.04": ("22.04", "ebs-gp2")}[self.value]
        arch = "amd64" if architecture is Architecture.X86_64 else "arm64"
        return f"/aws/service/canonical/ubuntu/server/{release}/stable/current/{arch}/hvm/{disk}/ami-id"

    @property
    def root_device_name(self) -> str:
        """Device name of the root volume in AWS's images of this OS."""
        amazon = (OperatingSystem.AMAZON_LINUX_2023, OperatingSystem.AMAZON_LINUX_2)
        return "/dev/xvda" if self in amazon else "/dev/sda1"

    @property
    def default_user(self) -> str:
        """The user AWS's images of this OS let log in with the launch key pair (see the class)."""
        if self in _WINDOWS:
            return "Administrator"
        return "ubuntu" if self.value.startswith("ubuntu") else "ec2-user"

    @property
    def end_of_support(self) -> datetime.date | None:
        """The date this OS stopped getting security updates, when it has; None otherwise."""
        return END_OF_SUPPORT.get(self)


_MANAGED_IMAGE: Final[Mapping[OperatingSystem, str]] = {
    OperatingSystem.RHEL_9: "red-hat-enterprise-linux-9-x86",
    OperatingSystem.SLES_15: "suse-linux-enterprise-server-15-x86",
}
_WINDOWS: Final[Mapping[OperatingSystem, str]] = {
    # Names under AWS's public parameter path /aws/service/ami-windows-latest, which the Systems
    # Manager guide documents ("Calling AMI public parameters in Parameter Store",
    # https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-public-parameters-ami.html);
    # the 2022 and 2025 English full base names are those of AWS's Windows AMIs (Windows_Server-<year>-
    # English-Full-Base-<date>). Inconclusive: no docs.aws.amazon.com page found lists these two names;
    # a test holds them to the ones aws-cdk-lib's ec2.WindowsImage reads (tests/bake/test_windows_bases.py).
    OperatingSystem.WINDOWS_SERVER_2022: "Windows_Server-2022-English-Full-Base",
    OperatingSystem.WINDOWS_SERVER_2025: "Windows_Server-2025-English-Full-Base",
}
END_OF_SUPPORT: Final[Mapping[OperatingSystem, datetime.date]] = {
    # AWS's Amazon Linux 2 pages give June 30, 2026 as its end of support
    # (https://aws.amazon.com/amazon-linux-2/faqs/); no docs.aws.amazon.com page was found saying it.
    # A constant, never compared with today's date, so that a synth does not depend on the clock.
    OperatingSystem.AMAZON_LINUX_2: datetime.date(2026, 6, 30),
}
"""Operating systems past their end of support: a base on one needs ``allow_end_of_life=True``."""


class IParentPipeline(Protocol):
    """What a layer needs of the pipeline it is built on."""

    image_name: str
    architecture: Architecture | None
    root_device_name: str
    region: str
    builds_per_month: float
    data_volumes: tuple[DataVolume, ...]
    platform: Platform

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
    end_of_life_allowed: bool = False
    """True when the base is an OS past its end of support, allowed explicitly."""
    platform: Platform = Platform.LINUX
    """The operating system family: the recipe's components must run on it."""

    def for_architecture(self, architecture: Architecture) -> BaseImage:
        """The same base for ``architecture``: AWS-managed images resolve per architecture; any
        other base must already be of that architecture."""
        if self.operating_system is not None:
            return BaseImage.aws_managed(
                self.operating_system, architecture, allow_end_of_life=self.end_of_life_allowed
            )
        if self.architecture is architecture:
            return self
        known = self.architecture.value if self.architecture else "of unknown architecture"
        raise ValueError(
            f"architectures: {self.description} is {known}, so it cannot be the base of an "
            f"{architecture.value} image; use BaseImage.aws_managed(...) or a base per architecture"
        )

    @classmethod
    def aws_managed(
        cls,
        operating_system: OperatingSystem,
        architecture: Architecture = Architecture.X86_64,
        *,
        allow_end_of_life: bool = False,
    ) -> BaseImage:
        """The newest AWS-published image of ``operating_system``, looked up by Image Builder at
        each build: through AWS's public SSM parameter (``ssm:`` parent), or for RHEL and SUSE
        as Image Builder's AWS-managed image ``x.x.x`` (a dependency update whenever AWS publishes
        a new version). The recipe stays the same when AWS publishes a new AMI, so no redeploy
        and no new recipe version are needed.

        An OS past its end of support (``OperatingSystem.AMAZON_LINUX_2``, 2026-06-30) gets no
        security updates; it is refused unless ``allow_end_of_life=True``.

        Default architecture: x86_64. Default ``allow_end_of_life``: False.
        """
        ended = operating_system.end_of_support
        if ended is not None and not allow_end_of_life:
            raise ValueError(
                f"operating_system: {operating_system.value!r} reached end of support on {ended.isoformat()} and "
                "gets no security updates; use OperatingSystem.AMAZON_LINUX_2023, or pass allow_end_of_life=True "
                "to build on it anyway"
            )
        parent = operating_system.parent_image(architecture)
        source = parent.removeprefix("ssm:") if parent.startswith("ssm:") else "Image Builder managed image"
        if ended is not None:
            source += f"; past its end of support, {ended.isoformat()}"
        return cls(
            parent_image=parent,
            description=f"{operating_system.value} {architecture.value} (AWS-managed, {source})",
            architecture=architecture,
            root_device_name=operating_system.root_device_name,
            tracks_updates=not parent.startswith("ssm:"),
            operating_system=operating_system,
            end_of_life_allowed=ended is not None and allow_end_of_life,
            platform=operating_system.platform,
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
            platform=pipeline.platform,
        )

    @classmethod
    def from_ami_id(
        cls,
        ami_id: str,
        *,
        architecture: Architecture | None = None,
        root_device_name: str | None = None,
        platform: Platform = Platform.LINUX,
    ) -> BaseImage:
        """A fixed AMI in the pipeline's region, for example ``ami-0123456789abcdef0``.

        Default root device: ``/dev/xvda`` (``/dev/sda1`` for ``platform=Platform.WINDOWS``); pass
        the AMI's own if it differs. Default platform: Linux.
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
            root_device_name=_root_device(platform, root_device_name),
            platform=platform,
        )

    @classmethod
    def from_marketplace(
        cls,
        product_id: str,
        *,
        architecture: Architecture | None = None,
        root_device_name: str | None = None,
        platform: Platform = Platform.LINUX,
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
            root_device_name=_root_device(platform, root_device_name),
            platform=platform,
        )

    @classmethod
    def from_ssm_parameter(
        cls,
        parameter_name: str,
        *,
        architecture: Architecture | None = None,
        root_device_name: str | None = None,
        platform: Platform = Platform.LINUX,
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
            root_device_name=_root_device(platform, root_device_name),
            platform=platform,
        )


def _root_device(platform: Platform, root_device_name: str | None) -> str:
    """The root device of a base given by AMI, product or parameter, checked against ``platform``:
    Windows AMIs boot from ``/dev/sda1`` ("Device names for volumes on Amazon EC2 instances",
    https://docs.aws.amazon.com/ebs/latest/userguide/device_naming.html), so ``/dev/xvda`` is refused."""
    if platform is Platform.MACOS:
        raise ValueError("platform: macOS images are not built here; use Platform.LINUX or Platform.WINDOWS")
    if platform is Platform.WINDOWS:
        if root_device_name is not None and not is_token(root_device_name) and root_device_name != "/dev/sda1":
            raise ValueError(
                f"root_device_name: {root_device_name!r} is a Linux root device name, but the base is Windows; "
                "Windows AMIs boot from /dev/sda1, so pass root_device_name='/dev/sda1' or leave it unset"
            )
        return "/dev/sda1"
    return root_device_name or "/dev/xvda"
