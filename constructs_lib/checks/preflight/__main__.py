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
from .changes import record, report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="preflight", description="AWS's rules between the resources of a cloud assembly"
    )
    parser.add_argument("assembly", help="the directory cdk synth wrote (cdk.out)")
    parser.add_argument("--lock", help="the factory's lock file: the change report compares with its record")
    parser.add_argument("--frozen", action="store_true", help="report changes but do not record this synth")
    args = parser.parse_args(argv)
    assembly = Assembly.from_directory(args.assembly)
    findings = run(assembly)
    for finding in findings:
        print(f"preflight: {finding}", file=sys.stderr if finding.severity is Severity.ERROR else sys.stdout)
    errors = sum(f.severity is Severity.ERROR for f in findings)
    print(
        f"preflight: {len(RULES)} rules over {len(assembly.stacks)} stacks: {errors} errors, "
        f"{len(findings) - errors} warnings"
    )
    if args.lock:
        lock = VersionLock.at(args.lock, frozen=args.frozen)
        current = record(assembly)
        lines = report(lock.resources, current)
        print(
            f"change report against {args.lock}: " + ("no resource replaced, renamed or removed" if not lines else "")
        )
        for line in lines:
            print(f"  {line}")
        if not args.frozen:
            lock.record_resources(current)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
