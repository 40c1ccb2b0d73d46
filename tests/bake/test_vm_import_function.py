"""The VM import function against botocore's Stubber: moto implements neither EC2's ImportImage
family nor Image Builder. Every import task status AWS documents, every Image Builder outcome,
the deadline, updates and deletes with and without retention. No test reaches AWS."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from constructs_lib.bake.vm_import_function.index import (
    IMAGE_FAILED,
    IMAGE_WAITING,
    TASK_STATUSES,
    ImportFailed,
    is_complete,
    on_event,
)

REGION = "eu-west-1"
TASK = "import-ami-0123456789abcdef0"
AMI = "ami-0123456789abcdef0"
IMAGE_ARN = "arn:aws:imagebuilder:eu-west-1:111111111111:image/legacy-import/1.0.0/1"
KEY = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
PROPS: dict[str, Any] = {
    "S3Url": "s3://disk-images/web/disk1.vmdk",
    "Format": "vmdk",
    "Encrypted": "true",
    "KmsKeyId": KEY,
    "RoleName": "golden-ami-factory-vmimport",
    "Architecture": "x86_64",
    "Platform": "Linux",
    "LicenseType": "BYOL",
    "ImageName": "legacy-import",
    "SemanticVersion": "1.0.0",
    "ImageVersionArn": "arn:aws:imagebuilder:eu-west-1:111111111111:image/legacy-import/1.0.0",
    "Description": "legacy: imported from s3://disk-images/web/disk1.vmdk",
    "Tags": {"golden-ami:source": "s3://disk-images/web/disk1.vmdk"},
    "RemoveOnDelete": "false",
    "TimeoutSeconds": "3000",
}


class Clients:
    def __init__(self) -> None:
        self.ec2 = boto3.client("ec2", region_name=REGION)
        self.imagebuilder = boto3.client("imagebuilder", region_name=REGION)
        self.ec2_stub = Stubber(self.ec2)
        self.ib_stub = Stubber(self.imagebuilder)

    def task(self, status: str, message: str = "", **more: Any) -> None:
        task = {"ImportTaskId": TASK, "Status": status, "StatusMessage": message, **more}
        self.ec2_stub.add_response(
            "describe_import_image_tasks", {"ImportImageTasks": [task]}, {"ImportTaskIds": [TASK]}
        )

    def tagged(self) -> None:
        tags = [{"Key": "golden-ami:source", "Value": "s3://disk-images/web/disk1.vmdk"}]
        self.ec2_stub.add_response("create_tags", {}, {"Resources": [AMI, "snap-0123456789abcdef0"], "Tags": tags})

    def image_builder(self, status: str, reason: str = "") -> None:
        self.ib_stub.add_response("import_vm_image", {"imageArn": IMAGE_ARN}, None)
        state = {"status": status, **({"reason": reason} if reason else {})}
        self.ib_stub.add_response("get_image", {"image": {"arn": IMAGE_ARN, "state": state}}, None)


@pytest.fixture
def clients() -> Iterator[Clients]:
    made = Clients()
    with made.ec2_stub, made.ib_stub:
        yield made
        made.ec2_stub.assert_no_pending_responses()
        made.ib_stub.assert_no_pending_responses()


def event(kind: str = "Create", props: dict[str, Any] | None = None, **more: Any) -> dict[str, Any]:
    return {"RequestType": kind, "RequestId": "req-1", "ResourceProperties": props or PROPS, **more}


def poll(clients: Clients, deadline: float | None = None) -> dict[str, Any]:
    data = {"Deadline": int(deadline if deadline is not None else time.time() + 600)}
    return is_complete(event(PhysicalResourceId=TASK, Data=data), ec2=clients.ec2, imagebuilder=clients.imagebuilder)


EXPECTED_IMPORT: dict[str, Any] = {
    "Description": PROPS["Description"],
    "DiskContainers": [
        {
            "Description": "web/disk1.vmdk",
            "Format": "VMDK",
            "UserBucket": {"S3Bucket": "disk-images", "S3Key": "web/disk1.vmdk"},
        }
    ],
    "Encrypted": True,
    "KmsKeyId": KEY,
    "RoleName": "golden-ami-factory-vmimport",
    "Architecture": "x86_64",
    "Platform": "Linux",
    "LicenseType": "BYOL",
    "ClientToken": "req-1",
    "TagSpecifications": [
        {
            "ResourceType": "import-image-task",
            "Tags": [{"Key": "golden-ami:source", "Value": "s3://disk-images/web/disk1.vmdk"}],
        }
    ],
}


def test_create_starts_an_encrypted_import_as_the_factory_role(clients: Clients) -> None:
    clients.ec2_stub.add_response("import_image", {"ImportTaskId": TASK}, EXPECTED_IMPORT)
    answer = on_event(event(), ec2=clients.ec2)
    assert answer["PhysicalResourceId"] == TASK
    assert time.time() + 2900 < answer["Data"]["Deadline"] <= time.time() + 3000


def test_boot_mode_is_passed_when_given(clients: Clients) -> None:
    clients.ec2_stub.add_response("import_image", {"ImportTaskId": TASK}, {**EXPECTED_IMPORT, "BootMode": "uefi"})
    on_event(event(props={**PROPS, "BootMode": "uefi"}), ec2=clients.ec2)


@pytest.mark.parametrize(
    "props", [{**PROPS, "Encrypted": "false"}, {k: v for k, v in PROPS.items() if k != "KmsKeyId"}]
)
def test_an_unencrypted_import_is_refused_before_any_call(clients: Clients, props: dict[str, Any]) -> None:
    with pytest.raises(ImportFailed, match="refusing an unencrypted import"):
        on_event(event(props=props), ec2=clients.ec2)


def test_every_documented_task_status_is_handled() -> None:
    assert TASK_STATUSES == ("active", "completed", "deleting", "deleted")


def test_active_task_keeps_waiting(clients: Clients) -> None:
    clients.task("active", "converting", Progress="28")
    assert poll(clients) == {"IsComplete": False}


def test_active_task_past_the_deadline_is_cancelled_with_the_way_out(clients: Clients) -> None:
    clients.task("active", "booting")
    clients.ec2_stub.add_response("cancel_import_task", {}, {"ImportTaskId": TASK, "CancelReason": "timed out"})
    with pytest.raises(ImportFailed, match=r"still active at the deadline \(booting\).*golden-ami-import"):
        poll(clients, deadline=time.time() - 1)


@pytest.mark.parametrize("status", ["deleting", "deleted"])
def test_cancelled_or_failed_task_raises_with_its_status_message(clients: Clients, status: str) -> None:
    clients.task(status, "ClientError: Unknown OS / Missing OS files.")
    with pytest.raises(ImportFailed, match=rf"{TASK} is {status}: ClientError: Unknown OS / Missing OS files\."):
        poll(clients)


def test_unknown_status_is_not_taken_for_success(clients: Clients) -> None:
    clients.task("paused")
    with pytest.raises(ImportFailed, match="status 'paused'"):
        poll(clients)


def test_completed_task_becomes_an_available_image_builder_image(clients: Clients) -> None:
    clients.task("completed", ImageId=AMI, SnapshotDetails=[{"SnapshotId": "snap-0123456789abcdef0"}])
    clients.tagged()
    clients.image_builder("AVAILABLE")
    assert poll(clients) == {
        "IsComplete": True,
        "Data": {"AmiId": AMI, "ImageArn": IMAGE_ARN, "ImportTaskId": TASK},
    }


@pytest.mark.parametrize("status", IMAGE_WAITING)
def test_completed_task_waits_for_image_builder(clients: Clients, status: str) -> None:
    clients.task("completed", ImageId=AMI, SnapshotDetails=[{"SnapshotId": "snap-0123456789abcdef0"}])
    clients.tagged()
    clients.image_builder(status)
    assert poll(clients) == {"IsComplete": False}


@pytest.mark.parametrize("status", IMAGE_FAILED)
def test_image_builder_failure_raises_with_its_reason(clients: Clients, status: str) -> None:
    clients.task("completed", ImageId=AMI, SnapshotDetails=[{"SnapshotId": "snap-0123456789abcdef0"}])
    clients.tagged()
    clients.image_builder(status, "the import task's AMI is not usable")
    with pytest.raises(ImportFailed, match=rf"is {status}: the import task's AMI is not usable"):
        poll(clients)


def test_missing_task_is_reported(clients: Clients) -> None:
    clients.ec2_stub.add_response("describe_import_image_tasks", {"ImportImageTasks": []}, {"ImportTaskIds": [TASK]})
    with pytest.raises(ImportFailed, match="not found"):
        poll(clients)


def test_update_with_the_same_disk_keeps_the_import(clients: Clients) -> None:
    answer = on_event(
        event("Update", {**PROPS, "RemoveOnDelete": "true"}, OldResourceProperties=PROPS, PhysicalResourceId=TASK),
        ec2=clients.ec2,
    )
    assert answer["PhysicalResourceId"] == TASK


def test_update_with_a_new_disk_imports_again(clients: Clients) -> None:
    new = {**PROPS, "S3Url": "s3://disk-images/web/disk2.vmdk"}
    clients.ec2_stub.add_response("import_image", {"ImportTaskId": "import-ami-0fedcba9876543210"}, None)
    answer = on_event(event("Update", new, OldResourceProperties=PROPS, PhysicalResourceId=TASK), ec2=clients.ec2)
    assert answer["PhysicalResourceId"] == "import-ami-0fedcba9876543210"


def test_delete_keeps_the_ami_by_default(clients: Clients) -> None:
    clients.task("completed", ImageId=AMI, SnapshotDetails=[{"SnapshotId": "snap-0123456789abcdef0"}])
    answer = on_event(event("Delete", PhysicalResourceId=TASK), ec2=clients.ec2)
    assert answer == {"PhysicalResourceId": TASK}  # no deregister, no delete: the stubs would fail


def test_delete_with_removal_removes_ami_snapshots_and_image_builder_image(
    clients: Clients, monkeypatch: pytest.MonkeyPatch
) -> None:
    from constructs_lib.bake.vm_import_function import index

    monkeypatch.setattr(index, "_client", lambda service: clients.imagebuilder)
    clients.task("completed", ImageId=AMI, SnapshotDetails=[{"SnapshotId": "snap-0123456789abcdef0"}])
    clients.ib_stub.add_response(
        "list_image_build_versions",
        {
            "imageSummaryList": [
                {
                    "arn": IMAGE_ARN.replace("/1", "/0"),
                    "outputResources": {"amis": [{"image": "ami-0aaaaaaaaaaaaaaaa"}]},
                },
                {"arn": IMAGE_ARN, "outputResources": {"amis": [{"image": AMI}]}},
            ]
        },
        {"imageVersionArn": PROPS["ImageVersionArn"]},
    )
    clients.ib_stub.add_response("delete_image", {}, {"imageBuildVersionArn": IMAGE_ARN})
    clients.ec2_stub.add_response("deregister_image", {}, {"ImageId": AMI})
    clients.ec2_stub.add_response("delete_snapshot", {}, {"SnapshotId": "snap-0123456789abcdef0"})
    on_event(event("Delete", {**PROPS, "RemoveOnDelete": "true"}, PhysicalResourceId=TASK), ec2=clients.ec2)


def test_delete_cancels_an_import_still_running(clients: Clients) -> None:
    clients.task("active")
    clients.ec2_stub.add_response("cancel_import_task", {}, {"ImportTaskId": TASK, "CancelReason": ANY})
    on_event(event("Delete", PhysicalResourceId=TASK), ec2=clients.ec2)


def test_delete_of_an_import_that_never_started_does_nothing(clients: Clients) -> None:
    assert on_event(event("Delete", PhysicalResourceId="req-1"), ec2=clients.ec2) == {"PhysicalResourceId": "req-1"}


def test_delete_is_complete_at_once(clients: Clients) -> None:
    assert is_complete(event("Delete", PhysicalResourceId=TASK), ec2=clients.ec2) == {"IsComplete": True}
