"""The revoke command end to end in three regions and two accounts: moto for SSM, EC2 and STS
(the destination account is reached through AssumeRole), botocore's Stubber for Image Builder and
for EC2 EnableImageDeprecation, which moto lacks. No test reaches AWS."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError
from botocore.stub import ANY, Stubber
from moto import mock_aws

from constructs_lib.retire.hold import hold
from constructs_lib.retire.revoke import (
    DESCENDANTS_REFUSED,
    Place,
    RevokeError,
    _usable,
    assume,
    check_role_arn,
    find_places,
    main,
    plan,
    revoke,
    sessions,
)

FACTORY, DESTINATION = "123456789012", "222222222222"
REGIONS = ("eu-west-1", "us-east-1", "ap-southeast-2")
PARAMETER = "/golden-ami/web-server/latest"
VERSION = "1.2.3/4"
ARN = f"arn:aws:imagebuilder:eu-west-1:{FACTORY}:image/web-server/{VERSION}"
PIPELINE = f"arn:aws:imagebuilder:eu-west-1:{FACTORY}:image-pipeline/web-server"
NOW = dt.datetime(2026, 11, 22, 6, 0, 30, tzinfo=dt.UTC)
NEXT_MINUTE = dt.datetime(2026, 11, 22, 6, 1, tzinfo=dt.UTC)


class _EC2:
    """moto's EC2 in one place, except EnableImageDeprecation, which a Stubber checks."""

    def __init__(self, moto_client: Any, stubbed: Any) -> None:
        self._moto, self.enable_image_deprecation = moto_client, stubbed.enable_image_deprecation

    def __getattr__(self, name: str) -> Any:
        return getattr(self._moto, name)


class Estate:
    """The good and the bad AMI of web-server in each place, the parameter naming the bad one."""

    def __init__(self) -> None:
        self.session = boto3.session.Session(region_name="eu-west-1")
        self.connect_real = sessions(self.session, FACTORY, "aws")
        self.deprecations = boto3.client("ec2", region_name="eu-west-1")
        self.deprecation_stub = Stubber(self.deprecations)
        self.unreachable: set[tuple[str, str]] = set()
        self.places: list[Place] = []
        self.good: dict[tuple[str, str], str] = {}
        for account in (FACTORY, DESTINATION):
            for region in REGIONS:
                ssm, ec2 = self.clients(account, region)
                good, bad = self.ami(ec2, "1.2.2/1"), self.ami(ec2, VERSION)
                ssm.put_parameter(Name=PARAMETER, Value=good, Type="String")
                ssm.put_parameter(Name=PARAMETER, Value=bad, Type="String", Overwrite=True)
                self.places.append(Place(region=region, account=account, ami=bad))
                self.good[(account, region)] = good

    def clients(self, account: str, region: str) -> tuple[Any, Any]:
        return self.connect_real(account, region)

    @staticmethod
    def ami(ec2: Any, version: str) -> str:
        ami = ec2.register_image(Name=f"web-server-{version.replace('/', '-')}", RootDeviceName="/dev/xvda")
        ec2.create_tags(Resources=[ami["ImageId"]], Tags=[{"Key": "golden-ami:pipeline", "Value": "web-server"}])
        return str(ami["ImageId"])

    def connect(self, account: str, region: str) -> tuple[Any, Any]:
        if (account, region) in self.unreachable:
            raise EndpointConnectionError(endpoint_url=f"https://ssm.{region}.amazonaws.com")
        ssm, ec2 = self.clients(account, region)
        return ssm, _EC2(ec2, self.deprecations)

    def expect_deprecations(self, count: int, amis: list[str] | None = None, at: Any = NEXT_MINUTE) -> None:
        for n in range(count):
            self.deprecation_stub.add_response(
                "enable_image_deprecation", {"Return": True}, {"ImageId": amis[n] if amis else ANY, "DeprecateAt": at}
            )

    def run(self, execute: bool, lines: list[str] | None = None) -> list[Any]:
        with self.deprecation_stub:
            found = revoke(
                places=self.places,
                parameter=PARAMETER,
                version=VERSION,
                reason="CVE-2026-0001 in openssl",
                who=f"arn:aws:iam::{FACTORY}:user/alice",
                connect=self.connect,
                execute=execute,
                now=NOW,
                progress=(lines if lines is not None else []).append,
            )
        self.deprecation_stub.assert_no_pending_responses()
        return found

    def value(self, place: Place) -> str:
        ssm, _ = self.clients(place.account, place.region)
        return str(ssm.get_parameter(Name=PARAMETER)["Parameter"]["Value"])

    def revoked_tag(self, place: Place) -> str | None:
        _, ec2 = self.clients(place.account, place.region)
        (image,) = ec2.describe_images(ImageIds=[place.ami])["Images"]
        return next((t["Value"] for t in image.get("Tags", []) if t["Key"] == "golden-ami:revoked"), None)


