"""The library's own Lambda functions: Python code from a package folder, a role of their own, a log
group with retention, and the findings that go with them acknowledged next to each resource.

Every function the library deploys (the custom resources that grant keys, import and capture
AMIs, and the rollout reconciler) is built here, so they share one shape:

- the log group keeps a year and is kept when the stack is deleted;
- the role may write only to that log group's streams, plus the caller's statements;
- each function gets the role by reference (``Role.from_role_arn``, immutable) and waits for the
  role's policy: the role's ARN already orders the function after the role, so a dependency on
  the role itself would be a redundant DependsOn (cfn-lint W3005), while without one on the
  policy the function could run before it may write its logs;
- each accepted checkov and cdk-nag finding on the function is an :class:`Exemption` with its
  reason, so the reason sits next to the resource.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from .nag import INLINE_POLICY_REASON, acknowledge_compliance, acknowledge_resources, skip_checkov

MEMORY_MIB: Final = 256
LOG_RETENTION: Final = logs.RetentionDays.ONE_YEAR
_LOG_STREAMS_REASON: Final = "Log streams of the function's own log group, named at run time."


@dataclass(frozen=True, kw_only=True, slots=True)
class Handler:
    """One function of the package: its construct ID (``"Function"``), its entry point
    (``"index.handler"``, module ``index.py`` of the package folder) and its description."""

    id: str
    entry: str
    description: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Exemption:
    """A finding accepted on a function, for ``reason``: checkov's ``checkov`` check (for example
    ``CKV_AWS_117``, recorded in the template's Metadata) and the NIST 800-53 rev 5 and HIPAA
    Security packs' ``compliance`` rule (for example ``LambdaInsideVPC``). Either may be None."""

    reason: str
    checkov: str | None = None
    compliance: str | None = None

    def __post_init__(self) -> None:
        if self.checkov is None and self.compliance is None:
            raise ValueError(
                f"Exemption: {self.reason!r} names no finding; give checkov='CKV_AWS_...' or compliance='Lambda...'"
            )
        if not self.reason.strip():
            raise ValueError(f"Exemption: {self.checkov or self.compliance} has no reason; say why it does not apply")


def custom_resource_exemptions(*, outside_vpc: str, runs_once_per: str) -> tuple[Exemption, ...]:
    """The findings accepted on a custom resource's function that answers CloudFormation itself:
    outside a VPC for ``outside_vpc``'s reason, no dead-letter queue, no reserved concurrency (it
    runs once per ``runs_once_per`` at deploy). Lambda lets an account reserve only its unreserved
    concurrency minus 100 (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html);
    a new account may have less than that, and the reservation would fail the deploy."""
    return (
        Exemption(checkov="CKV_AWS_117", compliance="LambdaInsideVPC", reason=outside_vpc),
        Exemption(
            checkov="CKV_AWS_116",
            compliance="LambdaDLQ",
            reason="Answers CloudFormation itself, FAILED on any error, and a stack operation it fails is "
            "retried by deploying again; nothing would wait in a queue.",
        ),
        Exemption(
            checkov="CKV_AWS_115",
            compliance="LambdaConcurrency",
            reason=f"Runs once per {runs_once_per} at deploy; reserving concurrency would fail in new accounts, "
            "whose quota leaves nothing to reserve.",
        ),
    )


def event_function_exemptions(*, outside_vpc: str, environment: str) -> tuple[Exemption, ...]:
    """The findings accepted on a function an EventBridge rule runs through
    :func:`event_target.function_target` (whose dead-letter queue takes what is not delivered):
    outside a VPC for ``outside_vpc``'s reason, no reserved concurrency (Lambda lets an account
    reserve only its unreserved concurrency minus 100, which new accounts may not have,
    https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html), no dead-letter
    queue of its own, and its environment as ``environment`` describes it."""
    return (
        Exemption(checkov="CKV_AWS_117", compliance="LambdaInsideVPC", reason=outside_vpc),
        Exemption(
            checkov="CKV_AWS_115",
            compliance="LambdaConcurrency",
            reason="No reserved concurrency on purpose: a reservation fails deploys in low-quota accounts.",
        ),
        Exemption(
            checkov="CKV_AWS_116",
            compliance="LambdaDLQ",
            reason="Run by EventBridge, whose target has a dead-letter queue; a failed run is retried by Lambda and "
            "counted in its error metric.",
        ),
        Exemption(checkov="CKV_AWS_173", reason=environment),
    )


