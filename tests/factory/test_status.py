"""golden-ami-status end to end: moto for SSM, EC2, Auto Scaling and STS (the workload account reached
through its GoldenAmiStatus role), Stubber for Image Builder (which moto lacks); 3 regions x 2 accounts,
one place unreachable. EC2 fields moto does not return (``FullSnapshotSizeInBytes``,
``DeprecationTime``: moto lacks EnableImageDeprecation) are added to its answers as EC2 documents them."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from moto import mock_aws

from constructs_lib._core.revoke_names import PIN_TAG, REVOKED_TAG
from constructs_lib.factory import status as cli
from constructs_lib.launch.rollout_function.tags import ROLLOUT_TAG

FACTORY, WORKLOAD = "123456789012", "222222222222"  # moto's default account, and one reached by STS
HOME, REGIONS = "eu-west-1", ("eu-west-1", "us-east-1", "ap-southeast-2")
NAME = "/golden-ami/web/latest"
PIPELINE = f"arn:aws:imagebuilder:{HOME}:{FACTORY}:image-pipeline/web"
OLD, NEW = (f"arn:aws:imagebuilder:{HOME}:{FACTORY}:image/web/1.2.3/{n}" for n in (3, 4))
GIB = 2**30
NOW = dt.datetime(2026, 12, 6, tzinfo=dt.UTC)
UNREACHABLE = (WORKLOAD, "ap-southeast-2")


def _image() -> dict[str, Any]:
    configs = [
        {"parameterName": NAME, "dataType": "aws:ec2:image"},
        {"parameterName": NAME, "amiAccountId": WORKLOAD, "dataType": "aws:ec2:image"},
    ]
    return {
        "image": {
            "arn": NEW,
            "distributionConfiguration": {
                "timeoutMinutes": 360,
                "distributions": [{"region": r, "ssmParameterConfigurations": configs} for r in REGIONS],
            },
        }
    }


def _session(account: str) -> Any:
    if account == FACTORY:
        return boto3.session.Session()
    role = f"arn:aws:iam::{account}:role/GoldenAmiStatus"
    creds = boto3.client("sts", region_name=HOME).assume_role(RoleArn=role, RoleSessionName="setup")["Credentials"]
    return boto3.session.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )


def _place(account: str, region: str, *, fleet_on_old: bool, pin: bool, old_is: str) -> dict[str, str]:
    """Two image versions in one place: AMIs, the parameter's history with labels, one fleet."""
    session = _session(account)
    ec2, ssm = session.client("ec2", region_name=region), session.client("ssm", region_name=region)
    base = ec2.register_image(Name="base", RootDeviceName="/dev/xvda")["ImageId"]
    instance = ec2.run_instances(ImageId=base, MinCount=1, MaxCount=1, InstanceType="t3.micro")["Instances"][0]
    amis = {v: ec2.create_image(InstanceId=instance["InstanceId"], Name=f"web {v}")["ImageId"] for v in ("3", "4")}
    for n, version in enumerate(("3", "4"), start=1):
        ssm.put_parameter(Name=NAME, Value=amis[version], Type="String", Overwrite=True)
        ssm.label_parameter_version(Name=NAME, ParameterVersion=n, Labels=[f"v1.2.3-{version}"])
    if old_is == "revoked":
        ec2.create_tags(Resources=[amis["3"]], Tags=[{"Key": REVOKED_TAG, "Value": "bad build"}])
    runs = amis["3" if fleet_on_old else "4"]
    ec2.create_launch_template(
        LaunchTemplateName="web", LaunchTemplateData={"ImageId": runs, "InstanceType": "t3.micro"}
    )
    session.client("autoscaling", region_name=region).create_auto_scaling_group(
        AutoScalingGroupName=f"web-{region}",
        LaunchTemplate={"LaunchTemplateName": "web", "Version": "$Latest"},
        MinSize=2,
        MaxSize=2,
        AvailabilityZones=[f"{region}a"],
        Tags=[{"Key": ROLLOUT_TAG, "Value": NAME, "PropagateAtLaunch": False}],
    )
    if pin:
        ec2.create_launch_template(
            LaunchTemplateName="batch",
            LaunchTemplateData={"ImageId": f"resolve:ssm:{NAME}:v1.2.3-3", "InstanceType": "t3.micro"},
            TagSpecifications=[{"ResourceType": "launch-template", "Tags": [{"Key": PIN_TAG, "Value": "v1.2.3-3"}]}],
        )
        # Another image's pin in the same account and region: not this parameter's.
        ec2.create_launch_template(
            LaunchTemplateName="other",
            LaunchTemplateData={"ImageId": "resolve:ssm:/golden-ami/other/latest:v9.9.9-9", "InstanceType": "t3.micro"},
            TagSpecifications=[{"ResourceType": "launch-template", "Tags": [{"Key": PIN_TAG, "Value": "v9.9.9-9"}]}],
        )
    return amis


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, cli.Connect, dict[tuple[str, str], dict[str, str]]]]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    with mock_aws():
        amis = {
            (account, region): _place(
                account,
                region,
                fleet_on_old=(account, region) == (WORKLOAD, "us-east-1"),
                pin=(account, region) == (FACTORY, HOME),
                old_is="revoked" if (account, region) == (FACTORY, "us-east-1") else "deprecated",
            )
            for account in (FACTORY, WORKLOAD)
            for region in REGIONS
            if (account, region) != UNREACHABLE
        }
        deprecated = {a["3"] for a in amis.values()}

        def add_ec2_fields(parsed: dict[str, Any], **_: Any) -> None:
            for image in parsed.get("Images", []):
                if image["ImageId"] in deprecated and not any(t["Key"] == REVOKED_TAG for t in image.get("Tags", [])):
                    image["DeprecationTime"] = "2026-11-01T00:00:00.000Z"
            for snapshot in parsed.get("Snapshots", []):
                snapshot["FullSnapshotSizeInBytes"] = 3 * GIB

        real = cli.sessions(boto3.session.Session(region_name=HOME), FACTORY, "aws")

        def connect(account: str, region: str) -> tuple[Any, Any, Any]:
            if (account, region) == UNREACHABLE:  # a region this account's SCP denies
                raise ClientError(
                    {"Error": {"Code": "AccessDenied", "Message": "explicit deny in a service control policy"}},
                    "GetParameterHistory",
                )
            ssm, ec2, autoscaling = real(account, region)
            for event in ("after-call.ec2.DescribeImages", "after-call.ec2.DescribeSnapshots"):
                ec2.meta.events.register(event, add_ec2_fields)
            return ssm, ec2, autoscaling

        imagebuilder = boto3.client("imagebuilder", region_name=HOME)
        with Stubber(imagebuilder) as stub:
            stub.add_response("list_image_pipelines", {"imagePipelineList": [{"name": "web", "arn": PIPELINE}]}, {})
            summaries = [
                {"arn": OLD, "state": {"status": "AVAILABLE"}, "dateCreated": "2026-11-29T04:00:00.000Z"},
                {"arn": NEW, "state": {"status": "AVAILABLE"}, "dateCreated": "2026-12-06T04:00:00.000Z"},
                {"arn": NEW + "0", "state": {"status": "FAILED"}, "dateCreated": "2026-12-06T05:00:00.000Z"},
            ]
            stub.add_response(
                "list_image_pipeline_images", {"imageSummaryList": summaries}, {"imagePipelineArn": PIPELINE}
            )
            stub.add_response("get_image", _image(), {"imageBuildVersionArn": NEW})
            counts = {"all": 9, "critical": 1, "high": 3, "medium": 5}
            stub.add_response(
                "list_image_scan_finding_aggregations",
                {"responses": [{"imageAggregation": {"imageBuildVersionArn": NEW, "severityCounts": counts}}]},
                {"filter": {"name": "imageBuildVersionArn", "values": [NEW]}},
            )
            yield imagebuilder, connect, amis
            stub.assert_no_pending_responses()