@pytest.fixture
def estate(monkeypatch: pytest.MonkeyPatch) -> Iterator[Estate]:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    with mock_aws():
        yield Estate()


def test_find_places_reads_the_output_amis_of_the_image_build_version() -> None:
    imagebuilder = boto3.client("imagebuilder", region_name="eu-west-1")
    stub = Stubber(imagebuilder)
    amis = [
        {"region": r, "image": f"ami-{i:017x}", "accountId": a}
        for i, (a, r) in enumerate([(FACTORY, "eu-west-1"), (DESTINATION, "us-east-1")])
    ]
    stub.add_response(
        "get_image",
        {"image": {"arn": ARN, "sourcePipelineArn": PIPELINE, "outputResources": {"amis": amis}}},
        {"imageBuildVersionArn": ARN},
    )
    with stub:
        places, pipeline = find_places(imagebuilder, ARN, FACTORY)
    assert places == [
        Place(region="eu-west-1", account=FACTORY, ami=amis[0]["image"]),
        Place(region="us-east-1", account=DESTINATION, ami=amis[1]["image"]),
    ]
    assert pipeline == PIPELINE


def test_refuses_an_unknown_version() -> None:
    imagebuilder = boto3.client("imagebuilder", region_name="eu-west-1")
    stub = Stubber(imagebuilder)
    stub.add_client_error("get_image", service_error_code="ResourceNotFoundException", http_status_code=404)
    with stub, pytest.raises(RevokeError, match=r"--version: .*/1.2.3/4 is not a known build"):
        find_places(imagebuilder, ARN, FACTORY)


def test_dry_run_changes_nothing_and_reports_every_place(estate: Estate) -> None:
    lines: list[str] = []
    outcomes = estate.run(execute=False, lines=lines)
    assert [o.status for o in outcomes] == ["would revoke"] * 6
    assert len(lines) == 6 and all(f"write {PARAMETER} = ami-" in line for line in lines)
    assert all(estate.value(p) == p.ami for p in estate.places)


def test_execute_revokes_in_three_regions_and_two_accounts(estate: Estate) -> None:
    estate.expect_deprecations(6, [p.ami for p in estate.places])  # the revoked AMI of each place, in order
    outcomes = estate.run(execute=True)
    assert [o.status for o in outcomes] == ["revoked"] * 6
    for place in estate.places:
        assert estate.value(place) == estate.good[(place.account, place.region)]
        assert (
            estate.revoked_tag(place)
            == f"arn:aws:iam::{FACTORY}:user/alice at 2026-11-22T06:00:30Z: CVE-2026-0001 in openssl"
        )


def test_an_unreachable_place_is_reported_unchanged_and_a_rerun_completes_it(estate: Estate) -> None:
    estate.unreachable.add((DESTINATION, "ap-southeast-2"))
    estate.expect_deprecations(5)
    first = estate.run(execute=True)
    assert sorted(o.status for o in first) == ["revoked"] * 5 + ["unreachable"]
    lost = next(o.place for o in first if o.status == "unreachable")
    assert (lost.account, lost.region) == (DESTINATION, "ap-southeast-2")
    estate.unreachable.clear()
    assert estate.value(lost) == lost.ami and estate.revoked_tag(lost) is None
    estate.expect_deprecations(1)
    second = estate.run(execute=True)
    assert sorted(o.status for o in second) == ["already revoked"] * 5 + ["revoked"]
    assert estate.value(lost) == estate.good[(DESTINATION, "ap-southeast-2")]


def test_a_place_changed_in_part_says_what_was_done_and_a_rerun_completes_it(estate: Estate) -> None:
    estate.expect_deprecations(5, [p.ami for p in estate.places[:5]])
    estate.deprecation_stub.add_client_error("enable_image_deprecation", "RequestLimitExceeded", "slow down")
    first = estate.run(execute=True)
    assert [o.status for o in first] == ["revoked"] * 5 + ["incomplete"]
    last = estate.places[5]
    good = estate.good[(last.account, last.region)]
    assert first[5].detail.startswith(f"{PARAMETER} = {good}; then ClientError: ")
    assert "RequestLimitExceeded" in first[5].detail
    assert estate.value(last) == good and estate.revoked_tag(last) is None  # written, not yet deprecated
    estate.expect_deprecations(1, [last.ami])
    second = estate.run(execute=True)
    assert [o.status for o in second] == ["already revoked"] * 5 + ["revoke" + "d"]
    assert estate.revoked_tag(last) is not None


