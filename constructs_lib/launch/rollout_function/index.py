"""Bring every opted-in Auto Scaling group onto the image its latest-AMI parameter names.

A reconciler: every trigger (the parameter changed, an instance refresh ended, the schedule, or
its own "continue" event for the next page of groups) compares, for each group tagged
``golden-ami:rollout=<parameter>``, the desired image (the parameter now) with what the group
runs and what is in flight, asks :func:`decide.decide`, and acts: start a refresh, cancel one to
another image, retry a failed one (count and next attempt in the group's ``golden-ami:rollout-state``
tag, at most 3 retries backing off from 15 minutes), or leave it alone. Nothing it did before is
trusted: only what AWS shows now, so concurrent runs and lost events are safe.

It also labels the parameter's current version with the image version (``v1.2.3-4``), so that
``resolve:ssm:<name>:v1.2.3-4`` names the same image in every region and account, and keeps the
labels from ever blocking a write (``labels.py``: only the newest 90 versions carry them). It
publishes the number of groups not converged long after the parameter changed
(``GoldenAmi/Rollout`` ``GroupsNotConverged``; a missing parameter counts every group) and the
pins near the end of the parameter's history (``PinsExpiring``), on which the construct's alarms
fire.

A group whose launch template reads the parameter at a label or version is pinned: the pin wins
over the rollout tag and the group is not touched. A refresh the function did not start is waited
for, never cancelled. Each group prunes only the launch template versions made for it (their
description names the group), keeping the versions any group on the template uses now.

Every decision is logged as one JSON line. Throttled calls are retried by botocore
(:data:`CLIENT_CONFIG`). An AWS error that outlasts the retries fails the run: before any group is
touched for the parameter read; otherwise at the end, after the other groups, the continue event
and the metric were attempted (an error on one group does not stop the others; a failed label,
continue event or metric does not stop the groups). A failed run is visible (Lambda ``Errors``),
retried by Lambda's asynchronous invocation, and repeated by the schedule.
"""

from __future__ import annotations

import json
import logging
import os
import time
from typing import Any, Final

from botocore.exceptions import ClientError

try:  # in the package (tests, synthesis)
    from . import decide as d
    from . import labels, observe, tags
except ImportError:  # in Lambda, where this file is the top-level module ``index``
    import decide as d  # type: ignore[no-redef,import-not-found]
    import labels  # type: ignore[no-redef,import-not-found]
    import observe  # type: ignore[no-redef,import-not-found]
    import tags  # type: ignore[no-redef,import-not-found]

Clients = observe.Clients
GroupView = observe.GroupView

__all__ = ["Clients", "RolloutError", "handler", "rollout"]

KEEP_VERSIONS = 3
MAX_GROUPS = 50
"""Groups per invocation (one DescribeAutoScalingGroups page); the rest in a continue event."""
CONVERGE_SECONDS = 2 * 3600
CLIENT_CONFIG: dict[str, Any] = {"retries": {"mode": "adaptive", "max_attempts": 8}}
"""botocore's client settings in Lambda: throttled calls (``Throttling``, ``ThrottlingException``,
``TooManyRequestsException``, ...) are retried with back-off before the run reports them."""

logger = logging.getLogger()
logger.setLevel(logging.INFO)


class RolloutError(Exception):
    """At least one group could not be reconciled; the message names them."""


_BOOLEANS: Final = {"true": True, "false": False}
"""The only spellings of a boolean in the preferences tag (what ``InstanceRefresh.tag_value`` writes)."""


def parse_preferences(value: str) -> dict[str, Any]:
    """``min=90;max=100;checkpoints=50,100;delay=300;warmup=300;rollback=true`` as refresh
    Preferences. A malformed tag raises ValueError, before anything is created; a boolean is
    ``true`` or ``false`` and nothing else (``yes``, ``True``, ``1``, an empty value are refused
    rather than read as false, which would start a refresh without automatic rollback)."""
    try:
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
    except ValueError as error:
        raise ValueError(
            f"{tags.PREFERENCES_TAG}: {value!r} is not 'min=90;max=100;checkpoints=50,100;delay=600;warmup=300;"
            f"rollback=true' ({error}); redeploy the fleet to rewrite the tag"
        ) from None
    rollback = fields.get("rollback", "true")
    if rollback not in _BOOLEANS:
        raise ValueError(
            f"{tags.PREFERENCES_TAG}: rollback={rollback!r} in {value!r} is not a boolean; write rollback=true or "
            "rollback=false (redeploy the fleet to rewrite the tag); no refresh was started"
        )
    preferences["AutoRollback"] = _BOOLEANS[rollback]
    return preferences


