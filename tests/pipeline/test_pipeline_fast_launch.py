"""EC2 Fast Launch in a pipeline's distribution: rendered per region, a prep launch template for a
subnet, refused on Linux, in another account and for a subnet outside the home region; and the
launch templates of a Fast Launch image, which carry no block device mapping."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest

from constructs_lib import (
    BaseImage,
    Component,
    FastLaunch,
    GoldenLaunchTemplate,
    ImageFamily,
    ImageSpec,
    OperatingSystem,
    RegionTarget,
    RootVolume,
    VersionLock,
)
from tests.conftest import ACCOUNT, lint_errors, make_pipeline, template

WINDOWS = BaseImage.aws_managed(OperatingSystem.WINDOWS_SERVER_2022)
UPDATE = [Component.aws_managed("update-windows")]


def windows(stack: cdk.Stack, lock: VersionLock, *targets: RegionTarget) -> Any:
    return make_pipeline(
        stack, lock, image_name="win", base_image=WINDOWS, components=UPDATE, distributions=list(targets)
    )


def entries(stack: cdk.Stack) -> dict[str, Any]:
    (distribution,) = template(stack).find_resources("AWS::ImageBuilder::DistributionConfiguration").values()
    return {e["Region"]: e for e in distribution["Properties"]["Distributions"]}


def test_defaults_enable_six_parallel_launches_and_five_snapshots_in_the_default_vpc(
    stack: cdk.Stack, lock: VersionLock
) -> None:
    pipeline = windows(stack, lock, RegionTarget(region="eu-west-1", fast_launch=FastLaunch()))
    assert entries(stack)["eu-west-1"]["FastLaunchConfigurations"] == [
        {"Enabled": True, "MaxParallelLaunches": 6, "SnapshotConfiguration": {"TargetResourceCount": 5}}
    ]
    assert pipeline.fast_launch_in("eu-west-1") and not pipeline.fast_launch_in("us-east-1")
    assert pipeline.fast_launch_cost() == {"eu-west-1": pytest.approx(5 * 30 * 0.05)}
    template(stack).resource_count_is("AWS::EC2::LaunchTemplate", 0)


def test_all_arguments_a_subnet_template_at_home_and_a_named_one_elsewhere(stack: cdk.Stack, lock: VersionLock) -> None:
    windows(
        stack,
        lock,
        RegionTarget(
            region="eu-west-1",
            fast_launch=FastLaunch(
                max_parallel_launches=8, snapshots=3, subnet_id="subnet-0123456789abcdef0", account=ACCOUNT
            ),
        ),
        RegionTarget(
            region="us-east-1",
            fast_launch=FastLaunch(launch_template_id="lt-0123456789abcdef0", launch_template_version="2"),
        ),
    )
    found = entries(stack)
    (prep_id,) = template(stack).find_resources("AWS::EC2::LaunchTemplate")
    home = found["eu-west-1"]["FastLaunchConfigurations"][0]
    assert home["AccountId"] == ACCOUNT and home["MaxParallelLaunches"] == 8
    assert home["LaunchTemplate"] == {
        "LaunchTemplateId": {"Ref": prep_id},
        "LaunchTemplateVersion": {"Fn::GetAtt": [prep_id, "LatestVersionNumber"]},
    }
    assert found["us-east-1"]["FastLaunchConfigurations"][0]["LaunchTemplate"] == {
        "LaunchTemplateId": "lt-0123456789abcdef0",
        "LaunchTemplateVersion": "2",
    }
    template(stack).has_resource_properties(
        "AWS::EC2::LaunchTemplate",
        {
            "LaunchTemplateData": {
                "MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 1, "HttpEndpoint": "enabled"},
                "NetworkInterfaces": [
                    {"DeviceIndex": 0, "SubnetId": "subnet-0123456789abcdef0", "AssociatePublicIpAddress": False}
                ],
            },
            # Image Builder may EnableFastLaunch only on a template tagged CreatedBy: EC2 Image Builder.
            "TagSpecifications": [
                {"ResourceType": "launch-template", "Tags": [{"Key": "CreatedBy", "Value": "EC2 Image Builder"}]}
            ],
        },
    )
    prep = template(stack).to_json()["Resources"][prep_id]["Properties"]["LaunchTemplateData"]
    assert "BlockDeviceMappings" not in prep
    assert not lint_errors(template(stack).to_json())


def test_add_region_renders_fast_launch_there(stack: cdk.Stack, lock: VersionLock) -> None:
    pipeline = windows(stack, lock)
    pipeline.add_region(RegionTarget(region="us-east-1", fast_launch=FastLaunch(snapshots=2)))
    assert entries(stack)["us-east-1"]["FastLaunchConfigurations"][0]["SnapshotConfiguration"] == {
        "TargetResourceCount": 2
    }


def test_rejects_fast_launch_on_a_linux_image(stack: cdk.Stack, lock: VersionLock) -> None:
    with pytest.raises(ValueError, match=r"distributions\[eu-west-1\].fast_launch: .* Windows AMIs only.* Linux"):
        make_pipeline(stack, lock, distributions=[RegionTarget(region="eu-west-1", fast_launch=FastLaunch())])


def test_rejects_fast_launch_in_another_account(stack: cdk.Stack, lock: VersionLock) -> None:
    with pytest.raises(ValueError, match="'222222222222' is not the pipeline's account 111111111111"):
        windows(stack, lock, RegionTarget(region="eu-west-1", fast_launch=FastLaunch(account="222222222222")))


def test_rejects_a_subnet_outside_the_home_region(stack: cdk.Stack, lock: VersionLock) -> None:
    with pytest.raises(ValueError, match=r"fast_launch.subnet_id: .* own region eu-west-1 only; in us-east-1"):
        windows(
            stack, lock, RegionTarget(region="us-east-1", fast_launch=FastLaunch(subnet_id="subnet-0123456789abcdef0"))
        )


def test_rejects_a_family_fast_launch_region_it_does_not_distribute_to(stack: cdk.Stack, lock: VersionLock) -> None:
    spec = ImageSpec(name="win", base_image=WINDOWS, components=tuple(UPDATE), fast_launch={"us-west-2": FastLaunch()})
    with pytest.raises(ValueError, match=r"images\[win\].fast_launch: 'us-west-2' is not a region the image"):
        ImageFamily(stack, "Images", images=[spec], version_lock=lock)


def test_family_sets_fast_launch_on_the_home_region(stack: cdk.Stack, lock: VersionLock) -> None:
    spec = ImageSpec(name="win", base_image=WINDOWS, components=tuple(UPDATE), fast_launch={"eu-west-1": FastLaunch()})
    family = ImageFamily(stack, "Images", images=[spec], version_lock=lock)
    (pipeline,) = family.all_pipelines
    assert pipeline.fast_launch_in("eu-west-1")


def test_launch_template_of_a_fast_launch_image_carries_no_block_device_mapping(
    stack: cdk.Stack, lock: VersionLock
) -> None:
    pipeline = windows(stack, lock, RegionTarget(region="eu-west-1", fast_launch=FastLaunch()))
    built = GoldenLaunchTemplate(stack, "Template", image=pipeline)
    (resource,) = template(stack).find_resources("AWS::EC2::LaunchTemplate").values()
    assert built.fast_launch
    assert "BlockDeviceMappings" not in resource["Properties"]["LaunchTemplateData"]


def test_rejects_volumes_on_a_launch_template_of_a_fast_launch_image(stack: cdk.Stack, lock: VersionLock) -> None:
    pipeline = windows(stack, lock, RegionTarget(region="eu-west-1", fast_launch=FastLaunch()))
    with pytest.raises(ValueError, match="root_volume: the image has EC2 Fast Launch in eu-west-1"):
        GoldenLaunchTemplate(stack, "Template", image=pipeline, root_volume=RootVolume(size_gib=60))
