from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Match

from constructs_lib import PipelineLogGroups, PipelineLogs, RegionTarget, VersionLock
from tests.conftest import lint_errors, make_pipeline, synth_with_nag, template


def test_defaults_encrypt_both_groups_for_a_year_and_name_them_in_the_pipeline(
    stack: cdk.Stack, lock: VersionLock
) -> None:
    pipeline = make_pipeline(stack, lock)
    logs = PipelineLogGroups(stack, "WebLogs", pipeline=pipeline)
    t = template(stack)
    for name in ("/aws/imagebuilder/web", "/aws/imagebuilder/pipeline/web"):
        t.has_resource(
            "AWS::Logs::LogGroup",
            {
                "Properties": {"LogGroupName": name, "RetentionInDays": 365, "KmsKeyId": Match.any_value()},
                "DeletionPolicy": "Retain",
            },
        )
    t.has_resource_properties(
        "AWS::ImageBuilder::ImagePipeline",
        {
            "LoggingConfiguration": {
                "ImageLogGroupName": "/aws/imagebuilder/web",
                "PipelineLogGroupName": "/aws/imagebuilder/pipeline/web",
            },
            "ExecutionRole": Match.any_value(),
        },
    )
    t.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})
    key_policy = t.find_resources("AWS::KMS::Key")
    statements = next(iter(key_policy.values()))["Properties"]["KeyPolicy"]["Statement"]
    logs_statement = next(s for s in statements if s.get("Sid") == "CloudWatchLogsEncryptsPipelineLogs")
    assert logs_statement["Principal"] == {"Service": "logs.eu-west-1.amazonaws.com"}
    assert logs_statement["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"] == [
        "arn:aws:logs:eu-west-1:111111111111:log-group:/aws/imagebuilder/web",
        "arn:aws:logs:eu-west-1:111111111111:log-group:/aws/imagebuilder/pipeline/web",
    ]
    assert (logs.image_log_group_name, logs.pipeline_log_group_name) == (
        "/aws/imagebuilder/web",
        "/aws/imagebuilder/pipeline/web",
    )


def test_the_pipeline_waits_for_its_log_groups(stack: cdk.Stack, lock: VersionLock) -> None:
    pipeline = make_pipeline(stack, lock)
    PipelineLogGroups(stack, "WebLogs", pipeline=pipeline)
    resources = template(stack).to_json()["Resources"]
    (pipeline_resource,) = [r for r in resources.values() if r["Type"] == "AWS::ImageBuilder::ImagePipeline"]
    groups = {lid for lid, r in resources.items() if r["Type"] == "AWS::Logs::LogGroup"}
    assert groups <= set(pipeline_resource["DependsOn"])


def test_a_pipeline_without_parameters_gets_an_execution_role_that_may_write_the_groups(
    stack: cdk.Stack, lock: VersionLock
) -> None:
    pipeline = make_pipeline(
        stack,
        lock,
        include_home_region=False,
        distributions=[RegionTarget(region="eu-west-1", publish_parameter=False)],
    )
    assert pipeline.execution_role is None
    PipelineLogGroups(stack, "WebLogs", pipeline=pipeline)
    assert pipeline.execution_role is not None
    t = template(stack)
    t.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Sid": "WritePipelineLogs",
                                "Action": ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                                "Resource": [
                                    "arn:aws:logs:eu-west-1:111111111111:log-group:/aws/imagebuilder/pipeline/web:*",
                                    "arn:aws:logs:eu-west-1:111111111111:log-group:/aws/imagebuilder/web:*",
                                ],
                            }
                        )
                    ]
                )
            }
        },
    )


