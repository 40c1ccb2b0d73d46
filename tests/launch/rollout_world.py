"""A region for the rollout function's tests: moto's SSM, EC2 and CloudWatch, and botocore's
Stubber for Auto Scaling (moto lacks instance refresh) and Lambda (the continue event)."""

from __future__ import annotations

import datetime
import json
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse
from botocore.stub import Stubber

from constructs_lib.launch.rollout_function.index import Clients, rollout
from constructs_lib.launch.rollout_function.tags import (
    IMAGE_BUILDER_ARN_TAG,
    PREFERENCES_TAG,
    ROLLOUT_TAG,
    VERSION_DESCRIPTION,
)

REGION = "eu-west-1"
PARAMETER = "/golden-ami/web-server/latest"
PREFERENCES = "min=90;checkpoints=50,100;delay=600;warmup=120"
NOW = 2_000_000_000.0


def event(kind: str = "schedule", **detail: Any) -> dict[str, Any]:
    if kind == "schedule":
        return {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}
    if kind == "parameter":
        return {
            "source": "aws.ssm",
            "detail-type": "Parameter Store Change",
            "detail": {"name": PARAMETER, "operation": "Update", "type": "String", **detail},
        }
    return {"source": "aws.autoscaling", "detail-type": kind, "detail": detail}