def test_every_place_is_read_and_the_unreachable_one_is_listed(world: Any) -> None:
    imagebuilder, connect, amis = world
    (image,) = cli.status(imagebuilder, connect, FACTORY, now=NOW)
    assert (image.pipeline, image.version) == ("web", "1.2.3/4")  # the newest AVAILABLE, not the FAILED one
    assert image.findings == {"critical": 1, "high": 3, "medium": 5, "all": 9}
    by_place = {(p.account, p.region): p for p in image.places}
    assert sorted(by_place) == sorted((a, r) for a in (FACTORY, WORKLOAD) for r in REGIONS)
    assert "AccessDenied" in (by_place[UNREACHABLE].unreachable or "")
    for where, place in by_place.items():
        if where == UNREACHABLE:
            continue
        assert place.unreachable is None, where
        assert (place.newest_ami, place.newest_version) == (amis[where]["4"], "v1.2.3-4"), where
        (fleet,) = place.fleets
        assert fleet.instances == 2
        # Both versions' AMIs still exist: one snapshot each in moto, 3 GiB written each.
        assert place.kept_snapshot_bytes_upper_bound == 2 * 3 * GIB, where
        if where == (WORKLOAD, "us-east-1"):
            assert (fleet.versions, fleet.converged) == (["v1.2.3-3"], False)
        else:
            assert (fleet.versions, fleet.converged) == (["v1.2.3-4"], True), where
        if where == (FACTORY, "us-east-1"):
            assert (place.revoked, place.deprecated) == (["v1.2.3-3"], [])
        else:
            assert (place.revoked, place.deprecated) == ([], ["v1.2.3-3"]), where
        assert place.pins == ({"batch": "v1.2.3-3"} if where == (FACTORY, HOME) else {}), where


