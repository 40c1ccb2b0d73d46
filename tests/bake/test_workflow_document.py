"""Workflow documents: AWS's own example passes, mistakes are refused by line and key."""

from __future__ import annotations

import pytest

from constructs_lib import WorkflowType, check_workflow_document
from constructs_lib.bake.workflow_document import MAX_STEPS, STEP_ACTIONS

# The test workflow of the AWS provider's acceptance test, from the document page's own example
# parameter (waitForActionAtEnd) and the step actions LaunchInstance, TerminateInstance, WaitForAction.
AWS_TEST = """\
name: test-image
description: Workflow to test an image
schemaVersion: 1.0

parameters:
  - name: waitForActionAtEnd
    type: boolean

steps:
  - name: LaunchTestInstance
    action: LaunchInstance
    onFailure: Abort
    inputs:
      waitFor: "ssmAgent"

  - name: TerminateTestInstance
    action: TerminateInstance
    onFailure: Continue
    inputs:
      instanceId.$: "$.stepOutputs.LaunchTestInstance.instanceId"

  - name: WaitForActionAtEnd
    action: WaitForAction
    if:
      booleanEquals: true
      value: "$.parameters.waitForActionAtEnd"
"""


def test_aws_example_passes() -> None:
    document = check_workflow_document(AWS_TEST, "test.yaml", WorkflowType.TEST)
    assert [s["action"] for s in document["steps"]] == ["LaunchInstance", "TerminateInstance", "WaitForAction"]


def test_rejects_a_document_without_steps() -> None:
    with pytest.raises(ValueError, match=r"workflows: w.yaml:1: steps: a workflow needs a 'steps' list"):
        check_workflow_document("schemaVersion: 1.0\n", "w.yaml", WorkflowType.BUILD)


def test_rejects_an_empty_steps_list_at_its_line() -> None:
    with pytest.raises(ValueError, match=r"w.yaml:2: steps: a workflow needs"):
        check_workflow_document("schemaVersion: 1.0\nsteps: []\n", "w.yaml", WorkflowType.TEST)


def test_rejects_a_misspelled_action_with_a_suggestion_and_its_line() -> None:
    text = AWS_TEST.replace("action: TerminateInstance", "action: TerminateInstanse")
    with pytest.raises(ValueError, match=r"test.yaml:17: steps\[1\].action: 'TerminateInstanse' .*'TerminateInstance'"):
        check_workflow_document(text, "test.yaml", WorkflowType.TEST)


def test_rejects_an_action_of_another_workflow_type() -> None:
    text = "schemaVersion: 1.0\nsteps:\n  - name: Collect\n    action: CollectImageMetadata\n"
    with pytest.raises(ValueError, match=r"CollectImageMetadata runs only in BUILD workflows, not TEST"):
        check_workflow_document(text, "w.yaml", WorkflowType.TEST)
    check_workflow_document(text, "w.yaml", WorkflowType.BUILD)


def test_rejects_a_reference_to_an_undeclared_parameter() -> None:
    text = AWS_TEST.replace('"$.parameters.waitForActionAtEnd"', '"$.parameters.waitAtEnd"')
    with pytest.raises(ValueError, match=r"'\$.parameters.waitAtEnd' names no parameter; declare 'waitAtEnd'"):
        check_workflow_document(text, "test.yaml", WorkflowType.TEST)


def test_rejects_a_reference_to_a_later_step() -> None:
    text = AWS_TEST.replace("$.stepOutputs.LaunchTestInstance", "$.stepOutputs.WaitForActionAtEnd")
    with pytest.raises(ValueError, match=r"'\$.stepOutputs.WaitForActionAtEnd' names no earlier step"):
        check_workflow_document(text, "test.yaml", WorkflowType.TEST)


@pytest.mark.parametrize("kind", ["str", "int", "list"])
def test_rejects_a_parameter_type_workflows_do_not_take(kind: str) -> None:
    text = AWS_TEST.replace("type: boolean", f"type: {kind}")
    with pytest.raises(ValueError, match=rf"parameters\[0\].type: type '{kind}' is not a workflow parameter type"):
        check_workflow_document(text, "test.yaml", WorkflowType.TEST)


def test_rejects_a_step_name_the_api_does_not_take() -> None:
    text = AWS_TEST.replace("name: LaunchTestInstance", "name: 1Launch").replace(
        "$.stepOutputs.LaunchTestInstance", "$.stepOutputs.1Launch"
    )
    with pytest.raises(ValueError, match=r"steps\[0\].name: step name '1Launch' must be a letter"):
        check_workflow_document(text, "test.yaml", WorkflowType.TEST)


def test_rejects_a_step_name_used_twice() -> None:
    text = AWS_TEST.replace("name: TerminateTestInstance", "name: LaunchTestInstance")
    with pytest.raises(ValueError, match=r"step name 'LaunchTestInstance' is also step 0's"):
        check_workflow_document(text, "test.yaml", WorkflowType.TEST)


def test_rejects_more_than_fifteen_steps() -> None:
    steps = "".join(f"  - name: Wait{i}\n    action: WaitForAction\n" for i in range(MAX_STEPS + 1))
    with pytest.raises(ValueError, match=r"16 steps; a workflow has at most 15"):
        check_workflow_document(f"schemaVersion: 1.0\nsteps:\n{steps}", "w.yaml", WorkflowType.TEST)


def test_rejects_an_unknown_step_key_and_on_failure_value_together() -> None:
    text = AWS_TEST.replace("onFailure: Continue", "onFailure: Ignore\n    retries: 2")
    with pytest.raises(ValueError) as raised:
        check_workflow_document(text, "test.yaml", WorkflowType.TEST)
    assert "steps[1].onFailure: 'Ignore' is not one of Abort, Continue" in str(raised.value)
    assert "steps[1].retries: unknown step key 'retries'" in str(raised.value)


def test_rejects_a_schema_version_other_than_1_0() -> None:
    with pytest.raises(ValueError, match=r"schemaVersion 2.0 is not 1.0"):
        check_workflow_document(AWS_TEST.replace("schemaVersion: 1.0", "schemaVersion: 2.0"), "t", WorkflowType.TEST)


def test_rejects_a_document_over_the_inline_limit() -> None:
    with pytest.raises(ValueError, match=r"16001 characters; Image Builder takes 1 to 16000 inline"):
        check_workflow_document("#" * 16001, "big.yaml", WorkflowType.TEST)


def test_rejects_a_duplicate_key_at_its_line() -> None:
    with pytest.raises(ValueError, match=r"w.yaml:2: "):
        check_workflow_document("schemaVersion: 1.0\nschemaVersion: 1.0\nsteps: []\n", "w.yaml", WorkflowType.TEST)


def test_the_step_actions_are_the_pages_seventeen() -> None:
    assert len(STEP_ACTIONS) == len(set(STEP_ACTIONS)) == 17
    assert {"LaunchInstance", "RunCommand", "ExecuteComponents", "TerminateInstance", "WaitForAction"} <= set(
        STEP_ACTIONS
    )
