"""``resolve:ssm:`` references as launch templates write them: the parameter and the pin.

The rollout function's folder is deployed alone and keeps an identical copy in its ``tags.py``;
tests/launch/test_rollout_function_labels.py checks that the two read every case alike.
"""

from __future__ import annotations


def split_reference(image_id: str) -> tuple[str, str | None]:
    """``resolve:ssm:<name or ARN>[:<version or label>]`` as ``(name or ARN, pin or None)``; an AMI ID
    gives ``(image_id, None)``. A parameter ARN holds five colons of its own before ``parameter/``."""
    if not image_id.startswith("resolve:ssm:"):
        return image_id, None
    rest, head = image_id.removeprefix("resolve:ssm:"), ""
    if rest.startswith("arn:"):
        parts = rest.split(":", 5)
        if len(parts) < 6:
            return rest, None
        head, rest = ":".join(parts[:5]) + ":", parts[5]
    name, sep, pin = rest.partition(":")
    return head + name, (pin or None) if sep else None


def names_parameter(reference: str, parameter: str) -> bool:
    """Whether a name or ARN from :func:`split_reference` is ``parameter`` (a name)."""
    return reference == parameter or reference.endswith(f":parameter{parameter}")
