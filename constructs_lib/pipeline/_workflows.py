"""The pipeline's image workflows: which it lists, the ``AWS::ImageBuilder::Workflow`` resources of
the team's own, and what the execution role then needs.

What AWS documents, and what it leaves open:

- "If you specify workflows, they replace the default workflows that Image Builder otherwise runs
  for the pipeline's builds. For example, if your list doesn't include a test workflow, the
  pipeline's builds don't run one. You must also specify executionRole when you provide workflows"
  (``workflows`` of CreateImagePipeline,
  https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_CreateImagePipeline.html). So a
  pipeline given workflows also lists ``build-image`` unless it has a build workflow of its own, and
  ``test-image`` (which runs the recipe's test phases) while ``image_tests`` is on: the defaults
  stay what they were without workflows.
- one build workflow and up to ten test workflows a pipeline ("Configure image pipeline workflows",
  https://docs.aws.amazon.com/imagebuilder/latest/userguide/pipeline-workflows.html).
- ``image_tests=False`` sets ``ImageTestsEnabled`` false ("whether tests run after building the
  image", ``ImageTestsConfiguration``), so test workflows are refused with it rather than listed
  and never run.
- Distribution workflows are not taken: the pipeline distributes through its distribution
  configuration. Inconclusive: AWS does not say whether a pipeline whose workflows list no
  distribution workflow still distributes through its configuration; pipelines listing build and
  test workflows predate distribution workflows, which is why the list here has none.
- the execution role holds ``EC2ImageBuilderExecutionPolicy``; for a ``RunCommand`` step it may
  also send the step's command document to instances Image Builder launched (tagged
  ``CreatedBy: EC2 Image Builder``, the tag the service-linked role's policy requires on what it
  creates, https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSServiceRoleForImageBuilder.html).
  Inconclusive: whether the managed policy already grants ``ssm:SendCommand`` (and reading the
  command's result) was not found on an AWS page; the statement here is scoped to the document
  and the tagged instances.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_imagebuilder as imagebuilder
from constructs import Construct

from .._core.enums import Platform
from .._core.limits import check_name
from .._core.nag import acknowledge, as_in_finding
from ..bake.version_lock import VersionLock, content_digest
from ..bake.workflow import Workflow
from ..bake.workflow_document import WorkflowType
from ._execution import ExecutionRole

MAX_TEST_WORKFLOWS: Final = 10
_CONTAINER: Final = ("build-container", "test-container")


def planned_workflows(
    workflows: Sequence[Workflow], *, smoke_test: str | Path | None, image_tests: bool, platform: Platform
) -> tuple[Workflow, ...]:
    """The workflows a pipeline lists, in order (build, then tests); () when none are asked for, so
    Image Builder runs its defaults. Raises ``ValueError`` on a list Image Builder would refuse or
    that would silently drop the build or the recipe's tests."""
    given = list(workflows)
    if smoke_test is not None:
        script = Path(smoke_test).read_text(encoding="utf-8") if isinstance(smoke_test, Path) else smoke_test
        given.append(Workflow.smoke_test(script, platform=platform))
    if not given:
        return ()
    names = [w.name for w in given]
    for i, workflow in enumerate(given):
        if workflow.name in names[:i]:
            raise ValueError(f"workflows: {workflow.name!r} is listed twice; list each workflow once")
        if workflow.type is WorkflowType.DISTRIBUTION:
            raise ValueError(
                f"workflows: {workflow.name!r} is a DISTRIBUTION workflow; the pipeline distributes through its "
                "distribution configuration (regions, accounts, sharing), so list build and test workflows only"
            )
        if workflow.is_managed and workflow.name in _CONTAINER:
            raise ValueError(
                f"workflows: {workflow.name!r} builds container images; an AMI pipeline uses 'build-image' and "
                "'test-image'"
            )
    builds = [w for w in given if w.type is WorkflowType.BUILD]
    tests = [w for w in given if w.type is WorkflowType.TEST]
    if len(builds) > 1:
        raise ValueError(
            f"workflows: {len(builds)} build workflows ({', '.join(w.name for w in builds)}); a pipeline runs one"
        )
    if tests and not image_tests:
        raise ValueError(
            f"workflows: test workflows ({', '.join(w.name for w in tests)}) with image_tests=False, which turns "
            "the pipeline's tests off; set image_tests=True or drop them"
        )
    if image_tests and "test-image" not in names:
        tests.insert(0, Workflow.aws_managed("test-image"))
    if len(tests) > MAX_TEST_WORKFLOWS:
        raise ValueError(
            f"workflows: {len(tests)} test workflows (with the recipe's test-image); a pipeline runs up to "
            f"{MAX_TEST_WORKFLOWS}, so merge some"
        )
    return (*(builds or [Workflow.aws_managed("build-image")]), *tests)


