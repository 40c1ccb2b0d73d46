"""The pipeline's execution role: Image Builder runs the build with it and writes the latest-AMI
parameters through it. Created only when the pipeline publishes a parameter."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from .._core.iam import image_builder_role
from .._core.nag import INLINE_POLICY_REASON, acknowledge, as_in_finding, compliance

# Using the recipe's key while building: what EBS needs of the caller that launches instances
# from encrypted volumes ("Permissions for users",
# https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption-requirements.html), plus
# encryption for the new image's snapshots.
KEY_USE_ACTIONS: Final = ("kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey")


def key_use_statements(stack: Stack, key: kms.IKey) -> list[iam.PolicyStatement]:
    """The execution role's statements for the recipe's key: use it, and create grants for AWS
    resources. A key given by alias (``kms.Alias``, same account) is selected in every region by
    ``kms:ResourceAliases``, because an alias ARN as IAM resource matches only alias operations
    (https://docs.aws.amazon.com/kms/latest/developerguide/alias-authorization.html)."""
    conditions: dict[str, dict[str, object]] = {}
    alias = getattr(key, "alias_name", None)  # every read of the key is a round trip to jsii
    if isinstance(alias, str):
        # Any region: the same alias names the key that encrypts the copies in each region.
        resources = [f"arn:{stack.partition}:kms:*:{stack.account}:key/*"]
        conditions = {"ForAnyValue:StringEquals": {"kms:ResourceAliases": alias}}
    else:
        resources = [key.key_arn]
    return [
        iam.PolicyStatement(
            sid="UseRecipeKey", actions=list(KEY_USE_ACTIONS), resources=resources, conditions=conditions or None
        ),
        iam.PolicyStatement(
            sid="GrantsOnRecipeKeyForAwsResources",
            actions=["kms:CreateGrant"],
            resources=resources,
            conditions={**conditions, "Bool": {"kms:GrantIsForAWSResource": "true"}},
        ),
    ]


class ExecutionRole:
    """Owns the role (child ``ExecutionRole`` of ``scope``) and its ``ssm:PutParameter`` statement."""

    def __init__(self, scope: Construct, image_name: str, key: kms.IKey | None = None) -> None:
        self._scope = scope
        self._image_name = image_name
        self._key = key
        self.role: iam.Role | None = None
        self._put_parameter: iam.PolicyStatement | None = None

    def allow_parameters(self, stack: Stack, parameter_names: Mapping[str, str]) -> None:
        """Let the role write every latest-AMI parameter (region -> name), creating it on first need."""
        if not parameter_names:
            return
        role = self.ensure()
        if self._put_parameter is None:
            self._put_parameter = iam.PolicyStatement(actions=["ssm:PutParameter"])
            role.add_to_policy(self._put_parameter)
        partition, account = stack.partition, stack.account  # each read is a round trip to jsii
        arns = [f"arn:{partition}:ssm:{region}:{account}:parameter{name}" for region, name in parameter_names.items()]
        present = set(self._put_parameter.resources)
        self._put_parameter.add_resources(*[a for a in arns if a not in present])

    def ensure(self) -> iam.Role:
        """The role, created on first need: a parameter to write, a logging configuration or
        workflows (which Image Builder accepts only with an execution role)."""
        if self.role is None:
            self.role = self._create()
        return self.role

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
        role.add_to_policy(iam.PolicyStatement(actions=["ec2:DescribeImages"], resources=["*"]))
        if self._key is not None:
            stack = Stack.of(self._scope)
            by_alias = isinstance(getattr(self._key, "alias_name", None), str)
            for statement in key_use_statements(stack, self._key):
                role.add_to_policy(statement)
            acknowledge(
                role,
                "AwsSolutions-IAM5[Action::kms:ReEncrypt*]",
                "EBS re-encrypts volumes and snapshots with the recipe's key (ReEncryptFrom and ReEncryptTo).",
                (
                    "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]",
                    "EBS uses GenerateDataKeyWithoutPlaintext for the encrypted volumes.",
                ),
            )
            if by_alias:
                partition = as_in_finding(stack.partition, "Partition")
                account = as_in_finding(stack.account, "AccountId")
                acknowledge(
                    role,
                    f"AwsSolutions-IAM5[Resource::arn:{partition}:kms:*:{account}:key/*]",
                    "The key is named by alias (the same in every region); the kms:ResourceAliases condition "
                    "selects it.",
                )
        acknowledge(
            role,
            "AwsSolutions-IAM5[Resource::*]",
            "ec2:DescribeImages has no resource-level permissions; SSM validates aws:ec2:image parameters with it.",
            *compliance("IAMNoInlinePolicy", INLINE_POLICY_REASON),
        )
        return role