def test_the_table_and_the_json_say_the_same(world: Any) -> None:
    imagebuilder, connect, _ = world
    found = cli.status(imagebuilder, connect, FACTORY, now=NOW)
    text = cli.table(found)
    lines = text.splitlines()
    assert lines[0] == "web 1.2.3/4 [critical 1, high 3, medium 5]"
    assert f"  ap-southeast-2 {WORKLOAD} {NAME}: unreachable (ClientError: " in text
    assert (
        f"  us-east-1 {FACTORY} {NAME}: newest v1.2.3-4; kept snapshots 6.0 GiB (written size, an upper bound of "
        "billed storage); revoked v1.2.3-3"
    ) in lines
    assert "    fleet web-us-east-1: 2 instances on v1.2.3-3, NOT converged" in lines
    assert "    pinned: launch template batch at v1.2.3-3" in lines
    assert len([line for line in lines if line.startswith("  ")]) == 6 + 5 + 1  # places, fleets, pin
    data = json.loads(cli.as_json(found))
    places = {(p["account"], p["region"]): p for p in data[0]["places"]}
    assert places[(WORKLOAD, "us-east-1")]["fleets"][0]["converged"] is False
    assert places[UNREACHABLE]["unreachable"].startswith("ClientError: ")
    assert data[0]["findings"]["critical"] == 1
    # The JSON says what the table says: the written size is an upper bound of billed storage.
    assert places[(FACTORY, "us-east-1")]["kept_snapshot_bytes_upper_bound"] == 6 * GIB


