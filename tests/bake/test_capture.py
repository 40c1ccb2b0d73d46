"""InstanceCapture: the custom resource it synthesizes, its least-privilege role, and bad input."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from constructs_lib import Architecture, InstanceCapture
from tests.conftest import make_stack

INSTANCE = "i-0123456789abcdef0"


def test_defaults_reboot_keep_every_volume_and_keep_the_ami() -> None:
    stack = make_stack()
    capture = InstanceCapture(stack, "Hand", image_name="hand-made", instance_id=INSTANCE)
    template = Template.from_stack(stack)
    template.has_resource(
        "Custom::GoldenAmiInstanceCapture",
        {
            "Properties": Match.object_like(
                {
                    "InstanceId": INSTANCE,
                    "NoReboot": "false",
                    "KeepDevices": [],
                    "RemoveOnDelete": "false",
                    "Tags": {"golden-ami:captured-from": INSTANCE},
                }
            ),
            "DeletionPolicy": "Retain",
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
                                "Sid": "TagOnCapture",
                                "Condition": {"StringEquals": {"ec2:CreateAction": "CreateImage"}},
                            }
                        )
                    ]
                )
            }
        },
    )
    policies = template.find_resources("AWS::IAM::Policy")
    sids = {s.get("Sid") for p in policies.values() for s in p["Properties"]["PolicyDocument"]["Statement"]}
    assert "RemoveOnDelete" not in sids  # no delete permission unless opted in
    base = capture.base_image
    assert (base.architecture, base.root_device_name, base.region) == (Architecture.X86_64, "/dev/xvda", "eu-west-1")
    assert base.tracks_updates is False


def test_all_arguments() -> None:
    stack = make_stack()
    InstanceCapture(
        stack,
        "Hand",
        image_name="hand-made",
        instance_id="i-01234567",
        keep_devices=("/dev/xvda", "/dev/sdf"),
        no_reboot=True,
        architecture=Architecture.ARM64,
        tags={"team": "platform"},
        remove_on_delete=True,
    )
    template = Template.from_stack(stack)
    template.has_resource(
        "Custom::GoldenAmiInstanceCapture",
        {
            "Properties": Match.object_like(
                {"NoReboot": "true", "KeepDevices": ["/dev/xvda", "/dev/sdf"], "RemoveOnDelete": "true"}
            ),
            "DeletionPolicy": "Delete",
        },
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"instance_id": "i-123"}, r"instance_id: 'i-123' is not an EC2 instance ID"),
        ({"instance_id": "ami-0123456789abcdef0"}, r"is not an EC2 instance ID"),
        ({"instance_id": "i-0123456789ABCDEF0"}, r"is not an EC2 instance ID"),
        ({"instance_id": INSTANCE + "\n"}, r"is not an EC2 instance ID"),
        ({"keep_devices": ("xvda",)}, r"keep_devices: 'xvda' is not a device name"),
        ({"keep_devices": ("/dev/sdf",)}, r"keep_devices: /dev/sdf leaves out the root device /dev/xvda"),
        ({"image_name": "bad/name"}, r"image_name"),
    ],
    ids=["short", "ami", "uppercase", "newline", "device", "no-root", "name"],
)
def test_rejects(kwargs: dict[str, Any], message: str) -> None:
    options: dict[str, Any] = {"image_name": "hand-made", "instance_id": INSTANCE, **kwargs}
    with pytest.raises(ValueError, match=message):
        InstanceCapture(make_stack(), "Hand", **options)
