"""What the rollout function may do, as pure functions: its policy statements and the wildcard
resources in them that cdk-nag reports, each with why it is acceptable."""

from __future__ import annotations

from aws_cdk import aws_iam as iam

from .._core.nag import as_in_finding
from .rollout_function.tags import FUNCTION_TAGS, METRIC_NAMESPACE, ROLLOUT_TAG


def rollout_statements(
    *, partition: str, region: str, account: str, parameter_name: str, dead_letters_arn: str, key_arn: str | None
) -> list[iam.PolicyStatement]:
    """Read ``parameter_name`` and its history, label it and remove labels that fell out of the
    window (``rollout_function/labels.py``), find groups and pinned templates, refresh and tag only the groups and
    templates tagged ``golden-ami:rollout=<parameter_name>``, publish the not-converged metric, and
    keep failed events in the dead-letter queue (encrypted with ``key_arn`` when given)."""
    tagged = {"StringEquals": {f"aws:ResourceTag/{ROLLOUT_TAG}": parameter_name}}
    parameter_arn = f"arn:{partition}:ssm:{region}:{account}:parameter{parameter_name}"
    groups = f"arn:{partition}:autoscaling:{region}:{account}:autoScalingGroup:*:autoScalingGroupName/*"
    statements = [
        iam.PolicyStatement(
            sid="ReadAndLabelTheParameter",
            actions=[
                "ssm:GetParameter",
                "ssm:GetParameterHistory",
                "ssm:LabelParameterVersion",
                "ssm:UnlabelParameterVersion",
            ],
            resources=[parameter_arn],
        ),
        iam.PolicyStatement(
            sid="FindGroupsInstancesImagesAndRefreshes",
            actions=[
                "autoscaling:DescribeAutoScalingGroups",
                "autoscaling:DescribeInstanceRefreshes",
                "ec2:DescribeImages",
                "ec2:DescribeInstances",
                "ec2:DescribeLaunchTemplates",
                "ec2:DescribeLaunchTemplateVersions",
            ],
            resources=["*"],
        ),
        iam.PolicyStatement(
            sid="RefreshOptedInGroups",
            actions=["autoscaling:StartInstanceRefresh", "autoscaling:CancelInstanceRefresh"],
            resources=[groups],
            conditions=tagged,
        ),
        # Only the function's own keys: it can neither opt a group in or out nor rewrite its
        # preferences. https://docs.aws.amazon.com/autoscaling/ec2/userguide/control-access-using-iam.html
        iam.PolicyStatement(
            sid="TagOptedInGroupsWithOwnKeysOnly",
            actions=["autoscaling:CreateOrUpdateTags"],
            resources=[groups],
            conditions={
                **tagged,
                "ForAllValues:StringEquals": {"aws:TagKeys": list(FUNCTION_TAGS)},
                "Null": {"aws:TagKeys": "false"},
            },
        ),
        iam.PolicyStatement(
            sid="VersionAndPruneOptedInTemplates",
            actions=["ec2:CreateLaunchTemplateVersion", "ec2:DeleteLaunchTemplateVersions"],
            resources=[f"arn:{partition}:ec2:{region}:{account}:launch-template/*"],
            conditions=tagged,
        ),
        # The page says Auto Scaling checks the caller's RunInstances permissions (with ec2:CreateTags
        # when the template has tag specifications, as fleets' templates do) when a group is created
        # or updated with a launch template. That StartInstanceRefresh with a desired configuration
        # checks the same is our inference, not stated there: granted rather than risk a refresh
        # refused. https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-launch-template-permissions.html
        iam.PolicyStatement(
            sid="TagOnLaunch",
            actions=["ec2:CreateTags"],
            resources=[f"arn:{partition}:ec2:{region}:{account}:*/*"],
            conditions={"StringEquals": {"ec2:CreateAction": "RunInstances"}},
        ),
        iam.PolicyStatement(
            sid="PublishNotConverged",
            actions=["cloudwatch:PutMetricData"],
            resources=["*"],
            conditions={"StringEquals": {"cloudwatch:namespace": METRIC_NAMESPACE}},
        ),
        iam.PolicyStatement(sid="KeepFailedEvents", actions=["sqs:SendMessage"], resources=[dead_letters_arn]),
    ]
    if key_arn is not None:
        statements.append(
            iam.PolicyStatement(
                sid="EncryptFailedEvents", actions=["kms:Decrypt", "kms:GenerateDataKey"], resources=[key_arn]
            )
        )
    return statements


def rollout_wildcards(*, partition: str, region: str, account: str, parameter_name: str) -> list[tuple[str, str]]:
    """The wildcard resources of :func:`rollout_statements` as cdk-nag's IAM5 finding writes them,
    each with the reason it is accepted."""
    here = f"arn:{as_in_finding(partition, 'Partition')}"
    where = f"{as_in_finding(region, 'Region')}:{as_in_finding(account, 'AccountId')}"
    return [
        ("*", "Describe calls of Auto Scaling and EC2 have no resource-level permissions."),
        (
            f"{here}:autoscaling:{where}:autoScalingGroup:*:autoScalingGroupName/*",
            f"Limited by condition to groups tagged {ROLLOUT_TAG}={parameter_name}.",
        ),
        (
            f"{here}:ec2:{where}:launch-template/*",
            f"Limited by condition to launch templates tagged {ROLLOUT_TAG}={parameter_name}.",
        ),
        (
            f"{here}:ec2:{where}:*/*",
            "Tags on the instances and volumes a refresh launches; limited by condition to ec2:CreateAction "
            "RunInstances, as AWS's own example.",
        ),
    ]
