"""``python -m constructs_lib.checks.preflight cdk.out [--lock golden-ami.lock.json] [--frozen]``

Prints every finding (errors first), then the change report against the lock file's record of
the last synth, and records this synth there unless the lock is frozen. Exits 1 on an error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ...bake.version_lock import VersionLock
from . import RULES, Assembly, Severity, run
from .changes import Record, record, report
from .guard import covers, refusals
from .replacement import Change, classify, stored, summary


def _covered(assembly: Assembly, acknowledged: dict[str, dict[str, str]], rule: str, resource: str) -> str | None:
    """Why ``rule`` is acknowledged for ``resource`` (``stack/logicalId``), by its construct path or its address."""
    stack, _, logical_id = resource.partition("/")
    path = assembly.stacks[stack].path_of(logical_id) if stack in assembly.stacks else None
    return covers(acknowledged, rule, path, resource)


def _guard(
    changes: list[Change], previous: Record | None, current: Record, acknowledged: dict[str, dict[str, str]]
) -> int:
    """Print each change the guard refuses (or the acknowledgement that accepts it); return how many are refused."""
    if previous is None:
        return 0
    refused = 0
    for refusal in refusals(changes, previous, current):
        reason = covers(acknowledged, refusal.rule, refusal.change.path, refusal.change.address)
        if reason:
            print(f"  accepted {refusal.rule} {refusal.change.path or refusal.change.address}: {reason}")
        else:
            refused += 1
            print(f"preflight: error {refusal.rule}: {refusal.message}", file=sys.stderr)
    return refused


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="preflight", description="AWS's rules between the resources of a cloud assembly"
    )
    parser.add_argument("assembly", help="the directory cdk synth wrote (cdk.out)")
    parser.add_argument("--lock", help="the factory's lock file: the change report compares with its record")
    parser.add_argument("--frozen", action="store_true", help="report changes but do not record this synth")
    args = parser.parse_args(argv)
    assembly = Assembly.from_directory(args.assembly)
    acknowledged = assembly.acknowledged()
    findings, accepted = [], []
    for finding in run(assembly):
        reasons = [_covered(assembly, acknowledged, finding.rule, r) for r in finding.resources]
        if finding.severity is Severity.WARNING and reasons and all(reasons):
            accepted.append(f"{finding.rule} [{', '.join(finding.resources)}]: {reasons[0]}")
        else:
            findings.append(finding)
    for finding in findings:
        print(f"preflight: {finding}", file=sys.stderr if finding.severity is Severity.ERROR else sys.stdout)
        if finding.severity is Severity.ERROR and any(
            _covered(assembly, acknowledged, finding.rule, r) for r in finding.resources
        ):
            print(
                f"preflight: the acknowledgement of {finding.rule} above does not apply: an error is what AWS would "
                "refuse or a feature that would do nothing, so only its fix clears it",
                file=sys.stderr,
            )
    errors = sum(f.severity is Severity.ERROR for f in findings)
    print(
        f"preflight: {len(RULES)} rules over {len(assembly.stacks)} stacks: {errors} errors, "
        f"{len(findings) - errors} warnings" + (f", {len(accepted)} acknowledged" if accepted else "")
    )
    for line in accepted:
        print(f"  acknowledged {line}")
    if args.lock:
        lock = VersionLock.at(args.lock, frozen=args.frozen)
        current = record(assembly)
        changes = classify(lock.resources, current) if lock.resources is not None else []
        lines = report(lock.resources, current, changes)
        counts = ", ".join(summary(changes)) or "nothing changes"
        print(f"change report against {args.lock}: {counts if lock.resources is not None else ''}".rstrip())
        for line in lines:
            print(f"  {line}")
        errors += _guard(changes, lock.resources, current, acknowledged)
        if not args.frozen and not errors:
            lock.record_resources(stored(current))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