class PipelineWorkflows:
    """The own workflows' resources (children ``Workflow<name>`` of ``scope``) and the ARN of each
    workflow the pipeline lists; grants the execution role what ``RunCommand`` steps need."""

    def __init__(
        self,
        scope: Construct,
        *,
        image_name: str,
        workflows: Sequence[Workflow],
        version_lock: VersionLock,
        execution: ExecutionRole,
    ) -> None:
        stack = Stack.of(scope)
        partition, region, account = stack.partition, stack.region, stack.account
        self.workflows = tuple(workflows)
        self.versions: dict[str, str] = {}
        self.arns: list[str] = []
        for workflow in self.workflows:
            if workflow.is_managed:
                self.arns.append(f"arn:{partition}:imagebuilder:{region}:{workflow.arn_path()}")
                self.versions[workflow.name] = workflow.version
                continue
            full_name = check_name("workflows.name", f"{image_name}-{workflow.name}")
            properties = {
                "Name": full_name,
                "Type": workflow.type.value,
                "Data": workflow.data,
                "Description": workflow.description,
            }
            version = version_lock.version_for(f"{full_name}.workflow", content_digest(properties), workflow.version)
            resource = imagebuilder.CfnWorkflow(
                scope,
                f"Workflow{workflow.name}",
                name=full_name,
                type=workflow.type.value,
                version=version,
                data=workflow.data,
                description=workflow.description,
            )
            self.versions[workflow.name] = version
            self.arns.append(resource.attr_arn)
        self.role = execution.ensure()
        documents = sorted({d for w in self.workflows for d in w.command_documents})
        if documents:
            self._allow_commands(documents, partition, region, account)

    def render(self, cfn: Any) -> list[Any]:
        """The ``Workflows`` entries, built with ``cfn``'s property classes (``CfnImagePipeline`` or
        ``CfnImage``: typed structs of one do not serialize as the other's)."""
        entries = []
        for arn, workflow in zip(self.arns, self.workflows, strict=True):
            parameters = [
                cfn.WorkflowParameterProperty(name=name, value=list(value)) for name, value in workflow.parameters
            ]
            entries.append(
                cfn.WorkflowConfigurationProperty(
                    workflow_arn=arn,
                    parameters=parameters or None,
                    on_failure=workflow.on_failure.value if workflow.on_failure else None,
                    parallel_group=workflow.parallel_group,
                )
            )
        return entries

    def _allow_commands(self, documents: list[str], partition: str, region: str, account: str) -> None:
        # AWS-owned command documents have no account in their ARN; the team's own have theirs.
        arns = [
            f"arn:{partition}:ssm:{region}:{'' if d.startswith('AWS-') else account}:document/{d}" for d in documents
        ]
        self.role.add_to_policy(
            iam.PolicyStatement(sid="SendWorkflowCommandDocuments", actions=["ssm:SendCommand"], resources=arns)
        )
        instances = f"arn:{partition}:ec2:{region}:{account}:instance/*"
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="SendWorkflowCommandsToImageBuilderInstances",
                actions=["ssm:SendCommand"],
                resources=[instances],
                conditions={"StringEquals": {"aws:ResourceTag/CreatedBy": "EC2 Image Builder"}},
            )
        )
        finding = (
            f"arn:{as_in_finding(partition, 'Partition')}:ec2:{as_in_finding(region, 'Region')}:"
            f"{as_in_finding(account, 'AccountId')}:instance/*"
        )
        acknowledge(
            self.role,
            f"AwsSolutions-IAM5[Resource::{finding}]",
            "The test instance is launched by the workflow at run time; the aws:ResourceTag/CreatedBy condition "
            "selects the instances Image Builder launched.",
        )
