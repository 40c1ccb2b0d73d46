"""Names ``golden-ami-status`` and the roles it reads through agree on. Imports nothing, so the
command (which needs boto3) and synthesis (which must not) can both read them."""

from __future__ import annotations

from typing import Final

STATUS_READER_ROLE_NAME: Final = "GoldenAmiStatusReader"
"""The factory-account role people assume to run ``golden-ami-status`` (``--role-arn``)."""
STATUS_ROLE_NAME: Final = "GoldenAmiStatus"
"""The read-only role the command assumes in each destination account (``StatusAccessRole``)."""
PARAMETER_READ: Final = ("ssm:GetParameter", "ssm:GetParameterHistory")
"""Reading a latest-AMI parameter, its versions and their labels."""
DESCRIBE: Final = (
    "autoscaling:DescribeAutoScalingGroups",
    "ec2:DescribeImages",
    "ec2:DescribeInstances",
    "ec2:DescribeLaunchTemplateVersions",
    "ec2:DescribeLaunchTemplates",
    "ec2:DescribeSnapshots",
)
"""Fleets, their instances' AMIs, pinned templates, the AMIs and their snapshots. None of these takes
resource-level permissions (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html,
https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2autoscaling.html)."""
