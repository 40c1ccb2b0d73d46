"""Import a VM disk image from S3 as an AMI, then as a versioned Image Builder image.

The CDK provider framework calls :func:`on_event` once per CloudFormation request and then
:func:`is_complete` every minute until it answers ``IsComplete: true`` or raises (its message is
the reason CloudFormation shows in the stack events).

- Create, and an update that changes the disk image or an import option: start an EC2
  ``ImportImage`` task, encrypted with the given key, under the given service role. The task ID
  is the physical ID, so an update that imports again gets a new one and CloudFormation then
  sends a delete for the old import.
- While the task is ``active``: keep waiting, logging its progress and status message.
- When it is ``completed``: tag the AMI and its snapshots, call Image Builder's ``ImportVmImage``
  on it (idempotent through a client token derived from the task ID) and wait until that image is
  ``AVAILABLE``.
- ``deleting`` or ``deleted``: the task was cancelled or failed; raise with its status message.
- Past the deadline: cancel the task and raise, pointing at the out-of-band command.
- Delete: keep the AMI, its snapshots and the Image Builder image unless ``RemoveOnDelete`` is
  ``"true"``; an import still running is cancelled either way.

Pages relied on: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ImportImage.html,
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeImportImageTasks.html,
https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_ImportVmImage.html.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from typing import Any

logger = logging.getLogger()
logger.setLevel(logging.INFO)

TASK_STATUSES = ("active", "completed", "deleting", "deleted")
"""Every status of an import image task (DescribeImportImageTasks, ``task-state`` filter)."""
IMAGE_WAITING = ("PENDING", "CREATING", "BUILDING", "TESTING", "DISTRIBUTING", "INTEGRATING")
IMAGE_FAILED = ("CANCELLED", "FAILED", "DEPRECATED", "DELETED", "DISABLED")
# Properties that do not change what is imported: changing them keeps the AMI.
_NOT_IMPORTED = ("ServiceToken", "RemoveOnDelete", "TimeoutSeconds")


class ImportFailed(RuntimeError):
    """The import task or the Image Builder image ended in a state that is not success."""


def _log(**fields: Any) -> None:
    logger.info(json.dumps(fields, sort_keys=True, default=str))


def _import_args(props: dict[str, Any], token: str) -> dict[str, Any]:
    """ImportImage's arguments from the resource properties."""
    bucket, _, key = props["S3Url"].removeprefix("s3://").partition("/")
    args: dict[str, Any] = {
        "Description": props.get("Description", "golden AMI base"),
        "DiskContainers": [
            {"Description": key, "Format": props["Format"].upper(), "UserBucket": {"S3Bucket": bucket, "S3Key": key}}
        ],
        "Encrypted": True,
        "KmsKeyId": props["KmsKeyId"],
        "RoleName": props["RoleName"],
        "Architecture": props["Architecture"],
        "Platform": props["Platform"],
        "LicenseType": props["LicenseType"],
        "ClientToken": token[:64],
        "TagSpecifications": [
            {"ResourceType": "import-image-task", "Tags": [{"Key": k, "Value": v} for k, v in props["Tags"].items()]}
        ],
    }
    if props.get("BootMode"):
        args["BootMode"] = props["BootMode"]
    return args


def start_import(ec2: Any, props: dict[str, Any], token: str) -> str:
    """Start the import task and return its ID. Refuses an unencrypted import outright."""
    if str(props.get("Encrypted", "true")).lower() != "true" or not props.get("KmsKeyId"):
        raise ImportFailed("refusing an unencrypted import: give KmsKeyId (the factory's key)")
    task = ec2.import_image(**_import_args(props, token))
    _log(action="import started", task=task["ImportTaskId"], source=props["S3Url"])
    return str(task["ImportTaskId"])


def describe_task(ec2: Any, task_id: str) -> dict[str, Any]:
    tasks = ec2.describe_import_image_tasks(ImportTaskIds=[task_id])["ImportImageTasks"]
    if not tasks:
        raise ImportFailed(f"import task {task_id} not found (AWS lists tasks for 7 days after they end)")
    return dict(tasks[0])


def on_event(event: dict[str, Any], _context: Any = None, *, ec2: Any = None) -> dict[str, Any]:
    """Start, keep or remove an import, by CloudFormation request type."""
    ec2 = ec2 or _client("ec2")
    props = event["ResourceProperties"]
    kind = event["RequestType"]
    deadline = int(time.time()) + int(props.get("TimeoutSeconds", 3300))
    if kind == "Create":
        return {"PhysicalResourceId": start_import(ec2, props, event["RequestId"]), "Data": {"Deadline": deadline}}
    if kind == "Update":
        old = event.get("OldResourceProperties", {})
        same = {k: v for k, v in props.items() if k not in _NOT_IMPORTED} == {
            k: v for k, v in old.items() if k not in _NOT_IMPORTED
        }
        if same:
            return {"PhysicalResourceId": event["PhysicalResourceId"], "Data": {"Deadline": deadline}}
        return {"PhysicalResourceId": start_import(ec2, props, event["RequestId"]), "Data": {"Deadline": deadline}}
    delete(event, ec2=ec2, imagebuilder=_client("imagebuilder") if _removes(props) else None)
    return {"PhysicalResourceId": event["PhysicalResourceId"]}


def _removes(props: dict[str, Any]) -> bool:
    return str(props.get("RemoveOnDelete", "false")).lower() == "true"


