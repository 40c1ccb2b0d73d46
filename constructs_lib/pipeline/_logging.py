"""The pipeline's logs in CloudWatch: its image and pipeline log groups, encrypted and with a
retention, named in the pipeline's logging configuration next to the build logs in S3.

What AWS documents, and what it leaves open:

- ``AWS::ImageBuilder::ImagePipeline`` ``LoggingConfiguration`` has ``ImageLogGroupName`` (default
  ``/aws/imagebuilder/<image name>``) and ``PipelineLogGroupName`` (default
  ``/aws/imagebuilder/pipeline/<pipeline name>``), each ``^[a-zA-Z0-9\\-_/\\.]{1,512}$``; names not
  starting with ``/aws/imagebuilder/`` need an execution role with CloudWatch Logs write
  permissions (https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_PipelineLoggingConfiguration.html,
  https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-imagebuilder-imagepipeline-pipelineloggingconfiguration.html).
  The groups here keep the ``/aws/imagebuilder/`` prefix.
- "when you set a logging configuration, you must also specify an execution role"
  (https://docs.aws.amazon.com/imagebuilder/latest/userguide/pipeline-workflows.html): the pipeline
  gets its execution role even when it publishes no parameter, and that role may write to the two
  groups. Inconclusive: AWS does not say which of the execution role and the service-linked role
  writes each group, so the role is given write access to both and the groups are created (with
  retention and key) before the pipeline, so Image Builder never creates them without either.
- A log group encrypted with a KMS key needs the key policy to allow ``logs.<region>.amazonaws.com``
  for the group's ARN in ``kms:EncryptionContext:aws:logs:arn``
  (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/logs/encrypt-log-data-kms.html).
- Retention takes one of CloudWatch Logs' values
  (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Final

from aws_cdk import RemovalPolicy, Stack, aws_logs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_imagebuilder as imagebuilder
from aws_cdk import aws_kms as kms
from constructs import Construct

from .._core import render as _render
from .._core.nag import acknowledge, as_in_finding
from .image_pipeline import GoldenImagePipeline

RETENTION_DAYS: Final = (
    *(1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731),
    *(1096, 1827, 2192, 2557, 2922, 3288, 3653),
)
LOG_GROUP_PREFIX: Final = "/aws/imagebuilder/"
_LOG_GROUP_RE: Final = re.compile(r"[a-zA-Z0-9\-_/\.]{1,512}", re.ASCII)
WRITE_ACTIONS: Final = ("logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams")


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class PipelineLogs:
    """How a pipeline keeps its logs in CloudWatch (see :class:`PipelineLogGroups`).

    Default: kept 365 days, encrypted with a key made for them (rotated yearly), named
    ``/aws/imagebuilder/<image>`` and ``/aws/imagebuilder/pipeline/<image>``, kept when the stack
    is deleted.
    """

    retention_days: int = 365
    """One of CloudWatch Logs' retention values (1, 3, 5, 7, 14, 30, ... 3653). Default: 365."""
    kms_key: kms.IKey | None = None
    """A key of your own; its policy must let ``logs.<region>.amazonaws.com`` use it for the two
    groups (a key made in the same stack gets the statement). Default: a key made for the logs."""
    image_log_group_name: str | None = None
    """Default: ``/aws/imagebuilder/<image name>``, Image Builder's own default."""
    pipeline_log_group_name: str | None = None
    """Default: ``/aws/imagebuilder/pipeline/<image name>``, Image Builder's own default."""
    remove_on_delete: bool = False
    """Delete the groups (and their logs) with the stack. Default: kept."""

    def __post_init__(self) -> None:
        if self.retention_days not in RETENTION_DAYS:
            near = min(RETENTION_DAYS, key=lambda d: abs(d - self.retention_days))
            raise ValueError(
                f"logs.retention_days: {self.retention_days!r} is not a CloudWatch Logs retention; use one of "
                f"{', '.join(map(str, RETENTION_DAYS))} (nearest: {near})"
            )
        for field in ("image_log_group_name", "pipeline_log_group_name"):
            name = getattr(self, field)
            if name is not None:
                check_log_group_name(f"logs.{field}", name)


def check_log_group_name(argument: str, name: str) -> str:
    """Refuse a log group name Image Builder's logging configuration does not take, or one outside
    ``/aws/imagebuilder/`` (which would need CloudWatch Logs permissions on the execution role)."""
    if not _LOG_GROUP_RE.fullmatch(name):
        raise ValueError(
            f"{argument}: {name!r} is not a log group name Image Builder accepts; use up to 512 letters, "
            "digits and - _ / . only"
        )
    if not name.startswith(LOG_GROUP_PREFIX) or name == LOG_GROUP_PREFIX:
        raise ValueError(
            f"{argument}: {name!r} is outside {LOG_GROUP_PREFIX}; name it {LOG_GROUP_PREFIX}<something>, the "
            "prefix Image Builder writes to without extra CloudWatch Logs permissions"
        )
    return name


