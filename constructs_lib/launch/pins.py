"""``PIN``: which image version each image or consumer launches instead of the newest.

A pin names one image version by the label the rollout function gives each new parameter
version (``v<major>.<minor>.<patch>-<build>``), so ``resolve:ssm:<name>:<label>`` is the same
image in every region and account. A bare parameter version is refused here: versions differ
per region and per image, so one number applied to every parameter pins different images.

Source: SSM parameter labels (not starting with a digit, 1 to 100 characters),
https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-labels.html
"""

from __future__ import annotations

import re
from typing import Final

IMAGE_VERSION_LABEL: Final = re.compile(r"v[0-9]{1,9}\.[0-9]{1,9}\.[0-9]{1,9}-[0-9]{1,9}", re.ASCII)
_NAME: Final = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9._-]{0,127}", re.ASCII)
EXAMPLE: Final = "web-server=v1.2.3-4"


def parse_pins(value: str) -> dict[str, str]:
    """``web-server=v1.2.3-4,api=v2.0.0-1`` as ``{image or consumer: label}``, checked for syntax
    only (synthesis stays offline: whether the label exists is known at deploy)."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"pin: {value!r} is empty; give <image or consumer>=<image version label>, e.g. {EXAMPLE}")
    pins: dict[str, str] = {}
    for item in value.split(","):
        name, sep, label = item.strip().partition("=")
        if not sep:
            hint = (
                " (a bare parameter version pins a different image in each region and for each image)"
                if item.strip().isdigit()
                else ""
            )
            raise ValueError(
                f"pin: {item.strip()!r} names no image or consumer{hint}; give <image or consumer>=<image version "
                f"label>, e.g. {EXAMPLE}"
            )
        if not _NAME.fullmatch(name):
            raise ValueError(f"pin: {name!r} is not an image or consumer name; e.g. {EXAMPLE}")
        if not IMAGE_VERSION_LABEL.fullmatch(label):
            raise ValueError(
                f"pin: {name}={label!r} is not an image version label; labels read v<major>.<minor>.<patch>-<build> "
                "(the image version 1.2.3/4 is v1.2.3-4; see 'aws ssm get-parameter-history --query "
                "Parameters[].Labels')"
            )
        if name in pins:
            raise ValueError(f"pin: {name!r} is pinned twice ({pins[name]} and {label}); keep one")
        pins[name] = label
    return pins


def pin_for(pins: dict[str, str], *, consumer: str | None, image: str) -> str | None:
    """The pin of a consumer (by its name first, then its image's), or None."""
    if consumer is not None and consumer in pins:
        return pins[consumer]
    return pins.get(image)
