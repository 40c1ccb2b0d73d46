"""Every step of the README's runbooks names a test, and that test exists."""

from __future__ import annotations

import ast
import json
import re
import shlex
from typing import Any

import boto3
import jmespath
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()
RUNBOOKS = (
    "Runbook: roll back to a previous image",
    "Runbook: revoke a bad image",
    "Runbook: alarm fired",
    "Runbook: pin expiring",
)


def runbook(title: str) -> str:
    start = README.index(f"### {title}")
    end = README.find("\n## ", start)
    following = README.find("\n### ", start + 1)
    return README[start : min(e for e in (end, following) if e != -1)]


def steps(text: str) -> list[str]:
    return re.split(r"\n(?=\d+\. )", text.split("\n1. ", 1)[1])


@pytest.mark.parametrize("title", RUNBOOKS)
def test_every_step_names_an_existing_test(title: str) -> None:
    found = steps(runbook(title))
    assert len(found) >= 5
    for step in found:
        named = re.findall(r"`(tests/[\w/]+\.py)::(test_\w+)`", step)
        if step.startswith(("5. If the image itself is bad",)):
            continue  # points at the revoke runbook, whose steps are tested
        assert named, f"{title}: step without a test: {step[:60]!r}"
        for path, name in named:
            tree = ast.parse((ROOT / path).read_text())
            functions = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
            assert name in functions, f"{title}: {path}::{name} does not exist"


# The rollback runbook's refresh-by-hand steps, run as written: each command is taken from the
# README, its options turned into the API call's parameters, and sent through botocore's real
# client (which validates them against the API model) to moto or a Stubber.
GROUP, TEMPLATE, VERSION = "web-server-fleet", "lt-0abcd1234ef567890", "4"
PINNED = "resolve:ssm:/golden-ami/web-server/latest:v1.2.2-1"


def command(prefix: str) -> tuple[dict[str, Any], str | None]:
    """The README's ``aws <service> <command> ...`` starting with ``prefix``, as API parameters
    (``--kebab-case`` to PascalCase, JSON values parsed) and its ``--query``."""
    (line,) = re.findall(rf"`({re.escape(prefix)} [^`]+)`", runbook(RUNBOOKS[0]))
    words = shlex.split(line)[len(prefix.split()) :]
    params: dict[str, Any] = {}
    for option, value in zip(words[::2], words[1::2], strict=True):
        key = "".join(part.capitalize() for part in option.removeprefix("--").split("-"))
        params[key] = json.loads(value) if value[:1] in "{[" else value
    return params, params.pop("Query", None)


def test_rollback_step_finds_the_groups_launch_template_version() -> None:
    params, query = command("aws autoscaling describe-auto-scaling-groups")
    params["AutoScalingGroupNames"] = [params.pop("AutoScalingGroupNames")]
    client = boto3.client("autoscaling", region_name="eu-west-1")
    group = {
        "AutoScalingGroupName": GROUP,
        "MinSize": 1,
        "MaxSize": 2,
        "DesiredCapacity": 1,
        "DefaultCooldown": 300,
        "AvailabilityZones": ["eu-west-1a"],
        "HealthCheckType": "EC2",
        "CreatedTime": "2026-11-01T00:00:00Z",
        "LaunchTemplate": {"LaunchTemplateId": TEMPLATE, "LaunchTemplateName": "web", "Version": VERSION},
    }
    with Stubber(client) as stub:
        stub.add_response(
            "describe_auto_scaling_groups", {"AutoScalingGroups": [group]}, {"AutoScalingGroupNames": [GROUP]}
        )
        found = client.describe_auto_scaling_groups(**params)
    assert jmespath.search(query, found) == {
        "LaunchTemplateId": TEMPLATE,
        "LaunchTemplateName": "web",
        "Version": VERSION,
    }


def test_rollback_step_checks_the_version_reads_the_pin(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(key, "testing")
    params, query = command("aws ec2 describe-launch-template-versions")
    assert params["LaunchTemplateId"] == TEMPLATE
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="eu-west-1")
        made = ec2.create_launch_template(
            LaunchTemplateName="web", LaunchTemplateData={"ImageId": "resolve:ssm:/golden-ami/web-server/latest"}
        )["LaunchTemplate"]["LaunchTemplateId"]
        for image in ("ami-0123456789abcdef0", "ami-0123456789abcdef1", PINNED):  # versions 2 to 4: 4 is the pin
            ec2.create_launch_template_version(
                LaunchTemplateId=made, SourceVersion="1", LaunchTemplateData={"ImageId": image}
            )
        found = ec2.describe_launch_template_versions(
            **{**params, "LaunchTemplateId": made, "Versions": [params["Versions"]]}
        )
    assert jmespath.search(query, found) == PINNED


def test_rollback_step_refreshes_the_group_onto_the_pinned_version() -> None:
    params, query = command("aws autoscaling start-instance-refresh")
    assert query is None
    expected = {
        "AutoScalingGroupName": GROUP,
        "Strategy": "Rolling",
        "DesiredConfiguration": {"LaunchTemplate": {"LaunchTemplateId": TEMPLATE, "Version": VERSION}},
        "Preferences": {"MinHealthyPercentage": 90, "InstanceWarmup": 300, "SkipMatching": False},
    }
    assert "AutoRollback" not in params["Preferences"], "AWS offers no rollback from an SSM-parameter template"
    client = boto3.client("autoscaling", region_name="eu-west-1")
    with Stubber(client) as stub:
        stub.add_response("start_instance_refresh", {"InstanceRefreshId": "r-1"}, expected)
        assert client.start_instance_refresh(**params)["InstanceRefreshId"] == "r-1"
        stub.assert_no_pending_responses()
