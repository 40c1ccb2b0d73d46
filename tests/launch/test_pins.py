from __future__ import annotations

import pytest

from constructs_lib.launch.pins import parse_pins, pin_for
from constructs_lib.launch.rollout_function.tags import version_label


def test_pins_name_one_image_version_per_image_or_consumer() -> None:
    pins = parse_pins("web-server=v1.2.3-4, api=v2.0.0-1")
    assert pins == {"web-server": "v1.2.3-4", "api": "v2.0.0-1"}
    assert pin_for(pins, consumer="api", image="web-server") == "v2.0.0-1"
    assert pin_for(pins, consumer=None, image="web-server") == "v1.2.3-4"
    assert pin_for(pins, consumer=None, image="other") is None


def test_the_label_a_pin_names_is_the_one_the_rollout_function_writes() -> None:
    label = version_label("arn:aws:imagebuilder:eu-west-1:111111111111:image/web-server/1.2.3/4")
    assert label == "v1.2.3-4" and parse_pins(f"web-server={label}") == {"web-server": label}
    assert version_label("arn:aws:imagebuilder:eu-west-1:111111111111:image/web-server/x.x.x") is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", r"pin: '' is empty"),
        ("7", r"pin: '7' names no image or consumer \(a bare parameter version pins a different image"),
        ("web=7", r"pin: web='7' is not an image version label; labels read v<major>"),
        ("web=stable", r"pin: web='stable' is not an image version label"),
        ("web=v1.2.3-4.5", r"pin: web='v1.2.3-4.5' is not an image version label"),
        ("we b=v1.2.3-4", r"pin: 'we b' is not an image or consumer name"),
        ("web=v1.2.3-4,web=v1.2.3-5", r"pin: 'web' is pinned twice \(v1.2.3-4 and v1.2.3-5\); keep one"),
    ],
)
def test_rejects_pins_that_do_not_name_one_image_version(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_pins(value)