def test_refuses_the_only_version_and_changes_nothing_anywhere(estate: Estate) -> None:
    ssm, ec2 = estate.clients(DESTINATION, "us-east-1")
    lonely = Estate.ami(ec2, VERSION)
    ssm.put_parameter(Name="/golden-ami/new/latest", Value=lonely, Type="String")
    estate.places = [Place(region="us-east-1", account=DESTINATION, ami=lonely), *estate.places]
    with pytest.raises(RevokeError, match=r"never named another AMI: ami-\w+ is the only version"):
        revoke(
            places=estate.places[:1],
            parameter="/golden-ami/new/latest",
            version=VERSION,
            reason="r",
            who="me",
            connect=estate.connect,
            execute=True,
            now=NOW,
        )
    assert ssm.get_parameter(Name="/golden-ami/new/latest")["Parameter"]["Value"] == lonely


def test_refuses_a_version_still_pinned_by_a_consumer(estate: Estate) -> None:
    _, ec2 = estate.clients(FACTORY, "us-east-1")
    ec2.create_launch_template(
        LaunchTemplateName="web",
        LaunchTemplateData={"ImageId": f"resolve:ssm:{PARAMETER}:v1.2.3-4"},
        TagSpecifications=[
            {"ResourceType": "launch-template", "Tags": [{"Key": "golden-ami:pinned", "Value": "v1.2.3-4"}]}
        ],
    )
    with pytest.raises(
        RevokeError, match=r"us-east-1 123456789012 ami-\w+: refused: still pinned by launch template lt-"
    ):
        estate.run(execute=True)
    assert all(estate.value(p) == p.ami for p in estate.places)


@pytest.mark.parametrize(("pin", "refused"), [("2", True), ("1", False), ("stable", True), ("old", False)])
def test_refuses_a_template_pinned_by_version_or_label_to_the_revoked_ami(
    estate: Estate, pin: str, refused: bool
) -> None:
    ssm, ec2 = estate.clients(FACTORY, "eu-west-1")
    ssm.label_parameter_version(Name=PARAMETER, ParameterVersion=2, Labels=["stable"])  # the revoked AMI
    ssm.label_parameter_version(Name=PARAMETER, ParameterVersion=1, Labels=["old"])  # the good one
    ec2.create_launch_template(
        LaunchTemplateName="pinned",
        LaunchTemplateData={"ImageId": f"resolve:ssm:{PARAMETER}:{pin}"},
        TagSpecifications=[{"ResourceType": "launch-template", "Tags": [{"Key": "golden-ami:pinned", "Value": pin}]}],
    )
    ec2.create_launch_template(  # pinned, but to another image's parameter: not this revoke's business
        LaunchTemplateName="other",
        LaunchTemplateData={"ImageId": "resolve:ssm:/golden-ami/api/latest:2"},
        TagSpecifications=[{"ResourceType": "launch-template", "Tags": [{"Key": "golden-ami:pinned", "Value": "2"}]}],
    )
    if refused:
        with pytest.raises(
            RevokeError, match=r"eu-west-1 123456789012 ami-\w+: refused: still pinned by launch template lt-"
        ):
            estate.run(execute=False)
    else:
        assert [o.status for o in estate.run(execute=False)] == ["would revoke"] * 6


def test_refuses_a_template_pinned_through_the_parameters_arn(estate: Estate) -> None:
    """``resolve:ssm:`` takes a parameter's ARN too, whose own colons once hid the pin."""
    ssm, ec2 = estate.clients(FACTORY, "eu-west-1")
    ssm.label_parameter_version(Name=PARAMETER, ParameterVersion=2, Labels=["stable"])  # the revoked AMI
    arn = f"arn:aws:ssm:eu-west-1:{FACTORY}:parameter{PARAMETER}"
    ec2.create_launch_template(
        LaunchTemplateName="pinned",
        LaunchTemplateData={"ImageId": f"resolve:ssm:{arn}:stable"},
        TagSpecifications=[{"ResourceType": "launch-template", "Tags": [{"Key": "golden-ami:pinned", "Value": "x"}]}],
    )
    with pytest.raises(
        RevokeError, match=r"eu-west-1 123456789012 ami-\w+: refused: still pinned by launch template lt-"
    ):
        estate.run(execute=False)


