"""Roles that EC2 Image Builder assumes for this account, with the AWS managed policy it documents."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from .nag import INLINE_POLICY_REASON, acknowledge, acknowledge_compliance, acknowledge_resources, parameter_wildcards
from .targets import check_account, check_parameter_name


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


def role_of_account(account: str, role_name: str, partition: str) -> iam.IPrincipal:
    """A role of ``account``, by name, as a trust policy can name it before the role exists: the
    account (``arn:...:root``) bounded by ``aws:PrincipalArn``.

    A role ARN in a trust policy's ``Principal`` is transformed to the role's unique ID when the
    policy is saved, so the role must exist then (IAM answers "Invalid principal in policy"
    otherwise), and a role deleted and made again no longer matches
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles).
    The factory's named roles live in stacks that deploy after the destination stacks that trust
    them; ``aws:PrincipalArn`` compares the caller's role ARN at request time instead
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn)."""
    return iam.AccountPrincipal(account).with_conditions(
        {"ArnEquals": {"aws:PrincipalArn": f"arn:{partition}:iam::{account}:role/{role_name}"}}
    )


def factory_trusted_role(
    scope: Construct,
    *,
    factory_account: str,
    role_name: str,
    trusted_role: str,
    description: str,
    parameter_names: Sequence[str],
    parameter_sid: str,
    parameter_actions: Sequence[str],
) -> iam.Role:
    """The role ``role_name`` (construct ``Resource`` of ``scope``) of an account the factory
    reaches, which only the factory account's ``trusted_role`` may assume (:func:`role_of_account`),
    allowed ``parameter_actions`` on exactly ``parameter_names`` in any region (no statement
    without parameters). What ``GoldenAmiRevoke``, ``GoldenAmiLabels`` and ``GoldenAmiStatus``
    share; each adds its own statements to the role."""
    check_account("factory_account", factory_account)
    for name in parameter_names:
        check_parameter_name("parameter_names", name)
    stack = Stack.of(scope)
    partition, account = stack.partition, stack.account
    role = iam.Role(
        scope,
        "Resource",
        role_name=role_name,
        assumed_by=role_of_account(factory_account, trusted_role, partition),
        description=description,
    )
    if parameter_names:
        role.add_to_policy(
            iam.PolicyStatement(
                sid=parameter_sid,
                actions=list(parameter_actions),
                resources=[f"arn:{partition}:ssm:*:{account}:parameter{n}" for n in parameter_names],
            )
        )
        acknowledge_resources(role, *parameter_wildcards(partition, account, parameter_names))
    acknowledge_compliance(role, "IAMNoInlinePolicy", INLINE_POLICY_REASON)
    return role
