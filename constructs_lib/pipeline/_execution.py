"""The pipeline's execution role: Image Builder runs the build with it and writes the latest-AMI
parameters through it. Created only when the pipeline publishes a parameter."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from .._core.iam import image_builder_role
from .._core.nag import INLINE_POLICY_REASON, acknowledge, compliance


class ExecutionRole:
    """Owns the role (child ``ExecutionRole`` of ``scope``) and its ``ssm:PutParameter`` statement."""

    def __init__(self, scope: Construct, image_name: str) -> None:
        self._scope = scope
        self._image_name = image_name
        self.role: iam.Role | None = None
        self._put_parameter: iam.PolicyStatement | None = None

    def allow_parameters(self, stack: Stack, parameter_names: Mapping[str, str]) -> None:
        """Let the role write every latest-AMI parameter (region -> name), creating it on first need."""
        if not parameter_names:
            return
        if self.role is None or self._put_parameter is None:
            self.role = self._create()
            self._put_parameter = iam.PolicyStatement(actions=["ssm:PutParameter"])
            self.role.add_to_principal_policy(self._put_parameter)
        partition, account = stack.partition, stack.account  # each read is a round trip to jsii
        arns = [f"arn:{partition}:ssm:{region}:{account}:parameter{name}" for region, name in parameter_names.items()]
        present = set(self._put_parameter.resources)
        self._put_parameter.add_resources(*[a for a in arns if a not in present])

    def order_before(self, resource: Construct) -> None:
        """The role's ARN orders the role; ``resource`` must also wait for its inline policy."""
        if self.role is not None:
            resource.node.add_dependency(self.role.node.find_child("DefaultPolicy"))

    def _create(self) -> iam.Role:
        role = image_builder_role(
            self._scope,
            "ExecutionRole",
            description=f"Image Builder runs {self._image_name} with this role and writes its latest-AMI parameters",
            policy="EC2ImageBuilderExecutionPolicy",
            why="The AWS policy Image Builder documents for a pipeline execution role; building needs all of it.",
        )
        role.add_to_principal_policy(iam.PolicyStatement(actions=["ec2:DescribeImages"], resources=["*"]))
        acknowledge(
            role,
            "AwsSolutions-IAM5[Resource::*]",
            "ec2:DescribeImages has no resource-level permissions; SSM validates aws:ec2:image parameters with it.",
            *compliance("IAMNoInlinePolicy", INLINE_POLICY_REASON),
        )
        return role
