"""Which architecture an EC2 instance type runs, and the default build instance types."""

from __future__ import annotations

import re
from typing import Final

from .enums import Architecture

# Sizes as the CDK's InstanceSize lists them (nano ... 224xlarge, metal, metal-16xl ... metal-96xl;
# https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_ec2.InstanceSize.html). Whether a
# type exists in a region is cfn-lint's check (E3628) at synth.
_INSTANCE_TYPE_RE: Final = re.compile(
    r"(?P<family>[a-z][a-z0-9-]*)\.(?P<size>nano|micro|small|medium|large|(?:[1-9][0-9]*)?xlarge|metal(-[1-9][0-9]*xl)?)",
    re.ASCII,
)
# Graviton families carry a 'g' straight after the generation digit (m7g, c7gn, r6gd, t4g,
# im4gn, is4gen, hpc7g); the first generation was 'a1'. GPU families such as g5 or g4dn put
# the 'g' before the digit and are x86_64.
_GRAVITON_RE: Final = re.compile(r"^[a-z]+\d+g[a-z-]*$", re.ASCII)

DEFAULT_INSTANCE_TYPES: Final = {
    Architecture.X86_64: ("m7i.large", "m6i.large"),
    Architecture.ARM64: ("m7g.large", "m6g.large"),
}


def architecture_of(field: str, instance_type: str) -> Architecture:
    """The architecture of ``instance_type``; raises ``ValueError`` on a malformed type."""
    match = _INSTANCE_TYPE_RE.fullmatch(instance_type)
    if match is None:
        raise ValueError(
            f"{field}: {instance_type!r} is not an EC2 instance type; use family.size, for example 'm7i.large'"
        )
    family = match["family"]
    if family == "a1" or _GRAVITON_RE.fullmatch(family):
        return Architecture.ARM64
    return Architecture.X86_64


def check_instance_types(
    field: str, instance_types: tuple[str, ...], architecture: Architecture | None
) -> tuple[str, ...]:
    """Raise unless every type is well formed and, when known, matches ``architecture``."""
    if not instance_types:
        raise ValueError(f"{field}: no instance type given; name at least one or leave it unset")
    for instance_type in instance_types:
        arch = architecture_of(field, instance_type)
        if architecture is not None and arch is not architecture:
            fits = ", ".join(DEFAULT_INSTANCE_TYPES[architecture])
            raise ValueError(
                f"{field}: {instance_type!r} is an {arch.value} instance type but the image is "
                f"{architecture.value}; use {architecture.value} types such as {fits}"
            )
    return instance_types