def test_the_last_good_ami_skips_deregistered_and_revoked_ones_and_refuses_when_none_is_left(estate: Estate) -> None:
    ssm, ec2 = estate.clients(FACTORY, "eu-west-1")
    oldest, gone, marked, bad = (Estate.ami(ec2, v) for v in ("1.0.0/1", "1.1.0/1", "1.2.0/1", VERSION))
    for n, ami in enumerate((oldest, gone, marked, bad)):
        ssm.put_parameter(Name="/golden-ami/x/latest", Value=ami, Type="String", Overwrite=n > 0)
    ec2.deregister_image(ImageId=gone)
    ec2.create_tags(Resources=[marked], Tags=[{"Key": "golden-ami:revoked", "Value": "earlier"}])
    place = Place(region="eu-west-1", account=FACTORY, ami=bad)
    status, detail, good = plan(ssm, ec2, "/golden-ami/x/latest", place, "v1.2.3-4", NOW)
    assert (status, good) == ("revoke", oldest) and f"write /golden-ami/x/latest = {oldest}" in detail
    ec2.deregister_image(ImageId=oldest)
    status, detail, good = plan(ssm, ec2, "/golden-ami/x/latest", place, "v1.2.3-4", NOW)
    assert (status, good) == ("refused", "")
    assert detail == "no earlier AMI of /golden-ami/x/latest still exists undeprecated; build a fixed image first"


@pytest.mark.parametrize(
    ("image", "usable"),
    [
        (None, False),  # deregistered
        ({"Tags": [{"Key": "golden-ami:revoked", "Value": "x"}]}, False),
        ({"DeprecationTime": "2026-11-22T05:00:00.000Z"}, False),  # deprecated before NOW
        ({"DeprecationTime": "2027-01-01T00:00:00.000Z"}, True),  # deprecation scheduled, not yet
        ({"Tags": [{"Key": "golden-ami:pipeline", "Value": "web"}]}, True),
    ],
)
def test_a_previous_ami_is_usable_only_if_it_exists_is_not_deprecated_and_not_revoked(
    image: dict[str, Any] | None, usable: bool
) -> None:
    assert _usable(image, NOW) is usable


