"""``make policies``: each account's policies cover every resource type of its templates with the
schema's handler permissions, custom resources included, allow no ``*`` action and fit IAM's size.
The default factory and every example run through :func:`check_policies` where they are
synthesized already (tests/test_app.py, tests/test_examples.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from constructs_lib.checks.preflight._model import listed
from constructs_lib.factory import deploy_policies as dp

_WHOLE: re.Pattern[str] = re.compile(r"(\*|[a-z0-9-]+:\*)")


def check_policies(out: Path) -> list[dp.Policy]:
    """Assert the three properties of the issue for the assembly ``out``; return the policies.
    The inline-policy actions on IAM users and groups are the one scoped exception: present, on
    exactly the users (groups) named, only where a template attaches a policy to one."""
    found = dp.policies(out)
    allowed: dict[str, set[str]] = {}
    invoke: set[str] = set()
    on_principals: dict[str, set[str]] = {}
    for policy in found:
        assert policy.size() <= dp.MANAGED_POLICY_MAX, (policy.name, policy.size())
        for statement in policy.body()["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert not [a for a in actions if _WHOLE.fullmatch(a)], policy.name
            allowed.setdefault(policy.account, set()).update(actions)
            if "lambda:InvokeFunction" in actions:
                invoke.add(policy.account)
            if any(":user/" in r or ":group/" in r for r in listed(statement["Resource"])):
                on_principals.setdefault(policy.account, set()).update(actions)
    scoped = {a for _, of_kind in dp.PRINCIPAL_POLICY_ACTIONS.values() for a in of_kind}
    for _, account, region, template in dp._stacks(out):
        for resource in template.get("Resources", {}).values():
            kind = resource["Type"]
            if kind.startswith("Custom::"):
                assert account in invoke, (account, kind)
            else:
                needed = dp.handler_permissions(kind, region)
                used = {
                    a
                    for key, (_, of_kind) in dp.PRINCIPAL_POLICY_ACTIONS.items()
                    if resource.get("Properties", {}).get(key)
                    for a in of_kind
                }
                missing = (needed - (scoped if kind == "AWS::IAM::Policy" else set())) - allowed.get(account, set())
                assert not missing, (account, kind, sorted(missing))
                assert (needed & used) <= on_principals.get(account, set()), (account, kind)
        unscoped = {
            a
            for p in found
            if p.account == account
            for s in p.body()["Statement"]
            if s["Resource"] == "*"
            for a in listed(s["Action"])
        }
        own = any(
            r["Type"] in ("AWS::IAM::User", "AWS::IAM::Group", "AWS::IAM::UserPolicy", "AWS::IAM::GroupPolicy")
            for _, a, _, t in dp._stacks(out)
            if a == account
            for r in t.get("Resources", {}).values()
        )
        assert own or not unscoped & scoped, (account, sorted(unscoped & scoped))
    return found


def assembly(tmp_path: Path, stacks: dict[str, tuple[str, dict[str, object]]]) -> Path:
    artifacts = {
        name: {
            "type": "aws:cloudformation:stack",
            "environment": env,
            "properties": {"templateFile": f"{name}.template.json"},
        }
        for name, (env, _) in stacks.items()
    }
    (tmp_path / "manifest.json").write_text(json.dumps({"artifacts": artifacts}))
    for name, (_, template) in stacks.items():
        (tmp_path / f"{name}.template.json").write_text(json.dumps(template))
    return tmp_path


def test_an_account_gets_its_types_handler_permissions_and_the_invoke_of_its_custom_resources(tmp_path: Path) -> None:
    out = assembly(
        tmp_path,
        {
            "GoldenAmiFactory": ("aws://210987654321/eu-west-1", {"Resources": {"K": {"Type": "AWS::KMS::Key"}}}),
            "GoldenAmiDestination-210987654322": (
                "aws://210987654322/eu-west-1",
                {"Resources": {"G": {"Type": "Custom::AutoScalingKeyGrant"}, "Q": {"Type": "AWS::SQS::Queue"}}},
            ),
        },
    )
    factory, destination = check_policies(out)
    assert (factory.name, factory.account, destination.name) == (
        "GoldenAmiDeploy",
        "210987654321",
        "GoldenAmiDestinationDeploy",
    )
    assert "kms:CreateKey" in factory.body()["Statement"][0]["Action"]
    assert not any(s["Sid"] == "InvokeCustomResourceProviders" for s in factory.body()["Statement"])
    assert destination.body()["Statement"][0] == {
        "Sid": "InvokeCustomResourceProviders",
        "Effect": "Allow",
        "Action": "lambda:InvokeFunction",
        "Resource": "arn:aws:lambda:*:210987654322:function:*",
    }
    assert destination.arn == "arn:aws:iam::210987654322:policy/GoldenAmiDestinationDeploy"


def test_the_bootstrap_version_parameter_is_readable_by_name(tmp_path: Path) -> None:
    template = {
        "Parameters": {
            "BootstrapVersion": {
                "Type": "AWS::SSM::Parameter::Value<String>",
                "Default": "/cdk-bootstrap/hnb659fds/version",
            }
        },
        "Resources": {"K": {"Type": "AWS::KMS::Key"}},
    }
    out = assembly(tmp_path, {"GoldenAmiFactory": ("aws://210987654321/eu-west-1", template)})
    (policy,) = check_policies(out)
    assert policy.body()["Statement"][0] == {
        "Sid": "ReadTemplateParameters",
        "Effect": "Allow",
        "Action": "ssm:GetParameters",
        "Resource": ["arn:aws:ssm:*:210987654321:parameter/cdk-bootstrap/hnb659fds/version"],
    }


def test_actions_past_one_policys_size_go_to_a_second_policy() -> None:
    groups = dp._pack([f"service:Action{n:04d}" for n in range(400)], [])
    assert len(groups) == 2 and sum(map(len, groups)) == 400
    for n, group in enumerate(groups, start=1):
        body = {"Version": "2012-10-17", "Statement": [dp._statement(n, group)]}
        assert len(json.dumps(body, separators=(",", ":"))) <= dp.MANAGED_POLICY_MAX


def test_a_type_without_a_schema_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match=r"^AWS::Nope::Thing: no CloudFormation resource schema for eu-west-1"):
        dp.handler_permissions("AWS::Nope::Thing", "eu-west-1")


@pytest.mark.parametrize(
    ("region", "partition"), [("eu-west-1", "aws"), ("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov")]
)
def test_partition_follows_the_region(region: str, partition: str) -> None:
    assert dp.partition_of(region) == partition


def test_main_writes_the_policies_and_prints_the_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = assembly(
        tmp_path,
        {"GoldenAmiFactory": ("aws://210987654321/eu-west-1", {"Resources": {"K": {"Type": "AWS::KMS::Key"}}})},
    )
    into = tmp_path / "deploy-policies"
    assert dp.main([str(out), "--into", str(into)]) == 0
    printed = capsys.readouterr().out.splitlines()
    path = into / "210987654321" / "GoldenAmiDeploy.json"
    assert printed[0] == (
        f"aws iam create-policy --policy-name GoldenAmiDeploy --policy-document file://{path}"
        "   # with credentials of 210987654321; once it exists: aws iam create-policy-version --policy-arn "
        f"arn:aws:iam::210987654321:policy/GoldenAmiDeploy --policy-document file://{path} --set-as-default"
    )
    assert json.loads(path.read_text())["Version"] == "2012-10-17"
    assert dp.main([str(tmp_path / "none")]) == 2


def test_inline_policies_of_users_and_groups_only_on_those_a_template_names(tmp_path: Path) -> None:
    role_policy = {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "p", "Roles": ["r"], "PolicyDocument": {}}}
    user_policy = {
        "Type": "AWS::IAM::Policy",
        "Properties": {"PolicyName": "u", "Users": ["deployer"], "PolicyDocument": {}},
    }
    out = assembly(
        tmp_path,
        {
            "Roles": ("aws://111111111111/eu-west-1", {"Resources": {"P": role_policy}}),
            "Users": ("aws://222222222222/eu-west-1", {"Resources": {"P": user_policy}}),
        },
    )
    found = check_policies(out)
    by_account = {p.account: p.body()["Statement"] for p in found}
    everything = json.dumps(by_account["111111111111"])
    # No template of 111111111111 attaches a policy to a user or group: the execution role cannot.
    assert "iam:PutUserPolicy" not in everything and "iam:PutGroupPolicy" not in everything
    (users,) = [s for s in by_account["222222222222"] if s["Sid"] == "InlinePoliciesOfUsers"]
    assert users["Resource"] == ["arn:aws:iam::222222222222:user/deployer", "arn:aws:iam::222222222222:user/*/deployer"]
    assert "iam:PutUserPolicy" in users["Action"]
    assert "iam:PutGroupPolicy" not in json.dumps(by_account["222222222222"])


def test_a_user_of_its_own_keeps_its_handlers_actions(tmp_path: Path) -> None:
    user = {"Type": "AWS::IAM::User", "Properties": {"UserName": "ci", "Policies": []}}
    out = assembly(tmp_path, {"Users": ("aws://111111111111/eu-west-1", {"Resources": {"U": user}})})
    found = check_policies(out)
    allowed = {a for p in found for s in p.body()["Statement"] for a in listed(s["Action"])}
    assert "iam:PutUserPolicy" in allowed  # AWS::IAM::User's handlers put its inline policies
