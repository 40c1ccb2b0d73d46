"""``make policies``: the least-privilege policies CloudFormation needs to deploy the stacks of
``cdk.out``, per account and the kind of stacks it holds, derived from the templates.

For every resource type of every template in an account, the permissions its CloudFormation
resource handlers need (create, read, update and delete), from the resource provider schemas
cfn-lint ships (``handlers.<action>.permissions``; AWS: "Resource type schema",
https://docs.aws.amazon.com/cloudformation-cli/latest/userguide/resource-type-schema.html), for the
stack's region. A custom resource (``Custom::*``) needs ``lambda:InvokeFunction`` on its provider,
a function of the same account ("CloudFormation invokes the Lambda function",
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-custom-resources-lambda.html),
scoped to the account's functions since CDK names them at deploy. The schemas list actions, some
with AWS's own prefix wildcards (``ec2:Describe*``); no statement allows ``*`` or a whole service.
What the schemas cannot know, added by name: ``ssm:GetParameters`` on the parameters the
templates' SSM-typed parameters read (CDK's ``BootstrapVersion``: ``/cdk-bootstrap/<qualifier>/version``;
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-supplied-parameter-types.html).
AWS's pages do not say whether CloudFormation resolves them as the caller or as the execution
role; the read is granted, scoped to those names, so that neither way fails.

Resources are ``*`` in the handler statements: one handler's permissions span several resource
types and services, of which many allow no resource-level scoping, and the templates let
CloudFormation or the CDK name most resources at deploy; scoping each action to the names the
templates fix needs IAM's service authorization reference, which is not in this project. The
invoke and the parameter reads are scoped, and so are the inline policies of IAM users and groups:
``AWS::IAM::Policy``'s handlers list ``iam:PutUserPolicy`` and ``iam:PutGroupPolicy`` (and their
get and delete) because a policy may be attached to users or groups, which would let the
execution role give any user of the account any permission. For ``AWS::IAM::Policy`` they are
granted only where a template attaches a policy to a user (group), on exactly the users (groups)
it names, at any path (resource
types ``user`` and ``group`` of those actions: "Actions, resources, and condition keys for AWS
Identity and Access Management",
https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html).
A template with a user or group of its own (``AWS::IAM::User``, ``Group``, ``UserPolicy``,
``GroupPolicy``) keeps those actions unscoped, as their handlers list them. Role actions
(``iam:PutRolePolicy``, ``iam:PassRole``, ...) stay on ``*``: CloudFormation names most roles.

Each policy fits IAM's managed-policy size (6,144 characters without whitespace, IAM quotas,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html); the actions are
split over ``<name>``, ``<name>2``, ... when they do not fit one. The factory account's are named
``GoldenAmiDeploy``, any other account's ``GoldenAmiDestinationDeploy`` (DEPLOYING.md).

    python -m constructs_lib.factory.deploy_policies cdk.out [--into deploy-policies]
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Final

from ..checks.preflight import schemas

MANAGED_POLICY_MAX: Final = 6144
"""IAM: managed policy document size, characters excluding whitespace."""
HANDLERS: Final = ("create", "read", "update", "delete")
PRINCIPAL_POLICY_ACTIONS: Final = {
    "Users": ("user", ("iam:DeleteUserPolicy", "iam:GetUserPolicy", "iam:PutUserPolicy")),
    "Groups": ("group", ("iam:DeleteGroupPolicy", "iam:GetGroupPolicy", "iam:PutGroupPolicy")),
}
"""Per ``AWS::IAM::Policy`` property: the IAM resource type and the inline-policy actions on it."""
FACTORY_POLICY: Final = "GoldenAmiDeploy"
DESTINATION_POLICY: Final = "GoldenAmiDestinationDeploy"


def handler_permissions(resource_type: str, region: str) -> set[str]:
    """The permissions of ``resource_type``'s create, read, update and delete handlers in ``region``."""
    if not schemas.available():
        raise ValueError(
            "deploy policies: the resource schemas come with cfn-lint, which is not installed here; "
            "'pip install cfn-lint' (the project's requirements.txt pins it)"
        )
    schema = schemas.resource_schema(resource_type, region)
    if schema is None:
        raise ValueError(f"{resource_type}: no CloudFormation resource schema for {region} in cfn-lint's data")
    handlers = schema.get("handlers", {})
    return {p for h in HANDLERS for p in handlers.get(h, {}).get("permissions", [])}


