"""``make bootstrap``: the ``cdk bootstrap`` command for every account and region that holds a
stack of ``cdk.out``, derived from the stacks' environments.

Every environment the CDK deploys to must be bootstrapped ("Bootstrap each AWS environment that you
plan to deploy CDK stacks to", https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-env.html).
An account other than the factory account trusts the factory account (``--trust``), whose
credentials ``make deploy`` runs with, to deploy there; the factory account trusts nobody else.
Each command names that account's deploy policies (``make policies``) as the CloudFormation
execution policies, instead of the ``AdministratorAccess`` the CLI attaches when none is given
(https://docs.aws.amazon.com/cdk/v2/guide/ref-cli-cmd-bootstrap.html).

    python -m constructs_lib.factory.bootstrap cdk.out [--run]

``--run`` (``make bootstrap RUN=1``) runs the commands of the account the caller's credentials
are for (STS ``GetCallerIdentity``) and prints the others to run with their accounts' credentials.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

from .deploy_policies import _stacks, assembly_argument, policies

CDK: Final = "node_modules/.bin/cdk"


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Bootstrap:
    """One ``cdk bootstrap`` of one account and region."""

    account: str
    region: str
    trust: str | None
    policies: tuple[str, ...]

    def argv(self) -> list[str]:
        args = [CDK, "bootstrap", f"aws://{self.account}/{self.region}"]
        if self.trust:
            args += ["--trust", self.trust]
        args += ["--cloudformation-execution-policies", ",".join(self.policies)]
        return args

    def command(self) -> str:
        return " ".join(self.argv())


def bootstraps(out: Path) -> list[Bootstrap]:
    """One :class:`Bootstrap` per account and region holding a stack of ``out``, the factory account first."""
    environments: set[tuple[str, str]] = set()
    factory: set[str] = set()
    for name, account, region, _ in _stacks(out):
        environments.add((account, region))
        if name.startswith("GoldenAmiFactory"):
            factory.add(account)
    arns: dict[str, list[str]] = {}
    for policy in policies(out):
        arns.setdefault(policy.account, []).append(policy.arn)
    home = next(iter(sorted(factory)), None)
    return [
        Bootstrap(
            account=account,
            region=region,
            trust=home if home is not None and account != home else None,
            policies=tuple(arns.get(account, ())),
        )
        for account, region in sorted(environments, key=lambda e: (e[0] != home, e))
    ]


def main(
    argv: Sequence[str] | None = None,
    *,
    caller: Callable[[], str] | None = None,
    run: Callable[[list[str]], int] | None = None,
) -> int:
    out, execute = assembly_argument(argv, "--run")
    if out is None:
        return 2
    found = bootstraps(out)
    if not execute:
        for bootstrap in found:
            print(bootstrap.command())
        return 0
    account = (caller or _sts_account)()
    mine = [b for b in found if b.account == account]
    if not mine:
        print(f"no stack of cdk.out is in account {account}, whose credentials these are", file=sys.stderr)
        return 1
    for bootstrap in mine:
        print(f"running: {bootstrap.command()}", flush=True)
        status = (run or _run)(bootstrap.argv())
        if status:
            return status
    for bootstrap in found:
        if bootstrap.account != account:
            print(f"with credentials of {bootstrap.account}: {bootstrap.command()}")
    return 0


def _sts_account() -> str:
    import boto3

    return str(boto3.client("sts").get_caller_identity()["Account"])


def _run(argv: list[str]) -> int:
    return subprocess.run(argv, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
