"""The pipeline's workflows: what it lists when given any, the own workflows' resources, the
execution role they need, and the lists Image Builder would refuse or run without the build."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Match

from constructs_lib import (
    BaseImage,
    Component,
    GoldenImage,
    OperatingSystem,
    VersionLock,
    Workflow,
    WorkflowOnFailure,
    WorkflowType,
)
from tests.conftest import lint_errors, make_pipeline, synth_with_nag, template

BUILD = "arn:aws:imagebuilder:eu-west-1:aws:workflow/build/build-image/x.x.x"
TEST = "arn:aws:imagebuilder:eu-west-1:aws:workflow/test/test-image/x.x.x"
OWN_BUILD = """\
schemaVersion: 1.0
steps:
  - name: Launch
    action: LaunchInstance
    inputs: {waitFor: ssmAgent}
  - name: Components
    action: ExecuteComponents
    inputs:
      instanceId.$: $.stepOutputs.Launch.instanceId
  - name: Image
    action: CreateImage
    inputs:
      instanceId.$: $.stepOutputs.Launch.instanceId
"""


def resolved(stack: cdk.Stack, kind: str) -> dict[str, Any]:
    (found,) = [r for r in template(stack).to_json()["Resources"].values() if r["Type"] == kind]
    return dict(stack.resolve(found["Properties"]))


def arns(stack: cdk.Stack) -> list[Any]:
    return [w["WorkflowArn"] for w in resolved(stack, "AWS::ImageBuilder::ImagePipeline")["Workflows"]]


def test_defaults_list_no_workflows_and_let_image_builder_run_its_own(stack: cdk.Stack, lock: VersionLock) -> None:
    pipeline = make_pipeline(stack, lock)
    properties = resolved(stack, "AWS::ImageBuilder::ImagePipeline")
    assert "Workflows" not in properties
    assert pipeline.workflows is None
    template(stack).resource_count_is("AWS::ImageBuilder::Workflow", 0)


def test_smoke_test_lists_build_image_test_image_then_the_smoke_test(stack: cdk.Stack, lock: VersionLock) -> None:
    pipeline = make_pipeline(stack, lock, smoke_test="curl -f http://localhost/")
    found = arns(stack)
    assert found[:2] == [BUILD, TEST]
    assert list(found[2]) == ["Fn::GetAtt"]
    t = template(stack)
    t.has_resource_properties(
        "AWS::ImageBuilder::Workflow",
        {
            "Name": "web-smoke-test",
            "Type": "TEST",
            "Version": "1.0.0",
            "Data": Match.string_like_regexp("AWS-RunShellScript"),
        },
    )
    t.has_resource_properties("AWS::ImageBuilder::ImagePipeline", {"ExecutionRole": Match.any_value()})
    assert pipeline.workflows is not None
    assert [w.name for w in pipeline.workflows.workflows] == ["build-image", "test-image", "smoke-test"]
    assert pipeline.workflows.versions == {"build-image": "x.x.x", "test-image": "x.x.x", "smoke-test": "1.0.0"}


def test_the_execution_role_may_send_the_script_only_to_image_builder_instances(
    stack: cdk.Stack, lock: VersionLock
) -> None:
    make_pipeline(stack, lock, smoke_test="true")
    policies = template(stack).find_resources("AWS::IAM::Policy")
    (policy,) = [p for lid, p in policies.items() if lid.startswith("WebExecutionRole")]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    by_sid = {s.get("Sid"): s for s in statements}
    document = by_sid["SendWorkflowCommandDocuments"]
    assert (document["Action"], document["Resource"]) == (
        "ssm:SendCommand",
        "arn:aws:ssm:eu-west-1::document/AWS-RunShellScript",
    )
    instances = by_sid["SendWorkflowCommandsToImageBuilderInstances"]
    assert instances["Condition"] == {"StringEquals": {"aws:ResourceTag/CreatedBy": "EC2 Image Builder"}}
    assert instances["Resource"] == "arn:aws:ec2:eu-west-1:111111111111:instance/*"


def test_all_arguments_own_build_managed_test_with_options_and_parameters(stack: cdk.Stack, lock: VersionLock) -> None:
    own = Workflow.from_inline("build", OWN_BUILD, type=WorkflowType.BUILD, version="2.0.0")
    check = (
        Workflow.aws_managed("test-image", "1.0.x")
        .with_parameters({"anything": "goes"})
        .with_test_options(on_failure=WorkflowOnFailure.CONTINUE, parallel_group="checks")
    )
    pipeline = make_pipeline(stack, lock, workflows=[own, check])
    entries = resolved(stack, "AWS::ImageBuilder::ImagePipeline")["Workflows"]
    assert len(entries) == 2
    assert "Fn::GetAtt" in entries[0]["WorkflowArn"]
    assert entries[1]["WorkflowArn"] == TEST.replace("x.x.x", "1.0.x")
    assert (entries[1]["OnFailure"], entries[1]["ParallelGroup"]) == ("CONTINUE", "checks")
    assert entries[1]["Parameters"] == [{"Name": "anything", "Value": ["goes"]}]
    template(stack).has_resource_properties(
        "AWS::ImageBuilder::Workflow", {"Name": "web-build", "Type": "BUILD", "Version": "2.0.0"}
    )
    assert pipeline.workflows is not None and pipeline.workflows.versions["build"] == "2.0.0"


def test_image_tests_off_lists_no_test_image(stack: cdk.Stack, lock: VersionLock) -> None:
    own = Workflow.from_inline("build", OWN_BUILD, type=WorkflowType.BUILD)
    make_pipeline(stack, lock, workflows=[own], image_tests=False)
    assert len(arns(stack)) == 1


def test_changed_content_gets_the_next_version(stack: cdk.Stack, lock: VersionLock) -> None:
    make_pipeline(stack, lock, smoke_test="true")
    other = cdk.Stack(cdk.App(), "Other", env=cdk.Environment(account="111111111111", region="eu-west-1"))
    make_pipeline(other, lock, smoke_test="false")
    template(other).has_resource_properties("AWS::ImageBuilder::Workflow", {"Version": "1.0.1"})


def test_the_first_image_runs_the_same_workflows(stack: cdk.Stack, lock: VersionLock) -> None:
    pipeline = make_pipeline(stack, lock, smoke_test="true")
    GoldenImage(stack, "First", pipeline=pipeline)
    image = resolved(stack, "AWS::ImageBuilder::Image")
    assert len(image["Workflows"]) == 3
    assert "ExecutionRole" in image


def test_windows_smoke_test_runs_powershell(stack: cdk.Stack, lock: VersionLock) -> None:
    make_pipeline(
        stack,
        lock,
        base_image=BaseImage.aws_managed(OperatingSystem.WINDOWS_SERVER_2022),
        components=[Component.aws_managed("update-windows")],
        smoke_test="Get-Service W3SVC",
    )
    template(stack).has_resource_properties(
        "AWS::ImageBuilder::Workflow", {"Data": Match.string_like_regexp("AWS-RunPowerShellScript")}
    )


def test_synthesizes_clean_under_cfn_lint_and_aws_solutions(stack: cdk.Stack, lock: VersionLock) -> None:
    make_pipeline(stack, lock, smoke_test="curl -f http://localhost/")
    assert lint_errors(template(stack).to_json()) == []
    synth_with_nag(stack)


def test_rejects_two_build_workflows(stack: cdk.Stack, lock: VersionLock) -> None:
    own = Workflow.from_inline("build", OWN_BUILD, type=WorkflowType.BUILD)
    with pytest.raises(ValueError, match=r"2 build workflows \(build, build-image\); a pipeline runs one"):
        make_pipeline(stack, lock, workflows=[own, Workflow.aws_managed("build-image")])


def test_rejects_more_than_ten_test_workflows(stack: cdk.Stack, lock: VersionLock) -> None:
    tests = [
        Workflow.smoke_test("true", platform=OperatingSystem.AMAZON_LINUX_2023.platform, name=f"t{i}")
        for i in range(10)
    ]
    with pytest.raises(
        ValueError, match=r"11 test workflows \(with the recipe's test-image\); a pipeline runs up to 10"
    ):
        make_pipeline(stack, lock, workflows=tests)


def test_rejects_test_workflows_with_image_tests_off(stack: cdk.Stack, lock: VersionLock) -> None:
    with pytest.raises(ValueError, match=r"test workflows \(smoke-test\) with image_tests=False"):
        make_pipeline(stack, lock, smoke_test="true", image_tests=False)


def test_rejects_a_distribution_workflow(stack: cdk.Stack, lock: VersionLock) -> None:
    with pytest.raises(ValueError, match=r"'distribute-image' is a DISTRIBUTION workflow"):
        make_pipeline(stack, lock, workflows=[Workflow.aws_managed("distribute-image")])


def test_rejects_a_container_workflow(stack: cdk.Stack, lock: VersionLock) -> None:
    with pytest.raises(ValueError, match=r"'test-container' builds container images"):
        make_pipeline(stack, lock, workflows=[Workflow.aws_managed("test-container")])


def test_rejects_a_workflow_listed_twice(stack: cdk.Stack, lock: VersionLock) -> None:
    with pytest.raises(ValueError, match=r"'test-image' is listed twice"):
        make_pipeline(stack, lock, workflows=[Workflow.aws_managed("test-image")] * 2)


def test_rejects_an_empty_smoke_test_script(stack: cdk.Stack, lock: VersionLock) -> None:
    with pytest.raises(ValueError, match=r"smoke_test: the script is empty"):
        make_pipeline(stack, lock, smoke_test="")
