"""golden-ami-import: the out-of-band import checks its arguments like synth does, imports with
the same function, waits and records the AMI in the lock file (botocore's Stubber for AWS)."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from constructs_lib.bake.import_cli import parse, properties, run
from constructs_lib.bake.version_lock import VersionLock

KEY = "arn:aws:kms:eu-west-1:111111111111:alias/golden-ami/distribution"
TASK = "import-ami-0123456789abcdef0"
AMI = "ami-0123456789abcdef0"
IMAGE = "arn:aws:imagebuilder:eu-west-1:111111111111:image/legacy-import/1.0.0/1"


def args(tmp_path: Path, *more: str) -> list[str]:
    return [
        "--image",
        "legacy",
        "--s3",
        "s3://disk-images/web.vmdk",
        "--kms-key",
        KEY,
        "--lock",
        str(tmp_path / "l.json"),
        *more,
    ]


def test_properties_match_what_the_custom_resource_gets(tmp_path: Path) -> None:
    props = properties(parse(args(tmp_path, "--boot-mode", "uefi")), account="111111111111", region="eu-west-1")
    assert props["Format"] == "vmdk" and props["Encrypted"] == "true" and props["KmsKeyId"] == KEY
    assert props["RoleName"] == "golden-ami-factory-vmimport" and props["BootMode"] == "uefi"
    assert props["ImageVersionArn"] == "arn:aws:imagebuilder:eu-west-1:111111111111:image/legacy-import/1.0.0"


@pytest.mark.parametrize(
    ("more", "message"),
    [
        (["--architecture", "arm64"], "architecture: 'arm64' cannot be imported"),
        (["--license", "AWS"], "license_type: 'AWS' is not possible for Linux"),
        (["--role", "no spaces"], "--role: 'no spaces' is not an IAM role name"),
    ],
)
def test_refuses_what_synth_refuses(tmp_path: Path, more: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        properties(parse(args(tmp_path, *more)), account="111111111111", region="eu-west-1")


def test_imports_waits_without_a_deadline_and_records_the_ami(tmp_path: Path) -> None:
    ec2 = boto3.client("ec2", region_name="eu-west-1")
    imagebuilder = boto3.client("imagebuilder", region_name="eu-west-1")
    with Stubber(ec2) as ec2_stub, Stubber(imagebuilder) as ib_stub:
        ec2_stub.add_response("import_image", {"ImportTaskId": TASK}, None)
        for status in ("active", "active", "completed"):
            task = {"ImportTaskId": TASK, "Status": status, **({"ImageId": AMI} if status == "completed" else {})}
            ec2_stub.add_response(
                "describe_import_image_tasks", {"ImportImageTasks": [task]}, {"ImportTaskIds": [TASK]}
            )
        ec2_stub.add_response(
            "create_tags",
            {},
            {"Resources": [AMI], "Tags": [{"Key": "golden-ami:source", "Value": "s3://disk-images/web.vmdk"}]},
        )
        ib_stub.add_response("import_vm_image", {"imageArn": IMAGE}, None)
        ib_stub.add_response("get_image", {"image": {"arn": IMAGE, "state": {"status": "AVAILABLE"}}}, None)
        parsed = parse(args(tmp_path))
        ami = run(parsed, ec2=ec2, imagebuilder=imagebuilder, account="111111111111", region="eu-west-1", interval=0)
        ec2_stub.assert_no_pending_responses()
    assert ami == AMI
    assert VersionLock(tmp_path / "l.json").imported("legacy") == {
        "ami": AMI,
        "source": "s3://disk-images/web.vmdk",
        "task": TASK,
    }
