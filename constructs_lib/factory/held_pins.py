"""``make deploy``'s third guard: a deploy never drops a pin silently.

A pin (``PIN=web-server=v1.2.2-1`` on a deploy, or ``pin:`` in the factory file) makes a launch
template read ``resolve:ssm:<latest-AMI parameter>:<label>``: the fleet stays on that image while
the rollback runbook runs. ``PIN`` lives only on the command line of the deploy that set it, so
the next ``make deploy`` without it (a teammate's, or CI's) would point the templates back at the
newest image. Before ``cdk deploy`` this guard reads each consumer stack's deployed template
(``GetTemplate``; in a workload account through the CDK bootstrap's lookup role there,
:func:`deployed.lookup_roles`) and refuses when a launch template pinned there is unpinned in ``cdk.out``,
unless the deploy names its image in ``UNPIN`` (``make deploy UNPIN=web-server``, or
``UNPIN=all``). A pin changed to another label is explicit and passes. Read-only.

    UNPIN=web-server python -m constructs_lib.factory.held_pins cdk.out
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .._core.ssm_reference import split_reference
from .deploy_policies import _stacks
from .deployed import Deployed, deployed_template, lookup_roles, refuse

__all__ = ["lookup_roles", "main", "pinned", "problems"]


def pinned(template: dict[str, Any]) -> dict[str, tuple[str, str | None]]:
    """Each launch template's ``(latest-AMI parameter, pin or None)``, by logical ID."""
    found: dict[str, tuple[str, str | None]] = {}
    for logical_id, resource in template.get("Resources", {}).items():
        if resource.get("Type") != "AWS::EC2::LaunchTemplate":
            continue
        image = resource.get("Properties", {}).get("LaunchTemplateData", {}).get("ImageId")
        if isinstance(image, str) and image.startswith("resolve:ssm:"):
            found[logical_id] = split_reference(image)
    return found


def image_of(parameter: str) -> str:
    """``web-server`` from ``/golden-ami/web-server/latest`` (the name ``PIN`` and ``UNPIN`` use)."""
    parts = parameter.strip("/").split("/")
    return parts[-2] if len(parts) >= 2 else parameter


def problems(out: Path, deployed: Deployed, unpin: set[str]) -> list[str]:
    """One line per launch template a deploy of ``out`` would unpin without ``unpin`` naming it."""
    lines: list[str] = []
    roles = lookup_roles(out)
    for name, _, region, template in _stacks(out):
        after = pinned(template)
        if not any(pin is None for _, pin in after.values()):
            continue  # nothing here could lose a pin
        before = deployed(name, region, roles.get(name))
        for logical_id, (parameter, pin) in sorted(pinned(before or {}).items()):
            if pin is None or logical_id not in after or after[logical_id][1] is not None:
                continue
            image = image_of(parameter)
            if "all" in unpin or image in unpin:
                continue
            lines.append(
                f"{name}/{logical_id}: this deploy unpins the launch template from {parameter}:{pin}, so its fleet "
                f"rolls onto the newest image; to keep the pin pass PIN={image}={pin} (or put pin: {pin} on the "
                f"consumer in the factory file); to unpin on purpose pass UNPIN={image}"
            )
    return lines


def main(
    argv: list[str] | None = None,
    *,
    deployed: Deployed = deployed_template,
    environ: Callable[[str], str | None] = os.environ.get,
) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: UNPIN=<image>[,...] python -m constructs_lib.factory.held_pins <cdk.out>", file=sys.stderr)
        return 2
    unpin = {u.strip() for u in (environ("UNPIN") or "").split(",") if u.strip()}
    return refuse(
        lambda: problems(Path(args[0]), deployed, unpin),
        cannot="read the deployed launch templates",
        needs="cloudformation:GetTemplate, and in a workload account sts:AssumeRole on its CDK lookup role "
        "(cdk bootstrap --trust <factory account>)",
        refused="pins dropped",
    )


if __name__ == "__main__":
    sys.exit(main())