def test_all_arguments(stack: cdk.Stack, lock: VersionLock) -> None:
    key = kms.Key(stack, "Own", enable_key_rotation=True)
    pipeline = make_pipeline(stack, lock)
    PipelineLogGroups(
        stack,
        "WebLogs",
        pipeline=pipeline,
        logs=PipelineLogs(
            retention_days=3653,
            kms_key=key,
            image_log_group_name="/aws/imagebuilder/team/web",
            pipeline_log_group_name="/aws/imagebuilder/team/pipeline-web",
            remove_on_delete=True,
        ),
    )
    t = template(stack)
    t.resource_count_is("AWS::KMS::Key", 1)
    t.has_resource(
        "AWS::Logs::LogGroup",
        {
            "Properties": {
                "LogGroupName": "/aws/imagebuilder/team/web",
                "RetentionInDays": 3653,
                "KmsKeyId": {"Fn::GetAtt": [stack.get_logical_id(key.node.default_child), "Arn"]},  # type: ignore[arg-type]
            },
            "DeletionPolicy": "Delete",
        },
    )


def test_synthesizes_clean_under_cfn_lint_and_aws_solutions(stack: cdk.Stack, lock: VersionLock) -> None:
    pipeline = make_pipeline(stack, lock)
    PipelineLogGroups(stack, "WebLogs", pipeline=pipeline)
    assert lint_errors(template(stack).to_json()) == []
    synth_with_nag(stack)


@pytest.mark.parametrize("days", [0, 2, 366, 10000])
def test_rejects_a_retention_cloudwatch_does_not_offer(days: int) -> None:
    with pytest.raises(
        ValueError, match=rf"logs.retention_days: {days} is not a CloudWatch Logs retention; use one of"
    ):
        PipelineLogs(retention_days=days)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("/aws/imagebuilder/my logs", "is not a log group name Image Builder accepts"),
        ("/team/web", "is outside /aws/imagebuilder/"),
        ("/aws/imagebuilder/", "is outside /aws/imagebuilder/"),
    ],
)
def test_rejects_log_group_names(name: str, message: str) -> None:
    with pytest.raises(ValueError, match=rf"logs.image_log_group_name: .*{message}"):
        PipelineLogs(image_log_group_name=name)


def test_rejects_one_group_for_both(stack: cdk.Stack, lock: VersionLock) -> None:
    pipeline = make_pipeline(stack, lock)
    same = "/aws/imagebuilder/web"
    with pytest.raises(ValueError, match=r"logs: image and pipeline logs both go to '/aws/imagebuilder/web'"):
        PipelineLogGroups(
            stack, "L", pipeline=pipeline, logs=PipelineLogs(image_log_group_name=same, pipeline_log_group_name=same)
        )


@pytest.mark.parametrize("logs_first", [True, False])
def test_the_deploy_time_image_logs_to_the_image_group_and_waits_for_it(
    stack: cdk.Stack, lock: VersionLock, logs_first: bool
) -> None:
    """Without the image's own LoggingConfiguration and the wait, the first build writes to a log
    group Image Builder creates itself, unencrypted and never expiring, or names a custom one in vain."""
    from constructs_lib import GoldenImage

    pipeline = make_pipeline(stack, lock)
    settings = PipelineLogs(image_log_group_name="/aws/imagebuilder/web-images")
    if logs_first:
        PipelineLogGroups(stack, "WebLogs", pipeline=pipeline, logs=settings)
    GoldenImage(stack, "First", pipeline=pipeline)
    if not logs_first:
        PipelineLogGroups(stack, "WebLogs", pipeline=pipeline, logs=settings)
    resources = template(stack).to_json()["Resources"]
    (image,) = [r for r in resources.values() if r["Type"] == "AWS::ImageBuilder::Image"]
    assert image["Properties"]["LoggingConfiguration"] == {"LogGroupName": "/aws/imagebuilder/web-images"}
    assert (
        image["Properties"]["ExecutionRole"]
        == next(r for r in resources.values() if r["Type"] == "AWS::ImageBuilder::ImagePipeline")["Properties"][
            "ExecutionRole"
        ]
    )
    groups = {lid for lid, r in resources.items() if r["Type"] == "AWS::Logs::LogGroup"}
    assert groups <= set(image["DependsOn"])
    assert not lint_errors(template(stack).to_json())
