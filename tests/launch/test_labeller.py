"""The labeller function (moto for SSM and STS, Stubber for Image Builder's GetImage) and its
construct; the role it assumes in a destination account is read from the multi-account example in
tests/test_examples.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from constructs_lib import VersionLabeller
from constructs_lib.checks.preflight._model import listed
from constructs_lib.launch.rollout_function import labeller
from tests.conftest import make_stack, synth_with_nag, template
from tests.pipeline.test_pipeline_events import resolved

FACTORY, WORKLOAD = "111111111111", "222222222222"
IMAGE_ARN = f"arn:aws:imagebuilder:eu-west-1:{FACTORY}:image/web/1.2.3/4"
NAME = "/golden-ami/web/latest"
AMIS = {
    (FACTORY, "eu-west-1"): "ami-0aaaaaaaaaaaaaaa1",
    (FACTORY, "us-east-1"): "ami-0aaaaaaaaaaaaaaa2",
    (WORKLOAD, "eu-west-1"): "ami-0bbbbbbbbbbbbbbb1",
    (WORKLOAD, "us-east-1"): "ami-0bbbbbbbbbbbbbbb2",
}


def image() -> dict[str, Any]:
    """What GetImage returns for the image: its distribution (parameters here and in the
    workload account, in two regions) and the AMIs it made in each place."""
    return {
        "image": {
            "arn": IMAGE_ARN,
            "distributionConfiguration": {
                "timeoutMinutes": 360,
                "distributions": [
                    {
                        "region": region,
                        "ssmParameterConfigurations": [
                            {"parameterName": NAME, "dataType": "aws:ec2:image"},
                            {"parameterName": NAME, "amiAccountId": WORKLOAD, "dataType": "aws:ec2:image"},
                        ],
                    }
                    for region in ("eu-west-1", "us-east-1")
                ],
            },
            "outputResources": {
                "amis": [
                    {"region": region, "image": ami, **({"accountId": account} if account != FACTORY else {})}
                    for (account, region), ami in AMIS.items()
                ]
            },
        }
    }


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, Any]]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    monkeypatch.setenv("LABEL_ROLE", "GoldenAmiLabels")
    with mock_aws():
        imagebuilder = boto3.client("imagebuilder", region_name="eu-west-1")
        with Stubber(imagebuilder) as stub:
            stub.add_response("get_image", image(), {"imageBuildVersionArn": IMAGE_ARN})
            yield imagebuilder, labeller._ssm_for(FACTORY, "aws")
            stub.assert_no_pending_responses()


def _write(ssm_for: Any, account: str, region: str, *values: str) -> None:
    ssm = ssm_for(account, region)
    for value in values:
        ssm.put_parameter(Name=NAME, Value=value, Type="String", Overwrite=True)


def _labels(ssm_for: Any, account: str, region: str) -> dict[int, list[str]]:
    history = ssm_for(account, region).get_parameter_history(Name=NAME)["Parameters"]
    return {int(v["Version"]): v.get("Labels", []) for v in history}


def test_a_new_image_labels_its_parameter_in_every_region_and_account(world: tuple[Any, Any]) -> None:
    imagebuilder, ssm_for = world
    for (account, region), ami in AMIS.items():
        _write(ssm_for, account, region, "ami-0000000000000000f", ami)  # an older image, then this one
    result = labeller.handler({"resources": [IMAGE_ARN], "account": FACTORY}, None, clients=(imagebuilder, ssm_for))
    assert result["problems"] == []
    for account, region in AMIS:
        # The workload account's parameters were read through the role there (moto's STS gives
        # credentials of that account): a pin v1.2.3-4 names this image's AMI in each place.
        assert _labels(ssm_for, account, region) == {1: [], 2: ["v1.2.3-4"]}, (account, region)


def test_a_parameter_that_moved_on_is_left_alone_and_the_others_labelled(world: tuple[Any, Any]) -> None:
    imagebuilder, ssm_for = world
    for (account, region), ami in AMIS.items():
        _write(ssm_for, account, region, ami)
    _write(ssm_for, WORKLOAD, "us-east-1", "ami-0ccccccccccccccc1")  # a revoke or a newer image since
    labeller.handler({"resources": [IMAGE_ARN], "account": FACTORY}, None, clients=(imagebuilder, ssm_for))
    assert _labels(ssm_for, WORKLOAD, "us-east-1") == {1: [], 2: []}
    assert _labels(ssm_for, WORKLOAD, "eu-west-1") == {1: ["v1.2.3-4"]}


def test_an_unreachable_place_fails_the_run_naming_it_after_labelling_the_rest(world: tuple[Any, Any]) -> None:
    imagebuilder, ssm_for = world
    for (account, region), ami in AMIS.items():
        if (account, region) != (WORKLOAD, "eu-west-1"):
            _write(ssm_for, account, region, ami)  # never written there: GetParameter fails
    with pytest.raises(RuntimeError, match=f"{NAME} in eu-west-1 of account {WORKLOAD}: .*ParameterNotFound"):
        labeller.handler({"resources": [IMAGE_ARN], "account": FACTORY}, None, clients=(imagebuilder, ssm_for))
    assert _labels(ssm_for, WORKLOAD, "us-east-1") == {1: ["v1.2.3-4"]}


def test_the_construct_runs_on_an_available_image_and_may_assume_only_the_label_roles() -> None:
    stack = make_stack()
    VersionLabeller(stack, "Labeller", parameter_names=[NAME], destination_accounts=[WORKLOAD])
    found = template(stack)
    (rule,) = found.find_resources("AWS::Events::Rule").values()
    assert rule["Properties"]["EventPattern"] == {
        "source": ["aws.imagebuilder"],
        "detail-type": ["EC2 Image Builder Image State Change"],
        "detail": {"state": {"status": ["AVAILABLE"]}},
    }
    (role,) = [r for r in found.find_resources("AWS::IAM::Role").values() if "RoleName" in r["Properties"]]
    assert role["Properties"]["RoleName"] == "GoldenAmiLabeller"
    policy = next(iter(found.find_resources("AWS::IAM::Policy").values()))["Properties"]["PolicyDocument"]
    assume = next(s for s in policy["Statement"] if s["Action"] == "sts:AssumeRole")
    assert assume["Resource"] == f"arn:aws:iam::{WORKLOAD}:role/GoldenAmiLabels"
    synth_with_nag(stack)


def test_the_construct_refuses_no_parameters() -> None:
    with pytest.raises(ValueError, match="parameter_names: none given"):
        VersionLabeller(make_stack(), "Labeller", parameter_names=[])


def test_a_parameter_the_factory_does_not_own_is_left_alone(
    world: tuple[Any, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    imagebuilder, ssm_for = world
    for (account, region), ami in AMIS.items():
        _write(ssm_for, account, region, ami)
    monkeypatch.setenv("PARAMETER_NAMES", "/golden-ami/other/latest")
    labeller.handler({"resources": [IMAGE_ARN], "account": FACTORY}, None, clients=(imagebuilder, ssm_for))
    assert all(_labels(ssm_for, account, region) == {1: []} for account, region in AMIS)


def test_the_workload_accounts_label_role_allows_exactly_the_calls_the_labeller_made_there(
    world: tuple[Any, Any],
) -> None:
    """The labelling run and the role in one test: every SSM call made in the workload account is
    allowed by GoldenAmiLabels' synthesized policy, LabelParameterVersion among them, on exactly
    that parameter (moto does not enforce IAM, so the policy is matched here)."""
    import fnmatch

    import aws_cdk as cdk

    from constructs_lib import LabelAccessRole

    app = cdk.App()
    workload = cdk.Stack(app, "Workload", env=cdk.Environment(account=WORKLOAD, region="eu-west-1"))
    LabelAccessRole(workload, "Labels", factory_account=FACTORY, parameter_names=[NAME])
    resources = app.synth().get_stack_by_name("Workload").template["Resources"]
    (statement,) = [
        s
        for r in resources.values()
        if r["Type"] == "AWS::IAM::Policy"
        for s in r["Properties"]["PolicyDocument"]["Statement"]
    ]
    allowed_actions = set(listed(statement["Action"]))
    allowed_resources = [resolved(r, {"AWS::Partition": "aws"}) for r in listed(statement["Resource"])]

    imagebuilder, ssm_for = world
    calls: list[tuple[str, str, str]] = []

    def recording(account: str, region: str) -> Any:
        client = ssm_for(account, region)
        if account == WORKLOAD:
            client.meta.events.register(
                "before-parameter-build.ssm",
                lambda model, params, **_: calls.append((model.name, region, params.get("Name", ""))),
            )
        return client

    for (account, region), ami in AMIS.items():
        _write(ssm_for, account, region, "ami-0000000000000000f", ami)
    labeller.handler({"resources": [IMAGE_ARN], "account": FACTORY}, None, clients=(imagebuilder, recording))
    assert {op for op, _, _ in calls} >= {"GetParameter", "GetParameterHistory", "LabelParameterVersion"}
    for operation, region, name in calls:
        arn = f"arn:aws:ssm:{region}:{WORKLOAD}:parameter{name}"
        assert f"ssm:{operation}" in allowed_actions, operation
        assert any(fnmatch.fnmatchcase(arn, pattern) for pattern in allowed_resources), (operation, arn)
    other = f"arn:aws:ssm:eu-west-1:{WORKLOAD}:parameter/golden-ami/other/latest"
    assert not any(fnmatch.fnmatchcase(other, pattern) for pattern in allowed_resources)


def test_with_image_names_the_rule_runs_for_those_images_only() -> None:
    from tests.pipeline.test_pipeline_events import matches

    stack = make_stack()
    VersionLabeller(stack, "Labeller", parameter_names=[NAME], image_names=["Web Server", "base"])
    (rule,) = template(stack).find_resources("AWS::Events::Rule").values()
    account, region = stack.account, stack.region
    pattern = resolved(rule["Properties"]["EventPattern"], {"AWS::Partition": "aws"})
    event = {
        "source": "aws.imagebuilder",
        "detail-type": "EC2 Image Builder Image State Change",
        "resources": [f"arn:aws:imagebuilder:{region}:{account}:image/web-server/1.2.3/4"],
        "detail": {"state": {"status": "AVAILABLE"}},
    }
    assert matches(pattern, event)
    other = {**event, "resources": [f"arn:aws:imagebuilder:{region}:{account}:image/someone-elses/1.0.0/1"]}
    assert not matches(pattern, other)
