"""GA-P018: a pipeline's status survives a deploy only when it reads a status parameter that a
stack deployed before it makes (good and bad assemblies, as ``assemble`` takes them)."""

from __future__ import annotations

from typing import Any

from constructs_lib.checks.preflight import Severity
from constructs_lib.checks.preflight.rules import pipeline_hold
from tests.checks.preflight.scenario import assemble

F = "111111111111"
STATUS = "/golden-ami/web/status"
REVOKER = {"Revoker": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "GoldenAmiRevoker"}}}
HOLD = {"Hold": {"Type": "Custom::PipelineHold", "Properties": {"Name": STATUS, "Pipeline": "web"}}}


def pipeline(status: Any) -> dict[str, Any]:
    return {"Pipeline": {"Type": "AWS::ImageBuilder::ImagePipeline", "Properties": {"Name": "web", "Status": status}}}


def factory(*, dependencies: tuple[str, ...] = ("Holds",), status: Any = None, extra: Any = None) -> dict[str, Any]:
    return {
        "account": F,
        "region": "eu-west-1",
        "resources": {**pipeline(status or {"Ref": "WebStatus"}), **REVOKER, **(extra or {})},
        "Parameters": {"WebStatus": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": STATUS}},
        "dependencies": list(dependencies),
    }


def findings(stacks: dict[str, dict[str, Any]]) -> list[tuple[Severity, tuple[str, ...], str]]:
    return [(f.severity, f.resources, f.message) for f in pipeline_hold.RULE.check(assemble(stacks))]


def holds(region: str = "eu-west-1") -> dict[str, Any]:
    return {"account": F, "region": region, "resources": HOLD}


def test_good_a_pipeline_reading_a_status_parameter_made_by_an_earlier_stack() -> None:
    assert findings({"Holds": holds(), "Factory": factory()}) == []


def test_bad_the_holds_stack_is_not_deployed_first() -> None:
    ((severity, resources, message),) = findings({"Holds": holds(), "Factory": factory(dependencies=())})
    assert severity is Severity.ERROR
    assert resources == ("Factory/Pipeline", "Holds/Hold")
    assert message == (
        f"reads its status from {STATUS}, which Holds/Hold makes in a stack not deployed before this one, so "
        "CloudFormation finds no such parameter when it validates this stack; make this stack depend on the holds' "
        "stack (add_dependency), or move the holds to a stack of their own"
    )


def test_bad_the_hold_in_the_pipelines_own_stack() -> None:
    ((severity, resources, _),) = findings({"Factory": factory(dependencies=(), extra=HOLD)})
    assert (severity, resources) == (Severity.ERROR, ("Factory/Pipeline", "Factory/Hold"))


def test_bad_the_hold_in_another_region_does_not_count() -> None:
    ((severity, _, message),) = findings({"Holds": holds("us-east-1"), "Factory": factory()})
    assert severity is Severity.WARNING
    assert message.startswith(f"reads its status from {STATUS}, which no stack of the assembly makes")


def test_bad_a_fixed_status_where_the_revoke_command_can_act() -> None:
    ((severity, resources, message),) = findings({"Factory": factory(status="ENABLED", dependencies=())})
    assert (severity, resources) == (Severity.WARNING, ("Factory/Pipeline",))
    assert message.startswith("its status is fixed in the template, so the next deploy that updates it enables")


def test_a_fixed_status_without_the_revoke_command_is_not_reported() -> None:
    stack = factory(status="ENABLED", dependencies=())
    stack["resources"].pop("Revoker")
    assert findings({"Factory": stack}) == []


def test_a_pipeline_created_disabled_is_not_reported() -> None:
    assert findings({"Factory": factory(status="DISABLED", dependencies=())}) == []
