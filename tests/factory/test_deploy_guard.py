"""``make deploy``'s guard: placeholders and a missing account refused at their lines before any
AWS call; then the caller's account (STS, through botocore's Stubber) against the file's."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import NoCredentialsError
from botocore.stub import Stubber

from constructs_lib.factory import deploy_guard

ROOT = Path(__file__).resolve().parents[2]
OWN = """account: "210987654321"
home_region: eu-west-1
accounts:
  destinations: ["210987654322"]
images:
  - name: web
    base: {os: amazon-linux-2023}
    components: [{aws: update-linux}]
"""


def never() -> str:
    raise AssertionError("the guard called AWS although the file is refused")


def sts(account: str) -> tuple[Stubber, Callable[[], str]]:
    client = boto3.client("sts", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    stub = Stubber(client)
    stub.add_response(
        "get_caller_identity",
        {"Account": account, "Arn": f"arn:aws:iam::{account}:user/me", "UserId": "AIDAEXAMPLE"},
        {},
    )
    stub.activate()
    return stub, lambda: str(client.get_caller_identity()["Account"])


def test_the_sample_factory_is_refused_at_every_placeholder_without_an_aws_call() -> None:
    problems = deploy_guard.check(ROOT / "factory.yaml", never)
    assert problems[0] == (
        f"{ROOT / 'factory.yaml'}:1: account: not given; a deploy needs the factory account named in the file, or it "
        "deploys into whichever account your credentials reach: add 'account: \"<12-digit factory account>\"'"
    )
    located = [p.split("factory.yaml:", 1)[1].split(": '", 1)[0] for p in problems[1:]]
    assert located == [
        "9: accounts.destinations[0]",
        "12: accounts.stackset.organizational_units[0]",
        "15: sharing.accounts[0]",
        "16: sharing.organizational_units[0]",
        "16: sharing.organizational_units[0]",
        "16: sharing.organizational_units[0]",
    ]
    assert problems[1].endswith(
        "accounts.destinations[0]: '222222222222' is a placeholder from the sample or AWS's examples; replace it "
        "with your own ID (DEPLOYING.md, step 1) before 'make deploy'"
    )


@pytest.mark.parametrize("value", ["111111111111", "123456789012", "o-exampleorg1", "ou-ab12-cdefgh34"])
def test_each_kind_of_placeholder_is_found_in_an_id_or_an_arn(value: str) -> None:
    assert deploy_guard.placeholders(value) == [value]
    assert deploy_guard.placeholders(f"arn:aws:organizations::210987654321:ou/{value}/x") == [value]


def test_own_ids_are_not_placeholders() -> None:
    assert deploy_guard.placeholders("arn:aws:organizations::210987654321:ou/o-a1b2c3d4e5/ou-a1b2-c3d4e5f6") == []


def test_a_file_of_own_ids_deploys_when_the_caller_is_in_its_account(tmp_path: Path) -> None:
    (tmp_path / "factory.yaml").write_text(OWN)
    stub, caller = sts("210987654321")
    assert deploy_guard.check(tmp_path / "factory.yaml", caller) == []
    stub.assert_no_pending_responses()


def test_a_caller_in_another_account_is_refused_naming_both(tmp_path: Path) -> None:
    (tmp_path / "factory.yaml").write_text(OWN)
    _, caller = sts("210987654399")
    assert deploy_guard.check(tmp_path / "factory.yaml", caller) == [
        f"{tmp_path / 'factory.yaml'}: account: the factory account is 210987654321, but your credentials are for "
        "210987654399; sign in to the factory account, or correct 'account:' if it is wrong"
    ]


def test_no_credentials_is_refused_with_the_way_to_sign_in(tmp_path: Path) -> None:
    (tmp_path / "factory.yaml").write_text(OWN)

    def absent() -> str:
        raise NoCredentialsError()

    (problem,) = deploy_guard.check(tmp_path / "factory.yaml", absent)
    assert problem.endswith(
        "cannot tell whose credentials these are (NoCredentialsError: Unable to locate credentials); sign in to the "
        "factory account 210987654321 (for example 'aws sso login' and AWS_PROFILE) and run 'make deploy' again"
    )


def test_main_exits_1_on_the_sample_and_says_nothing_was_deployed(capsys: pytest.CaptureFixture[str]) -> None:
    assert deploy_guard.main([str(ROOT / "factory.yaml")]) == 1
    assert capsys.readouterr().err.rstrip().endswith("make deploy: refused (7 problems above); nothing was deployed")


def test_make_deploy_runs_the_guard_before_deploying_the_checked_assembly() -> None:
    plan = subprocess.run(["make", "-n", "deploy"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    guard = plan.index("-m constructs_lib.factory.deploy_guard factory.yaml")
    deploy = plan.index("deploy --all --app cdk.out")
    held = plan.index("-m constructs_lib.factory.held_builds cdk.out")
    pins = plan.index("-m constructs_lib.factory.held_pins cdk.out")
    assert plan.index("cdk.out.next") < guard < held < pins < deploy  # synth, the guards, the checked cdk.out
    diff = subprocess.run(["make", "-n", "diff"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "diff --app cdk.out" in diff
