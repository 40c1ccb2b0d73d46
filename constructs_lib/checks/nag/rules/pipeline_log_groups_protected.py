"""The CloudWatch log groups a pipeline's logging configuration names are the stack's own,
encrypted with a KMS key and with a retention.

Image Builder writes to the groups named in ``LoggingConfiguration`` (``ImageLogGroupName``,
``PipelineLogGroupName``, defaults ``/aws/imagebuilder/<image name>`` and
``/aws/imagebuilder/pipeline/<pipeline name>``,
https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_PipelineLoggingConfiguration.html).
A group the stack does not define is one nobody set a key or retention on; CloudWatch Logs keeps
such logs forever and encrypts them only with its own key unless the group names a KMS key
(https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/logs/encrypt-log-data-kms.html,
https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html).
A pipeline without a logging configuration is not judged (its logs go to S3, see BuildLogsToS3).
"""

from __future__ import annotations

from ..rule import Compliance, Properties, Rule, Siblings, unresolved, verdict

_NAMES = ("ImageLogGroupName", "PipelineLogGroupName")


def check(properties: Properties, siblings: Siblings) -> Compliance:
    logging = properties.get("LoggingConfiguration")
    if not logging:
        return Compliance.NOT_APPLICABLE
    names = [logging.get(key) for key in _NAMES]
    if any(unresolved(name) for name in names):
        return Compliance.NOT_APPLICABLE
    groups = {
        g.get("LogGroupName"): g for g in siblings("AWS::Logs::LogGroup") if isinstance(g.get("LogGroupName"), str)
    }
    protected = [
        name in groups and bool(groups[name].get("KmsKeyId")) and bool(groups[name].get("RetentionInDays"))
        for name in names
    ]
    return verdict(all(protected))


RULE = Rule(
    id="PipelineLogGroupsProtected",
    resource_type="AWS::ImageBuilder::ImagePipeline",
    info="The pipeline's logging configuration names a log group without a KMS key or a retention.",
    explanation="Image Builder's build logs show what every component did to the image. A log group the "
    "stack does not define (or an unnamed one, which falls back to Image Builder's default) keeps them "
    "forever, encrypted only with CloudWatch Logs' own key. Define both groups in the stack with KmsKeyId and "
    "RetentionInDays (PipelineLogGroups does).",
    check=check,
)
