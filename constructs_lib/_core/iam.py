"""Roles that EC2 Image Builder assumes for this account, with the AWS managed policy it documents."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from .nag import acknowledge


def image_builder_role(scope: Construct, id: str, *, description: str, policy: str, why: str) -> iam.Role:
    """A role only Image Builder acting for this account (``aws:SourceAccount``) may assume,
    holding the AWS managed ``policy`` (for example ``service-role/EC2ImageBuilderLifecycleExecutionPolicy``),
    with the cdk-nag IAM4 finding on it acknowledged for ``why``."""
    role = iam.Role(
        scope,
        id,
        assumed_by=iam.ServicePrincipal(
            "imagebuilder.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": Stack.of(scope).account}}
        ),
        description=description,
        managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(policy)],
    )
    acknowledge(role, f"AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/{policy}]", why)
    return role
