"""A VM image from S3 (OVA, VMDK, VHD/VHDX, raw) imported as an AMI and an Image Builder image.

CloudFormation has no resource for VM Import/Export, so this is a custom resource: EC2
``ImportImage``, then Image Builder ``ImportVmImage`` on the finished task, waited for with the
CDK provider framework's asynchronous completion. CloudFormation waits at most an hour for a
custom resource and AWS does not bound how long an import takes: a disk that may take longer
is imported out of band with ``golden-ami-import`` (see :mod:`constructs_lib.bake.import_cli`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Final

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from .._core.derived import IMPORT_BASE_DESCRIPTION, IMPORT_NAME, IMPORT_ROLE_DESCRIPTION, check_import
from .._core.enums import Architecture, Platform
from .._core.limits import check_name, check_tags, check_version
from .._core.nag import as_in_finding
from ._waiter import AmiWaiter
from ._waiter import remove_on_delete as remove_on_delete_statement
from .base_image import BaseImage
from .vm_import_options import BootMode, DiskImage, LicenseType, check_import_options
from .vm_import_role import VmImportRole

FUNCTION_CODE: Final = Path(__file__).parent / "vm_import_function"
RESOURCE_TYPE: Final = "Custom::GoldenAmiVmImport"
SOURCE_TAG: Final = "golden-ami:source"


class VmImportImage(Construct):
    """A disk image imported as an encrypted AMI and a versioned Image Builder image.

    The import is encrypted with ``kms_key_arn`` (there is no unencrypted import), runs as
    ``role`` (a :class:`VmImportRole`), and its result is tagged. :attr:`base_image` is a
    fixed parent for a pipeline: a new disk image makes a new AMI on the next deploy, never a
    dependency update, so the pipeline gets the ``ON_SCHEDULE`` start condition. The AMI and
    its snapshots are kept when the stack is deleted unless ``remove_on_delete`` is true.

    Example::

        role = VmImportRole(self, "Role", buckets=("my-disk-images",), kms_key_arn=key_arn)
        base = VmImportImage(self, "Legacy", image_name="legacy-web", role=role, kms_key_arn=key_arn,
                             disk=DiskImage(s3_url="s3://my-disk-images/web.vmdk")).base_image
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        image_name: str,
        disk: DiskImage,
        role: VmImportRole,
        kms_key_arn: str | None,
        version: str = "1.0.0",
        architecture: Architecture = Architecture.X86_64,
        boot_mode: BootMode | None = None,
        license_type: LicenseType = LicenseType.BYOL,
        platform: Platform = Platform.LINUX,
        root_device_name: str = "/dev/sda1",
        tags: Mapping[str, str] | None = None,
        remove_on_delete: bool = False,
    ) -> None:
        """
        :param image_name: names the Image Builder image (``<image_name>-import``).
        :param kms_key_arn: the key that encrypts the AMI; required, imports are never unencrypted.
        :param version: the Image Builder image's semantic version. Default: 1.0.0.
        :param boot_mode: Default: the one ImportImage detects.
        :param license_type: Default: BYOL (the only one for Linux).
        :param root_device_name: Default: ``/dev/sda1``, where VM Import attaches the boot disk.
        :param remove_on_delete: deregister the AMI and delete its snapshots with the stack.
            Default: false (kept).
        """
        super().__init__(scope, id)
        if kms_key_arn is None or kms_key_arn == "":
            raise ValueError(
                "kms_key_arn: an import must be encrypted; give the factory's key ARN (an unencrypted "
                "import would put the disk's data in snapshots anyone with snapshot access can read)"
            )
        check_name("image_name", image_name)
        check_import("disk.s3_url", disk.s3_url, "image_name", image_name)
        check_version("version", version)
        check_import_options(architecture, boot_mode, license_type, platform)
        if disk.bucket not in role.buckets:
            raise ValueError(
                f"disk: bucket {disk.bucket!r} is not one the import role may read ({', '.join(role.buckets)}); "
                "add it to the VmImportRole's buckets"
            )
        all_tags = {**check_tags("tags", tags or {}), SOURCE_TAG: disk.s3_url}
        stack = Stack.of(self)
        partition, region, account = stack.partition, stack.region, stack.account
        name = IMPORT_NAME.render(image=image_name)
        self.image_version_arn = f"arn:{partition}:imagebuilder:{region}:{account}:image/{name.lower()}/{version}"
        properties = {
            "S3Url": disk.s3_url,
            "Format": disk.format.value,
            "Encrypted": "true",
            "KmsKeyId": kms_key_arn,
            "RoleName": role.role_name,
            "Architecture": architecture.value,
            "Platform": platform.value,
            "LicenseType": license_type.value,
            "ImageName": name,
            "SemanticVersion": version,
            "ImageVersionArn": self.image_version_arn,
            "Description": f"{image_name}: imported from {disk.s3_url}",
            "Tags": all_tags,
            "RemoveOnDelete": str(remove_on_delete).lower(),
        }
        if boot_mode is not None:
            properties["BootMode"] = boot_mode.value
        images = f"arn:{partition}:imagebuilder:{region}:{account}:image/{name.lower()}/*"
        statements = [
            iam.PolicyStatement(
                sid="ImportAndFollow",
                actions=["ec2:ImportImage", "ec2:DescribeImportImageTasks", "ec2:CancelImportTask", "ec2:CreateTags"],
                resources=["*"],
            ),
            # VM Import/Export assumes the role as vmie.amazonaws.com (its documented trust); no page
            # names the service ImportImage passes it to, so EC2 is allowed as well.
            iam.PolicyStatement(
                sid="PassImportRole",
                actions=["iam:PassRole"],
                resources=[role.role.role_arn],
                conditions={"StringEquals": {"iam:PassedToService": ["vmie.amazonaws.com", "ec2.amazonaws.com"]}},
            ),
            iam.PolicyStatement(
                sid="RegisterWithImageBuilder",
                actions=["imagebuilder:ImportVmImage", "imagebuilder:GetImage", "imagebuilder:TagResource"],
                resources=[images],
            ),
        ]
        if remove_on_delete:
            statements.append(remove_on_delete_statement(partition, region, SOURCE_TAG, disk.s3_url))
            statements.append(
                iam.PolicyStatement(
                    sid="RemoveImageBuilderImage",
                    actions=["imagebuilder:ListImageBuildVersions", "imagebuilder:DeleteImage"],
                    resources=[images],
                )
            )
        self.waiter = AmiWaiter(
            self,
            "Import",
            code=FUNCTION_CODE,
            resource_type=RESOURCE_TYPE,
            description=IMPORT_ROLE_DESCRIPTION.render(s3_url=disk.s3_url, image=image_name),
            properties=properties,
            statements=statements,
            removal_policy=RemovalPolicy.DESTROY if remove_on_delete else RemovalPolicy.RETAIN,
        )
        # The import names the role by name: wait for it to exist.
        self.waiter.resource.node.add_dependency(role)
        here = f"arn:{as_in_finding(partition, 'Partition')}:imagebuilder:{as_in_finding(region, 'Region')}"
        self.waiter.acknowledge_resources(
            ("*", "ImportImage, DescribeImportImageTasks, CancelImportTask: the task does not exist before the call."),
            (
                f"{here}:{as_in_finding(account, 'AccountId')}:image/{name.lower()}/*",
                "The builds of this import's own Image Builder image.",
            ),
            amis=(lambda kind: f"Limited by condition to {kind}s tagged {SOURCE_TAG}={disk.s3_url}.")
            if remove_on_delete
            else None,
        )
        self.ami_id = self.waiter.resource.get_att_string("AmiId")
        self.image_arn = self.waiter.resource.get_att_string("ImageArn")
        self.disk = disk
        self.base_image = BaseImage(
            parent_image=self.image_arn,
            description=IMPORT_BASE_DESCRIPTION.render(s3_url=disk.s3_url),
            architecture=architecture,
            root_device_name=root_device_name,
            region=region,
            platform=platform,
        )
