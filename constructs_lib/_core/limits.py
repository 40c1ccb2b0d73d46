"""AWS limits the library enforces at synth time, and the checks that raise on them.

Every number here is listed in ../shared/reference/aws-limits.md with its source; the
CloudFormation resource schemas shipped with cfn-lint (``AWS::ImageBuilder::*``) and the
Image Builder API reference are the authorities. A check raises ``ValueError`` whose message
names the argument, the bad value and the way out, and skips values that are CDK tokens.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Final

from aws_cdk import Token

# Image Builder resource names (recipes, components, pipelines, configurations).
# Source: AWS::ImageBuilder::* schemas, property Name.
NAME_MIN: Final = 3
NAME_MAX: Final = 128
_NAME_RE: Final = re.compile(r"^[-_A-Za-z0-9][-_A-Za-z0-9 ]{1,126}[-_A-Za-z0-9]$", re.ASCII)

# Semantic versions. Source: Image Builder user guide, "Semantic versioning".
VERSION_PART_MAX: Final = 2**30 - 1
_VERSION_RE: Final = re.compile(r"^(\d{1,10})\.(\d{1,10})\.(\d{1,10})$", re.ASCII)
_WILDCARD_VERSION_RE: Final = re.compile(r"^(\d{1,10}|x)\.(\d{1,10}|x)\.(\d{1,10}|x)$", re.ASCII)

# Component documents. Source: CreateComponent API, parameter data (1 to 16000 characters).
COMPONENT_DATA_MAX: Final = 16_000

# Tags. Source: AWS tagging rules, Image Builder TagMap (max 50 entries).
TAGS_MAX: Final = 50
TAG_KEY_MAX: Final = 128
TAG_VALUE_MAX: Final = 256

# Build instance metadata. Source: InstanceMetadataOptions.HttpPutResponseHopLimit.
HOP_LIMIT_MIN: Final = 1
HOP_LIMIT_MAX: Final = 64

# Image tests. Source: ImageTestsConfiguration.TimeoutMinutes.
TEST_TIMEOUT_MIN: Final = 60
TEST_TIMEOUT_MAX: Final = 1440

# Schedule auto-disable. Source: AutoDisablePolicy.FailureCount (1 to 10).
FAILURE_COUNT_MIN: Final = 1
FAILURE_COUNT_MAX: Final = 10

# AMI names. Source: EC2 RegisterImage / AmiDistributionConfiguration.Name.
AMI_NAME_MAX: Final = 127
_AMI_NAME_RE: Final = re.compile(r"^[-_A-Za-z0-9 :{}.]+$", re.ASCII)
BUILD_DATE_PLACEHOLDER: Final = "{{ imagebuilder:buildDate }}"


def is_token(value: object) -> bool:
    """True when ``value`` is an unresolved CDK token, which no synth-time check can judge.

    Encoded string tokens always carry ``${Token[``; strings without it are answered here,
    without a round trip to jsii (this check runs for every value the library validates)."""
    if not isinstance(value, str):
        return False
    return "${Token[" in value and Token.is_unresolved(value)


def check_range(field: str, value: int, low: int, high: int, unit: str = "") -> int:
    """Raise unless ``low <= value <= high``; returns the value."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{field}: {value!r} is not a whole number; use one from {low} to {high}{unit}")
    if not low <= value <= high:
        raise ValueError(f"{field}: {value}{unit} is outside AWS's range; use one from {low} to {high}{unit}")
    return value


def check_unique(field: str, values: tuple[str, ...]) -> tuple[str, ...]:
    """Raise when a value is listed twice."""
    seen = [v for i, v in enumerate(values) if v in values[:i]]
    if seen:
        raise ValueError(f"{field}: {seen[0]!r} is listed twice; list each once")
    return values


def check_name(field: str, value: str) -> str:
    """Raise unless ``value`` is a valid Image Builder resource name."""
    if is_token(value):
        return value
    if not isinstance(value, str) or not _NAME_RE.fullmatch(value):
        raise ValueError(
            f"{field}: {value!r} is not a valid Image Builder name; use {NAME_MIN} to {NAME_MAX} "
            "characters from letters, digits, '-', '_' and spaces, not starting or ending with a space"
        )
    return value


def parse_version(field: str, value: str) -> tuple[int, int, int]:
    """Parse ``major.minor.patch`` (digits only, each part at most 2^30 - 1)."""
    match = _VERSION_RE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(
            f"{field}: {value!r} is not a semantic version; use major.minor.patch with digits only, for example '1.0.0'"
        )
    parts = (int(match[1]), int(match[2]), int(match[3]))
    if max(parts) > VERSION_PART_MAX:
        raise ValueError(f"{field}: {value!r} has a part above {VERSION_PART_MAX} (2^30 - 1); use smaller numbers")
    return parts


def check_version(field: str, value: str, *, wildcards: bool = False) -> str:
    """Raise unless ``value`` is ``major.minor.patch``, or with ``wildcards`` uses ``x`` parts
    that, once started, run to the right (``1.0.x``, ``1.x.x``, ``x.x.x``)."""
    if not wildcards or not isinstance(value, str) or "x" not in value:
        parse_version(field, value)
        return value
    match = _WILDCARD_VERSION_RE.fullmatch(value)
    parts = list(match.groups()) if match else []
    if not parts or any(p != "x" for p in parts[parts.index("x") :]):
        raise ValueError(
            f"{field}: {value!r} is not a valid wildcard version; once a part is 'x' every part to "
            "its right must be 'x', for example '1.0.x' or '1.x.x'"
        )
    if any(p != "x" and int(p) > VERSION_PART_MAX for p in parts):
        raise ValueError(f"{field}: {value!r} has a part above {VERSION_PART_MAX} (2^30 - 1); use smaller numbers")
    return value


def _tag_character(char: str) -> bool:
    """IAM's tag pattern, ``[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]`` (https://docs.aws.amazon.com/IAM/latest/APIReference/API_Tag.html):
    the strictest of the services the library tags."""
    return unicodedata.category(char)[0] in "LZN" or char in "_.:/=+-@"


def check_tags(field: str, tags: Mapping[str, str]) -> dict[str, str]:
    """Raise unless ``tags`` fits AWS's tag rules; returns a plain sorted dict."""
    if len(tags) > TAGS_MAX:
        raise ValueError(f"{field}: {len(tags)} tags given; AWS allows at most {TAGS_MAX}, drop some")
    for key, value in tags.items():
        if is_token(key) or is_token(value):
            continue
        if not isinstance(key, str) or not 1 <= len(key) <= TAG_KEY_MAX:
            raise ValueError(f"{field}: tag key {key!r} must be 1 to {TAG_KEY_MAX} characters")
        if key.lower().startswith("aws:"):
            raise ValueError(f"{field}: tag key {key!r} starts with 'aws:', which AWS reserves; rename it")
        if not isinstance(value, str) or len(value) > TAG_VALUE_MAX:
            raise ValueError(f"{field}: value of tag {key!r} must be a string of at most {TAG_VALUE_MAX} characters")
        odd = next((c for c in key + value if not _tag_character(c)), None)
        if odd is not None:
            raise ValueError(
                f"{field}: tag {key!r}: {value!r} holds {odd!r}; IAM, which tags the roles too, takes letters, digits, "
                "spaces and _ . : / = + - @ in tag keys and values (IAM API reference, Tag), so drop or replace it"
            )
    return dict(sorted(tags.items()))


def check_ami_name(field: str, value: str) -> str:
    """Raise unless ``value`` is a valid distributed AMI name with the build-date placeholder."""
    if is_token(value):
        return value
    if BUILD_DATE_PLACEHOLDER not in value:
        raise ValueError(
            f"{field}: {value!r} lacks {BUILD_DATE_PLACEHOLDER!r}; every build needs a unique AMI name, "
            f"so add it, for example '{value}-{BUILD_DATE_PLACEHOLDER}'"
        )
    if not 1 <= len(value) <= AMI_NAME_MAX or not _AMI_NAME_RE.fullmatch(value):
        raise ValueError(
            f"{field}: {value!r} is not a valid AMI name; use 1 to {AMI_NAME_MAX} characters from "
            "letters, digits, spaces and - _ : . { }"
        )
    return value
