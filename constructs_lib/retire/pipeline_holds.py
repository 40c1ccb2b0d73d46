"""The status parameters that keep a revoked pipeline disabled across deploys."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Final

from aws_cdk import CustomResource, Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from .._core.function import Exemption, Handler, package_functions
from .._core.limits import check_name, check_unique
from .._core.nag import acknowledge_resources, as_in_finding
from .._core.revoke_names import HOLD_RESOURCE_TYPE, status_parameter_name

FUNCTION_CODE: Final = Path(__file__).parent / "hold_function"
RESOURCE_TYPE: Final = HOLD_RESOURCE_TYPE


class PipelineHolds(Construct):
    """One SSM parameter per pipeline, ``/golden-ami/<pipeline>/status``, created once with
    ``ENABLED`` and from then on written only by ``golden-ami-revoke`` (``DISABLED``) and
    ``golden-ami-revoke --lift`` (``ENABLED``). A pipeline made with
    ``GoldenImagePipeline(status_parameter=...)`` takes its ``Status`` from it at every deploy, so
    a deploy never re-enables a pipeline a revoke disabled.

    Why a parameter read through a stack parameter, and why in a stack of its own:

    - ``UpdateImagePipeline`` "doesn't support selective updates": what a call omits is reset
      (https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_UpdateImagePipeline.html),
      so any deploy that updates a pipeline whose template says ``ENABLED`` enables it again.
    - For a stack parameter of a Systems Manager parameter type, "CloudFormation always fetches the
      latest values from Parameter Store when it updates stacks", and "if a specified parameter
      doesn't exist ... CloudFormation returns a validation error"
      (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-supplied-parameter-types.html).
      So the parameter must exist before the pipeline's stack deploys: it is made here, in a stack
      the pipelines' stacks depend on (the preflight checks the order, GA-P018).
    - An ``ssm`` dynamic reference would not do: CloudFormation does not fetch it again on an
      update unless the reference itself changes
      (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references-ssm.html).
    - An ``AWS::SSM::Parameter`` would not do either: any update of that resource (a tag added
      to the factory) writes its template value back over the revocation.

    The custom resource creates a missing parameter and never overwrites one; it is ``Retain``, so
    removing a pipeline or deleting the stack leaves its parameter and the revocation it may
    record (``make destroy`` lists it with the command that deletes it).

    Example::

        holds = PipelineHolds(holds_stack, "Holds", pipelines=["web-server"])
        pipelines_stack.add_dependency(holds_stack)
        GoldenImagePipeline(pipelines_stack, "Web", image_name="web-server", ...,
                            status_parameter=holds.parameter_name("web-server"))
    """

    def __init__(self, scope: Construct, id: str, *, pipelines: Sequence[str]) -> None:
        """
        :param pipelines: the pipelines' names (``image_name`` of each ``GoldenImagePipeline``), at least one.
        """
        super().__init__(scope, id)
        names = check_unique("pipelines", tuple(pipelines))
        if not names:
            raise ValueError("pipelines: () names no pipeline; list the image_name of each pipeline to hold")
        for name in names:
            check_name("pipelines", name)
        stack = Stack.of(self)
        partition, account, region = stack.partition, stack.account, stack.region
        parameters = f"arn:{partition}:ssm:{region}:{account}:parameter/golden-ami/*/status"
        made = package_functions(
            self,
            code=FUNCTION_CODE,
            handlers=(
                Handler(
                    id="Function",
                    entry="index.handler",
                    description="Creates each pipeline's status parameter once; golden-ami-revoke writes it after",
                ),
            ),
            role_description="Creates the golden AMI pipelines' status parameters",
            statements=(
                iam.PolicyStatement(
                    sid="CreateStatusParameters",
                    actions=["ssm:PutParameter", "ssm:GetParameter"],
                    resources=[parameters],
                ),
            ),
            exemptions=(
                Exemption(
                    checkov="CKV_AWS_117",
                    compliance="LambdaInsideVPC",
                    reason="Calls only the SSM API; inside a VPC it would need an endpoint and gain no isolation.",
                ),
                Exemption(
                    checkov="CKV_AWS_116",
                    compliance="LambdaDLQ",
                    reason="CloudFormation invokes it synchronously and records every failure on the stack.",
                ),
                Exemption(
                    checkov="CKV_AWS_115",
                    compliance="LambdaConcurrency",
                    reason="Runs once per pipeline at deploy; reserving concurrency would fail in new accounts, "
                    "whose quota leaves nothing to reserve.",
                ),
            ),
            timeout=Duration.minutes(1),
            plain_logs=(
                "One line per parameter created or kept (its name and value, ENABLED or DISABLED), no data; "
                "CloudWatch Logs encrypts it at rest."
            ),
        )
        self.log_group, self.role, (self.function,) = made.log_group, made.role, made.functions
        acknowledge_resources(
            self.role,
            (
                f"arn:{as_in_finding(partition, 'Partition')}:ssm:{as_in_finding(region, 'Region')}:"
                f"{as_in_finding(account, 'AccountId')}:parameter/golden-ami/*/status",
                "Only the pipelines' status parameters of this region; one pattern keeps the policy's size "
                "independent of the number of pipelines.",
            ),
        )
        self.parameter_names: dict[str, str] = {}
        """Each pipeline's status parameter, by pipeline name."""
        self.resources: dict[str, CustomResource] = {}
        for name in names:
            parameter = status_parameter_name(name)
            hold = CustomResource(
                self,
                f"Hold-{name.replace(' ', '-')}",
                service_token=self.function.function_arn,
                resource_type=RESOURCE_TYPE,
                properties={"Name": parameter, "Pipeline": name},
                removal_policy=RemovalPolicy.RETAIN,
            )
            self.parameter_names[name] = parameter
            self.resources[name] = hold

    def parameter_name(self, pipeline: str) -> str:
        """The status parameter of ``pipeline``; raises ``ValueError`` for a pipeline not held here."""
        if pipeline not in self.parameter_names:
            raise ValueError(
                f"pipeline: {pipeline!r} is not held here; add it to PipelineHolds(pipelines=...), "
                f"which holds {', '.join(sorted(self.parameter_names))}"
            )
        return self.parameter_names[pipeline]
