"""Capture a configured EC2 instance as an AMI with ``CreateImage``, and wait until it is available.

The CDK provider framework calls :func:`on_event` once per CloudFormation request and then
:func:`is_complete` every minute until it answers ``IsComplete: true`` or raises (its message is
the reason CloudFormation shows in the stack events).

- Create, and an update that changes what is captured: ``CreateImage`` of the instance, keeping
  only the listed devices (the others are left out with ``NoDevice``), with or without reboot.
  The AMI ID is the physical ID, so a new capture makes CloudFormation delete the old one.
- ``pending`` and ``transient``: keep waiting. ``available``: done. ``invalid``,
  ``deregistered``, ``failed``, ``error``, ``disabled``: raise with the state reason.
- Past the deadline: raise (the pending AMI is handled as any delete: kept unless opted in).
- Delete: keep the AMI and its snapshots unless ``RemoveOnDelete`` is ``"true"``.

Pages relied on: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateImage.html,
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Image.html (image states).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from typing import Any

logger = logging.getLogger()
logger.setLevel(logging.INFO)

WAITING = ("pending", "transient")
FAILED = ("invalid", "deregistered", "failed", "error", "disabled")
IMAGE_STATES = ("pending", "available", "invalid", "deregistered", "transient", "failed", "error", "disabled")
"""Every state of an AMI (EC2 API reference, Image): pending, available, invalid,
deregistered, transient, failed, error, disabled."""
_NOT_CAPTURED = ("ServiceToken", "RemoveOnDelete", "TimeoutSeconds")


class CaptureFailed(RuntimeError):
    """The AMI ended in a state that is not ``available``, or did not get there in time."""


def _log(**fields: Any) -> None:
    logger.info(json.dumps(fields, sort_keys=True, default=str))


def _excluded(ec2: Any, instance_id: str, keep: list[str]) -> list[dict[str, str]]:
    """``NoDevice`` mappings for the instance's devices that are not kept."""
    if not keep:
        return []
    reservations = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
    instance = reservations[0]["Instances"][0]
    root = instance.get("RootDeviceName")
    if root and root not in keep:
        raise CaptureFailed(f"KeepDevices {keep} leaves out the root device {root}; keep it")
    devices = [m["DeviceName"] for m in instance.get("BlockDeviceMappings", [])]
    return [{"DeviceName": d, "NoDevice": ""} for d in devices if d not in keep]


def capture(ec2: Any, props: dict[str, Any], token: str) -> str:
    """Start ``CreateImage`` and return the new AMI's ID."""
    tags = [{"Key": k, "Value": v} for k, v in props["Tags"].items()]
    suffix = hashlib.sha256(token.encode()).hexdigest()[:8]
    args: dict[str, Any] = {
        "InstanceId": props["InstanceId"],
        "Name": f"{props['ImageName']}-{suffix}"[:127],
        "Description": props.get("Description", "golden AMI base"),
        "NoReboot": str(props.get("NoReboot", "false")).lower() == "true",
        "TagSpecifications": [{"ResourceType": "image", "Tags": tags}, {"ResourceType": "snapshot", "Tags": tags}],
    }
    excluded = _excluded(ec2, props["InstanceId"], list(props.get("KeepDevices", [])))
    if excluded:
        args["BlockDeviceMappings"] = excluded
    image_id = str(ec2.create_image(**args)["ImageId"])
    _log(action="capture started", image=image_id, instance=props["InstanceId"], no_reboot=args["NoReboot"])
    return image_id


def on_event(event: dict[str, Any], _context: Any = None, *, ec2: Any = None) -> dict[str, Any]:
    """Capture, keep or remove, by CloudFormation request type."""
    ec2 = ec2 or _client("ec2")
    props = event["ResourceProperties"]
    kind = event["RequestType"]
    data = {"Deadline": int(time.time()) + int(props.get("TimeoutSeconds", 3300))}
    if kind == "Update":
        old = event.get("OldResourceProperties", {})
        if {k: v for k, v in props.items() if k not in _NOT_CAPTURED} == {
            k: v for k, v in old.items() if k not in _NOT_CAPTURED
        }:
            return {"PhysicalResourceId": event["PhysicalResourceId"], "Data": data}
    if kind in ("Create", "Update"):
        return {"PhysicalResourceId": capture(ec2, props, event["RequestId"]), "Data": data}
    delete(event, ec2=ec2)
    return {"PhysicalResourceId": event["PhysicalResourceId"]}


def delete(event: dict[str, Any], *, ec2: Any) -> str:
    """Deregister the AMI and delete its snapshots, only when ``RemoveOnDelete`` is true."""
    image_id = event["PhysicalResourceId"]
    if not image_id.startswith("ami-"):
        return "nothing to delete: no image was created"
    if str(event["ResourceProperties"].get("RemoveOnDelete", "false")).lower() != "true":
        _log(action="kept", image=image_id, reason="RemoveOnDelete is not true")
        return f"kept {image_id}"
    images = ec2.describe_images(ImageIds=[image_id])["Images"]
    if not images:
        return f"nothing to delete: {image_id} is gone"
    snapshots = [m["Ebs"]["SnapshotId"] for m in images[0].get("BlockDeviceMappings", []) if "Ebs" in m]
    ec2.deregister_image(ImageId=image_id)
    for snapshot in snapshots:
        ec2.delete_snapshot(SnapshotId=snapshot)
    _log(action="removed", image=image_id, snapshots=snapshots)
    return f"removed {image_id}"


def is_complete(event: dict[str, Any], _context: Any = None, *, ec2: Any = None) -> dict[str, Any]:
    """Whether the AMI is available; raise when it failed or the deadline passed."""
    if event["RequestType"] == "Delete":
        return {"IsComplete": True}
    ec2 = ec2 or _client("ec2")
    image_id = event["PhysicalResourceId"]
    images = ec2.describe_images(ImageIds=[image_id])["Images"]
    if not images:
        raise CaptureFailed(f"image {image_id} not found; it was deregistered while being created")
    image = images[0]
    state = image.get("State")
    reason = image.get("StateReason", {}).get("Message", "no reason given")
    _log(image=image_id, state=state, reason=reason)
    if state == "available":
        return {"IsComplete": True, "Data": {"AmiId": image_id}}
    if state in FAILED:
        raise CaptureFailed(f"image {image_id} is {state}: {reason}")
    if state not in WAITING:
        raise CaptureFailed(f"image {image_id} has state {state!r}, which this function does not know")
    deadline = int(event.get("Data", {}).get("Deadline", 0))
    if deadline and time.time() > deadline:
        raise CaptureFailed(f"image {image_id} still {state} at the deadline; capture a smaller instance or retry")
    return {"IsComplete": False}


def _client(service: str) -> Any:
    import boto3

    return boto3.client(service)