class PipelineLogGroups(Construct):
    """Two ``AWS::Logs::LogGroup`` (image and pipeline logs), encrypted and with a retention, and
    the pipeline's ``LoggingConfiguration`` naming them; an ``AWS::KMS::Key`` for them unless one
    is given. The pipeline gets an execution role if it had none, allowed to write the groups.

    Example::

        pipeline = GoldenImagePipeline(self, "Web", image_name="web-server", ...)
        PipelineLogGroups(self, "WebLogs", pipeline=pipeline, logs=PipelineLogs(retention_days=400))
    """

    def __init__(
        self, scope: Construct, id: str, *, pipeline: GoldenImagePipeline, logs: PipelineLogs | None = None
    ) -> None:
        """
        :param pipeline: the pipeline whose logs these are.
        :param logs: retention, key and names. Default: ``PipelineLogs()``.
        """
        super().__init__(scope, id)
        settings = logs or PipelineLogs()
        self.retention_days = settings.retention_days
        stack = Stack.of(self)
        image = _render.slug(pipeline.image_name)
        self.image_log_group_name = check_log_group_name(
            "logs.image_log_group_name", settings.image_log_group_name or f"{LOG_GROUP_PREFIX}{image}"
        )
        self.pipeline_log_group_name = check_log_group_name(
            "logs.pipeline_log_group_name", settings.pipeline_log_group_name or f"{LOG_GROUP_PREFIX}pipeline/{image}"
        )
        if self.image_log_group_name == self.pipeline_log_group_name:
            raise ValueError(
                f"logs: image and pipeline logs both go to {self.image_log_group_name!r}; give them different names"
            )
        partition, region, account = stack.partition, stack.region, stack.account
        arns = [
            f"arn:{partition}:logs:{region}:{account}:log-group:{name}"
            for name in (self.image_log_group_name, self.pipeline_log_group_name)
        ]
        self.key = settings.kms_key or kms.Key(
            self,
            "Key",
            description=f"Encrypts the CloudWatch logs of the image pipeline {pipeline.image_name}",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.DESTROY if settings.remove_on_delete else RemovalPolicy.RETAIN,
        )
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchLogsEncryptsPipelineLogs",
                principals=[iam.ServicePrincipal(f"logs.{region}.amazonaws.com")],
                actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                resources=["*"],
                conditions={"ArnLike": {"kms:EncryptionContext:aws:logs:arn": arns}},
            )
        )
        policy = RemovalPolicy.DESTROY if settings.remove_on_delete else RemovalPolicy.RETAIN
        self.log_groups: list[aws_logs.CfnLogGroup] = []
        for child, name in (
            ("ImageLogGroup", self.image_log_group_name),
            ("PipelineLogGroup", self.pipeline_log_group_name),
        ):
            group = aws_logs.CfnLogGroup(
                self, child, log_group_name=name, retention_in_days=settings.retention_days, kms_key_id=self.key.key_arn
            )
            group.apply_removal_policy(policy)
            self.log_groups.append(group)

        resource = pipeline.resource
        resource.logging_configuration = imagebuilder.CfnImagePipeline.PipelineLoggingConfigurationProperty(
            image_log_group_name=self.image_log_group_name, pipeline_log_group_name=self.pipeline_log_group_name
        )
        role = pipeline._execution.ensure()
        role.add_to_policy(
            iam.PolicyStatement(
                sid="WritePipelineLogs", actions=list(WRITE_ACTIONS), resources=[f"{arn}:*" for arn in arns]
            )
        )
        acknowledge(
            role,
            *_finding(partition, region, account, self.image_log_group_name),
            _finding(partition, region, account, self.pipeline_log_group_name),
        )
        resource.execution_role = role.role_arn
        pipeline._execution.order_before(resource)
        for group in self.log_groups:
            resource.node.add_dependency(group)
        pipeline.log_groups = self
        for image in pipeline.images:  # deploy-time builds made before these groups
            image.use_logs(self)


def _finding(partition: str, region: str, account: str, name: str) -> tuple[str, str]:
    resource = (
        f"arn:{as_in_finding(partition, 'Partition')}:logs:{region}:{as_in_finding(account, 'AccountId')}"
        f":log-group:{name}:*"
    )
    return (
        f"AwsSolutions-IAM5[Resource::{resource}]",
        "Image Builder names the log streams of each build in this one log group at run time.",
    )
