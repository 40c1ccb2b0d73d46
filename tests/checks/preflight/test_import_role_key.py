"""GA-P015: the VM Import role may use the key an import encrypts with (good and bad examples)."""

from __future__ import annotations

import copy
from typing import Any

from constructs_lib.checks.preflight import Severity
from constructs_lib.checks.preflight.rules import import_role_key
from tests.checks.preflight.scenario import F, assemble

ROLE = "golden-ami-factory-vmimport"
KEY_ARN = {"Fn::GetAtt": ["Key", "Arn"]}


def stacks(role_actions: list[str] | None = None, key_principal: str = f"arn:aws:iam::{F}:root") -> dict[str, Any]:
    actions = list(import_role_key.KEY_ACTIONS) if role_actions is None else role_actions
    return {
        "Import": {
            "account": F,
            "region": "eu-west-1",
            "resources": {
                "Key": {
                    "Type": "AWS::KMS::Key",
                    "Properties": {
                        "KeyPolicy": {
                            "Statement": [
                                {
                                    "Effect": "Allow",
                                    "Principal": {"AWS": key_principal},
                                    "Action": "kms:*",
                                    "Resource": "*",
                                }
                            ]
                        }
                    },
                },
                "Role": {
                    "Type": "AWS::IAM::Role",
                    "Properties": {
                        "RoleName": ROLE,
                        "Policies": [
                            {
                                "PolicyName": "VmImport",
                                "PolicyDocument": {
                                    "Statement": [{"Effect": "Allow", "Action": actions, "Resource": KEY_ARN}]
                                },
                            }
                        ],
                    },
                },
                "Disk": {
                    "Type": import_role_key.IMPORT_TYPE,
                    "Properties": {"KmsKeyId": KEY_ARN, "RoleName": ROLE, "S3Url": "s3://disks/a.vmdk"},
                },
            },
        }
    }


def errors(given: dict[str, Any]) -> list[str]:
    found = import_role_key.RULE.check(assemble(given))
    return [f.message for f in found if f.severity is Severity.ERROR]


def test_accepts_a_role_with_the_documented_key_actions_on_a_key_its_account_may_use() -> None:
    assert errors(stacks()) == []


def test_flags_a_role_without_key_actions() -> None:
    (message,) = errors(stacks(role_actions=["kms:DescribeKey"]))
    assert message.startswith(f"role '{ROLE}' may not use the import's key (kms:CreateGrant, kms:Decrypt, kms:Encrypt")


def test_flags_a_key_policy_that_admits_neither_the_role_nor_its_account() -> None:
    (message,) = errors(stacks(key_principal="arn:aws:iam::999999999999:root"))
    assert f"does not let role '{ROLE}' (or its account) use it" in message


def test_flags_a_role_no_stack_creates() -> None:
    given = stacks()
    given["Import"]["resources"]["Disk"]["Properties"]["RoleName"] = "vmimport"
    (message,) = errors(given)
    assert message.startswith("ImportImage would run as role 'vmimport', which no stack of account")


def test_flags_an_unencrypted_import() -> None:
    given = copy.deepcopy(stacks())
    del given["Import"]["resources"]["Disk"]["Properties"]["KmsKeyId"]
    assert errors(given) == [
        "the import names no KMS key; encrypt it with the factory's key (VmImportImage kms_key_arn)"
    ]


def test_constants_match_the_library() -> None:
    from constructs_lib.bake.vm_import import RESOURCE_TYPE
    from constructs_lib.bake.vm_import_role import KEY_ACTIONS

    assert (import_role_key.IMPORT_TYPE, import_role_key.KEY_ACTIONS) == (RESOURCE_TYPE, KEY_ACTIONS)
