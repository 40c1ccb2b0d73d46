from __future__ import annotations

import pytest

from constructs_lib import DataVolume, RootVolume, VolumeType


def test_root_defaults_to_30_gib_gp3() -> None:
    root = RootVolume()
    assert (root.size_gib, root.volume_type, root.device_name) == (30, VolumeType.GP3, None)


@pytest.mark.parametrize("size", [0, 16_001])
def test_rejects_sizes_outside_ebs_limits(size: int) -> None:
    with pytest.raises(
        ValueError, match=rf"root_volume.size_gib: {size} GiB is outside AWS's range; use one from 1 to 16000 GiB"
    ):
        RootVolume(size_gib=size)


def test_rejects_gp3_iops_below_baseline() -> None:
    with pytest.raises(
        ValueError, match=r"data_volumes\[/dev/xvdf\].iops: 1000 is outside AWS's range; use one from 3000 to 64000"
    ):
        DataVolume(device_name="/dev/xvdf", size_gib=10, iops=1000)


def test_rejects_iops_on_gp2() -> None:
    with pytest.raises(ValueError, match=r"gp2 volumes take no IOPS setting"):
        DataVolume(device_name="/dev/xvdf", size_gib=10, volume_type=VolumeType.GP2, iops=3000)


def test_rejects_io2_without_iops() -> None:
    with pytest.raises(ValueError, match=r"io2 volumes need provisioned IOPS; set iops"):
        DataVolume(device_name="/dev/xvdf", size_gib=10, volume_type=VolumeType.IO2)


def test_rejects_throughput_on_non_gp3() -> None:
    with pytest.raises(ValueError, match=r"only gp3 volumes take a throughput"):
        DataVolume(device_name="/dev/xvdf", size_gib=10, volume_type=VolumeType.IO2, iops=4000, throughput=200)


@pytest.mark.parametrize("device", ["xvdf", "/dev/hda", "/dev/xvdf1x"])
def test_rejects_device_names_that_are_not_linux_devices(device: str) -> None:
    with pytest.raises(ValueError, match=r"data_volumes.device_name: .* is not a Linux device name; use /dev/xvdf"):
        DataVolume(device_name=device, size_gib=10)
