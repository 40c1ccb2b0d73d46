"""The factory file's fast_launch key of a Windows image: per region, refused with line and fix on a
Linux image, outside the factory's regions, out of EC2's limits and for a subnet outside home."""

from __future__ import annotations

from pathlib import Path

from constructs_lib import FastLaunch
from tests.factory.factory_file import load, problems


def windows(fast_launch: str, os: str = "windows-server-2022", update: str = "update-windows") -> str:
    return (
        "regions: [us-east-1]\n"
        "images:\n"
        "  - name: win\n"
        f"    base: {{os: {os}}}\n"
        f"    components: [{{aws: {update}}}]\n"
        f"    fast_launch:\n{fast_launch}"
    )


def test_defaults_to_the_home_region_in_its_default_vpc(tmp_path: Path) -> None:
    model = load(tmp_path, windows("      snapshots: 5\n"))
    assert model.images[0].fast_launch.by_region(model.home_region) == {"eu-west-1": FastLaunch()}


def test_all_keys_per_region(tmp_path: Path) -> None:
    text = windows(
        "      max_parallel_launches: 8\n      snapshots: 3\n      regions:\n"
        "        eu-west-1: {subnet: subnet-0123456789abcdef0}\n"
        "        us-east-1: {launch_template: lt-0123456789abcdef0, version: '2'}\n"
    )
    model = load(tmp_path, text)
    assert model.images[0].fast_launch.by_region("eu-west-1") == {
        "eu-west-1": FastLaunch(max_parallel_launches=8, snapshots=3, subnet_id="subnet-0123456789abcdef0"),
        "us-east-1": FastLaunch(
            max_parallel_launches=8, snapshots=3, launch_template_id="lt-0123456789abcdef0", launch_template_version="2"
        ),
    }


def test_rejects_fast_launch_on_a_linux_image(tmp_path: Path) -> None:
    assert problems(tmp_path, windows("      snapshots: 5\n", "amazon-linux-2023", "update-linux")) == [
        "6: images[0].fast_launch: EC2 Fast Launch pre-provisions Windows AMIs only, and 'win' is Linux; "
        "drop fast_launch"
    ]


def test_rejects_a_region_the_factory_does_not_distribute_to(tmp_path: Path) -> None:
    assert problems(tmp_path, windows("      regions:\n        us-west-2: {}\n")) == [
        "8: images[0].fast_launch.regions.us-west-2: 'us-west-2' is not a region the factory distributes to "
        "(eu-west-1, us-east-1); add it to regions"
    ]


def test_rejects_parallel_launches_below_six_at_its_line(tmp_path: Path) -> None:
    (problem,) = problems(tmp_path, windows("      snapshots: 5\n      max_parallel_launches: 3\n"))
    assert problem == "8: images[0].fast_launch.max_parallel_launches: 3 is outside what EC2 accepts; use 6 or more"


def test_rejects_a_subnet_outside_the_home_region(tmp_path: Path) -> None:
    (problem,) = problems(tmp_path, windows("      regions:\n        us-east-1: {subnet: subnet-0123456789abcdef0}\n"))
    assert problem.startswith("8: images[0].fast_launch.regions.us-east-1.subnet: the factory makes the launch")


def test_rejects_a_launch_template_without_version(tmp_path: Path) -> None:
    (problem,) = problems(
        tmp_path, windows("      regions:\n        us-east-1: {launch_template: lt-0123456789abcdef0}\n")
    )
    assert "8: images[0].fast_launch.regions.us-east-1" in problem
    assert "EnableFastLaunch requires the template's version" in problem


def test_a_launch_template_by_name_and_not_by_both(tmp_path: Path) -> None:
    named = windows("      regions:\n        us-east-1: {launch_template_name: win-prep, version: '3'}\n")
    assert load(tmp_path, named).images[0].fast_launch.by_region("eu-west-1") == {
        "us-east-1": FastLaunch(launch_template_name="win-prep", launch_template_version="3")
    }
    both = windows(
        "      regions:\n"
        "        us-east-1: {launch_template: lt-0123456789abcdef0, launch_template_name: win-prep, version: '3'}\n"
    )
    (problem,) = problems(tmp_path, both)
    assert "images[0].fast_launch.regions.us-east-1" in problem
    assert "EC2 takes a launch template by ID or by name, not both" in problem