def test_disables_the_pipeline_sending_every_setting_back_and_says_until_when(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(key, "testing")
    imagebuilder = boto3.client("imagebuilder", region_name="eu-west-1")
    stub = Stubber(imagebuilder)
    # Everything the library sets on a pipeline: UpdateImagePipeline resets what is not sent back.
    pipeline = {
        "arn": PIPELINE,
        "name": "web-server",
        "imageRecipeArn": "arn:aws:imagebuilder:eu-west-1:123456789012:image-recipe/web-server/1.0.0",
        "infrastructureConfigurationArn": "arn:aws:imagebuilder:eu-west-1:123456789012:infrastructure-configuration/web",
        "distributionConfigurationArn": "arn:aws:imagebuilder:eu-west-1:123456789012:distribution-configuration/web",
        "enhancedImageMetadataEnabled": True,
        "imageTestsConfiguration": {"imageTestsEnabled": True, "timeoutMinutes": 720},
        "schedule": {"scheduleExpression": "cron(0 4 ? * SUN *)", "timezone": "Etc/UTC"},
        "imageScanningConfiguration": {"imageScanningEnabled": True},
        "executionRole": "arn:aws:iam::123456789012:role/web-server-execution",
        "loggingConfiguration": {"imageLogGroupName": "/aws/imagebuilder/web-server"},
        "imageTags": {"golden-ami:pipeline": "web-server"},
        "tags": {"team": "platform"},
        "status": "ENABLED",
        "dateLastRun": "2026-11-30T04:00:00Z",
    }
    for _ in range(2):
        stub.add_response("get_image_pipeline", {"imagePipeline": pipeline}, {"imagePipelineArn": PIPELINE})
    stub.add_response(
        "update_image_pipeline",
        {"imagePipelineArn": PIPELINE},
        {
            "imagePipelineArn": PIPELINE,
            "status": "DISABLED",
            **{k: v for k, v in pipeline.items() if k not in {"arn", "name", "tags", "status", "dateLastRun"}},
        },
    )
    with stub, mock_aws():
        ssm = boto3.client("ssm", region_name="eu-west-1")  # no status parameter: an unheld pipeline
        assert hold(ssm, imagebuilder, PIPELINE, execute=False).startswith("would disable pipeline")
        assert "Once a new version of one of its components is published: golden-ami-revoke" in hold(
            ssm, imagebuilder, PIPELINE, execute=True
        )
    stub.assert_no_pending_responses()


def test_with_descendants_is_refused_with_the_reason(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--image", "web-server", "--version", VERSION, "--reason", "r", "--with-descendants"]) == 2
    assert DESCENDANTS_REFUSED in capsys.readouterr().err


def test_without_boto3_the_command_names_the_extra_to_install(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "boto3", None)  # what an install without the [cli] extra sees
    assert main(["--image", "web-server", "--version", VERSION, "--reason", "r"]) == 2
    assert capsys.readouterr().err == "golden-ami-revoke: needs boto3; pip install 'golden-ami-factory[cli]'\n"


def test_rejects_a_malformed_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--image", "web-server", "--version", "7", "--reason", "r"]) == 2
    assert "--version: '7' is not an image build version; write it as 1.2.3/4" in capsys.readouterr().err


def test_rejects_a_malformed_role_arn(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--image", "web-server", "--version", VERSION, "--reason", "r", "--role-arn", "GoldenAmiRevoker"]) == 2
    assert "--role-arn: 'GoldenAmiRevoker' is not an IAM role ARN; write it as arn:aws:iam::" in capsys.readouterr().err


def test_role_arn_acts_as_the_factory_revoker_role(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(key, "testing")
    with mock_aws():
        caller = boto3.session.Session(region_name="eu-west-1")
        role = f"arn:aws:iam::{FACTORY}:role/GoldenAmiRevoker"
        acting = assume(caller, check_role_arn(role), None)
        identity = acting.client("sts").get_caller_identity()
    assert acting.region_name == "eu-west-1"
    assert identity["Arn"] == f"arn:aws:sts::{FACTORY}:assumed-role/GoldenAmiRevoker/golden-ami-revoke"


def test_the_command_end_to_end_finds_revokes_everywhere_and_disables_the_pipeline(
    estate: Estate, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``golden-ami-revoke ... --execute`` as one piece: Image Builder (Stubber) says where the
    version went, six places in three regions and two accounts (moto; STS for the destination)
    are revoked, and the pipeline is disabled with its settings sent back."""
    imagebuilder = boto3.client("imagebuilder", region_name="eu-west-1")
    stub = Stubber(imagebuilder)
    amis = [{"region": p.region, "accountId": p.account, "image": p.ami} for p in estate.places]
    stub.add_response(
        "get_image",
        {"image": {"arn": ARN, "sourcePipelineArn": PIPELINE, "outputResources": {"amis": amis}}},
        {"imageBuildVersionArn": ARN},
    )
    pipeline = {
        "arn": PIPELINE,
        "imageRecipeArn": f"arn:aws:imagebuilder:eu-west-1:{FACTORY}:image-recipe/web-server/1.0.0",
        "infrastructureConfigurationArn": f"arn:aws:imagebuilder:eu-west-1:{FACTORY}:infrastructure-configuration/w",
        "loggingConfiguration": {"imageLogGroupName": "/aws/imagebuilder/web-server"},
        "status": "ENABLED",
    }
    stub.add_response("get_image_pipeline", {"imagePipeline": pipeline}, {"imagePipelineArn": PIPELINE})
    stub.add_response(
        "update_image_pipeline",
        {"imagePipelineArn": PIPELINE},
        {
            "imagePipelineArn": PIPELINE,
            "status": "DISABLED",
            "imageRecipeArn": pipeline["imageRecipeArn"],
            "infrastructureConfigurationArn": pipeline["infrastructureConfigurationArn"],
            "loggingConfiguration": pipeline["loggingConfiguration"],
        },
    )
    real = boto3.session.Session.client

    def client(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "imagebuilder":
            return imagebuilder
        made = real(self, name, *args, **kwargs)
        return _EC2(made, estate.deprecations) if name == "ec2" else made

    monkeypatch.setattr(boto3.session.Session, "client", client)
    estate.expect_deprecations(6, [p.ami for p in estate.places], at=ANY)  # main reads the clock
    with stub, estate.deprecation_stub:
        code = main(
            ["--image", "web-server", "--version", VERSION, "--reason", "CVE", "--region", "eu-west-1", "--execute"]
        )
    stub.assert_no_pending_responses()
    estate.deprecation_stub.assert_no_pending_responses()
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.count(": revoked: ") == 6 and f"disabled pipeline {PIPELINE}" in out
    monkeypatch.undo()
    for place in estate.places:
        assert estate.value(place) == estate.good[(place.account, place.region)]
        assert (estate.revoked_tag(place) or "").endswith(": CVE")


def test_without_credentials_the_command_says_so_instead_of_a_traceback(
    no_credentials: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--image", "web-server", "--version", VERSION, "--reason", "r", "--region", "eu-west-1"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("golden-ami-revoke: Unable to locate credentials; nothing after that call was done.")
