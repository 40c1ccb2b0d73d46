"""GA-P015: the VM Import service role may use the key an import encrypts with.

EC2 ``ImportImage`` with ``Encrypted`` and a ``KmsKeyId`` creates the snapshots as the VM
Import/Export service role named by ``RoleName``; for encrypted imports AWS's documented service
role policy gives that role ``kms:CreateGrant``, ``kms:Decrypt``, ``kms:DescribeKey``,
``kms:Encrypt``, ``kms:GenerateDataKey*`` and ``kms:ReEncrypt*`` on the key. The role's own
policy must allow them, and the key's policy must let the role's account (or the role) use the
key. An import naming a role no stack of its account creates, or a key outside the assembly,
is reported: the first fails at import time, the second cannot be judged here.

https://docs.aws.amazon.com/vm-import/latest/userguide/required-permissions.html ("Required
service role": the KMS statement for importing with a customer managed key).
"""

from __future__ import annotations

from collections.abc import Iterator

from .._policy import Principal, missing_actions, role_allows
from ..assembly import Assembly, Reference
from ..finding import Finding, Rule

# The custom resource type and the role's key actions of constructs_lib.bake.vm_import and
# vm_import_role (repeated so that the preflight loads no CDK; a test holds them equal).
IMPORT_TYPE = "Custom::GoldenAmiVmImport"
KEY_ACTIONS = (
    "kms:CreateGrant",
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey*",
    "kms:ReEncrypt*",
)


def _role(assembly: Assembly, account: str | None, name: str) -> Reference | None:
    for stack, logical_id, resource in assembly.resources("AWS::IAM::Role"):
        if stack.account != account:
            continue
        if assembly.text(stack, resource.get("Properties", {}).get("RoleName")) == name:
            return Reference(stack=stack.name, logical_id=logical_id)
    return None


def check(assembly: Assembly) -> Iterator[Finding]:
    for stack, logical_id, resource in assembly.resources(IMPORT_TYPE):
        where = f"{stack.name}/{logical_id}"
        properties = resource.get("Properties", {})
        key = assembly.key(stack, properties.get("KmsKeyId"))
        name = assembly.text(stack, properties.get("RoleName"))
        if key is None:
            yield RULE.error(
                (where,), "the import names no KMS key; encrypt it with the factory's key (VmImportImage kms_key_arn)"
            )
            continue
        if name is None:
            yield RULE.error((where,), "the import names no VM Import role; pass a VmImportRole")
            continue
        role = _role(assembly, stack.account, name)
        if role is None:
            yield RULE.error(
                (where,),
                f"ImportImage would run as role {name!r}, which no stack of account {stack.account} creates; "
                "create it with VmImportRole in the same app, or name the role that exists",
            )
            continue
        lacking = role_allows(assembly, role, KEY_ACTIONS)
        if lacking:
            yield RULE.error(
                (where, role.path),
                f"role {name!r} may not use the import's key ({', '.join(lacking)}); give it AWS's documented "
                "key actions on that key (VmImportRole(kms_key_arn=...))",
            )
        if not isinstance(key, Reference):
            yield RULE.warning(
                (where,),
                f"the import's key {key} is not in this app, so its key policy cannot be checked; make sure it "
                f"lets account {stack.account} (or role {name!r}) use it",
            )
            continue
        principal = Principal(account=stack.account or "", role_name=name, role=role, label=name)
        refused = missing_actions(assembly, key, principal, KEY_ACTIONS)
        if refused:
            yield RULE.error(
                (where, key.path),
                f"key {key.path} does not let role {name!r} (or its account) use it ({', '.join(refused)}); "
                "let the factory account's root use the key so that IAM decides, or name the role",
            )


RULE = Rule(
    id="GA-P015",
    title="the VM Import role may use the key an import encrypts with",
    citation="https://docs.aws.amazon.com/vm-import/latest/userguide/required-permissions.html",
    check=check,
)
