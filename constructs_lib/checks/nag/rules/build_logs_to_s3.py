"""Build logs go to S3."""

from __future__ import annotations

from ..rule import Compliance, Properties, Rule, Siblings, verdict


def check(properties: Properties, _: Siblings) -> Compliance:
    bucket = properties.get("Logging", {}).get("S3Logs", {}).get("S3BucketName")
    return verdict(bool(bucket))


RULE = Rule(
    id="BuildLogsToS3",
    resource_type="AWS::ImageBuilder::InfrastructureConfiguration",
    info="The build infrastructure does not send build logs to S3.",
    explanation="Without S3 logs the record of what a component did on the image is gone with the instance, "
    "and a reviewer cannot trace an AMI back to its build. Set Logging.S3Logs.S3BucketName.",
    check=check,
)
