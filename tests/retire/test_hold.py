"""A revocation's hold on the pipeline: ``golden-ami-revoke`` disables the pipeline and writes
``DISABLED`` to its status parameter, the factory's template reads that parameter at deploy, and
``--lift`` writes ``ENABLED`` and enables it. SSM in moto, Image Builder in botocore's Stubber
(moto has no Image Builder)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from constructs_lib.retire import hold as hold_module
from constructs_lib.retire.hold import hold, lift
from constructs_lib.retire.hold_function import index as hold_function
from constructs_lib.retire.revoke import main

FACTORY = "111111111111"
PIPELINE = f"arn:aws:imagebuilder:eu-west-1:{FACTORY}:image-pipeline/web-server"
STATUS = "/golden-ami/web-server/status"
SETTINGS = {
    "imageRecipeArn": f"arn:aws:imagebuilder:eu-west-1:{FACTORY}:image-recipe/web-server/1.0.0",
    "infrastructureConfigurationArn": f"arn:aws:imagebuilder:eu-west-1:{FACTORY}:infrastructure-configuration/web",
    "distributionConfigurationArn": f"arn:aws:imagebuilder:eu-west-1:{FACTORY}:distribution-configuration/web",
    "schedule": {"scheduleExpression": "cron(0 4 ? * SUN *)", "timezone": "Etc/UTC"},
    "executionRole": f"arn:aws:iam::{FACTORY}:role/GoldenAmiFactory-web-server-execution",
}


@pytest.fixture
def ssm(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(key, "testing")
    monkeypatch.setenv("MOTO_ACCOUNT_ID", FACTORY)  # STS answers as the factory account
    with mock_aws():
        yield boto3.client("ssm", region_name="eu-west-1")


def deployed_hold(ssm: Any, monkeypatch: pytest.MonkeyPatch, request: str = "Create") -> str:
    """What a deploy that creates or changes the pipeline does first: the hold function's Create
    or Update, whose ``Status`` the pipeline's ``Status`` reads."""
    answered: dict[str, Any] = {}
    monkeypatch.setattr(hold_function, "respond", lambda _e, _s, _p, data, _r: answered.update(data))
    event = {
        "RequestType": request,
        "ResourceProperties": {"Name": STATUS, "Pipeline": "web-server"},
        "ResponseURL": "https://example.invalid",
        "StackId": "s",
        "RequestId": "r",
        "LogicalResourceId": "Hold",
    }
    hold_function.handler(event, None, ssm=ssm)
    return str(answered["Status"])


def image_builder(status: str, update_to: str | None) -> tuple[Any, Stubber]:
    client = boto3.client("imagebuilder", region_name="eu-west-1")
    stub = Stubber(client)
    pipeline = {"arn": PIPELINE, "name": "web-server", "status": status, **SETTINGS}
    stub.add_response("get_image_pipeline", {"imagePipeline": pipeline}, {"imagePipelineArn": PIPELINE})
    if update_to is not None:
        stub.add_response(
            "update_image_pipeline",
            {"imagePipelineArn": PIPELINE},
            {"imagePipelineArn": PIPELINE, "status": update_to, **SETTINGS},  # every setting sent back
        )
    return client, stub


