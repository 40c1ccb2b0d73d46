from __future__ import annotations

import re

import pytest

from constructs_lib import Architecture
from constructs_lib._core.instance_types import DEFAULT_INSTANCE_TYPES, architecture_of, check_instance_types


@pytest.mark.parametrize(
    ("instance_type", "arch"),
    [
        ("m7g.large", Architecture.ARM64),
        ("c7gn.xlarge", Architecture.ARM64),
        ("r6gd.2xlarge", Architecture.ARM64),
        ("t4g.micro", Architecture.ARM64),
        ("im4gn.large", Architecture.ARM64),
        ("a1.medium", Architecture.ARM64),
        ("m7i.large", Architecture.X86_64),
        ("g4dn.xlarge", Architecture.X86_64),
        ("g5.xlarge", Architecture.X86_64),
        ("c7a.large", Architecture.X86_64),
        ("t3.medium", Architecture.X86_64),
    ],
)
def test_architecture_of_instance_families(instance_type: str, arch: Architecture) -> None:
    assert architecture_of("instance_types", instance_type) is arch


@pytest.mark.parametrize("arch", list(Architecture))
def test_default_instance_types_match_their_architecture(arch: Architecture) -> None:
    assert check_instance_types("instance_types", DEFAULT_INSTANCE_TYPES[arch], arch)


def test_rejects_a_graviton_type_for_an_x86_image_naming_types_that_fit() -> None:
    with pytest.raises(
        ValueError,
        match=r"instance_types: 'm7g.large' is an arm64 instance type but the image is x86_64; use x86_64 types such as m7i.large, m6i.large",
    ):
        check_instance_types("instance_types", ("m7g.large",), Architecture.X86_64)


def test_rejects_malformed_instance_types() -> None:
    with pytest.raises(ValueError, match=r"instance_types: 'large' is not an EC2 instance type; use family.size"):
        architecture_of("instance_types", "large")


@pytest.mark.parametrize("instance_type", ["c7i.la", "m7i.xlarg", "m7i.0xlarge", "m7i.metal-", "m7i.huge"])
def test_rejects_sizes_ec2_does_not_have(instance_type: str) -> None:
    """Found by the long fuzz run: 'c7i.la' passed synth and failed cfn-lint (E3628)."""
    with pytest.raises(ValueError, match=rf"'{re.escape(instance_type)}' is not an EC2 instance type"):
        architecture_of("instance_types", instance_type)


@pytest.mark.parametrize("instance_type", ["t3.nano", "m7i.xlarge", "m7i.48xlarge", "c7i.metal-24xl", "i3.metal"])
def test_accepts_every_size_form(instance_type: str) -> None:
    assert architecture_of("instance_types", instance_type) is Architecture.X86_64