def _log(**fields: Any) -> None:
    logger.info(json.dumps(fields, sort_keys=True, default=str))


def trigger(event: Any, parameter: str) -> str | None:
    """Which trigger ``event`` is (``parameter``, ``refresh``, ``schedule``, ``continue``), or
    None for anything else, malformed events included: they are logged and ignored."""
    if not isinstance(event, dict):
        return None
    kind, detail = event.get("detail-type"), event.get("detail")
    if kind == "Scheduled Event":
        return "schedule"
    if not isinstance(detail, dict):
        return None
    if kind == "Parameter Store Change":
        ok = detail.get("name") == parameter and detail.get("operation") in ("Create", "Update")
        return "parameter" if ok else None
    if kind in tags.REFRESH_DETAIL_TYPES:
        return "refresh" if isinstance(detail.get("AutoScalingGroupName"), str) else None
    if kind == tags.CONTINUE_DETAIL_TYPE:
        return "continue" if isinstance(detail.get("NextToken"), str) and detail["NextToken"] else None
    return None


def version_description(desired: str, group: str) -> str:
    """The description of a launch template version made for ``group``, so that each group prunes
    only its own versions."""
    return f"{tags.VERSION_DESCRIPTION}{desired} for {tags.owner(group)}"


def _start(
    clients: Clients, group: dict[str, Any], view: GroupView, desired: str, now: float, in_use: frozenset[str]
) -> str:
    """Create the launch template version and start the refresh; undo the version if it does not start."""
    name = group["AutoScalingGroupName"]
    group_tags = {t["Key"]: t["Value"] for t in group.get("Tags", [])}
    preferences = parse_preferences(group_tags.get(tags.PREFERENCES_TAG, ""))
    note = ""
    if preferences["AutoRollback"] and not view.rollback_ok:
        preferences["AutoRollback"] = False
        note = " without automatic rollback (the group's current template is an SSM parameter or $Latest/$Default)"
    number = clients.ec2.create_launch_template_version(
        LaunchTemplateId=view.template_id,
        SourceVersion=view.version,
        VersionDescription=version_description(desired, name),
        LaunchTemplateData={"ImageId": desired},
    )["LaunchTemplateVersion"]["VersionNumber"]
    try:
        clients.autoscaling.start_instance_refresh(
            AutoScalingGroupName=name,
            Strategy="Rolling",
            DesiredConfiguration={"LaunchTemplate": {"LaunchTemplateId": view.template_id, "Version": str(number)}},
            Preferences=preferences,
        )
    except ClientError as error:
        try:
            clients.ec2.delete_launch_template_versions(LaunchTemplateId=view.template_id, Versions=[str(number)])
        except ClientError as undo:  # the start's error is what matters; a later prune removes it
            _log(group=name, action="undo", version=number, outcome=f"not deleted: {undo}")
        if error.response.get("Error", {}).get("Code") == "InstanceRefreshInProgress":
            return "wait: another run started a refresh meanwhile"
        raise
    attempts = view.attempts + 1
    state = f"{desired} {attempts} {int(now + d.backoff_seconds(attempts))}"
    clients.autoscaling.create_or_update_tags(
        Tags=[
            {"ResourceId": name, "ResourceType": "auto-scaling-group", "Key": k, "Value": v, "PropagateAtLaunch": False}
            for k, v in ((tags.IMAGE_TAG, desired), (tags.STATE_TAG, state))
        ]
    )
    started = f"started: launch template version {number}, attempt {attempts}{note}"
    try:
        pruned = prune(clients, view.template_id, group=name, keep={view.version, str(number), *in_use})
    except ClientError as error:  # the refresh started: pruning is tidying, done again at the next start
        return f"{started}; pruning old versions failed ({error})"
    return started + (f"; pruned versions {', '.join(pruned)}" if pruned else "")


