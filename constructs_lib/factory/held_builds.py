"""``make deploy``'s second guard: no image is built at deploy for a pipeline a revocation holds.

A held pipeline (its status parameter says ``DISABLED``, written by ``golden-ami-revoke``) stays
disabled through a deploy (:class:`~constructs_lib.retire.pipeline_holds.PipelineHolds`). An
``AWS::ImageBuilder::Image`` that the deploy creates is another matter: CloudFormation builds it
whatever the pipeline's status, and it distributes the recipe's components to the latest-AMI
parameters, so an edit that only adds a region would put the revoked components back in front of
every fleet. Before ``cdk deploy``, this guard lists the images of ``cdk.out`` that the deployed
stack does not have yet (``GetTemplate``,
https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_GetTemplate.html), reads
each one's pipeline status parameter (``GetParameter``), and refuses while any is ``DISABLED``:
lift the hold first when the build carries the fix (a new version of the bad component), or
leave the edit until then. Read-only: it changes nothing.

    python -m constructs_lib.factory.held_builds cdk.out
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

from .._core.revoke_names import HOLD_RESOURCE_TYPE
from .deploy_policies import _stacks
from .deployed import Deployed, Status, deployed_template, parameter_value, refuse


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Build:
    """An image ``cdk.out`` builds at deploy, with the status parameter of its pipeline."""

    stack: str
    region: str
    logical_id: str
    pipeline: str
    parameter: str


def builds(out: Path) -> list[Build]:
    """Every ``AWS::ImageBuilder::Image`` of ``out`` whose pipeline (the one with the same recipe,
    in the same stack) is held: its ``Status`` is that of a ``Custom::PipelineHold``."""
    found: list[Build] = []
    for name, _, region, template in _stacks(out):
        resources = template.get("Resources", {})
        held: dict[str, tuple[str, str]] = {}
        for resource in resources.values():
            properties = resource.get("Properties", {})
            status = properties.get("Status")
            target = status.get("Fn::GetAtt") if isinstance(status, dict) else None
            target = target.split(".", 1) if isinstance(target, str) else target
            hold = resources.get(target[0], {}) if isinstance(target, list) and target else {}
            if resource.get("Type") == "AWS::ImageBuilder::ImagePipeline" and hold.get("Type") == HOLD_RESOURCE_TYPE:
                recipe = json.dumps(properties.get("ImageRecipeArn"), sort_keys=True)
                held[recipe] = (str(properties.get("Name")), str(hold.get("Properties", {}).get("Name")))
        for logical_id, resource in sorted(resources.items()):
            if resource.get("Type") != "AWS::ImageBuilder::Image":
                continue
            recipe = json.dumps(resource.get("Properties", {}).get("ImageRecipeArn"), sort_keys=True)
            if recipe in held:
                pipeline, parameter = held[recipe]
                found.append(
                    Build(stack=name, region=region, logical_id=logical_id, pipeline=pipeline, parameter=parameter)
                )
    return found


def problems(found: list[Build], deployed: Deployed, status: Status) -> list[str]:
    """One line per new image whose pipeline is held, with the way out."""
    lines: list[str] = []
    stacks: dict[tuple[str, str], set[str] | None] = {}
    for build in found:
        where = (build.stack, build.region)
        if where not in stacks:
            template = deployed(*where, None)  # the factory's own stacks
            stacks[where] = None if template is None else set(template.get("Resources", {}))
        existing = stacks[where]
        if existing is not None and build.logical_id in existing:
            continue  # built before; this deploy does not build it again
        if status(build.parameter, build.region) == "DISABLED":
            lines.append(
                f"{build.stack}/{build.logical_id}: this deploy builds image {build.pipeline!r} while a revocation "
                f"holds its pipeline ({build.parameter} = DISABLED), and the build would publish its components to the "
                f"latest-AMI parameters again; if this build carries the fix, lift the hold first "
                f"(golden-ami-revoke --image {build.pipeline} --lift --execute), else deploy this edit after the fix"
            )
    return lines


def main(
    argv: list[str] | None = None, *, deployed: Deployed = deployed_template, status: Status = parameter_value
) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m constructs_lib.factory.held_builds <cdk.out>", file=sys.stderr)
        return 2
    found = builds(Path(args[0]))
    if not found:
        return 0
    return refuse(
        lambda: problems(found, deployed, status),
        cannot="tell whether a revocation holds a pipeline",
        needs="cloudformation:GetTemplate and ssm:GetParameter",
        refused="held builds",
    )


if __name__ == "__main__":
    sys.exit(main())
