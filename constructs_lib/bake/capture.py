"""A configured EC2 instance captured as an AMI (EC2 ``CreateImage``), usable as a base image.

CloudFormation has no resource for ``CreateImage``, so this is a custom resource waited for with
the CDK provider framework's asynchronous completion, like :mod:`constructs_lib.bake.vm_import`.
A captured image is a starting point, not a golden image: it has had no tests, no scan and no
version, and it exists in one account and region. Build on it with a pipeline, which adds them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from .._core.enums import Architecture
from .._core.limits import check_name, check_tags, check_unique, is_token
from ._waiter import AmiWaiter, ami_arns
from ._waiter import remove_on_delete as remove_on_delete_statement
from .base_image import BaseImage

FUNCTION_CODE: Final = Path(__file__).parent / "capture_function"
RESOURCE_TYPE: Final = "Custom::GoldenAmiInstanceCapture"
# EC2 resource IDs: a prefix and 8 (older) or 17 lowercase hex characters.
_INSTANCE_ID_RE: Final = re.compile(r"i-([0-9a-f]{8}|[0-9a-f]{17})", re.ASCII)
_DEVICE_RE: Final = re.compile(r"/dev/(sd[a-z][0-9]{0,2}|xvd[a-z]{1,2}|nvme[0-9]{1,2}n1)", re.ASCII)
SOURCE_TAG: Final = "golden-ami:captured-from"


def check_instance_id(field: str, value: str) -> str:
    if not is_token(value) and not _INSTANCE_ID_RE.fullmatch(value):
        raise ValueError(
            f"{field}: {value!r} is not an EC2 instance ID; use 'i-' followed by 8 or 17 lowercase hex digits, "
            "for example 'i-0123456789abcdef0'"
        )
    return value


def check_keep_devices(keep_devices: Sequence[str], root_device_name: str) -> tuple[str, ...]:
    """``keep_devices`` if each is a device name, none twice, and the root device among them (an
    AMI needs its root volume); an empty list keeps every device."""
    for device in keep_devices:
        if not _DEVICE_RE.fullmatch(device):
            raise ValueError(f"keep_devices: {device!r} is not a device name; use names like '/dev/xvda' or '/dev/sdf'")
    check_unique("keep_devices", tuple(keep_devices))
    if keep_devices and root_device_name not in keep_devices:
        listed = ", ".join(keep_devices)
        raise ValueError(f"keep_devices: {listed} leaves out the root device {root_device_name}; add it")
    return tuple(keep_devices)


class InstanceCapture(Construct):
    """An AMI of ``instance_id`` made with ``CreateImage``, waited for until it is ``available``.

    ``keep_devices`` lists the device names whose volumes go into the image (the root device
    among them); the instance's other volumes are left out. Default: every volume. By default
    the instance reboots for a consistent file system (``no_reboot=False``), as ``CreateImage``
    does. The image belongs to the stack's account and region: :attr:`base_image` may only be
    the base of a pipeline there. It is a fixed parent, so its pipeline builds ``ON_SCHEDULE``.
    The AMI and its snapshots are kept when the stack is deleted unless ``remove_on_delete``.

    Example::

        base = InstanceCapture(self, "Hand", image_name="legacy-app", instance_id="i-0123456789abcdef0").base_image
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        image_name: str,
        instance_id: str,
        keep_devices: Sequence[str] = (),
        no_reboot: bool = False,
        architecture: Architecture = Architecture.X86_64,
        root_device_name: str = "/dev/xvda",
        tags: Mapping[str, str] | None = None,
        remove_on_delete: bool = False,
    ) -> None:
        """
        :param keep_devices: device names to keep, for example ``("/dev/xvda",)``. Default: all.
        :param no_reboot: capture without stopping the instance (the file system may be
            inconsistent). Default: false.
        :param architecture: the instance's architecture. Default: x86_64.
        :param root_device_name: the instance's root device. Default: ``/dev/xvda``.
        :param remove_on_delete: deregister the AMI and delete its snapshots with the stack.
            Default: false (kept).
        """
        super().__init__(scope, id)
        check_name("image_name", image_name)
        check_instance_id("instance_id", instance_id)
        check_keep_devices(keep_devices, root_device_name)
        stack = Stack.of(self)
        partition, region, account = stack.partition, stack.region, stack.account
        all_tags = {**check_tags("tags", tags or {}), SOURCE_TAG: instance_id}
        properties = {
            "InstanceId": instance_id,
            "ImageName": image_name,
            "Description": f"{image_name}: captured from {instance_id}",
            "NoReboot": str(no_reboot).lower(),
            "KeepDevices": list(keep_devices),
            "Tags": all_tags,
            "RemoveOnDelete": str(remove_on_delete).lower(),
        }
        amis = ami_arns(partition, region)
        statements = [
            iam.PolicyStatement(
                sid="Capture",
                actions=["ec2:CreateImage"],
                resources=[f"arn:{partition}:ec2:{region}:{account}:instance/{instance_id}", *amis],
            ),
            iam.PolicyStatement(
                sid="TagOnCapture",
                actions=["ec2:CreateTags"],
                resources=amis,
                conditions={"StringEquals": {"ec2:CreateAction": "CreateImage"}},
            ),
            iam.PolicyStatement(sid="Follow", actions=["ec2:DescribeImages", "ec2:DescribeInstances"], resources=["*"]),
        ]
        if remove_on_delete:
            statements.append(remove_on_delete_statement(partition, region, SOURCE_TAG, instance_id))
        self.waiter = AmiWaiter(
            self,
            "Capture",
            code=FUNCTION_CODE,
            resource_type=RESOURCE_TYPE,
            description=f"Captures {instance_id} as the golden AMI base {image_name}",
            properties=properties,
            statements=statements,
            removal_policy=RemovalPolicy.DESTROY if remove_on_delete else RemovalPolicy.RETAIN,
        )
        self.waiter.acknowledge_resources(
            ("*", "DescribeImages and DescribeInstances have no resource-level permissions."),
            amis=lambda kind: f"The {kind}s CreateImage makes, not known before.",
        )
        self.instance_id = instance_id
        self.ami_id = self.waiter.resource.get_att_string("AmiId")
        self.base_image = BaseImage(
            parent_image=self.ami_id,
            description=f"AMI captured from instance {instance_id} (fixed parent)",
            architecture=architecture,
            root_device_name=root_device_name,
            region=region,
        )