def delete(event: dict[str, Any], *, ec2: Any, imagebuilder: Any) -> str:
    """Cancel a running import; remove the results only when ``RemoveOnDelete`` is true."""
    task_id = event["PhysicalResourceId"]
    if not task_id.startswith("import-ami-"):
        return "nothing to delete: the import never started"
    try:
        task = describe_task(ec2, task_id)
    except ImportFailed:
        return "nothing to delete: the task is gone"
    if task["Status"] == "active":
        ec2.cancel_import_task(ImportTaskId=task_id, CancelReason="stack deleted or rolled back")
        _log(action="cancelled", task=task_id)
        return "cancelled"
    if task["Status"] != "completed" or not task.get("ImageId"):
        return f"nothing to delete: the task is {task['Status']}"
    if not _removes(event["ResourceProperties"]):
        _log(action="kept", image=task["ImageId"], reason="RemoveOnDelete is not true")
        return f"kept {task['ImageId']}"
    image_arn = _image_arn(imagebuilder, event["ResourceProperties"], task["ImageId"])
    if image_arn:
        imagebuilder.delete_image(imageBuildVersionArn=image_arn)
    ec2.deregister_image(ImageId=task["ImageId"])
    for snapshot in task.get("SnapshotDetails", []):
        if snapshot.get("SnapshotId"):
            ec2.delete_snapshot(SnapshotId=snapshot["SnapshotId"])
    _log(action="removed", image=task["ImageId"], image_builder=image_arn)
    return f"removed {task['ImageId']}"


def _vm_image_request(props: dict[str, Any], task_id: str) -> dict[str, Any]:
    return {
        "name": props["ImageName"],
        "semanticVersion": props["SemanticVersion"],
        "description": props.get("Description", "golden AMI base"),
        "platform": props["Platform"],
        "vmImportTaskId": task_id,
        "tags": props["Tags"],
        # At most 36 characters: a digest of the task ID, the same at every poll.
        "clientToken": hashlib.sha256(task_id.encode()).hexdigest()[:36],
    }


def _image_arn(imagebuilder: Any, props: dict[str, Any], ami: str) -> str | None:
    """The Image Builder build whose output is ``ami``, among the builds of the image version."""
    kwargs: dict[str, Any] = {"imageVersionArn": props["ImageVersionArn"]}
    while True:
        page = imagebuilder.list_image_build_versions(**kwargs)
        for summary in page.get("imageSummaryList", []):
            amis = summary.get("outputResources", {}).get("amis", [])
            if any(a.get("image") == ami for a in amis):
                return str(summary["arn"])
        if not page.get("nextToken"):
            return None
        kwargs["nextToken"] = page["nextToken"]


def is_complete(
    event: dict[str, Any], _context: Any = None, *, ec2: Any = None, imagebuilder: Any = None
) -> dict[str, Any]:
    """Whether the import and the Image Builder image are done; raise when they failed."""
    if event["RequestType"] == "Delete":
        return {"IsComplete": True}
    ec2 = ec2 or _client("ec2")
    task_id = event["PhysicalResourceId"]
    task = describe_task(ec2, task_id)
    status, message = task.get("Status"), task.get("StatusMessage", "")
    _log(task=task_id, status=status, progress=task.get("Progress"), message=message)
    if status == "active":
        deadline = int(event.get("Data", {}).get("Deadline", 0))
        if deadline and time.time() > deadline:
            ec2.cancel_import_task(ImportTaskId=task_id, CancelReason="timed out")
            raise ImportFailed(
                f"import task {task_id} still active at the deadline ({message or 'no status message'}); "
                "cancelled it. Import this disk with the out-of-band command golden-ami-import instead"
            )
        return {"IsComplete": False}
    if status in ("deleting", "deleted"):
        raise ImportFailed(f"import task {task_id} is {status}: {message or 'no status message'}")
    if status != "completed":
        raise ImportFailed(f"import task {task_id} has status {status!r}, which this function does not know")
    props = event["ResourceProperties"]
    # ImportImage tags only the task: tag the AMI and its snapshots too (idempotent at every poll),
    # which the removal permissions are conditioned on.
    snapshots = [d["SnapshotId"] for d in task.get("SnapshotDetails", []) if d.get("SnapshotId")]
    ec2.create_tags(
        Resources=[task["ImageId"], *snapshots], Tags=[{"Key": k, "Value": v} for k, v in props["Tags"].items()]
    )
    imagebuilder = imagebuilder or _client("imagebuilder")
    image_arn = str(imagebuilder.import_vm_image(**_vm_image_request(props, task_id))["imageArn"])
    image = imagebuilder.get_image(imageBuildVersionArn=image_arn)["image"]
    state = image.get("state", {})
    _log(image=image_arn, state=state)
    if state.get("status") in IMAGE_WAITING:
        return {"IsComplete": False}
    if state.get("status") != "AVAILABLE":
        raise ImportFailed(
            f"Image Builder image {image_arn} is {state.get('status')}: {state.get('reason', 'no reason given')}"
        )
    return {
        "IsComplete": True,
        "Data": {
            "AmiId": task["ImageId"],
            "ImageArn": image_arn,
            "ImportTaskId": task_id,
        },
    }


def wait(ec2: Any, imagebuilder: Any, props: dict[str, Any], task_id: str, *, interval: float = 60.0) -> dict[str, str]:
    """Poll until the import is done, without a deadline (the out-of-band command)."""
    event = {"RequestType": "Create", "PhysicalResourceId": task_id, "ResourceProperties": props, "Data": {}}
    while True:
        answer = is_complete(event, ec2=ec2, imagebuilder=imagebuilder)
        if answer["IsComplete"]:
            return dict(answer["Data"])
        time.sleep(interval)


def _client(service: str) -> Any:
    import boto3

    return boto3.client(service)