def deploy_reads(template: dict[str, Any], pipeline: str, ssm: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """The Status CloudFormation gives the pipeline at a deploy that changes it: the template's
    literal, or what its hold answers (the hold repeats the pipeline's other properties, so it is
    updated first, tests/retire/test_pipeline_holds.py)."""
    resources = template["Resources"]
    (properties,) = (
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::ImageBuilder::ImagePipeline" and r["Properties"]["Name"] == pipeline
    )
    status = properties["Status"]
    if isinstance(status, str):
        return status
    hold = resources[status["Fn::GetAtt"][0]]
    assert (hold["Type"], status["Fn::GetAtt"][1]) == ("Custom::PipelineHold", "Status")
    assert hold["Properties"]["Name"] == STATUS
    return deployed_hold(ssm, monkeypatch, "Update")


def test_a_revoke_survives_the_next_deploy_until_lifted(
    ssm: Any, monkeypatch: pytest.MonkeyPatch, default_templates: dict[str, dict[str, Any]]
) -> None:
    factory = default_templates["GoldenAmiFactory"]
    deployed_hold(ssm, monkeypatch)
    assert deploy_reads(factory, "web-server", ssm, monkeypatch) == "ENABLED"

    client, stub = image_builder("ENABLED", update_to="DISABLED")
    with stub:
        said = hold(ssm, client, PIPELINE, execute=True)
    stub.assert_no_pending_responses()
    assert said.startswith(f"disabled pipeline {PIPELINE} and held it ({STATUS} = DISABLED)")
    assert said.endswith("golden-ami-revoke --image web-server --lift --execute")
    # The next deploy of the same template: the pipeline stays disabled.
    assert deploy_reads(factory, "web-server", ssm, monkeypatch) == "DISABLED"
    # Creating the hold again (a replaced pipeline) does not write it back either.
    assert deployed_hold(ssm, monkeypatch) == "DISABLED"

    client, stub = image_builder("DISABLED", update_to="ENABLED")
    with stub:
        said = lift(ssm, client, PIPELINE, execute=True)
    stub.assert_no_pending_responses()
    assert said == (
        f"lifted: pipeline {PIPELINE} enabled, {STATUS} = ENABLED; revoked AMIs stay deprecated and tagged, and "
        "its next build publishes a new version"
    )
    assert deploy_reads(factory, "web-server", ssm, monkeypatch) == "ENABLED"


def test_a_pipeline_without_a_status_parameter_is_disabled_and_the_message_says_a_deploy_undoes_it(ssm: Any) -> None:
    client, stub = image_builder("ENABLED", update_to="DISABLED")
    with stub:
        said = hold(ssm, client, PIPELINE, execute=True)
    stub.assert_no_pending_responses()
    assert f"it has no status parameter ({STATUS}), so the next deploy that updates it enables it again" in said
    assert ssm.get_parameters(Names=[STATUS])["InvalidParameters"] == [STATUS]  # none was made


def test_a_dry_run_changes_nothing(ssm: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    deployed_hold(ssm, monkeypatch)
    client, stub = image_builder("ENABLED", update_to=None)
    with stub:
        assert hold(ssm, client, PIPELINE, execute=False) == (
            f"would disable pipeline {PIPELINE} and hold it: {STATUS} = DISABLED"
        )
    stub.assert_no_pending_responses()
    assert ssm.get_parameter(Name=STATUS)["Parameter"]["Value"] == "ENABLED"


def test_a_rerun_after_a_partial_hold_completes_it(ssm: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Disabled by hand (or before the factory held pipelines), parameter still ENABLED: the
    revoke writes the parameter and leaves the pipeline as it is."""
    deployed_hold(ssm, monkeypatch)
    client, stub = image_builder("DISABLED", update_to=None)
    with stub:
        hold(ssm, client, PIPELINE, execute=True)
    stub.assert_no_pending_responses()
    assert ssm.get_parameter(Name=STATUS)["Parameter"]["Value"] == "DISABLED"
    client, stub = image_builder("DISABLED", update_to=None)
    with stub:
        assert (
            hold(ssm, client, PIPELINE, execute=True) == f"pipeline {PIPELINE} is already disabled and held ({STATUS})"
        )


def test_lift_with_nothing_held_changes_nothing(ssm: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    deployed_hold(ssm, monkeypatch)
    client, stub = image_builder("ENABLED", update_to=None)
    with stub:
        assert (
            lift(ssm, client, PIPELINE, execute=True) == f"pipeline {PIPELINE} is enabled and not held; nothing to lift"
        )
    stub.assert_no_pending_responses()


def test_the_status_parameter_follows_the_pipeline_name_in_its_arn() -> None:
    assert hold_module.pipeline_name(PIPELINE) == "web-server"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--lift", "--version", "1.0.0/1"], "--lift: takes neither --version nor --reason"),
        (["--lift", "--reason", "fixed"], "--lift: takes neither --version nor --reason"),
        (["--version", "1.0.0/1"], "--version and --reason: both required to revoke (or give --lift)"),
        (["--reason", "CVE"], "--version and --reason: both required to revoke (or give --lift)"),
    ],
)
def test_the_command_says_which_arguments_go_with_lift(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--image", "web-server", *argv]) == 2
    assert capsys.readouterr().err.startswith(message)


def test_lift_through_the_command(
    ssm: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    deployed_hold(ssm, monkeypatch)
    ssm.put_parameter(Name=STATUS, Value="DISABLED", Type="String", Overwrite=True)
    capsys.readouterr()
    client, stub = image_builder("DISABLED", update_to="ENABLED")
    real = boto3.session.Session.client

    def session_client(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        return client if name == "imagebuilder" else (ssm if name == "ssm" else real(self, name, *args, **kwargs))

    with monkeypatch.context() as patched, stub:
        patched.setattr(boto3.session.Session, "client", session_client)
        code = main(["--image", "web-server", "--lift", "--region", "eu-west-1", "--execute"])
    stub.assert_no_pending_responses()
    assert code == 0
    assert (
        capsys.readouterr().out.splitlines()[-1].startswith(f"lifted: pipeline {PIPELINE} enabled, {STATUS} = ENABLED")
    )
    assert ssm.get_parameter(Name=STATUS)["Parameter"]["Value"] == "ENABLED"


def test_an_sdk_that_would_drop_a_pipeline_setting_is_refused_before_anything_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = boto3.client("imagebuilder", region_name="eu-west-1")
    hold_module.check_sdk(client)  # the botocore this project locks knows every field
    monkeypatch.setattr(hold_module, "_NEEDED", (*hold_module._NEEDED, "aFieldOfTomorrow"))
    with pytest.raises(hold_module.OutdatedSdk) as raised:
        hold_module.check_sdk(client)
    assert str(raised.value) == (
        "this boto3 does not know the pipeline fields aFieldOfTomorrow, so updating the pipeline would reset them; "
        "pip install -U 'golden-ami-factory[cli]' (or boto3) and run the command again"
    )
