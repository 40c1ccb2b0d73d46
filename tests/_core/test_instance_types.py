from __future__ import annotations

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
