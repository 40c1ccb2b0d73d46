"""Holding a revoked pipeline disabled across deploys: its status read from a parameter the
revoke command writes, again at every deploy that changes the pipeline."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import jsii
from aws_cdk import CfnResource, CustomResource, Duration, IResolvable, IResolveContext, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from .._core.function import Handler, custom_resource_exemptions, package_functions
from .._core.limits import check_name
from .._core.nag import acknowledge_resources, as_in_finding
from .._core.revoke_names import HOLD_RESOURCE_TYPE, status_parameter_name

FUNCTION_CODE: Final = Path(__file__).parent / "hold_function"
RESOURCE_TYPE: Final = HOLD_RESOURCE_TYPE
_ID: Final = "GoldenAmiPipelineHolds"


@jsii.implements(IResolvable)
class _Watched:
    """Every property of ``pipeline`` but its status, as its properties render: when the template
    is rendered (so settings made after the hold, such as logging, are in it), by the resource's
    own renderer (``renderProperties``, protected in aws-cdk-lib's ``CfnResource``). An escape-hatch
    override (``add_property_override``) is not repeated; preflight rule GA-P018 reports it."""

    def __init__(self, pipeline: CfnResource) -> None:
        self._pipeline = pipeline
        self.creation_stack: list[str] = []

    def resolve(self, context: IResolveContext) -> Any:
        p: Any = self._pipeline
        rendered: dict[str, Any] = dict(p._render_properties(p._cfn_properties))
        return {k: v for k, v in rendered.items() if k != "Status"}

    def to_string(self) -> str:
        return "<the pipeline's properties>"


class PipelineHolds(Construct):
    """The function behind each pipeline's hold, one per stack (:meth:`of`), and the holds
    (:meth:`hold`).

    ``golden-ami-revoke`` disables the revoked image's pipeline. A deploy that updates a pipeline
    whose template says ``Status: ENABLED`` would enable it again: ``UpdateImagePipeline`` "does
    not support selective updates"
    (https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_UpdateImagePipeline.html),
    so CloudFormation sends the template's status with every update. A held pipeline's ``Status``
    is instead the ``Status`` attribute of a custom resource (``Custom::PipelineHold``) that reads
    ``/golden-ami/<pipeline>/status``, where the revoke writes ``DISABLED`` and ``--lift``
    ``ENABLED``. The hold's properties repeat every other property of the pipeline, so any change
    that updates (or replaces) the pipeline updates the hold first and the status is read anew; a
    deploy that leaves the pipeline alone does not touch it
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requesttypes-update.html).
    The function creates a missing parameter with ``ENABLED`` and never writes one that exists;
    the hold is ``Retain``, so a removed pipeline leaves its parameter (``make destroy`` lists it).

    Limits: a change of the stack's own tags (``cdk deploy --tags``, ``Stack(tags=)``, Tag Editor)
    updates the pipeline without changing the template, so the hold is not asked and the pipeline
    gets the status it read last (CloudFormation propagates stack tags to the resources,
    https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-resource-tags.html);
    run the revoke again after one (it is safe to repeat). A revoke run while a deploy is between
    the hold and the pipeline is undone the same way: revoke between deploys.

    Why not a stack parameter of type ``AWS::SSM::Parameter::Value<String>``, which CloudFormation
    also reads at every update: the page says it is read "under the caller's AWS account" and not
    with whose permissions, while the CDK bootstrap's deploy role may read only its own version
    parameter (the bootstrap template's ``ReadVersion`` statement). Not documented either way, so
    that design could fail a deploy in an account bootstrapped by default; the hold needs nothing
    of the deploying principal.

    Example::

        GoldenImagePipeline(stack, "Web", image_name="web-server", ..., hold_status=True)
    """

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        stack = Stack.of(self)
        partition, account, region = stack.partition, stack.account, stack.region
        made = package_functions(
            self,
            code=FUNCTION_CODE,
            handlers=(
                Handler(
                    id="Function",
                    entry="index.handler",
                    description="Reads each held pipeline's status parameter, creating it once with ENABLED",
                ),
            ),
            role_description="Reads (and creates once) the golden AMI pipelines' status parameters",
            statements=(
                iam.PolicyStatement(
                    sid="ReadStatusParameters",
                    actions=["ssm:PutParameter", "ssm:GetParameter"],
                    resources=[f"arn:{partition}:ssm:{region}:{account}:parameter/golden-ami/*/status"],
                ),
            ),
            exemptions=custom_resource_exemptions(
                outside_vpc="Calls only the SSM API; inside a VPC it would need an endpoint and gain no isolation.",
                runs_once_per="changed pipeline",
            ),
            timeout=Duration.minutes(1),
            plain_logs=(
                "One line per status read or created (the parameter's name and value, ENABLED or DISABLED), no "
                "data; CloudWatch Logs encrypts it at rest."
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

    @classmethod
    def of(cls, scope: Construct) -> PipelineHolds:
        """The holds' function of ``scope``'s stack, made on first use."""
        stack = Stack.of(scope)
        found = stack.node.try_find_child(_ID)
        return found if isinstance(found, PipelineHolds) else cls(stack, _ID)

    def hold(self, scope: Construct, pipeline: CfnResource, name: str) -> str:
        """A hold (construct ID ``Hold`` under ``scope``) of ``pipeline``, named ``name``; returns
        the status to give the pipeline. Raises ``ValueError`` for a name Image Builder refuses."""
        check_name("image_name", name)
        hold = CustomResource(
            scope,
            "Hold",
            service_token=self.function.function_arn,
            resource_type=RESOURCE_TYPE,
            properties={"Name": status_parameter_name(name), "Pipeline": name, "Watch": _Watched(pipeline)},
            removal_policy=RemovalPolicy.RETAIN,
            # Without an answer CloudFormation would wait an hour; the function answers within seconds.
            service_timeout=Duration.minutes(3),
        )
        return hold.get_att_string("Status")
