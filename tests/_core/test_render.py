"""The one place that renders the untyped AmiDistributionConfiguration, checked against the
CloudFormation schema cfn-lint ships, so a wrong key can never reach a template."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import cfnlint
import pytest

from constructs_lib import DataVolume, LaunchPermission, RegionTarget, RootVolume
from constructs_lib._core import render as _render

KEY = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@cache
def schema(resource_type: str) -> dict[str, Any]:
    base = Path(cfnlint.__file__).parent / "data" / "schemas"
    index = json.loads((base / "providers" / "us-east-1.json").read_text())
    return json.loads((base / "resources" / f"{index[resource_type]}.json").read_text())


def keys_of(definition: str) -> set[str]:
    return set(schema("AWS::ImageBuilder::DistributionConfiguration")["definitions"][definition]["properties"])


def full_target() -> RegionTarget:
    return RegionTarget(
        region="eu-west-1",
        ami_name="web-{{ imagebuilder:buildDate }}",
        description="d",
        ami_tags={"a": "b"},
        kms_key_arn=KEY,
        target_accounts=("222222222222",),
        launch_permission=LaunchPermission(
            accounts=("333333333333",),
            organizations=("arn:aws:organizations::111122223333:organization/o-abcdefghij",),
            organizational_units=("arn:aws:organizations::111122223333:ou/o-abcdefghij/ou-ab12-cdefgh34",),
            public=True,
        ),
    )


def test_every_rendered_key_is_a_cloudformation_key() -> None:
    config = _render.ami_distribution(full_target(), "web", {"x": "y"})
    assert set(config) <= keys_of("AmiDistributionConfiguration")
    assert set(config["LaunchPermissionConfiguration"]) <= keys_of("LaunchPermissionConfiguration")
    assert set(config) == {
        "Name",
        "Description",
        "AmiTags",
        "KmsKeyId",
        "TargetAccountIds",
        "LaunchPermissionConfiguration",
    }


def test_public_sharing_renders_the_all_group() -> None:
    config = _render.ami_distribution(full_target(), "web", {})
    assert config["LaunchPermissionConfiguration"]["UserGroups"] == ["all"]


def test_owner_only_renders_no_launch_permission() -> None:
    config = _render.ami_distribution(RegionTarget(region="eu-west-1"), "web", {"team": "platform"})
    assert "LaunchPermissionConfiguration" not in config
    assert config["Name"] == "web-{{ imagebuilder:buildDate }}"
    assert config["AmiTags"] == {"team": "platform"}


def test_target_tags_override_pipeline_tags() -> None:
    config = _render.ami_distribution(
        RegionTarget(region="eu-west-1", ami_tags={"team": "apps"}), "web", {"team": "platform"}
    )
    assert config["AmiTags"]["team"] == "apps"


def test_default_parameter_name_follows_the_convention() -> None:
    assert _render.parameter_name(RegionTarget(region="eu-west-1"), "Web Server") == "/golden-ami/web-server/latest"
    assert _render.parameter_name(RegionTarget(region="eu-west-1", publish_parameter=False), "web") is None


def test_block_devices_put_root_first_and_encrypt_everything() -> None:
    mappings = _render.block_device_mappings(
        RootVolume(size_gib=40), "/dev/xvda", (DataVolume(device_name="/dev/xvdf", size_gib=10),), KEY
    )
    assert [m.device_name for m in mappings] == ["/dev/xvda", "/dev/xvdf"]
    assert all(m.ebs.encrypted and m.ebs.kms_key_id == KEY for m in mappings)
    assert mappings[0].ebs.volume_size == 40


def test_rejects_a_data_volume_on_the_root_device() -> None:
    with pytest.raises(
        ValueError, match=r"data_volumes: device '/dev/xvda' is used twice \(the root volume is /dev/xvda\)"
    ):
        _render.block_device_mappings(
            RootVolume(), "/dev/xvda", (DataVolume(device_name="/dev/xvda", size_gib=10),), None
        )
