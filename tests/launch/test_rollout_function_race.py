"""Two runs of the rollout function at once, really at once: two threads released together
(``threading.Barrier``) against one shared state, moto's EC2, SSM and CloudWatch, and an Auto
Scaling served by a small in-memory fake behind botocore's real clients (moto lacks instance
refresh; the clients still validate every request against the API model). Both runs see no
refresh in flight (a second barrier holds each until the other has looked), both try to start
one, and Auto Scaling lets only the first: the other must take ``InstanceRefreshInProgress`` as
state, leave no launch template version behind, and not fail."""

from __future__ import annotations

import threading
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse

from constructs_lib.launch.rollout_function.index import Clients, rollout
from constructs_lib.launch.rollout_function.tags import VERSION_DESCRIPTION
from tests.launch.rollout_world import NOW, PARAMETER, REGION, World, event

RUNS = 2


def _keep_params(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    """The call's parameters (validated by then), for the fake to answer from: ``before-call``
    sees only the serialized request."""
    context["api_params"] = dict(params)


class AutoScaling:
    """One group's Auto Scaling state, shared by every client it serves; a lock makes each call atomic."""

    def __init__(self, group: dict[str, Any]) -> None:
        self.group, self.refreshes, self.tags = group, [], []  # type: ignore[var-annotated]
        self.lock = threading.Lock()
        self.looked = threading.Barrier(RUNS, timeout=30)

    def client(self) -> Any:
        client = boto3.client("autoscaling", region_name=REGION)
        client.meta.events.register("before-parameter-build.autoscaling", _keep_params)
        client.meta.events.register("before-call.autoscaling", self._answer)
        return client

    def _answer(self, model: Any, context: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        params = context["api_params"]
        ok = AWSResponse("https://example", 200, {}, None)  # type: ignore[arg-type]
        if model.name == "DescribeInstanceRefreshes":
            with self.lock:
                found = [dict(r) for r in reversed(self.refreshes)][: params.get("MaxRecords", 50)]
            self.looked.wait()  # neither run acts before both have seen "nothing in flight"
            return ok, {"InstanceRefreshes": found}
        with self.lock:
            if model.name == "DescribeAutoScalingGroups":
                return ok, {"AutoScalingGroups": [self.group]}
            if model.name == "StartInstanceRefresh":
                if any(r["Status"] in ("Pending", "InProgress") for r in self.refreshes):
                    error = {
                        "Error": {"Code": "InstanceRefreshInProgress", "Message": "An Instance Refresh is in progress"},
                        "ResponseMetadata": {"HTTPStatusCode": 400},
                    }
                    return AWSResponse("https://example", 400, {}, None), error  # type: ignore[arg-type]
                rid = f"r-{len(self.refreshes) + 1}"
                self.refreshes.append(
                    {
                        "InstanceRefreshId": rid,
                        "AutoScalingGroupName": params["AutoScalingGroupName"],
                        "Status": "Pending",
                        "DesiredConfiguration": params["DesiredConfiguration"],
                    }
                )
                return ok, {"InstanceRefreshId": rid}
            if model.name == "CreateOrUpdateTags":
                self.tags.append(params["Tags"])
                return ok, {}
        raise AssertionError(f"the function called {model.name}, which this test does not expect")


def test_two_runs_at_once_start_exactly_one_refresh_and_the_other_treats_it_as_state(world: World) -> None:
    world.template("web", image_id=world.old)
    scaling = AutoScaling(world.group("web", world.instances(world.old)))
    deleted: list[list[str]] = []

    def ec2() -> Any:  # moto lacks DeleteLaunchTemplateVersions: recorded here, checked below
        client = boto3.client("ec2", region_name=REGION)

        def delete(context: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
            deleted.append(context["api_params"]["Versions"])
            return AWSResponse("https://example", 200, {}, None), {}  # type: ignore[arg-type]

        client.meta.events.register("before-parameter-build.ec2.DeleteLaunchTemplateVersions", _keep_params)
        client.meta.events.register("before-call.ec2.DeleteLaunchTemplateVersions", delete)
        return client

    start = threading.Barrier(RUNS, timeout=30)
    outcomes: list[dict[str, str]] = []
    errors: list[BaseException] = []

    def run() -> None:
        clients = Clients(
            ssm=boto3.client("ssm", region_name=REGION),
            ec2=ec2(),
            autoscaling=scaling.client(),
            cloudwatch=boto3.client("cloudwatch", region_name=REGION),
        )
        start.wait()
        try:
            outcomes.append(rollout(event(), parameter=PARAMETER, clients=clients, now=NOW))
        except BaseException as error:  # reported below with the thread's outcome
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(RUNS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, f"a run failed: {errors!r}"
    assert len(scaling.refreshes) == 1, "exactly one refresh starts"
    results = sorted(o["web"] for o in outcomes)
    assert len(results) == RUNS
    assert results[0].startswith("started: launch template version ")
    assert results[1] == "wait: another run started a refresh meanwhile"
    # The winner's version is the refresh's target and stays; the loser's was deleted again.
    made = world.ec2.describe_launch_template_versions(LaunchTemplateId=world.templates["web"])
    versions = {
        str(v["VersionNumber"])
        for v in made["LaunchTemplateVersions"]
        if v.get("VersionDescription", "").startswith(VERSION_DESCRIPTION)
    }
    target = scaling.refreshes[0]["DesiredConfiguration"]["LaunchTemplate"]["Version"]
    assert len(versions) == RUNS and target in versions
    assert deleted == [sorted(versions - {target})]
    assert len(scaling.tags) == 1, "only the run whose refresh started writes the state tag"
