"""Every trust policy the default factory (and, from test_examples, every example) synthesizes:
no service or cross-account principal without the conditions its AWS page documents, outside
the reviewed exemption table (constructs_lib/_core/trust.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from constructs_lib._core.trust import TRUST_EXEMPTIONS, TRUST_RULES, rule_for
from constructs_lib.checks.preflight._model import listed


def _account_of(arn: Any) -> str | None:
    """The account an IAM ARN (a string, or a join of one) names, None for anything else."""
    text = json.dumps(arn)
    for part in text.split(":iam::")[1:]:
        return part[:12] if part[:12].isdigit() else None
    return None


def _roles(templates: Mapping[str, Mapping[str, Any]]) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """(stack, path, role properties) of every role, StackSet member templates included (their
    account is each member's: ``Ref: AWS::AccountId``)."""
    for stack, template in templates.items():
        for logical_id, resource in template.get("Resources", {}).items():
            if resource["Type"] == "AWS::IAM::Role":
                yield stack, f"{stack}/{logical_id}", resource["Properties"]
            elif resource["Type"] == "AWS::CloudFormation::StackSet":
                body = json.loads(resource["Properties"]["TemplateBody"])
                for inner_id, inner in body.get("Resources", {}).items():
                    if inner["Type"] == "AWS::IAM::Role":
                        yield "", f"{stack}/{logical_id}/{inner_id}", inner["Properties"]


def trust_problems(templates: Mapping[str, Mapping[str, Any]], accounts: Mapping[str, str]) -> Iterator[str]:
    """What is wrong with each trust statement of ``templates`` (stack name -> template);
    ``accounts``: stack name -> its account (a StackSet member's is unknown: every account is
    another)."""
    for stack, where, properties in _roles(templates):
        for statement in properties["AssumeRolePolicyDocument"]["Statement"]:
            principal = statement.get("Principal", {})
            keys = {k for block in statement.get("Condition", {}).values() for k in block}
            for service in listed(principal.get("Service", [])):
                rule = rule_for(service)
                if rule is None:
                    yield f"{where}: service {service} is in neither the rules nor the exemptions"
                elif not set(rule.conditions) <= keys:
                    yield f"{where}: {service} lacks {sorted(set(rule.conditions) - keys)} ({rule.page})"
            for aws in listed(principal.get("AWS", [])):
                account = _account_of(aws)
                if account is not None and account == accounts.get(stack):
                    continue  # this account's own IAM decides who may assume it
                if rule_for(f"role/{properties.get('RoleName')}") is not None:
                    continue  # a reviewed exemption
                rule = rule_for("account")
                assert rule is not None
                if ":root" not in json.dumps(aws) or not set(rule.conditions) <= keys:
                    yield f"{where}: trusts {json.dumps(aws)} without {list(rule.conditions)} ({rule.page})"


def test_the_table_cites_a_page_for_every_entry_and_a_reason_for_every_exemption() -> None:
    assert all(r.page.startswith("https://docs.aws.amazon.com/") for r in (*TRUST_RULES, *TRUST_EXEMPTIONS))
    assert all(len(r.why) > 40 for r in TRUST_EXEMPTIONS)
    assert all(r.conditions for r in TRUST_RULES)
    principals = [r.principal for r in (*TRUST_RULES, *TRUST_EXEMPTIONS)]
    assert len(principals) == len(set(principals))


def test_stackset_member_roles_are_read_and_a_named_role_principal_is_found() -> None:
    member = {
        "Resources": {
            "Revoke": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "RoleName": "GoldenAmiRevoke",
                    "AssumeRolePolicyDocument": {
                        # A role ARN as principal: IAM refuses it until that role exists.
                        "Statement": [{"Principal": {"AWS": "arn:aws:iam::111111111111:role/GoldenAmiRevoker"}}]
                    },
                },
            }
        }
    }
    stackset = {"Type": "AWS::CloudFormation::StackSet", "Properties": {"TemplateBody": json.dumps(member)}}
    (found,) = trust_problems({"Members": {"Resources": {"StackSet": stackset}}}, {"Members": "111111111111"})
    assert found.startswith("Members/StackSet/Revoke: trusts") and "aws:PrincipalArn" in found


def test_the_default_factorys_trust_policies(default_assembly: Any) -> None:
    templates = {s.stack_name: s.template for s in default_assembly.stacks}
    accounts = {s.stack_name: s.environment.account for s in default_assembly.stacks}
    assert list(trust_problems(templates, accounts)) == []


def test_a_missing_condition_and_an_unreviewed_root_trust_are_found() -> None:
    role = {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "RoleName": "Mine",
            "AssumeRolePolicyDocument": {
                "Statement": [
                    {"Principal": {"Service": "vpc-flow-logs.amazonaws.com"}, "Action": "sts:AssumeRole"},
                    {"Principal": {"AWS": "arn:aws:iam::222222222222:root"}, "Action": "sts:AssumeRole"},
                    {"Principal": {"Service": "pipes.amazonaws.com"}, "Action": "sts:AssumeRole"},
                ]
            },
        },
    }
    found = list(trust_problems({"S": {"Resources": {"R": role}}}, {"S": "111111111111"}))
    assert len(found) == 3
    assert "vpc-flow-logs.amazonaws.com lacks ['aws:SourceAccount', 'aws:SourceArn']" in found[0]
    assert any("pipes.amazonaws.com is in neither" in f for f in found)
    assert any('trusts "arn:aws:iam::222222222222:root" without' in f for f in found)


def pass_role_problems(templates: Mapping[str, Mapping[str, Any]]) -> Iterator[str]:
    """Every ``iam:PassRole`` statement without ``iam:PassedToService``
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#ck_PassedToService)."""
    for stack, template in templates.items():
        for logical_id, resource in template.get("Resources", {}).items():
            properties = resource.get("Properties", {})
            documents = [
                properties.get("PolicyDocument"),
                *(p.get("PolicyDocument") for p in properties.get("Policies", [])),
            ]
            for document in filter(None, documents):
                for statement in document["Statement"]:
                    if "iam:PassRole" in listed(statement["Action"]) and statement.get("Effect", "Allow") == "Allow":
                        keys = {k for block in statement.get("Condition", {}).values() for k in block}
                        if "iam:PassedToService" not in keys:
                            yield f"{stack}/{logical_id}: iam:PassRole without iam:PassedToService"


def test_every_pass_role_of_the_default_factory_names_its_service(default_assembly: Any) -> None:
    templates = {s.stack_name: s.template for s in default_assembly.stacks}
    assert list(pass_role_problems(templates)) == []
    assert list(
        pass_role_problems(
            {
                "S": {
                    "Resources": {
                        "P": {
                            "Properties": {
                                "PolicyDocument": {
                                    "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]
                                }
                            }
                        }
                    }
                }
            }
        )
    ) == ["S/P: iam:PassRole without iam:PassedToService"]