def exempt(function: lambda_.IFunction, exemptions: Sequence[Exemption]) -> None:
    """Record each of ``exemptions`` on ``function`` (one the library made, or one the CDK made
    for it, such as the provider framework's), in order."""
    resource = function.node.default_child
    assert isinstance(resource, lambda_.CfnFunction)
    for exemption in exemptions:
        if exemption.checkov is not None:
            skip_checkov(resource, exemption.checkov, exemption.reason)
        if exemption.compliance is not None:
            acknowledge_compliance(function, exemption.compliance, exemption.reason)


@dataclass(frozen=True, kw_only=True, slots=True)
class PackageFunctions:
    """What :func:`package_functions` made: the log group, the role and one function per handler."""

    log_group: logs.LogGroup
    role: iam.Role
    functions: tuple[lambda_.Function, ...]


def package_functions(
    scope: Construct,
    *,
    code: Path,
    handlers: Sequence[Handler],
    role_description: str,
    statements: Sequence[iam.PolicyStatement],
    exemptions: Sequence[Exemption],
    timeout: Duration,
    dead_letter_queue: sqs.IQueue | None = None,
    environment: Mapping[str, str] | None = None,
    logs_key: kms.IKey | None = None,
    plain_logs: str | None = None,
    role_name: str | None = None,
) -> PackageFunctions:
    """Python functions of the package folder ``code`` in ``scope``, one per handler, sharing a
    log group (``Logs``) and a role (``Role``) that ``statements`` extend; each function is
    ``<handler id>`` and its role reference ``<handler id>Role``. None reserves concurrency: Lambda
    refuses a reservation that leaves an account less than 100 unreserved, and new accounts start
    with a reduced quota (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html),
    so a reservation could fail the deploy (preflight GA-P011 refuses one).

    :param exemptions: the findings accepted on every function, in the order they are recorded.
    :param timeout: each function's timeout.
    :param dead_letter_queue: where failed asynchronous invocations go; ``statements`` must let the
        role send to it. Default: none.
    :param environment: the functions' environment variables. Default: none.
    :param logs_key: encrypts the log group; its policy must let CloudWatch Logs use it. Default:
        none, CloudWatch Logs encrypts at rest with its own key.
    :param plain_logs: without ``logs_key``, why the log group needs no key of its own;
        acknowledged on it. Default: none, and the finding is left to the caller.
    :param role_name: a fixed name for the role, for a trust policy in another account to name.
        Default: one CloudFormation generates.

    Example::

        made = package_functions(
            self, code=Path(__file__).parent / "grant_function",
            handlers=(Handler(id="Function", entry="index.handler", description="Creates grants"),),
            role_description="Creates grants", statements=[...], exemptions=(...), timeout=Duration.minutes(1),
        )
    """
    log_group = logs.LogGroup(
        scope, "Logs", retention=LOG_RETENTION, removal_policy=RemovalPolicy.RETAIN, encryption_key=logs_key
    )
    if logs_key is None and plain_logs is not None:
        acknowledge_compliance(log_group, "CloudWatchLogGroupEncrypted", plain_logs)
        skip_checkov(log_group.node.default_child, "CKV_AWS_158", plain_logs)  # type: ignore[arg-type]
    role = iam.Role(
        scope,
        "Role",
        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        description=role_description,
        role_name=role_name,
    )
    for statement in (
        iam.PolicyStatement(
            sid="WriteOwnLogs",
            actions=["logs:CreateLogStream", "logs:PutLogEvents"],
            resources=[f"{log_group.log_group_arn}:log-stream:*"],
        ),
        *statements,
    ):
        role.add_to_policy(statement)
    acknowledge_compliance(role, "IAMNoInlinePolicy", INLINE_POLICY_REASON)
    log_group_id = Stack.of(scope).get_logical_id(log_group.node.default_child)  # type: ignore[arg-type]
    acknowledge_resources(role, (f"<{log_group_id}.Arn>:log-stream:*", _LOG_STREAMS_REASON))
    policy = role.node.find_child("DefaultPolicy")
    asset = lambda_.Code.from_asset(str(code), exclude=["__pycache__", "*.pyc"])
    functions = []
    for handler in handlers:
        function = lambda_.Function(
            scope,
            handler.id,
            runtime=lambda_.Runtime.PYTHON_3_14,  # read here, not at import: a jsii call
            handler=handler.entry,
            code=asset,
            role=iam.Role.from_role_arn(scope, f"{handler.id}Role", role.role_arn, mutable=False),
            timeout=timeout,
            memory_size=MEMORY_MIB,
            dead_letter_queue=dead_letter_queue,
            log_group=log_group,
            environment=dict(environment) if environment else None,
            description=handler.description,
        )
        function.node.add_dependency(policy)
        exempt(function, exemptions)
        functions.append(function)
    return PackageFunctions(log_group=log_group, role=role, functions=tuple(functions))
