"""PipelineHolds: one retained custom resource per pipeline, a function allowed to create status
parameters only, and clear errors (synthesis)."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest

from constructs_lib import PipelineHolds
from tests.conftest import lint_errors, make_stack, synth_with_nag, template


def test_one_retained_hold_per_pipeline_named_after_it(stack: cdk.Stack) -> None:
    holds = PipelineHolds(stack, "Holds", pipelines=["web-server", "Base x86"])
    t = template(stack)
    found = t.find_resources("Custom::PipelineHold")
    assert sorted((r["Properties"]["Name"], r["Properties"]["Pipeline"]) for r in found.values()) == [
        ("/golden-ami/base-x86/status", "Base x86"),
        ("/golden-ami/web-server/status", "web-server"),
    ]
    # Retained: deleting the stack or dropping a pipeline never calls the function's Delete.
    assert {(r["DeletionPolicy"], r["UpdateReplacePolicy"]) for r in found.values()} == {("Retain", "Retain")}
    assert holds.parameter_name("Base x86") == "/golden-ami/base-x86/status"
    (policy,) = t.find_resources("AWS::IAM::Policy").values()
    statements = {s["Sid"]: s for s in policy["Properties"]["PolicyDocument"]["Statement"]}
    assert statements["CreateStatusParameters"]["Action"] == ["ssm:GetParameter", "ssm:PutParameter"]
    assert statements["CreateStatusParameters"]["Resource"] == (
        f"arn:aws:ssm:{stack.region}:{stack.account}:parameter/golden-ami/*/status"
    )
    assert set(statements) == {"WriteOwnLogs", "CreateStatusParameters"}
    (function,) = t.find_resources("AWS::Lambda::Function").values()
    assert "ReservedConcurrentExecutions" not in function["Properties"]
    assert not lint_errors(t.to_json())
    synth_with_nag(stack)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"pipelines": []}, "pipelines: () names no pipeline; list the image_name of each pipeline to hold"),
        ({"pipelines": ["web", "web"]}, "pipelines: 'web' is listed twice; list each once"),
        ({"pipelines": ["a/b"]}, "pipelines: 'a/b' is not a valid Image Builder name"),
    ],
)
def test_rejects_bad_input(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as raised:
        PipelineHolds(make_stack(), "Holds", **kwargs)
    assert str(raised.value).startswith(message)


def test_a_pipeline_it_does_not_hold_is_named_with_the_ones_it_does(stack: cdk.Stack) -> None:
    holds = PipelineHolds(stack, "Holds", pipelines=["web-server", "base"])
    with pytest.raises(ValueError) as raised:
        holds.parameter_name("web")
    assert str(raised.value) == (
        "pipeline: 'web' is not held here; add it to PipelineHolds(pipelines=...), which holds base, web-server"
    )
