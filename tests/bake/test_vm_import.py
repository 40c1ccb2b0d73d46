"""VmImportImage and VmImportRole: the custom resource they synthesize, the role's exact
permissions, the wait limits, and every bad input refused at synth."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Match, Template

from constructs_lib import (
    Architecture,
    BootMode,
    DiskFormat,
    DiskImage,
    LicenseType,
    Platform,
    VmImportImage,
    VmImportRole,
)
from constructs_lib.bake._waiter import HANDLER_DEADLINE_SECONDS, SERVICE_TIMEOUT_SECONDS, TOTAL_TIMEOUT_SECONDS
from constructs_lib.bake.vm_import_role import BUCKET_ACTIONS, EC2_ACTIONS, KEY_ACTIONS
from tests.conftest import make_stack

KEY = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
URL = "s3://disk-images/web/disk1.vmdk"


def build(stack: cdk.Stack, **kwargs: Any) -> VmImportImage:
    role = VmImportRole(stack, "Role", buckets=("disk-images",), kms_key_arn=KEY)
    options: dict[str, Any] = {"image_name": "legacy", "disk": DiskImage(s3_url=URL), "role": role, "kms_key_arn": KEY}
    return VmImportImage(stack, "Legacy", **{**options, **kwargs})


def test_defaults_import_encrypted_as_the_factory_role_and_keep_the_ami() -> None:
    stack = make_stack()
    imported = build(stack)
    template = Template.from_stack(stack)
    template.has_resource(
        "Custom::GoldenAmiVmImport",
        {
            "Properties": Match.object_like(
                {
                    "S3Url": URL,
                    "Format": "vmdk",
                    "Encrypted": "true",
                    "KmsKeyId": KEY,
                    "RoleName": "golden-ami-factory-vmimport",
                    "Architecture": "x86_64",
                    "Platform": "Linux",
                    "LicenseType": "BYOL",
                    "ImageName": "legacy-import",
                    "SemanticVersion": "1.0.0",
                    "RemoveOnDelete": "false",
                    "Tags": {"golden-ami:source": URL},
                    "ServiceTimeout": "3600",
                    "TimeoutSeconds": str(HANDLER_DEADLINE_SECONDS),
                }
            ),
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
        },
    )
    assert "BootMode" not in next(iter(template.find_resources("Custom::GoldenAmiVmImport").values()))["Properties"]
    base = imported.base_image
    assert (base.architecture, base.root_device_name, base.tracks_updates) == (Architecture.X86_64, "/dev/sda1", False)
    assert base.region == "eu-west-1"
    assert "fixed parent" in base.description


def test_waits_inside_cloudformations_hour() -> None:
    # CloudFormation's ServiceTimeout is at most 3600 s; the framework stops first, the function before it.
    assert SERVICE_TIMEOUT_SECONDS == 3600
    assert HANDLER_DEADLINE_SECONDS < TOTAL_TIMEOUT_SECONDS < SERVICE_TIMEOUT_SECONDS
    stack = make_stack()
    build(stack)
    template = Template.from_stack(stack)
    machines = template.find_resources("AWS::StepFunctions::StateMachine")
    assert len(machines) == 1


def test_all_arguments() -> None:
    stack = make_stack()
    build(
        stack,
        version="2.1.0",
        boot_mode=BootMode.UEFI,
        license_type=LicenseType.AWS,
        platform=Platform.WINDOWS,
        root_device_name="/dev/sda1",
        tags={"team": "platform"},
        remove_on_delete=True,
        disk=DiskImage(s3_url="s3://disk-images/win/server.img", disk_format=DiskFormat.RAW),
    )
    template = Template.from_stack(stack)
    template.has_resource(
        "Custom::GoldenAmiVmImport",
        {
            "Properties": Match.object_like(
                {
                    "Format": "raw",
                    "BootMode": "uefi",
                    "LicenseType": "AWS",
                    "Platform": "Windows",
                    "SemanticVersion": "2.1.0",
                    "RemoveOnDelete": "true",
                    "Tags": {"team": "platform", "golden-ami:source": "s3://disk-images/win/server.img"},
                }
            ),
            "DeletionPolicy": "Delete",
        },
    )
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Sid": "RemoveOnDelete",
                                "Action": ["ec2:DeleteSnapshot", "ec2:DeregisterImage"],
                                "Condition": {
                                    "StringEquals": {
                                        "aws:ResourceTag/golden-ami:source": "s3://disk-images/win/server.img"
                                    }
                                },
                            }
                        )
                    ]
                )
            }
        },
    )


def test_role_has_exactly_the_documented_permissions_and_the_factory_key() -> None:
    stack = make_stack()
    VmImportRole(stack, "Role", buckets=("disk-images", "more-images", "disk-images"), kms_key_arn=KEY)
    template = Template.from_stack(stack)
    (role,) = template.find_resources("AWS::IAM::Role").values()
    properties = role["Properties"]
    assert properties["RoleName"] == "golden-ami-factory-vmimport"
    (trust,) = properties["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "vmie.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"sts:Externalid": "vmimport"}}
    (policy,) = properties["Policies"]
    statements = {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}
    assert set(statements) == {"ReadDiskImages", "RegisterSnapshotsAndImages", "EncryptWithFactoryKey"}
    assert sorted(statements["ReadDiskImages"]["Action"]) == sorted(BUCKET_ACTIONS)
    assert statements["ReadDiskImages"]["Resource"] == [
        f"arn:aws:s3:::{b}{suffix}" for b in ("disk-images", "more-images") for suffix in ("", "/*")
    ]
    assert sorted(statements["RegisterSnapshotsAndImages"]["Action"]) == sorted(EC2_ACTIONS)
    assert sorted(statements["EncryptWithFactoryKey"]["Action"]) == sorted(KEY_ACTIONS)
    assert statements["EncryptWithFactoryKey"]["Resource"] == KEY
    assert "ManagedPolicyArns" not in properties


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: DiskImage(s3_url="https://disk-images.s3.amazonaws.com/disk.vmdk"), r"s3_url: .* is not an S3 URL"),
        (lambda: DiskImage(s3_url="s3://disk-images"), r"s3_url: 's3://disk-images' is not an S3 URL"),
        (lambda: DiskImage(s3_url="s3://Disk_Images/disk.vmdk"), r"is not an S3 URL"),
        (lambda: DiskImage(s3_url=URL + "\n"), r"is not an S3 URL"),
        (lambda: DiskImage(s3_url="s3://disk-images/disk.qcow2"), r"disk_format: 'qcow2' .* is not a format VM"),
        (lambda: DiskImage(s3_url="s3://disk-images/disk"), r"disk_format: .* one of ova, raw, vhd, vhdx, vmdk"),
    ],
    ids=["https-url", "no-key", "bad-bucket", "newline", "qcow2", "no-extension"],
)
def test_rejects_bad_disk_images(make: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize("disk_format", list(DiskFormat))
def test_accepts_every_format_aws_imports(disk_format: DiskFormat) -> None:
    disk = DiskImage(s3_url=f"s3://disk-images/disk.{disk_format.value}")
    assert disk.format is disk_format


def test_rejects_an_import_without_encryption() -> None:
    with pytest.raises(ValueError, match="kms_key_arn: an import must be encrypted"):
        build(make_stack(), kms_key_arn=None)


def test_rejects_arm64_which_importimage_does_not_take() -> None:
    with pytest.raises(ValueError, match=r"architecture: 'arm64' cannot be imported; .* i386 or x86_64"):
        build(make_stack(), architecture=Architecture.ARM64)


def test_rejects_an_aws_license_for_linux() -> None:
    with pytest.raises(ValueError, match="license_type: 'AWS' is not possible for Linux"):
        build(make_stack(), license_type=LicenseType.AWS)


def test_rejects_a_boot_mode_importimage_does_not_take() -> None:
    with pytest.raises(ValueError, match="boot_mode: 'uefi-preferred' is not a boot mode ImportImage takes"):
        build(make_stack(), boot_mode="uefi-preferred")


def test_rejects_a_disk_in_a_bucket_the_role_cannot_read() -> None:
    with pytest.raises(ValueError, match="disk: bucket 'elsewhere' is not one the import role may read"):
        build(make_stack(), disk=DiskImage(s3_url="s3://elsewhere/disk.vmdk"))


def test_rejects_a_role_name_iam_would_refuse() -> None:
    with pytest.raises(ValueError, match="role_name: 'vm import' is not an IAM role name"):
        VmImportRole(make_stack(), "Role", buckets=("disk-images",), kms_key_arn=KEY, role_name="vm import")
