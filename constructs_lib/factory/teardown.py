"""``make destroy``: the factory's stacks destroyed in reverse dependency order after a
confirmation, then what they leave behind, with the command that removes each. A dry run unless
``--execute`` (``make destroy EXECUTE=1``).

What is left is derived from ``cdk.out``: every resource whose ``DeletionPolicy`` is ``Retain``
or ``RetainExceptOnCreate``, which CloudFormation keeps when it deletes the stack
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html),
and the AMIs and snapshots every distribution made, per region and account: deleting an Image
Builder image "does not delete any EC2 AMIs ... that are created during the image build process"
(https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_DeleteImage.html).
A retained resource's ID is read with ``describe-stack-resources`` by the stack's unique ID, which
AWS requires once a stack is deleted ("For deleted stacks, you must specify the unique stack ID",
https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStackResources.html)
and which ``list-stacks`` still shows for deleted stacks; so the printed commands work before and
after ``--execute``.

    python -m constructs_lib.factory.teardown cdk.out [--execute]
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final

from .deploy_policies import _stacks, assembly_argument

RETAINED: Final = ("Retain", "RetainExceptOnCreate")
REMOVE: Final = {
    # https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html (7 to 30 days' wait)
    "AWS::KMS::Key": "aws kms schedule-key-deletion --key-id {id} --pending-window-in-days 30 --region {region}",
    "AWS::Logs::LogGroup": "aws logs delete-log-group --log-group-name {id} --region {region}",
    "AWS::S3::Bucket": "aws s3 rb s3://{id} --force --region {region}",
    "AWS::ImageBuilder::LifecyclePolicy": "aws imagebuilder delete-lifecycle-policy --lifecycle-policy-arn {id} "
    "--region {region}",
    "AWS::ImageBuilder::Image": "aws imagebuilder delete-image --image-build-version-arn {id} --region {region}",
    # A hold's physical ID is its status parameter's name (PipelineHolds); deleting it forgets a revocation.
    "Custom::PipelineHold": "aws ssm delete-parameter --name {id} --region {region}",
    "AWS::IAM::Role": "aws iam delete-role --role-name {id}   # after removing its policies "
    "(aws iam list-role-policies / list-attached-role-policies)",
}
"""How each retained type the library makes is removed; any other through AWS Cloud Control."""
CDK: Final = "node_modules/.bin/cdk"


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Retained:
    """One resource a stack keeps when it is destroyed."""

    stack: str
    account: str
    region: str
    logical_id: str
    type: str

    def read(self) -> str:
        stack_id = (
            f"$(aws cloudformation list-stacks --region {self.region} --query "
            f"\"StackSummaries[?StackName=='{self.stack}'] | [0].StackId\" --output text)"
        )
        return (
            f"aws cloudformation describe-stack-resources --stack-name {stack_id} --logical-resource-id "
            f"{self.logical_id} --region {self.region} --query 'StackResources[0].PhysicalResourceId' --output text"
        )

    def remove(self) -> str:
        pattern = REMOVE.get(
            self.type, "aws cloudcontrol delete-resource --type-name {type} --identifier {id} --region {region}"
        )
        return pattern.format(id="<id>", region=self.region, type=self.type)


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Plan:
    order: tuple[tuple[str, str, str], ...]
    """``(stack, account, region)`` in the order they are destroyed: dependents first."""
    factory_account: str
    """The account of the factory stack, which a destroy asks to be typed."""
    retained: tuple[Retained, ...]
    amis: tuple[tuple[str, str, str], ...]
    """``(account, region, AMI name pattern)`` of every distribution."""


def plan(out: Path) -> Plan:
    stacks = list(_stacks(out))
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    depends = {
        name: [d for d in manifest["artifacts"][name].get("dependencies", []) if not d.endswith(".assets")]
        for name, _, _, _ in stacks
    }
    order: list[str] = []

    def visit(name: str) -> None:
        if name not in order:
            for dependency in depends.get(name, []):
                visit(dependency)
            order.append(name)

    for name, _, _, _ in stacks:
        visit(name)
    where = {name: (account, region) for name, account, region, _ in stacks}
    retained: list[Retained] = []
    amis: set[tuple[str, str, str]] = set()
    for name, account, region, template in stacks:
        for logical_id, resource in sorted(template.get("Resources", {}).items()):
            if resource.get("DeletionPolicy") in RETAINED:
                retained.append(
                    Retained(stack=name, account=account, region=region, logical_id=logical_id, type=resource["Type"])
                )
            if resource["Type"] == "AWS::ImageBuilder::DistributionConfiguration":
                amis.update(_amis(account, resource["Properties"]))
    destroyed = tuple((n, *where[n]) for n in reversed(order) if n in where)
    factory = next((where[n][0] for n in sorted(where) if n.startswith("GoldenAmiFactory")), destroyed[0][1])
    return Plan(order=destroyed, retained=tuple(retained), amis=tuple(sorted(amis)), factory_account=factory)


def _amis(account: str, properties: dict[str, Any]) -> set[tuple[str, str, str]]:
    found: set[tuple[str, str, str]] = set()
    for distribution in properties.get("Distributions", []):
        ami = distribution.get("AmiDistributionConfiguration", {})
        name = str(ami.get("Name", "*")).replace("{{ imagebuilder:buildDate }}", "*")
        for owner in [account, *ami.get("TargetAccountIds", [])]:
            found.add((owner, distribution["Region"], name))
    return found


def report(found: Plan, *, executed: bool) -> list[str]:
    verb = "destroyed" if executed else "would destroy"
    lines = [f"{verb}, in this order:"]
    lines += [f"  {stack} (account {account}, {region})" for stack, account, region in found.order]
    lines.append("left behind (DeletionPolicy Retain): read its ID with the first command, remove it with the second:")
    for item in found.retained:
        lines += [f"  {item.stack}/{item.logical_id} {item.type}", f"    {item.read()}", f"    {item.remove()}"]
    lines.append("AMIs and their snapshots, per account and region (with that account's credentials):")
    for account, region, name in found.amis:
        lines += [
            f"  {account} {region} {name}",
            f"    aws ec2 describe-images --owners self --filters Name=name,Values='{name}' --region {region} "
            "--query 'Images[].[ImageId,BlockDeviceMappings[].Ebs.SnapshotId]'",
            f"    aws ec2 deregister-image --image-id <ami> --region {region}; "
            f"aws ec2 delete-snapshot --snapshot-id <snapshot> --region {region}",
        ]
    return lines


def main(
    argv: Sequence[str] | None = None,
    *,
    confirm: Callable[[str], str] = input,
    run: Callable[[list[str]], int] | None = None,
) -> int:
    out, execute = assembly_argument(argv, "--execute")
    if out is None:
        return 2
    found = plan(out)
    if execute:
        accounts = sorted({account for _, account, _ in found.order})
        answer = confirm(
            f"Destroy {len(found.order)} stacks in {', '.join(accounts)}? Type the factory account ID to confirm: "
        )
        if answer.strip() != found.factory_account:
            print("not confirmed; nothing was destroyed", file=sys.stderr)
            return 1
        for stack, _, _ in found.order:
            status = (run or _run)([CDK, "destroy", "--app", str(out), "--force", stack])
            if status:
                print(f"destroying {stack} failed; the stacks after it are still there", file=sys.stderr)
                return status
    for line in report(found, executed=execute):
        print(line)
    return 0


def _run(argv: list[str]) -> int:
    return subprocess.run(argv, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
