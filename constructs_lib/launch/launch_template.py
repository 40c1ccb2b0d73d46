"""A launch template that launches the newest golden AMI without a redeploy."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from aws_cdk import Stack, Tags
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from constructs import Construct

from .._core.enums import Architecture, Platform
from .._core.instance_types import check_instance_types
from .._core.limits import is_token
from .._core.nag import FAST_LAUNCH_VOLUMES_REASON, acknowledge
from .._core.targets import check_parameter_name
from .._core.volumes import DataVolume, RootVolume
from ..distribute.destination import MANAGED_TEMPLATE_TAG
from ..pipeline.interfaces import IDistributedGoldenImage, IFastLaunchImage, IGoldenImage

# Source: SSM LabelParameterVersion (labels 1..100 of [a-zA-Z0-9_.-], not starting with a digit
# or with aws/ssm) and GetParameter (versions are positive integers).
_LABEL_RE: Final = re.compile(r"^[a-zA-Z_.-][a-zA-Z0-9_.-]{0,99}$", re.ASCII)
_PARAMETER_ARN_RE: Final = re.compile(r"^arn:aws[-a-z]*:ssm:[a-z0-9-]+:\d{12}:parameter/[a-zA-Z0-9_.\-/]+$", re.ASCII)
PIN_TAG: Final = "golden-ami:pinned"


def check_pin(field: str, pin: int | str) -> str:
    """A parameter version (positive integer) or label as the suffix of ``resolve:ssm:<name>:<pin>``."""
    if isinstance(pin, bool):
        raise ValueError(f"{field}: {pin!r} is not a parameter version or label; use for example 3 or 'stable'")
    if isinstance(pin, int) or (isinstance(pin, str) and pin.isdigit()):
        if int(pin) < 1:
            raise ValueError(f"{field}: {pin!r} is not a parameter version; versions start at 1")
        return str(int(pin))
    if not isinstance(pin, str) or not _LABEL_RE.fullmatch(pin) or pin.lower().startswith(("aws", "ssm")):
        raise ValueError(
            f"{field}: {pin!r} is neither a positive version number nor a parameter label; labels are 1 to 100 "
            "of letters, digits, '.', '-', '_', do not start with a digit, 'aws' or 'ssm' (for example 'stable')"
        )
    return pin


class GoldenLaunchTemplate(Construct):
    """An EC2 launch template whose image is read at launch from a latest-AMI parameter.

    ``ImageId`` is ``resolve:ssm:<parameter>``: every launch (a scale-out, a replaced instance,
    an instance refresh) takes the AMI the parameter names at that moment, so a new image needs
    no redeploy. ``pin`` freezes it to a parameter version or label for a rollback. Secure by
    default: IMDSv2 required with hop limit 1, no public IP address, volumes encrypted and
    matching the image's block device mapping, detailed monitoring on. For an image with EC2 Fast
    Launch in the template's region the template carries no block device mapping: the AMI's own,
    encrypted by the recipe's key, applies, and a mapping would keep EC2 from using the
    pre-provisioned snapshots.

    Example::

        template = GoldenLaunchTemplate(self, "Web", image=pipeline, instance_type="m7i.large")
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        image: IGoldenImage | None = None,
        parameter_name: str | None = None,
        parameter_arn: str | None = None,
        pin: int | str | None = None,
        instance_type: str | None = None,
        architecture: Architecture | None = None,
        platform: Platform | None = None,
        role: iam.IRole | None = None,
        security_group: ec2.ISecurityGroup | None = None,
        user_data: ec2.UserData | None = None,
        root_volume: RootVolume | None = None,
        data_volumes: Sequence[DataVolume] | None = None,
        root_device_name: str | None = None,
        hop_limit: int = 1,
        image_builder_updates: bool = False,
        launch_template_name: str | None = None,
    ) -> None:
        """
        :param image: a pipeline (or anything with ``ami_parameter_name``); a pipeline also
            supplies the parameter of this stack's region, the architecture and the volumes.
        :param parameter_name: a latest-AMI parameter by name instead, in this account and region.
        :param parameter_arn: a parameter shared from another account, by ARN, instead.
        :param pin: a parameter version (``3``) or label (``'stable'``) to launch instead of the
            newest AMI. Default: none, always the newest.
        :param instance_type: Default: none (the Auto Scaling group or the launch call says).
        :param architecture: checked against ``instance_type``. Default: the image's, when known.
        :param platform: Linux or Windows: the user data's language and the root device it allows
            (see :func:`check_launch_platform`). Default: the image's, else Linux.
        :param role: instance role; an instance profile is made for it. Default: none.
        :param security_group: Default: none (the group or subnet default applies).
        :param user_data: ``ec2.UserData.for_linux()`` (a shell script) for Linux,
            ``ec2.UserData.for_windows()`` (``<powershell>...</powershell>``) for Windows; the other
            platform's kind is refused. Default: none.
        :param root_volume: Default: the image's root volume (30 GiB gp3), encrypted.
        :param data_volumes: Default: the image's whole set of data volumes (a layer's ancestors'
            included, as its AMI carries them), encrypted.
        :param root_device_name: Default: the image's root device, else ``/dev/xvda``.
        :param hop_limit: IMDSv2 hop limit. Default: 1 (2 for containers on the instance).
        :param image_builder_updates: tag the template so that Image Builder may add versions to
            it (``golden-ami:image-builder-updates=true``), for distributions that update launch
            templates. CloudFormation then reports drift on it. Default: False.
        :param launch_template_name: Default: generated by CloudFormation.
        """
        super().__init__(scope, id)
        given = [x for x in (image, parameter_name, parameter_arn) if x is not None]
        if len(given) != 1:
            raise ValueError(
                "image: give exactly one of image=, parameter_name= or parameter_arn= "
                f"({len(given)} given); it names the parameter the template reads its AMI from"
            )
        region = Stack.of(self).region
        if is_token(region):
            raise ValueError(
                "region: a golden launch template needs a stack with an explicit region "
                "(env=Environment(region=...)); the parameter is regional"
            )
        if image is not None:
            if isinstance(image, IDistributedGoldenImage):
                name = image.parameter_name_in(region)
            else:
                name = image.ami_parameter_name
        elif parameter_name is not None:
            name = check_parameter_name("parameter_name", parameter_name)
        else:
            assert parameter_arn is not None
            if not is_token(parameter_arn) and not _PARAMETER_ARN_RE.fullmatch(parameter_arn):
                raise ValueError(
                    f"parameter_arn: {parameter_arn!r} is not an SSM parameter ARN; use for example "
                    "'arn:aws:ssm:eu-west-1:111111111111:parameter/golden-ami/web-server/latest'"
                )
            name = parameter_arn
        version = check_pin("pin", pin) if pin is not None else None
        arch = architecture or (image.architecture if isinstance(image, IDistributedGoldenImage) else None)
        if instance_type is not None:
            check_instance_types("instance_type", (instance_type,), arch)
        if hop_limit not in range(1, 65):
            raise ValueError(f"hop_limit: {hop_limit!r} must be 1 to 64")

        source = image if isinstance(image, IDistributedGoldenImage) else None
        fast = isinstance(image, IFastLaunchImage) and image.fast_launch_in(region)
        if fast and (root_volume is not None or data_volumes is not None):
            raise ValueError(
                f"root_volume: the image has EC2 Fast Launch in {region}, and a launch template with a block "
                "device mapping launches from the AMI's base snapshot, not the pre-provisioned ones; drop "
                "root_volume and data_volumes (the AMI's volumes, encrypted by its recipe, apply)"
            )
        root = root_volume or (source.root_volume if source else RootVolume())
        data = tuple(data_volumes) if data_volumes is not None else (source.data_volumes if source else ())
        os_platform = platform or (source.platform if source else Platform.LINUX)
        fallback = "/dev/sda1" if os_platform is Platform.WINDOWS else "/dev/xvda"
        root_device = root.device_name or root_device_name or (source.root_device_name if source else fallback)
        check_launch_platform(os_platform, root_device, user_data)
        self.parameter_name = name
        self.image_id = f"resolve:ssm:{name}" + (f":{version}" if version else "")
        self.launch_template = ec2.LaunchTemplate(
            self,
            "Resource",
            launch_template_name=launch_template_name,
            machine_image=(
                ec2.MachineImage.generic_windows({region: self.image_id})
                if os_platform is Platform.WINDOWS
                else ec2.MachineImage.generic_linux({region: self.image_id})
            ),
            instance_type=ec2.InstanceType(instance_type) if instance_type else None,
            require_imdsv2=True,
            http_tokens=ec2.LaunchTemplateHttpTokens.REQUIRED,
            http_put_response_hop_limit=hop_limit,
            http_endpoint=True,
            associate_public_ip_address=False,
            block_devices=(
                None if fast else [_block_device(root_device, root), *[_block_device(v.device_name, v) for v in data]]
            ),
            role=role,
            security_group=security_group,
            user_data=user_data,
            detailed_monitoring=True,
            ebs_optimized=None,
        )
        if fast:
            acknowledge(self.launch_template, "GoldenAmi-LaunchTemplateVolumesEncrypted", FAST_LAUNCH_VOLUMES_REASON)
        self.fast_launch = fast
        if version:
            Tags.of(self.launch_template).add(PIN_TAG, version)
        if image_builder_updates:
            Tags.of(self.launch_template).add(MANAGED_TEMPLATE_TAG, "true")
        self.launch_template_id = self.launch_template.launch_template_id
        self.pin = version
        self.instance_type = instance_type
        self.architecture = arch
        self.platform = os_platform
        self.image_builder_updates = image_builder_updates
        self.image_name = source.image_name if source else name


