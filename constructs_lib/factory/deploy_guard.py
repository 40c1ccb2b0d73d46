"""``make deploy``'s guard: refuse, before any AWS call that changes something, a deploy of a
factory file that still names the sample's placeholders, names no factory account, or names
another account than the caller's credentials reach.

The sample file and the README use AWS's documentation account IDs (``123456789012``,
``111122223333``, ``444455556666``, ``777788889999``), IDs of one repeated digit
(``111111111111``) and the organization and OU IDs of AWS's examples (``o-exampleorg1``,
``ou-ab12-...``); a deploy with any of them would copy AMIs to, share with, or deploy into an
account nobody owns, or fail an hour in. Each problem is reported as ``file:line: key.path:
message`` with the fix, all at once; then STS ``GetCallerIdentity`` (which needs no permission:
https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html) says whose
credentials these are, and a caller in another account than the file's ``account`` is refused.

    python -m constructs_lib.factory.deploy_guard factory.yaml
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final

from .._core.safe_yaml import parse, read_bounded
from .cross_field_base import dotted_path
from .loader import MAX_FILE_BYTES, FactoryFileError, load_factory

DOCUMENTATION_ACCOUNTS: Final = frozenset({"123456789012", "111122223333", "444455556666", "777788889999"})
"""The account IDs AWS's own pages use in examples."""
_ACCOUNT: Final = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")
_ORGANIZATION: Final = re.compile(r"\bo-example[a-z0-9]*\b")
_UNIT: Final = re.compile(r"\bou-ab12-[a-z0-9]+\b")


def is_placeholder_account(account: str) -> bool:
    """An account ID of the sample file or AWS's examples: one digit twelve times, or one of
    :data:`DOCUMENTATION_ACCOUNTS`."""
    return len(set(account)) == 1 or account in DOCUMENTATION_ACCOUNTS


def placeholders(value: str) -> list[str]:
    """The sample account, organization and OU IDs inside ``value`` (an ID or an ARN)."""
    found = [a for a in _ACCOUNT.findall(value) if is_placeholder_account(a)]
    return found + _ORGANIZATION.findall(value) + _UNIT.findall(value)


def _leaves(node: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*path, str(key)))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _leaves(value, (*path, i))
    elif isinstance(node, str | int) and not isinstance(node, bool):
        yield path, str(node)


def file_problems(path: Path) -> list[str]:
    """Every placeholder in the factory file, and a missing ``account``, as ``file:line: key: message``.
    A file the loader refuses is reported as the loader reports it."""
    try:
        model = load_factory(path)
    except FactoryFileError as error:
        return list(error.problems)
    parsed = parse(read_bounded(path, MAX_FILE_BYTES))
    problems: list[str] = []
    if model.account is None:
        problems.append(
            f"{path}:1: account: not given; a deploy needs the factory account named in the file, or it deploys "
            "into whichever account your credentials reach: add 'account: \"<12-digit factory account>\"'"
        )
    for loc, value in _leaves(parsed.data):
        for sample in placeholders(value):
            line = next((parsed.lines[loc[:n]] for n in range(len(loc), -1, -1) if loc[:n] in parsed.lines), 1)
            problems.append(
                f"{path}:{line}: {dotted_path(loc)}: {sample!r} is a placeholder from the sample or AWS's examples; "
                "replace it with your own ID (DEPLOYING.md, step 1) before 'make deploy'"
            )
    return problems


def caller_problems(path: Path, account: str, caller: Callable[[], str]) -> list[str]:
    """The caller's account (``caller()``, STS in :func:`main`) against the file's ``account``."""
    try:
        actual = caller()
    except Exception as error:  # no credentials, expired ones, no network: nothing was deployed
        return [
            f"{path}: cannot tell whose credentials these are ({type(error).__name__}: {error}); sign in to the "
            f"factory account {account} (for example 'aws sso login' and AWS_PROFILE) and run 'make deploy' again"
        ]
    if actual != account:
        return [
            f"{path}: account: the factory account is {account}, but your credentials are for {actual}; sign in "
            "to the factory account, or correct 'account:' if it is wrong"
        ]
    return []


def check(path: Path, caller: Callable[[], str]) -> list[str]:
    """The file's problems; only when there are none, the caller's (so a placeholder file makes no
    AWS call at all)."""
    problems = file_problems(path)
    if problems:
        return problems
    model = load_factory(path)
    assert model.account is not None  # file_problems reports a missing one
    return caller_problems(path, model.account, caller)


def _sts_account() -> str:
    import boto3

    return str(boto3.client("sts").get_caller_identity()["Account"])


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m constructs_lib.factory.deploy_guard <factory file>", file=sys.stderr)
        return 2
    problems = check(Path(args[0]), _sts_account)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"make deploy: refused ({len(problems)} problems above); nothing was deployed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