def partition_of(region: str) -> str:
    return "aws-cn" if region.startswith("cn-") else "aws-us-gov" if region.startswith("us-gov-") else "aws"


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Policy:
    """One managed policy to create in ``account``."""

    account: str
    name: str
    document: dict[str, Any]

    @property
    def arn(self) -> str:
        return f"arn:{self.document['_partition']}:iam::{self.account}:policy/{self.name}"

    def body(self) -> dict[str, Any]:
        return {k: v for k, v in self.document.items() if not k.startswith("_")}

    def size(self) -> int:
        return len(json.dumps(self.body(), separators=(",", ":")))


def _stacks(out: Path) -> Iterable[tuple[str, str, str, dict[str, Any]]]:
    """``(stack name, account, region, template)`` of every stack in the assembly ``out``."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for name, artifact in sorted(manifest["artifacts"].items()):
        if artifact.get("type") != "aws:cloudformation:stack":
            continue
        account, region = artifact["environment"].removeprefix("aws://").split("/")
        template = json.loads((out / artifact["properties"]["templateFile"]).read_text(encoding="utf-8"))
        yield name, account, region, template


def assembly_argument(argv: Sequence[str] | None, flag: str) -> tuple[Path | None, bool]:
    """A command's ``[cdk.out] [flag]`` arguments: the assembly (None, reported, when it holds no
    cloud assembly) and whether ``flag`` was given."""
    args = list(sys.argv[1:] if argv is None else argv)
    paths = [a for a in args if a != flag]
    out = Path(paths[0] if paths else "cdk.out")
    if not (out / "manifest.json").exists():
        print(f"{out}: no cloud assembly; run 'make synth' first", file=sys.stderr)
        return None, flag in args
    return out, flag in args


def _pack(actions: list[str], fixed: list[dict[str, Any]]) -> list[list[str]]:
    """``actions`` split into as few groups as fit one policy each beside the ``fixed`` statements."""
    groups: list[list[str]] = [[]]
    for action in actions:
        trial = {"Version": "2012-10-17", "Statement": [*fixed, _statement(1, [*groups[-1], action])]}
        if groups[-1] and len(json.dumps(trial, separators=(",", ":"))) > MANAGED_POLICY_MAX:
            groups.append([])
        groups[-1].append(action)
    return groups


def _statement(n: int, actions: list[str]) -> dict[str, Any]:
    return {"Sid": f"ResourceHandlers{n}", "Effect": "Allow", "Action": sorted(actions), "Resource": "*"}


def policies(out: Path) -> list[Policy]:
    """The policies of every account that holds a stack of ``out``."""
    types: dict[str, set[tuple[str, str]]] = {}
    factory_accounts: set[str] = set()
    custom: dict[str, set[str]] = {}
    parameters: dict[str, set[str]] = {}
    attached: dict[str, dict[str, set[str]]] = {}  # account -> Users/Groups -> names ("*" for a reference)
    for name, account, region, template in _stacks(out):
        if name.startswith("GoldenAmiFactory"):
            factory_accounts.add(account)
        for parameter in template.get("Parameters", {}).values():
            if str(parameter.get("Type", "")).startswith("AWS::SSM::Parameter::") and "Default" in parameter:
                parameters.setdefault(account, set()).add(str(parameter["Default"]))
        for resource in template.get("Resources", {}).values():
            kind = resource["Type"]
            if kind.startswith("Custom::") or kind == "AWS::CloudFormation::CustomResource":
                custom.setdefault(account, set()).add(region)
            else:
                types.setdefault(account, set()).add((kind, region))
            if kind == "AWS::IAM::Policy":
                for key in PRINCIPAL_POLICY_ACTIONS:
                    for principal in resource.get("Properties", {}).get(key, []) or []:
                        named = attached.setdefault(account, {}).setdefault(key, set())
                        named.add(principal if isinstance(principal, str) else "*")
    made: list[Policy] = []
    for account in sorted(set(types) | set(custom) | set(parameters)):
        regions = {r for _, r in types.get(account, set())} | custom.get(account, set()) or {"us-east-1"}
        partition = partition_of(sorted(regions)[0])
        scoped = {a for _, listed in PRINCIPAL_POLICY_ACTIONS.values() for a in listed}
        permissions = {(kind, region): handler_permissions(kind, region) for kind, region in types.get(account, set())}
        actions = sorted({p for found in permissions.values() for p in found})
        # Scoped only as AWS::IAM::Policy needs them; a user, group or their own policies
        # (AWS::IAM::User, Group, UserPolicy, GroupPolicy) keep their handlers' actions as listed.
        unscoped_elsewhere = {
            p for (kind, _), found in permissions.items() if kind != "AWS::IAM::Policy" for p in found & scoped
        }
        principal_statements = [
            {
                "Sid": f"InlinePoliciesOf{key}",
                "Effect": "Allow",
                "Action": [a for a in listed if a in actions],
                # A name, at the root path or under any path (the ARN carries the path).
                "Resource": [
                    f"arn:{partition}:iam::{account}:{kind}/{path}{n}"
                    for n in sorted(principals)
                    for path in ("", "*/")
                ],
            }
            for key, (kind, listed) in PRINCIPAL_POLICY_ACTIONS.items()
            if (principals := attached.get(account, {}).get(key)) and any(a in actions for a in listed)
        ]
        actions = [a for a in actions if a not in scoped or a in unscoped_elsewhere]
        fixed: list[dict[str, Any]] = (
            [
                {
                    "Sid": "InvokeCustomResourceProviders",
                    "Effect": "Allow",
                    "Action": "lambda:InvokeFunction",
                    "Resource": f"arn:{partition}:lambda:*:{account}:function:*",
                }
            ]
            if account in custom
            else []
        )
        fixed += principal_statements
        names = sorted(parameters.get(account, set()))
        if names:
            fixed.append(
                {
                    "Sid": "ReadTemplateParameters",
                    "Effect": "Allow",
                    "Action": "ssm:GetParameters",
                    "Resource": [f"arn:{partition}:ssm:*:{account}:parameter{n}" for n in names],
                }
            )
        base = FACTORY_POLICY if account in factory_accounts else DESTINATION_POLICY
        for n, group in enumerate(_pack(actions, fixed), start=1):
            statements = [_statement(n, group)] if group else []
            document = {
                "_partition": partition,
                "Version": "2012-10-17",
                "Statement": (fixed if n == 1 else []) + statements,
            }
            made.append(Policy(account=account, name=base if n == 1 else f"{base}{n}", document=document))
    return made


def write(into: Path, found: list[Policy]) -> list[str]:
    """Write each policy as ``into/<account>/<name>.json`` (outside ``cdk.out``, which every synth
    replaces) and return the commands that create them, or, once they exist, add a version
    (a managed policy keeps at most 5 versions: delete the oldest first)."""
    commands: list[str] = []
    for policy in found:
        path = into / policy.account / f"{policy.name}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(policy.body(), indent=2) + "\n", encoding="utf-8")
        commands.append(
            f"aws iam create-policy --policy-name {policy.name} --policy-document file://{path}"
            f"   # with credentials of {policy.account}; once it exists: aws iam create-policy-version "
            f"--policy-arn {policy.arn} --policy-document file://{path} --set-as-default"
        )
    return commands


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    into = Path("deploy-policies")
    if "--into" in args:
        at = args.index("--into")
        into = Path(args[at + 1])
        del args[at : at + 2]
    out = Path(args[0] if args else "cdk.out")
    if not (out / "manifest.json").exists():
        print(f"{out}: no cloud assembly; run 'make synth' first", file=sys.stderr)
        return 2
    found = policies(out)
    for command in write(into, found):
        print(command)
    by_account: dict[str, list[str]] = {}
    for policy in found:
        by_account.setdefault(policy.account, []).append(policy.arn)
    for account, arns in by_account.items():
        print(f"# {account}: cdk bootstrap ... --cloudformation-execution-policies {','.join(arns)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