def throttle(client: Any, operation: str, code: str = "Throttling", skip: int = 0) -> list[int]:
    """Make the call of ``operation`` on a moto client after the first ``skip`` fail once with
    ``code``; the list counts the calls seen."""
    seen: list[int] = []

    def fail(**_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        seen.append(1)
        if len(seen) != skip + 1:
            return None
        error = {"Error": {"Code": code, "Message": "Rate exceeded"}, "ResponseMetadata": {"HTTPStatusCode": 400}}
        return AWSResponse("https://example", 400, {}, None), error  # type: ignore[arg-type]

    client.meta.events.register(f"before-call.{client.meta.service_model.service_name}.{operation}", fail)
    return seen


class _EC2:
    """moto's EC2, except DeleteLaunchTemplateVersions (which moto lacks): a Stubber checks it."""

    def __init__(self, moto_client: Any, stubbed: Any) -> None:
        self._moto, self.delete_launch_template_versions = moto_client, stubbed.delete_launch_template_versions

    def __getattr__(self, name: str) -> Any:
        return getattr(self._moto, name)


class World:
    """Two AMIs (old and new), the parameter naming the new one, instances, templates, groups."""

    def __init__(self) -> None:
        self.ssm = boto3.client("ssm", region_name=REGION)
        self.ec2 = boto3.client("ec2", region_name=REGION)
        self.ec2_deletes = boto3.client("ec2", region_name=REGION)
        self.delete_stub = Stubber(self.ec2_deletes)
        self.deleted: dict[str, set[int]] = {}
        self.cloudwatch = boto3.client("cloudwatch", region_name=REGION)
        self.autoscaling = boto3.client("autoscaling", region_name=REGION)
        self.lambda_ = boto3.client("lambda", region_name=REGION)
        self.stub = Stubber(self.autoscaling)
        self.lambda_stub = Stubber(self.lambda_)
        self.old, self.new = self.image("1.0.0/1"), self.image("1.1.0/1")
        self.ssm.put_parameter(Name=PARAMETER, Value=self.old, Type="String")
        self.ssm.put_parameter(Name=PARAMETER, Value=self.new, Type="String", Overwrite=True)
        self.templates: dict[str, str] = {}
        self.groups: dict[str, dict[str, Any]] = {}

    def image(self, version: str) -> str:
        """An AMI tagged as Image Builder tags its own (created in order, so later is newer)."""
        instance = self.ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)["Instances"][0]
        image = self.ec2.create_image(InstanceId=instance["InstanceId"], Name=f"web-{version.replace('/', '-')}")
        self.ec2.terminate_instances(InstanceIds=[instance["InstanceId"]])
        arn = f"arn:aws:imagebuilder:{REGION}:111111111111:image/web-server/{version}"
        self.ec2.create_tags(Resources=[image["ImageId"]], Tags=[{"Key": IMAGE_BUILDER_ARN_TAG, "Value": arn}])
        return str(image["ImageId"])

    def own_version(self, name: str, image: str, *, made_for: str | None = None) -> int:
        """A version of the group's template as the function makes one (its description names the
        group it was made for)."""
        found = self.ec2.create_launch_template_version(
            LaunchTemplateId=self.templates[name],
            SourceVersion="1",
            VersionDescription=f"{VERSION_DESCRIPTION}{image} for {made_for or name}",
            LaunchTemplateData={"ImageId": image},
        )
        return int(found["LaunchTemplateVersion"]["VersionNumber"])

    def instances(self, image: str, count: int = 2) -> list[str]:
        run = self.ec2.run_instances(ImageId=image, MinCount=count, MaxCount=count)
        return [i["InstanceId"] for i in run["Instances"]]

    def template(self, name: str, image_id: str | None = None) -> str:
        found = self.ec2.create_launch_template(
            LaunchTemplateName=name, LaunchTemplateData={"ImageId": image_id or f"resolve:ssm:{PARAMETER}"}
        )
        self.templates[name] = found["LaunchTemplate"]["LaunchTemplateId"]
        return self.templates[name]

    def group(
        self, name: str, instances: list[str], *, version: str = "1", image_id: str | None = None, **tags: str
    ) -> dict[str, Any]:
        template = self.templates.get(name) or self.template(name, image_id)
        all_tags = {ROLLOUT_TAG: PARAMETER, PREFERENCES_TAG: PREFERENCES, **tags}
        self.groups[name] = {
            "AutoScalingGroupName": name,
            "MinSize": 1,
            "MaxSize": 4,
            "DesiredCapacity": len(instances),
            "DefaultCooldown": 300,
            "AvailabilityZones": [f"{REGION}a"],
            "HealthCheckType": "EC2",
            "CreatedTime": "2026-11-01T00:00:00Z",
            "LaunchTemplate": {"LaunchTemplateId": template, "Version": version},
            "Instances": [
                {
                    "InstanceId": i,
                    "AvailabilityZone": f"{REGION}a",
                    "LifecycleState": "InService",
                    "HealthStatus": "Healthy",
                    "ProtectedFromScaleIn": False,
                }
                for i in instances
            ],
            "Tags": [{"Key": k, "Value": v} for k, v in all_tags.items()],
        }
        return self.groups[name]

    # Auto Scaling, stubbed call by call in the order the function makes them.
    def describe(self, *names: str, token: str | None = None, next_token: str | None = None, per_run: int = 50) -> None:
        request: dict[str, Any] = {
            "Filters": [{"Name": f"tag:{ROLLOUT_TAG}", "Values": [PARAMETER]}],
            "MaxRecords": per_run,
        }
        if token:
            request["NextToken"] = token
        page: dict[str, Any] = {"AutoScalingGroups": [self.groups[n] for n in names]}
        if next_token:
            page["NextToken"] = next_token
        self.stub.add_response("describe_auto_scaling_groups", page, request)

    def refreshes(self, name: str, *refreshes: dict[str, Any]) -> None:
        self.stub.add_response(
            "describe_instance_refreshes",
            {"InstanceRefreshes": list(refreshes)},
            {"AutoScalingGroupName": name, "MaxRecords": 1},
        )

    def refresh(self, status: str, version: str | None = None, name: str = "web", rid: str = "r-1") -> dict[str, Any]:
        found: dict[str, Any] = {"InstanceRefreshId": rid, "AutoScalingGroupName": name, "Status": status}
        if version is not None:
            found["DesiredConfiguration"] = {
                "LaunchTemplate": {"LaunchTemplateId": self.templates[name], "Version": version}
            }
        return found

    def expect_start(self, name: str, version: int, *, rollback: bool, error: str | None = None) -> None:
        params = {
            "AutoScalingGroupName": name,
            "Strategy": "Rolling",
            "DesiredConfiguration": {
                "LaunchTemplate": {"LaunchTemplateId": self.templates[name], "Version": str(version)}
            },
            "Preferences": {
                "SkipMatching": False,
                "MinHealthyPercentage": 90,
                "CheckpointPercentages": [50, 100],
                "CheckpointDelay": 600,
                "InstanceWarmup": 120,
                "AutoRollback": rollback,
            },
        }
        if error:
            self.stub.add_client_error(
                "start_instance_refresh", service_error_code=error, service_message=error, expected_params=params
            )
        else:
            self.stub.add_response("start_instance_refresh", {"InstanceRefreshId": f"refresh-{name}"}, params)

    def expect_tags(self, name: str, image: str, attempts: int, next_at: float) -> None:
        self.stub.add_response(
            "create_or_update_tags",
            {},
            {
                "Tags": [
                    {
                        "ResourceId": name,
                        "ResourceType": "auto-scaling-group",
                        "Key": key,
                        "Value": value,
                        "PropagateAtLaunch": False,
                    }
                    for key, value in (
                        ("golden-ami:rollout-image", image),
                        ("golden-ami:rollout-state", f"{image} {attempts} {int(next_at)}"),
                    )
                ]
            },
        )

    def expect_delete(self, name: str, *versions: int) -> None:
        self.delete_stub.add_response(
            "delete_launch_template_versions",
            {"SuccessfullyDeletedLaunchTemplateVersions": [], "UnsuccessfullyDeletedLaunchTemplateVersions": []},
            {"LaunchTemplateId": self.templates[name], "Versions": [str(v) for v in versions]},
        )
        self.deleted.setdefault(name, set()).update(versions)

    def expect_continue(self, token: str) -> None:
        payload = json.dumps({"detail-type": "Golden AMI Rollout Continue", "detail": {"NextToken": token}})
        self.lambda_stub.add_response(
            "invoke",
            {"StatusCode": 202},
            {
                "FunctionName": "arn:aws:lambda:eu-west-1:111111111111:function:rollout",
                "InvocationType": "Event",
                "Payload": payload,
            },
        )

    def clients(self) -> Clients:
        return Clients(
            ssm=self.ssm,
            ec2=_EC2(self.ec2, self.ec2_deletes),
            autoscaling=self.autoscaling,
            cloudwatch=self.cloudwatch,
            lambda_=self.lambda_,
            function_arn="arn:aws:lambda:eu-west-1:111111111111:function:rollout",
        )

    def run(self, evt: Any = None, now: float = NOW, **kwargs: Any) -> dict[str, str]:
        with self.stub, self.lambda_stub, self.delete_stub:
            outcome = rollout(evt or event(), parameter=PARAMETER, clients=self.clients(), now=now, **kwargs)
        self.stub.assert_no_pending_responses()
        self.lambda_stub.assert_no_pending_responses()
        self.delete_stub.assert_no_pending_responses()
        return outcome

    def versions(self, name: str) -> dict[int, str]:
        """The group's template versions the function made: number -> AMI."""
        found = self.ec2.describe_launch_template_versions(LaunchTemplateId=self.templates[name])
        return {
            v["VersionNumber"]: v["LaunchTemplateData"]["ImageId"]
            for v in found["LaunchTemplateVersions"]
            if v.get("VersionDescription", "").startswith(VERSION_DESCRIPTION)
            and v["VersionNumber"] not in self.deleted.get(name, set())
        }

    def metric(self, name: str = "GroupsNotConverged") -> list[float]:
        found = self.cloudwatch.get_metric_data(
            MetricDataQueries=[
                {
                    "Id": "late",
                    "MetricStat": {
                        "Metric": {
                            "Namespace": "GoldenAmi/Rollout",
                            "MetricName": name,
                            "Dimensions": [{"Name": "Parameter", "Value": PARAMETER}],
                        },
                        "Period": 60,
                        "Stat": "Maximum",
                    },
                }
            ],
            # The function sends no timestamp, so the data point is at the clock's now; a narrow
            # window keeps moto from walking a century of periods.
            StartTime=datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1),
            EndTime=datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1),
        )
        return list(found["MetricDataResults"][0]["Values"])
