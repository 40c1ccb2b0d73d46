"""The capture function against moto (DescribeImages, DescribeInstances, deregistering and
deleting; its images are available at once) and botocore's Stubber for CreateImage (moto's
refuses snapshot tag specifications) and for every image state moto never reports. No test
reaches AWS."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from constructs_lib.bake.capture_function.index import (
    FAILED,
    IMAGE_STATES,
    WAITING,
    CaptureFailed,
    is_complete,
    on_event,
)

REGION = "eu-west-1"
AMI = "ami-0123456789abcdef0"


def props(instance: str, **more: Any) -> dict[str, Any]:
    return {
        "InstanceId": instance,
        "ImageName": "hand-made",
        "Description": f"hand-made: captured from {instance}",
        "NoReboot": "false",
        "KeepDevices": [],
        "Tags": {"golden-ami:captured-from": instance},
        "RemoveOnDelete": "false",
        "TimeoutSeconds": "3000",
        **more,
    }


def event(kind: str, properties: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {"RequestType": kind, "RequestId": "req-1", "ResourceProperties": properties, **more}


@pytest.fixture
def ec2() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("ec2", region_name=REGION)


@pytest.fixture
def instance(ec2: Any) -> str:
    image = ec2.register_image(Name="base-image", RootDeviceName="/dev/xvda")["ImageId"]
    run = ec2.run_instances(
        ImageId=image,
        MinCount=1,
        MaxCount=1,
        BlockDeviceMappings=[{"DeviceName": "/dev/sdf", "Ebs": {"VolumeSize": 10}}],
    )
    return str(run["Instances"][0]["InstanceId"])


def test_every_documented_image_state_is_handled() -> None:
    assert set(IMAGE_STATES) == {*WAITING, "available", *FAILED}
    assert IMAGE_STATES == (
        "pending",
        "available",
        "invalid",
        "deregistered",
        "transient",
        "failed",
        "error",
        "disabled",
    )


@pytest.fixture
def captured(ec2: Any, instance: str) -> str:
    """An AMI of the instance made in moto, as CreateImage would (image tags only: moto's limit)."""
    tags = [{"Key": "golden-ami:captured-from", "Value": instance}]
    made = ec2.create_image(
        InstanceId=instance, Name="hand-made", TagSpecifications=[{"ResourceType": "image", "Tags": tags}]
    )
    return str(made["ImageId"])


def expected_create(instance: str, *, no_reboot: bool = False, **more: Any) -> dict[str, Any]:
    tags = [{"Key": "golden-ami:captured-from", "Value": instance}]
    return {
        "InstanceId": instance,
        "Name": "hand-made-" + hashlib.sha256(b"req-1").hexdigest()[:8],
        "Description": f"hand-made: captured from {instance}",
        "NoReboot": no_reboot,
        "TagSpecifications": [{"ResourceType": "image", "Tags": tags}, {"ResourceType": "snapshot", "Tags": tags}],
        **more,
    }


def test_create_captures_the_instance_with_reboot_and_tags(ec2: Any) -> None:
    instance = "i-0123456789abcdef0"
    with Stubber(ec2) as stubbed:
        stubbed.add_response("create_image", {"ImageId": AMI}, expected_create(instance))
        answer = on_event(event("Create", props(instance)), ec2=ec2)
        stubbed.assert_no_pending_responses()
    assert answer["PhysicalResourceId"] == AMI
    assert time.time() + 2900 < answer["Data"]["Deadline"] <= time.time() + 3000


def test_an_available_image_completes(ec2: Any, instance: str, captured: str) -> None:
    done = is_complete(event("Create", props(instance), PhysicalResourceId=captured, Data={}), ec2=ec2)
    assert done == {"IsComplete": True, "Data": {"AmiId": captured}}


def test_keep_devices_leaves_the_others_out(ec2: Any, instance: str) -> None:
    stubbed = Stubber(ec2)
    root = ec2.describe_instances(InstanceIds=[instance])["Reservations"][0]["Instances"][0]["RootDeviceName"]
    stubbed.add_response(
        "describe_instances",
        {
            "Reservations": [
                {
                    "Instances": [
                        {
                            "RootDeviceName": root,
                            "BlockDeviceMappings": [{"DeviceName": root}, {"DeviceName": "/dev/sdf"}],
                        }
                    ]
                }
            ]
        },
        {"InstanceIds": [instance]},
    )
    stubbed.add_response(
        "create_image",
        {"ImageId": AMI},
        expected_create(instance, no_reboot=True, BlockDeviceMappings=[{"DeviceName": "/dev/sdf", "NoDevice": ""}]),
    )
    with stubbed:
        answer = on_event(event("Create", props(instance, KeepDevices=[root], NoReboot="true")), ec2=ec2)
    assert answer["PhysicalResourceId"] == AMI
    stubbed.assert_no_pending_responses()


def test_keeping_devices_without_the_root_is_refused(ec2: Any, instance: str) -> None:
    with pytest.raises(CaptureFailed, match="leaves out the root device"):
        on_event(event("Create", props(instance, KeepDevices=["/dev/sdf"])), ec2=ec2)


def stub_state(ec2: Any, state: str, reason: str = "") -> Stubber:
    stubbed = Stubber(ec2)
    image: dict[str, Any] = {"ImageId": AMI, "State": state}
    if reason:
        image["StateReason"] = {"Code": "Client.Error", "Message": reason}
    stubbed.add_response("describe_images", {"Images": [image]}, {"ImageIds": [AMI]})
    return stubbed


def poll(ec2: Any, deadline: float | None = None) -> dict[str, Any]:
    data = {"Deadline": int(deadline if deadline is not None else time.time() + 600)}
    return is_complete(event("Create", props("i-0123456789abcdef0"), PhysicalResourceId=AMI, Data=data), ec2=ec2)


@pytest.mark.parametrize("state", WAITING)
def test_pending_and_transient_keep_waiting(ec2: Any, state: str) -> None:
    with stub_state(ec2, state):
        assert poll(ec2) == {"IsComplete": False}


@pytest.mark.parametrize("state", FAILED)
def test_failed_states_raise_with_the_state_reason(ec2: Any, state: str) -> None:
    with (
        stub_state(ec2, state, "InternalError: snapshot failed"),
        pytest.raises(CaptureFailed, match=rf"{AMI} is {state}: InternalError: snapshot failed"),
    ):
        poll(ec2)


def test_available_from_the_stub_completes(ec2: Any) -> None:
    with stub_state(ec2, "available"):
        assert poll(ec2) == {"IsComplete": True, "Data": {"AmiId": AMI}}


def test_pending_past_the_deadline_raises(ec2: Any) -> None:
    with stub_state(ec2, "pending"), pytest.raises(CaptureFailed, match="still pending at the deadline"):
        poll(ec2, deadline=time.time() - 1)


def test_unknown_state_is_not_taken_for_success(ec2: Any) -> None:
    # A state AWS may add later; botocore does not validate the enum in responses.
    with stub_state(ec2, "sleeping"), pytest.raises(CaptureFailed, match="state 'sleeping'"):
        poll(ec2)


def test_update_with_the_same_instance_keeps_the_image(ec2: Any, instance: str) -> None:
    old = props(instance)
    new = props(instance, RemoveOnDelete="true")
    answer = on_event(event("Update", new, OldResourceProperties=old, PhysicalResourceId=AMI), ec2=ec2)
    assert answer["PhysicalResourceId"] == AMI


def test_update_with_another_reboot_choice_captures_again(ec2: Any) -> None:
    instance = "i-0123456789abcdef0"
    old = props(instance, NoReboot="true")
    with Stubber(ec2) as stubbed:
        stubbed.add_response("create_image", {"ImageId": "ami-0fedcba9876543210"}, expected_create(instance))
        answer = on_event(event("Update", props(instance), OldResourceProperties=old, PhysicalResourceId=AMI), ec2=ec2)
    assert answer["PhysicalResourceId"] == "ami-0fedcba9876543210"


def test_delete_keeps_the_image_by_default(ec2: Any, instance: str, captured: str) -> None:
    image_id = captured
    on_event(event("Delete", props(instance), PhysicalResourceId=image_id), ec2=ec2)
    assert ec2.describe_images(ImageIds=[image_id])["Images"][0]["State"] == "available"


def test_delete_with_removal_deregisters_and_deletes_snapshots(ec2: Any, instance: str, captured: str) -> None:
    image_id = captured
    (image,) = ec2.describe_images(ImageIds=[image_id])["Images"]
    snapshots = [m["Ebs"]["SnapshotId"] for m in image["BlockDeviceMappings"] if "Ebs" in m]
    assert snapshots
    on_event(event("Delete", props(instance, RemoveOnDelete="true"), PhysicalResourceId=image_id), ec2=ec2)
    assert image_id not in {i["ImageId"] for i in ec2.describe_images(Owners=["self"])["Images"]}
    left = {s["SnapshotId"] for s in ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"]}
    assert not left & set(snapshots)


def test_delete_of_a_capture_that_never_started_does_nothing(ec2: Any) -> None:
    answer = on_event(
        event("Delete", props("i-0123456789abcdef0", RemoveOnDelete="true"), PhysicalResourceId="x"), ec2=ec2
    )
    assert answer == {"PhysicalResourceId": "x"}