def test_an_unknown_image_is_refused_naming_the_known_ones() -> None:
    imagebuilder = boto3.client("imagebuilder", region_name=HOME, aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(imagebuilder) as stub:
        stub.add_response("list_image_pipelines", {"imagePipelineList": [{"name": "web", "arn": PIPELINE}]}, {})
        with pytest.raises(ValueError, match=r"--image: api is no pipeline here; known: web"):
            cli.status(imagebuilder, lambda a, r: (None, None, None), FACTORY, images=["api"])


def test_a_place_without_its_parameter_yet_is_read_not_unreachable(world: Any) -> None:
    imagebuilder, connect, _ = world
    ssm, _, _ = connect(FACTORY, "ap-southeast-2")
    ssm.delete_parameter(Name=NAME)  # a region added since the last build: Image Builder has not written it
    (image,) = cli.status(imagebuilder, connect, FACTORY, now=NOW)
    (place,) = [p for p in image.places if (p.account, p.region) == (FACTORY, "ap-southeast-2")]
    assert (place.unreachable, place.newest_ami, place.fleets) == (None, None, [])
    assert f"  ap-southeast-2 {FACTORY} {NAME}: newest none;" in cli.table([image])


def test_the_command_prints_json_and_exits_1_when_a_place_was_unreachable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    seen: dict[str, Any] = {}

    def fake_status(imagebuilder: Any, connect: Any, factory: str, *, images: Any = ()) -> list[cli.ImageStatus]:
        seen.update(factory=factory, images=list(images))
        away = cli.Place(region="us-east-1", account=WORKLOAD, parameter=NAME, unreachable="ClientError: denied")
        return [cli.ImageStatus(pipeline="web", version="1.2.3/4", findings=None, places=[away])]

    monkeypatch.setattr(cli, "status", fake_status)
    with mock_aws():
        assert cli.main(["--region", HOME, "--image", "web", "--json"]) == 1
    assert seen == {"factory": FACTORY, "images": ["web"]}
    assert json.loads(capsys.readouterr().out)[0]["places"][0]["unreachable"] == "ClientError: denied"


def _statements(construct: Any, **props: Any) -> list[dict[str, Any]]:
    import aws_cdk as cdk

    app = cdk.App()
    stack = cdk.Stack(app, "Roles", env=cdk.Environment(account=props.pop("account"), region=HOME))
    construct(stack, "Role", **props)
    resources = app.synth().get_stack_by_name("Roles").template["Resources"]
    return [
        s
        for r in resources.values()
        if r["Type"] == "AWS::IAM::Policy"
        for s in r["Properties"]["PolicyDocument"]["Statement"]
    ]


def _allowed(statements: list[dict[str, Any]], action: str, arn: str | None) -> bool:
    import fnmatch

    from constructs_lib.checks.preflight._model import listed
    from tests.pipeline.test_pipeline_events import resolved

    for statement in statements:
        if action not in listed(statement["Action"]):
            continue
        patterns = [resolved(r, {"AWS::Partition": "aws"}) for r in listed(statement["Resource"])]
        if arn is None or any(fnmatch.fnmatchcase(arn, p) for p in patterns):
            return True
    return False


def test_the_roles_allow_exactly_the_calls_the_command_made(world: Any) -> None:
    """The run and the two roles in one test: every call made at home is allowed by
    GoldenAmiStatusReader, every call in the workload account by GoldenAmiStatus, parameters by ARN
    (moto does not enforce IAM, so the policies are matched here); neither role may write."""
    from constructs_lib.distribute.status_role import StatusAccessRole
    from constructs_lib.factory.status_reader_role import StatusReaderRole

    imagebuilder, connect, _ = world
    calls: dict[str, list[tuple[str, str | None]]] = {FACTORY: [], WORKLOAD: []}

    def record(account: str, region: str, client: Any) -> None:
        def before(model: Any, params: dict[str, Any], **_: Any) -> None:
            service = model.service_model.endpoint_prefix
            name = params.get("Name")
            arn = f"arn:aws:ssm:{region}:{account}:parameter{name}" if service == "ssm" else None
            calls[account].append((f"{service}:{model.name}", arn))

        client.meta.events.register("before-parameter-build", before)

    def recording(account: str, region: str) -> tuple[Any, Any, Any]:
        clients = connect(account, region)
        for client in clients:
            record(account, region, client)
        return clients

    record(FACTORY, HOME, imagebuilder)
    cli.status(imagebuilder, recording, FACTORY, now=NOW)
    reader = _statements(StatusReaderRole, account=FACTORY, parameter_names=[NAME], destination_accounts=[WORKLOAD])
    status = _statements(StatusAccessRole, account=WORKLOAD, factory_account=FACTORY, parameter_names=[NAME])
    for account, statements in ((FACTORY, reader), (WORKLOAD, status)):
        made = {action for action, _ in calls[account]}
        assert {"ssm:GetParameterHistory", "ec2:DescribeImages", "autoscaling:DescribeAutoScalingGroups"} <= made
        for action, arn in calls[account]:
            assert _allowed(statements, action, arn), (account, action, arn)
    assert {"imagebuilder:GetImage", "imagebuilder:ListImageScanFindingAggregations"} <= {a for a, _ in calls[FACTORY]}
    assert _allowed(reader, "sts:AssumeRole", f"arn:aws:iam::{WORKLOAD}:role/GoldenAmiStatus")
    assert not _allowed(reader, "sts:AssumeRole", f"arn:aws:iam::{WORKLOAD}:role/GoldenAmiRevoke")
    actions = {a for s in reader + status for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert all(a.split(":")[1].startswith(("Get", "List", "Describe", "AssumeRole")) for a in actions), actions


def test_the_command_reads_the_home_region_from_the_factory_file_and_says_when_it_finds_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    factory_file = tmp_path / "factory.yaml"
    factory_file.write_text(
        "home_region: ap-southeast-2\nimages:\n  - name: web\n    base: {os: amazon-linux-2023}\n"
        "    components: [{aws: update-linux}]\n"
    )
    regions: list[str] = []

    def fake_status(imagebuilder: Any, connect: Any, factory: str, *, images: Any = ()) -> list[cli.ImageStatus]:
        regions.append(imagebuilder.meta.region_name)
        return []

    monkeypatch.setattr(cli, "status", fake_status)
    with mock_aws():
        assert cli.main(["--factory", str(factory_file)]) == 2
    assert regions == ["ap-southeast-2"]
    assert "no image pipeline in ap-southeast-2 of account 123456789012; give the factory's home region" in (
        capsys.readouterr().err
    )
    factory_file.write_text("images: []\n")
    assert cli.main(["--factory", str(factory_file)]) == 2
    assert f"{factory_file}:1: images:" in capsys.readouterr().err


def test_without_credentials_the_command_says_so_instead_of_a_traceback(
    no_credentials: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["--region", HOME]) == 2
    assert "golden-ami-status: Unable to locate credentials; run it with credentials of the factory account" in (
        capsys.readouterr().err
    )
