"""Roll Auto Scaling groups onto a new golden AMI when its latest-AMI parameter changes.

EventBridge invokes this function with an SSM "Parameter Store Change" event. For every Auto
Scaling group in the region tagged ``golden-ami:rollout=<parameter name>`` it:

1. skips the group when the last refresh it started there was for this AMI (a repeated event);
2. skips the group when every instance already runs the AMI, or it has no instances;
3. skips the group while another instance refresh is still running there;
4. otherwise adds a launch template version with the concrete AMI ID (so that the refresh has a
   numbered desired configuration it can roll back from), starts an instance refresh with the
   group's preferences from its ``golden-ami:refresh`` tag, and records the AMI in the group's
   ``golden-ami:rollout-image`` tag.

Every decision is logged as one JSON line. An AWS error on one group does not stop the others;
the function fails at the end so that the failure is visible and EventBridge retries, and the
groups already done are skipped on the retry.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from botocore.exceptions import ClientError

try:  # in the package (tests, synthesis)
    from .tags import IMAGE_TAG, PREFERENCES_TAG, ROLLOUT_TAG
except ImportError:  # in Lambda, where this file is the top-level module ``index``
    from tags import IMAGE_TAG, PREFERENCES_TAG, ROLLOUT_TAG  # type: ignore[no-redef,import-not-found]
RUNNING_STATES = ("Pending", "InProgress", "Cancelling", "RollbackInProgress", "Baking")

logger = logging.getLogger()
logger.setLevel(logging.INFO)


class RolloutError(Exception):
    """At least one group could not be refreshed; the message names them."""


def parse_preferences(value: str) -> dict[str, Any]:
    """``min=90;max=100;checkpoints=50,100;delay=300;warmup=300;rollback=true`` as refresh Preferences."""
    fields = dict(part.split("=", 1) for part in value.split(";") if part)
    preferences: dict[str, Any] = {"SkipMatching": False}
    if "min" in fields:
        preferences["MinHealthyPercentage"] = int(fields["min"])
    if "max" in fields:
        preferences["MaxHealthyPercentage"] = int(fields["max"])
    if fields.get("checkpoints"):
        preferences["CheckpointPercentages"] = [int(p) for p in fields["checkpoints"].split(",")]
    if "delay" in fields:
        preferences["CheckpointDelay"] = int(fields["delay"])
    if "warmup" in fields:
        preferences["InstanceWarmup"] = int(fields["warmup"])
    preferences["AutoRollback"] = fields.get("rollback", "true") == "true"
    return preferences


def _log(**fields: Any) -> None:
    logger.info(json.dumps(fields, sort_keys=True))


def _groups(autoscaling: Any, parameter: str) -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"Filters": [{"Name": f"tag:{ROLLOUT_TAG}", "Values": [parameter]}]}
    while True:
        page = autoscaling.describe_auto_scaling_groups(**kwargs)
        groups.extend(page["AutoScalingGroups"])
        if not page.get("NextToken"):
            return groups
        kwargs["NextToken"] = page["NextToken"]


def _images(ec2: Any, instance_ids: list[str]) -> set[str]:
    images: set[str] = set()
    for page in ec2.get_paginator("describe_instances").paginate(InstanceIds=instance_ids):
        for reservation in page["Reservations"]:
            images.update(i["ImageId"] for i in reservation["Instances"])
    return images


def refresh_group(group: dict[str, Any], ami: str, *, ec2: Any, autoscaling: Any) -> str:
    """Bring one group onto ``ami``; return what was done (``started``, or ``skipped: <why>``)."""
    name = group["AutoScalingGroupName"]
    tags = {t["Key"]: t["Value"] for t in group.get("Tags", [])}
    if tags.get(IMAGE_TAG) == ami:
        return f"skipped: a refresh to {ami} was already started"
    instance_ids = [i["InstanceId"] for i in group.get("Instances", [])]
    if not instance_ids:
        return "skipped: no instances; new instances launch the latest AMI"
    if _images(ec2, instance_ids) == {ami}:
        return f"skipped: every instance already runs {ami}"
    refreshes = autoscaling.describe_instance_refreshes(AutoScalingGroupName=name, MaxRecords=1)["InstanceRefreshes"]
    if refreshes and refreshes[0]["Status"] in RUNNING_STATES:
        return f"skipped: instance refresh {refreshes[0]['InstanceRefreshId']} is {refreshes[0]['Status']}"
    template = group.get("LaunchTemplate")
    if not template:
        return "skipped: the group has no launch template"
    version = ec2.create_launch_template_version(
        LaunchTemplateId=template["LaunchTemplateId"],
        SourceVersion=str(template["Version"]),
        VersionDescription=f"golden AMI {ami}",
        LaunchTemplateData={"ImageId": ami},
    )["LaunchTemplateVersion"]["VersionNumber"]
    preferences = parse_preferences(tags.get(PREFERENCES_TAG, ""))
    request = {
        "AutoScalingGroupName": name,
        "Strategy": "Rolling",
        "DesiredConfiguration": {
            "LaunchTemplate": {"LaunchTemplateId": template["LaunchTemplateId"], "Version": str(version)}
        },
    }
    note = ""
    try:
        autoscaling.start_instance_refresh(**request, Preferences=preferences)
    except ClientError as error:
        # AWS cannot roll back to a configuration whose image is an SSM parameter: the first
        # refresh after a deploy runs without automatic rollback; later ones roll back to the
        # numbered version this function made.
        if not preferences["AutoRollback"] or "rollback" not in str(error).lower():
            raise
        autoscaling.start_instance_refresh(**request, Preferences={**preferences, "AutoRollback": False})
        note = " (without automatic rollback: the group's current image is an SSM parameter)"
    autoscaling.create_or_update_tags(
        Tags=[
            {
                "ResourceId": name,
                "ResourceType": "auto-scaling-group",
                "Key": IMAGE_TAG,
                "Value": ami,
                "PropagateAtLaunch": False,
            }
        ]
    )
    return f"started: launch template version {version}{note}"


def rollout(event: dict[str, Any], *, ssm: Any, ec2: Any, autoscaling: Any) -> dict[str, str]:
    """Handle one parameter change event; return each group's outcome."""
    detail = event.get("detail", {})
    parameter = detail.get("name")
    if not parameter or detail.get("operation") not in ("Create", "Update"):
        _log(action="ignored", reason="not a create or update of a parameter", event=detail)
        return {}
    ami = ssm.get_parameter(Name=parameter)["Parameter"]["Value"]
    outcomes: dict[str, str] = {}
    for group in _groups(autoscaling, parameter):
        name = group["AutoScalingGroupName"]
        try:
            outcomes[name] = refresh_group(group, ami, ec2=ec2, autoscaling=autoscaling)
        except Exception as error:  # one group's failure must not stop the others
            outcomes[name] = f"failed: {error}"
        _log(parameter=parameter, image=ami, group=name, outcome=outcomes[name])
    failed = sorted(name for name, outcome in outcomes.items() if outcome.startswith("failed"))
    if failed:
        raise RolloutError(f"instance refresh failed for {', '.join(failed)}; see the log lines above")
    return outcomes


def handler(event: dict[str, Any], context: Any) -> dict[str, str]:
    """The Lambda entry point."""
    import boto3

    return rollout(event, ssm=boto3.client("ssm"), ec2=boto3.client("ec2"), autoscaling=boto3.client("autoscaling"))