def prune(clients: Clients, template_id: str, *, group: str, keep: set[str]) -> list[str]:
    """Delete the versions this function made for ``group`` (or before versions named their group)
    beyond the newest :data:`KEEP_VERSIONS`, keeping ``keep`` (the group's current version, which is
    also the rollback target, the one in flight, and the versions other groups on the template use
    now) and the template's default version. Versions made for another group are that group's to
    prune: its rollback target and refresh are never pulled from under it."""
    made: list[int] = []
    paginator = clients.ec2.get_paginator("describe_launch_template_versions")
    for page in paginator.paginate(LaunchTemplateId=template_id):
        for v in page["LaunchTemplateVersions"]:
            description = v.get("VersionDescription", "")
            if v.get("DefaultVersion"):
                keep = keep | {str(v["VersionNumber"])}
            elif description.startswith(tags.VERSION_DESCRIPTION) and tags.made_for(description, group) is not False:
                made.append(int(v["VersionNumber"]))
    made.sort(reverse=True)
    doomed = [str(n) for n in made[KEEP_VERSIONS:] if str(n) not in keep]
    if doomed:
        clients.ec2.delete_launch_template_versions(LaunchTemplateId=template_id, Versions=doomed)
    return doomed


def reconcile(
    clients: Clients, group: dict[str, Any], desired: str, now: float, in_use: frozenset[str] = frozenset()
) -> tuple[d.Action, str]:
    """Observe, decide and act on one group; the action and what was done. ``in_use``: the
    versions of the group's template that other groups use now (never pruned)."""
    view = observe.observe(clients, group, desired, now)
    action = d.decide(view.observed)
    refresh = view.refresh or {}
    if action is d.Action.PINNED:
        return action, (
            f"pinned: launch template {view.template_id} version {view.version} reads the parameter at {view.pin}; "
            f"left alone until the pin is lifted (remove the tag {tags.ROLLOUT_TAG} or the pin)"
        )
    if action is d.Action.WAIT and view.observed.in_flight is d.InFlight.FOREIGN:
        return action, (
            f"wait: refresh {refresh.get('InstanceRefreshId')} ({refresh.get('Status')}) to another image was not "
            "started by the rollout; left alone, the group follows once it has ended"
        )
    if action is d.Action.REPLACE:
        try:
            clients.autoscaling.cancel_instance_refresh(AutoScalingGroupName=group["AutoScalingGroupName"])
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ActiveInstanceRefreshNotFound":
                raise
        return action, f"replace: cancelled refresh {refresh.get('InstanceRefreshId')} to another image"
    if action in (d.Action.START, d.Action.RETRY):
        return action, _start(clients, group, view, desired, now, in_use)
    if action is d.Action.WAIT and view.observed.in_flight is d.InFlight.NONE:
        return action, f"wait: retry {view.attempts} of {d.MAX_RETRIES} after back-off"
    if action is d.Action.WAIT:
        return action, f"wait: refresh {refresh.get('InstanceRefreshId')} is {refresh.get('Status')}"
    if action is d.Action.STUCK:
        return action, f"stuck: {view.attempts} refreshes to {desired} did not bring the group onto it"
    return action, "done"


