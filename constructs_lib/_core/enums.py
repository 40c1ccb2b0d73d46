"""Fixed choices the library accepts, as enums rather than strings."""

from __future__ import annotations

import enum


class Architecture(enum.Enum):
    """CPU architecture of an image and of the instances that build and launch it."""

    X86_64 = "x86_64"
    """Intel and AMD instance types (m7i, c7a, t3, ...)."""
    ARM64 = "arm64"
    """AWS Graviton instance types (m7g, c7g, t4g, ...)."""


class StartCondition(enum.Enum):
    """When a scheduled pipeline builds, evaluated each time its cron expression matches."""

    ON_SCHEDULE = "EXPRESSION_MATCH_ONLY"
    """Builds every time the schedule matches, whatever changed. The only condition under which
    a pipeline with a fixed parent (an AMI ID, a Marketplace product or an SSM parameter) and
    fixed component versions ever builds on its own."""
    ON_DEPENDENCY_UPDATE = "EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE"
    """Builds when the schedule matches *and* a wildcard dependency has a newer version: a
    parent Image Builder image selected as ``x.x.x``, or a component selected with ``x``. With
    a fixed parent and pinned components it never builds. Image Builder's own default."""


class VolumeType(enum.Enum):
    """EBS volume types for the image's block device mapping."""

    GP3 = "gp3"
    """General purpose SSD with settable IOPS and throughput (the default)."""
    GP2 = "gp2"
    """Older general purpose SSD; IOPS follow size."""
    IO2 = "io2"
    """Provisioned IOPS SSD; ``iops`` is required."""


class Platform(enum.Enum):
    """The operating system family: Image Builder's ``Platform`` of a component or recipe, and
    ``ImportVmImage``'s platform of an imported disk (which takes Linux or Windows only)."""

    LINUX = "Linux"
    WINDOWS = "Windows"
    MACOS = "macOS"
