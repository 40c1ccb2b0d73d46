"""GA-P018: a revoked pipeline stays disabled when the factory deploys again.

``golden-ami-revoke`` disables the revoked image's pipeline. ``UpdateImagePipeline`` "doesn't
support selective updates": what a call omits is reset
(https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_UpdateImagePipeline.html), so a
deploy that updates a pipeline whose template says ``Status: ENABLED`` enables it again. A pipeline
whose ``Status`` is a stack parameter of type ``AWS::SSM::Parameter::Value<String>`` keeps what the
revoke wrote there: "CloudFormation always fetches the latest values from Parameter Store when it
updates stacks", and "if a specified parameter doesn't exist ... CloudFormation returns a
validation error"
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-supplied-parameter-types.html).

So, for every pipeline:

- a fixed status, in an assembly that holds the revoke command's role (``GoldenAmiRevoker``), is
  a warning: a revoke there lasts only until the next deploy;
- a status parameter made by a ``Custom::PipelineHold`` of the assembly must be made in another
  stack of the same account and region that the pipeline's stack deploys after (an error
  otherwise: the first deploy fails its validation, as stack parameters are read before any
  resource is made); one no stack makes is a warning (the preflight cannot see whether it exists).
"""

from __future__ import annotations

from collections.abc import Iterator

from ...._core.revoke_names import HOLD_RESOURCE_TYPE, REVOKER_ROLE_NAME
from ..assembly import Assembly, Stack
from ..finding import Finding, Rule

SSM_STRING = "AWS::SSM::Parameter::Value<String>"


def _holds(assembly: Assembly) -> dict[tuple[str | None, str | None, str], list[tuple[Stack, str]]]:
    """(account, region, parameter name) -> the stacks and logical IDs of the holds making it."""
    made: dict[tuple[str | None, str | None, str], list[tuple[Stack, str]]] = {}
    for stack, logical_id, resource in assembly.resources(HOLD_RESOURCE_TYPE):
        name = assembly.text(stack, resource.get("Properties", {}).get("Name"))
        if name:
            made.setdefault((stack.account, stack.region, name), []).append((stack, logical_id))
    return made


def _has_revoker(assembly: Assembly) -> bool:
    return any(
        assembly.text(stack, resource.get("Properties", {}).get("RoleName")) == REVOKER_ROLE_NAME
        for stack, _, resource in assembly.resources("AWS::IAM::Role")
    )


def check(assembly: Assembly) -> Iterator[Finding]:
    holds = _holds(assembly)
    revoker = _has_revoker(assembly)
    for stack, logical_id, resource in assembly.resources("AWS::ImageBuilder::ImagePipeline"):
        path = f"{stack.name}/{logical_id}"
        status = resource.get("Properties", {}).get("Status", "ENABLED")
        if isinstance(status, str):
            if revoker and status == "ENABLED":
                yield RULE.warning(
                    (path,),
                    "its status is fixed in the template, so the next deploy that updates it enables a pipeline "
                    "golden-ami-revoke disabled; read it from a status parameter "
                    "(GoldenImagePipeline(status_parameter=PipelineHolds(...).parameter_name(...)))",
                )
            continue
        name = status.get("Ref") if isinstance(status, dict) else None
        parameter = stack.template.get("Parameters", {}).get(name, {}) if isinstance(name, str) else {}
        if parameter.get("Type") != SSM_STRING or not isinstance(parameter.get("Default"), str):
            continue
        key = parameter["Default"]
        makers = holds.get((stack.account, stack.region, key), [])
        if not makers:
            yield RULE.warning(
                (path,),
                f"reads its status from {key}, which no stack of the assembly makes; the deploy fails unless it "
                "exists in this account and region; add the pipeline to a PipelineHolds in a stack deployed first",
            )
        elif not any(s.name != stack.name and assembly.depends_on(stack.name, s.name) for s, _ in makers):
            where = ", ".join(f"{s.name}/{i}" for s, i in makers)
            yield RULE.error(
                (path, where),
                f"reads its status from {key}, which {where} makes in a stack not deployed before this one, so "
                "CloudFormation finds no such parameter when it validates this stack; make this stack depend on "
                "the holds' stack (add_dependency), or move the holds to a stack of their own",
            )


RULE = Rule(
    id="GA-P018",
    title="a pipeline disabled by a revoke stays disabled across deploys",
    citation="https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-supplied-parameter-types.html",
    check=check,
)