def rollout(
    event: Any,
    *,
    parameter: str,
    clients: Clients,
    now: float | None = None,
    max_groups: int = MAX_GROUPS,
    converge_seconds: int = CONVERGE_SECONDS,
) -> dict[str, str]:
    """Handle one trigger; return each group's outcome."""
    kind = trigger(event, parameter)
    if kind is None:
        _log(action="ignored", reason="not an event this function follows, or malformed", event=event)
        return {}
    now = time.time() if now is None else now
    problems: list[str] = []
    try:
        current: dict[str, Any] | None = clients.ssm.get_parameter(Name=parameter)["Parameter"]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ParameterNotFound":
            raise
        current = None  # reported per group and counted in the metric, whatever its age
    desired = current["Value"] if current else ""
    label = None
    tidied: labels.Tidied | None = None
    if kind != "continue" and current is not None:
        try:
            tidied = labels.keep_labels(clients.ssm, clients.ec2, parameter, current)
            label = tidied.label
            problems.extend(tidied.problems)
            for problem in tidied.problems:  # reported at the end: the groups come first
                _log(parameter=parameter, action="label failed", error=problem)
            if tidied.removed:
                _log(parameter=parameter, action="unlabelled", versions=[f"{n}:{x}" for n, x in tidied.removed])
            if tidied.expiring:
                _log(parameter=parameter, action="pins expiring", labels=list(tidied.expiring))
        except ClientError as error:  # reported at the end: the groups come first
            _log(parameter=parameter, action="label failed", error=str(error))
            problems.append(f"keeping the labels of {parameter} failed ({error})")
    request: dict[str, Any] = {
        "Filters": [{"Name": f"tag:{tags.ROLLOUT_TAG}", "Values": [parameter]}],
        "MaxRecords": max_groups,
    }
    if kind == "continue":
        request["NextToken"] = event["detail"]["NextToken"]
    page = clients.autoscaling.describe_auto_scaling_groups(**request)
    outcomes: dict[str, str] = {}
    behind = 0
    specs = {g["AutoScalingGroupName"]: observe.template_spec(g) for g in page["AutoScalingGroups"]}
    users: dict[str, dict[str, str]] = {}  # template -> group -> the version it uses now
    for group_name, found in specs.items():
        if found:
            users.setdefault(found[0], {})[group_name] = found[1]
    for group in page["AutoScalingGroups"]:
        name = group["AutoScalingGroupName"]
        if current is None:
            outcomes[name] = f"behind: {parameter} does not exist (not yet built here, or deleted); nothing to roll out"
            behind += 1
            _log(parameter=parameter, trigger=kind, group=name, outcome=outcomes[name])
            continue
        spec = specs[name]
        in_use = frozenset(v for g, v in users.get(spec[0], {}).items() if g != name) if spec else frozenset()
        try:
            action, outcomes[name] = reconcile(clients, group, desired, now, in_use)
            behind += not d.converged(action)
        except (ClientError, ValueError, KeyError, IndexError) as error:  # one group must not stop the others
            outcomes[name] = f"failed: {error}"
            behind += 1
        _log(parameter=parameter, image=desired, label=label, trigger=kind, group=name, outcome=outcomes[name])
    changed = current.get("LastModifiedDate") if current else None
    age = now - changed.timestamp() if changed is not None and hasattr(changed, "timestamp") else converge_seconds
    late = behind if age >= converge_seconds else 0
    if page.get("NextToken"):
        # Before the metric: a failure there must not strand the groups of the following pages.
        try:
            clients.lambda_.invoke(
                FunctionName=clients.function_arn,
                InvocationType="Event",
                Payload=json.dumps(
                    {"detail-type": tags.CONTINUE_DETAIL_TYPE, "detail": {"NextToken": page["NextToken"]}}
                ),
            )
            _log(parameter=parameter, action="continue", groups=len(outcomes))
        except ClientError as error:
            _log(parameter=parameter, action="continue failed", groups=len(outcomes), error=str(error))
            problems.append(f"continuing to the next page of groups failed ({error}); they wait for the next run")
    try:
        dimensions = [{"Name": "Parameter", "Value": parameter}]
        data = [{"MetricName": tags.NOT_CONVERGED_METRIC, "Dimensions": dimensions, "Value": late}]
        if changed is not None and hasattr(changed, "timestamp"):
            days = round(max(0.0, now - changed.timestamp()) / 86400, 3)
            data.append({"MetricName": tags.IMAGE_AGE_METRIC, "Dimensions": dimensions, "Value": days})
        if tidied is not None:
            data.append(
                {"MetricName": tags.PINS_EXPIRING_METRIC, "Dimensions": dimensions, "Value": len(tidied.expiring)}
            )
        clients.cloudwatch.put_metric_data(Namespace=tags.METRIC_NAMESPACE, MetricData=data)
    except ClientError as error:  # the alarm treats missing data as fine: the run must fail instead
        _log(parameter=parameter, action="metric failed", late=late, error=str(error))
        problems.append(f"publishing {tags.NOT_CONVERGED_METRIC}={late} failed ({error})")
    failed = sorted(name for name, outcome in outcomes.items() if outcome.startswith("failed"))
    if failed:
        problems.insert(0, f"reconciling failed for {', '.join(failed)}")
    if problems:
        raise RolloutError("; ".join(problems) + "; see the log lines above")
    return outcomes


def handler(event: Any, context: Any) -> dict[str, str]:
    """The Lambda entry point."""
    import boto3
    from botocore.config import Config

    config = Config(**CLIENT_CONFIG)
    clients = Clients(
        ssm=boto3.client("ssm", config=config),
        ec2=boto3.client("ec2", config=config),
        autoscaling=boto3.client("autoscaling", config=config),
        cloudwatch=boto3.client("cloudwatch", config=config),
        lambda_=boto3.client("lambda", config=config),
        function_arn=context.invoked_function_arn,
    )
    return rollout(
        event,
        parameter=os.environ["PARAMETER_NAME"],
        clients=clients,
        max_groups=int(os.environ.get("MAX_GROUPS", MAX_GROUPS)),
        converge_seconds=int(os.environ.get("CONVERGE_SECONDS", CONVERGE_SECONDS)),
    )