LINUX_ROOT_DEVICES: Final = ("/dev/xvda",)
"""Root device names of Linux AMIs that a Windows AMI never has (its root is ``/dev/sda1``)."""


def check_launch_platform(platform: Platform, root_device: str, user_data: ec2.UserData | None) -> None:
    """Raise ``ValueError`` for a setting of the other platform's.

    Windows: the root device is ``/dev/sda1`` ("Device names for volumes on Amazon EC2 instances",
    https://docs.aws.amazon.com/ebs/latest/userguide/device_naming.html), and user data is a script
    EC2Launch runs only inside a ``<powershell>`` (or ``<script>``) tag ("Run commands when you launch
    an EC2 instance with user data input", "User data scripts",
    https://docs.aws.amazon.com/AWSEC2/latest/WindowsGuide/ec2-windows-user-data.html): a shell script
    is refused. Linux: a ``<powershell>`` or ``<script>`` script is refused (cloud-init does not read it).
    """
    if platform is Platform.WINDOWS and root_device in LINUX_ROOT_DEVICES:
        raise ValueError(
            f"root_device_name: {root_device!r} is a Linux root device, but the image is Windows; Windows AMIs "
            "boot from /dev/sda1, so drop it or use '/dev/sda1'"
        )
    if user_data is None:
        return
    text = user_data.render().lstrip()
    windows = text.startswith(("<powershell>", "<script>"))
    if platform is Platform.WINDOWS and not windows:
        raise ValueError(
            f"user_data: {text[:40]!r} is not PowerShell, but the image is Windows and EC2Launch runs only a "
            "script inside <powershell>...</powershell>; use ec2.UserData.for_windows()"
        )
    if platform is not Platform.WINDOWS and windows:
        raise ValueError(
            f"user_data: {text[:40]!r} is a Windows script, but the image is {platform.value}; use "
            "ec2.UserData.for_linux() and shell commands"
        )


def _block_device(device: str, volume: RootVolume | DataVolume) -> ec2.BlockDevice:
    return ec2.BlockDevice(
        device_name=device,
        volume=ec2.BlockDeviceVolume.ebs(
            volume.size_gib,
            encrypted=True,
            delete_on_termination=True,
            volume_type=ec2.EbsDeviceVolumeType[volume.volume_type.value.upper()],
            iops=volume.iops,
            throughput=volume.throughput,
        ),
    )
