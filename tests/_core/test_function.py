"""The library's Lambda functions: one log group, one role by reference, findings acknowledged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sqs as sqs
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks

from constructs_lib._core.function import Exemption, Handler, package_functions
from tests.conftest import lint_errors, make_stack, template

OUTSIDE_VPC = Exemption(checkov="CKV_AWS_117", compliance="LambdaInsideVPC", reason="Calls only AWS APIs.")
NO_DLQ = Exemption(checkov="CKV_AWS_116", compliance="LambdaDLQ", reason="Invoked synchronously by CloudFormation.")
UNRESERVED = Exemption(checkov="CKV_AWS_115", compliance="LambdaConcurrency", reason="Runs once per deploy.")
PARAMETER = "arn:aws:ssm:eu-west-1:111111111111:parameter/golden-ami/web/latest"
ENVIRONMENT = Exemption(checkov="CKV_AWS_173", reason="No secret in the environment.")


@pytest.fixture
def code(tmp_path: Path) -> Path:
    (tmp_path / "index.py").write_text("def handler(event, context):\n    return None\n")
    return tmp_path


def build(stack: cdk.Stack, code: Path, **overrides: Any) -> Any:
    props: dict[str, Any] = {
        "code": code,
        "handlers": (Handler(id="Function", entry="index.handler", description="Does one thing"),),
        "role_description": "Does one thing",
        "statements": (iam.PolicyStatement(sid="Read", actions=["ssm:GetParameter"], resources=[PARAMETER]),),
        "exemptions": (OUTSIDE_VPC, NO_DLQ, UNRESERVED),
        "timeout": cdk.Duration.minutes(1),
        "plain_logs": "Holds status lines only.",
    }
    props.update(overrides)
    return package_functions(stack, **props)


def test_defaults_one_function_by_reference_to_a_role_that_writes_only_its_logs(code: Path) -> None:
    stack = make_stack()
    made = build(stack, code)
    t = template(stack)
    logs_id = stack.get_logical_id(made.log_group.node.default_child)
    role_id = stack.get_logical_id(made.role.node.default_child)
    policy_id = stack.get_logical_id(made.role.node.find_child("DefaultPolicy").node.default_child)
    (log_group,) = t.find_resources("AWS::Logs::LogGroup").values()
    assert log_group["Properties"] == {"RetentionInDays": 365}
    assert log_group["DeletionPolicy"] == "Retain"
    (function,) = t.find_resources("AWS::Lambda::Function").values()
    props = function["Properties"]
    assert (props["Runtime"], props["Handler"], props["MemorySize"], props["Timeout"]) == (
        "python3.14",
        "index.handler",
        256,
        60,
    )
    assert props["Role"] == {"Fn::GetAtt": [role_id, "Arn"]}
    assert props["LoggingConfig"] == {"LogGroup": {"Ref": logs_id}}
    assert function["DependsOn"] == [policy_id]
    assert not {"ReservedConcurrentExecutions", "DeadLetterConfig", "Environment"} & set(props)
    (policy,) = t.find_resources("AWS::IAM::Policy").values()
    first, second = policy["Properties"]["PolicyDocument"]["Statement"]
    assert first["Sid"] == "WriteOwnLogs"
    assert first["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert first["Resource"] == {"Fn::Join": ["", [{"Fn::GetAtt": [logs_id, "Arn"]}, ":log-stream:*"]]}
    assert second["Sid"] == "Read"
    assert lint_errors(t.to_json()) == []


def test_exemptions_are_recorded_on_each_function_in_order(code: Path) -> None:
    stack = make_stack()
    build(
        stack,
        code,
        handlers=(
            Handler(id="OnEvent", entry="index.on_event", description="Starts"),
            Handler(id="IsComplete", entry="index.is_complete", description="Polls"),
        ),
        exemptions=(OUTSIDE_VPC, ENVIRONMENT, UNRESERVED),
    )
    t = template(stack)
    functions = t.find_resources("AWS::Lambda::Function")
    assert len(functions) == 2
    for function in functions.values():
        skips = function["Metadata"]["checkov"]["skip"]
        assert skips == [
            {"id": "CKV_AWS_117", "comment": "Calls only AWS APIs."},
            {"id": "CKV_AWS_173", "comment": "No secret in the environment."},
            {"id": "CKV_AWS_115", "comment": "Runs once per deploy."},
        ]
    # One role, one log group and one code asset for both.
    assert len(t.find_resources("AWS::IAM::Role")) == 1
    assert len(t.find_resources("AWS::Logs::LogGroup")) == 1
    assert len({str(f["Properties"]["Code"]) for f in functions.values()}) == 1
    assert sorted(f["Properties"]["Handler"] for f in functions.values()) == ["index.is_complete", "index.on_event"]


def test_passes_dead_letters_environment_and_logs_key_and_reserves_no_concurrency(code: Path) -> None:
    stack = make_stack()
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    queue = sqs.Queue(stack, "Queue", enforce_ssl=True)
    build(
        stack,
        code,
        dead_letter_queue=queue,
        environment={"NAME": "value"},
        logs_key=key,
        plain_logs=None,
    )
    t = template(stack)
    (function,) = t.find_resources("AWS::Lambda::Function").values()
    props = function["Properties"]
    assert "ReservedConcurrentExecutions" not in props
    assert props["Environment"] == {"Variables": {"NAME": "value"}}
    assert props["DeadLetterConfig"] == {
        "TargetArn": {"Fn::GetAtt": [stack.get_logical_id(queue.node.default_child), "Arn"]}
    }
    (log_group,) = t.find_resources("AWS::Logs::LogGroup").values()
    assert log_group["Properties"]["KmsKeyId"] == {"Fn::GetAtt": [stack.get_logical_id(key.node.default_child), "Arn"]}
    assert "checkov" not in log_group.get("Metadata", {})


def test_plain_logs_skip_checkov_with_the_reason(code: Path) -> None:
    stack = make_stack()
    build(stack, code)
    (log_group,) = template(stack).find_resources("AWS::Logs::LogGroup").values()
    assert log_group["Metadata"]["checkov"]["skip"] == [{"id": "CKV_AWS_158", "comment": "Holds status lines only."}]


def synth_with_packs(stack: cdk.Stack) -> None:
    app = stack.node.root
    assert isinstance(app, cdk.App)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app), NIST80053R5Checks(app), HIPAASecurityChecks(app))
    app.synth()


def test_passes_the_packs_with_each_finding_acknowledged(code: Path) -> None:
    stack = make_stack()
    build(stack, code)
    synth_with_packs(stack)


def test_a_finding_left_out_of_the_exemptions_fails_the_packs(code: Path) -> None:
    stack = make_stack()
    build(stack, code, exemptions=(NO_DLQ, UNRESERVED))
    with pytest.raises(RuntimeError, match="LambdaInsideVPC"):
        synth_with_packs(stack)


def test_rejects_an_exemption_that_names_no_finding_or_gives_no_reason() -> None:
    with pytest.raises(ValueError, match="names no finding; give checkov="):
        Exemption(reason="Because.")
    with pytest.raises(ValueError, match="CKV_AWS_117 has no reason; say why"):
        Exemption(checkov="CKV_AWS_117", reason=" ")
