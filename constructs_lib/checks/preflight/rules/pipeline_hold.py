"""GA-P018: a revoked pipeline stays disabled when the factory deploys again.

``golden-ami-revoke`` disables the revoked image's pipeline. ``UpdateImagePipeline`` "does not
support selective updates"
(https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_UpdateImagePipeline.html), so
a deploy that updates a pipeline whose template says ``Status: ENABLED`` enables it again. A held
pipeline's ``Status`` is the ``Status`` of a ``Custom::PipelineHold``, which reads the status the
revoke wrote; CloudFormation sends a custom resource an update only when its properties change
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requesttypes-update.html),
so the hold must repeat every property of the pipeline: one it leaves out could change alone, and
the pipeline would be updated with the status the hold read last.

For every pipeline:

- a fixed ``ENABLED`` status, in an assembly that holds the revoke command's role
  (``GoldenAmiRevoker``), is a warning: a revoke there lasts only until the next deploy that
  changes the pipeline;
- a status from a hold whose ``Watch`` misses a property of the pipeline (other than ``Status``)
  is an error, naming the properties.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from ...._core.revoke_names import HOLD_RESOURCE_TYPE, REVOKER_ROLE_NAME
from ..assembly import Assembly
from ..finding import Finding, Rule


def _has_revoker(assembly: Assembly) -> bool:
    return any(
        assembly.text(stack, resource.get("Properties", {}).get("RoleName")) == REVOKER_ROLE_NAME
        for stack, _, resource in assembly.resources("AWS::IAM::Role")
    )


def _hold(status: Any, resources: Mapping[str, Mapping[str, Any]]) -> tuple[str, Mapping[str, Any]] | None:
    """The hold a ``Status`` of ``Fn::GetAtt [<hold>, Status]`` names, with its logical ID."""
    target = status.get("Fn::GetAtt") if isinstance(status, Mapping) else None
    parts = target.split(".", 1) if isinstance(target, str) else target
    if not isinstance(parts, list) or len(parts) != 2 or parts[1] != "Status":
        return None
    found = resources.get(str(parts[0]))
    return (str(parts[0]), found) if found and found.get("Type") == HOLD_RESOURCE_TYPE else None


def unwatched(pipeline: Mapping[str, Any], watch: Any) -> list[str]:
    """The pipeline's properties (``Status`` aside) that ``watch`` does not repeat as they are."""
    repeated = watch if isinstance(watch, Mapping) else {}
    return sorted(
        key
        for key, value in pipeline.items()
        if key != "Status" and json.dumps(repeated.get(key), sort_keys=True) != json.dumps(value, sort_keys=True)
    )


def check(assembly: Assembly) -> Iterator[Finding]:
    revoker = _has_revoker(assembly)
    for stack, logical_id, resource in assembly.resources("AWS::ImageBuilder::ImagePipeline"):
        path = f"{stack.name}/{logical_id}"
        properties = resource.get("Properties", {})
        status = properties.get("Status", "ENABLED")
        if status == "ENABLED":
            if revoker:
                yield RULE.warning(
                    (path,),
                    "its status is fixed in the template, so the next deploy that changes it enables a pipeline "
                    "golden-ami-revoke disabled; hold it (GoldenImagePipeline(hold_status=True))",
                )
            continue
        found = _hold(status, stack.resources)
        if found is None:
            continue
        hold_id, hold = found
        missing = unwatched(properties, hold.get("Properties", {}).get("Watch"))
        if missing:
            yield RULE.error(
                (path, f"{stack.name}/{hold_id}"),
                f"its hold does not repeat {', '.join(missing)}, so a deploy that changes only that updates the "
                "pipeline with the status the hold read last, enabling a pipeline a revoke disabled; give the hold "
                "every property of the pipeline but Status (PipelineHolds does)",
            )


RULE = Rule(
    id="GA-P018",
    title="a pipeline disabled by a revoke stays disabled across deploys",
    citation="https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requesttypes-update.html",
    check=check,
)
