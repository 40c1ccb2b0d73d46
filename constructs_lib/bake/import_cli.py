"""``golden-ami-import``: import a VM disk image out of band and record its AMI in the lock file.

A custom resource waits at most an hour (CloudFormation's ``ServiceTimeout`` limit) and AWS does
not bound how long a VM import takes. For a disk that may take longer, run this command once
(from a machine with AWS credentials, ``pip install 'golden-ami-factory[cli]'``): it starts the
same import the custom resource would (encrypted with the factory's key, as the factory's import
role), waits without a deadline, and records the AMI ID under ``imports`` in the lock file. The
factory file then names the base ``{import: {..., out_of_band: true}}`` and synth uses the
recorded AMI. Commit the lock file with the change.

Example::

    golden-ami-import --image legacy-web --s3 s3://my-disk-images/web.vmdk \\
        --kms-key arn:aws:kms:eu-west-1:111111111111:alias/golden-ami/distribution
"""

from __future__ import annotations

import argparse
import sys
import uuid
from collections.abc import Sequence
from typing import Any

from .._core.enums import Architecture, Platform
from .version_lock import DEFAULT_LOCK_FILE, VersionLock
from .vm_import_function import index as handler
from .vm_import_options import BootMode, DiskFormat, DiskImage, LicenseType, check_import_options
from .vm_import_role import DEFAULT_ROLE_NAME, check_role_name


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="golden-ami-import", description=__doc__.split("\n\n")[0])
    parser.add_argument("--image", required=True, help="the factory file's image name the disk is the base of")
    parser.add_argument("--s3", required=True, help="s3://bucket/key of the disk image")
    parser.add_argument("--format", choices=[f.value for f in DiskFormat], help="default: from the key's extension")
    parser.add_argument("--kms-key", required=True, help="ARN of the factory's key (imports are always encrypted)")
    parser.add_argument("--role", default=DEFAULT_ROLE_NAME, help=f"the import role (default {DEFAULT_ROLE_NAME})")
    parser.add_argument("--architecture", default="x86_64", choices=[a.value for a in Architecture])
    parser.add_argument("--boot-mode", choices=[b.value for b in BootMode])
    parser.add_argument("--license", default="BYOL", choices=[t.value for t in LicenseType])
    parser.add_argument("--platform", default="Linux", choices=[p.value for p in Platform])
    parser.add_argument("--version", default="1.0.0", help="the Image Builder image's version")
    parser.add_argument("--lock", default=DEFAULT_LOCK_FILE, help=f"the lock file (default {DEFAULT_LOCK_FILE})")
    parser.add_argument("--region", help="default: the AWS SDK's")
    return parser.parse_args(argv)


def properties(args: argparse.Namespace, *, account: str, region: str, partition: str = "aws") -> dict[str, Any]:
    """The same properties the custom resource receives, checked by the same rules."""
    disk = DiskImage(s3_url=args.s3, disk_format=DiskFormat(args.format) if args.format else None)
    boot = BootMode(args.boot_mode) if args.boot_mode else None
    check_import_options(Architecture(args.architecture), boot, LicenseType(args.license), Platform(args.platform))
    check_role_name("--role", args.role)
    name = f"{args.image}-import"
    props: dict[str, Any] = {
        "S3Url": disk.s3_url,
        "Format": disk.format.value,
        "Encrypted": "true",
        "KmsKeyId": args.kms_key,
        "RoleName": args.role,
        "Architecture": args.architecture,
        "Platform": args.platform,
        "LicenseType": args.license,
        "ImageName": name,
        "SemanticVersion": args.version,
        "ImageVersionArn": f"arn:{partition}:imagebuilder:{region}:{account}:image/{name.lower()}/{args.version}",
        "Description": f"{args.image}: imported from {disk.s3_url}",
        "Tags": {"golden-ami:source": disk.s3_url},
    }
    if boot is not None:
        props["BootMode"] = boot.value
    return props


def run(args: argparse.Namespace, *, ec2: Any, imagebuilder: Any, account: str, region: str, interval: float) -> str:
    """Import, wait, record; return the AMI ID."""
    props = properties(args, account=account, region=region)
    lock = VersionLock.at(args.lock)
    task = handler.start_import(ec2, props, f"golden-ami-import-{uuid.uuid4()}")
    print(f"golden-ami-import: task {task} started for {props['S3Url']}; waiting (no deadline)", file=sys.stderr)
    data = handler.wait(ec2, imagebuilder, props, task, interval=interval)
    lock.record_import(args.image, ami=data["AmiId"], source=props["S3Url"], task=task)
    print(f"golden-ami-import: {data['AmiId']} recorded for {args.image} in {args.lock}; commit it", file=sys.stderr)
    return data["AmiId"]


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    try:
        import boto3
    except ImportError:
        print("golden-ami-import: needs boto3; pip install 'golden-ami-factory[cli]'", file=sys.stderr)
        return 2
    session = boto3.session.Session(region_name=args.region)
    region = session.region_name
    account = session.client("sts").get_caller_identity()["Account"]
    try:
        print(
            run(
                args,
                ec2=session.client("ec2"),
                imagebuilder=session.client("imagebuilder"),
                account=account,
                region=region,
                interval=60.0,
            )
        )
    except (ValueError, handler.ImportFailed) as error:
        print(f"golden-ami-import: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
