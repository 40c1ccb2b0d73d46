"""The preflight: AWS's rules between resources, checked over a whole cloud assembly.

cfn-lint checks each resource against its schema, cdk-nag and checkov each resource against
best practice; the preflight checks what holds between resources, stacks, accounts and regions
(a key in one stack that must admit a role launching an AMI in another, a parameter that must
exist before a consumer stack reads it, a role name created twice in one account). Each rule is a
pure function of the templates and the manifest in ``cdk.out``; ``make synth`` runs them::

    python -m constructs_lib.checks.preflight cdk.out --lock golden-ami.lock.json
"""

from __future__ import annotations

from pathlib import Path

from .assembly import Assembly, Reference, Stack
from .finding import Finding, Rule, Severity
from .rules import RULES

PREFLIGHT_RULES = RULES
PreflightFinding = Finding
PreflightSeverity = Severity

__all__ = [
    "PREFLIGHT_RULES",
    "RULES",
    "Assembly",
    "Finding",
    "PreflightFinding",
    "PreflightSeverity",
    "Reference",
    "Rule",
    "Severity",
    "Stack",
    "preflight",
    "run",
]


def run(assembly: Assembly, rules: tuple[Rule, ...] = RULES) -> list[Finding]:
    """Every finding of ``rules`` on ``assembly``, errors first, each rule in order."""
    findings = [finding for rule in rules for finding in rule.check(assembly)]
    return sorted(findings, key=lambda f: f.severity is not Severity.ERROR)


def preflight(directory: str | Path) -> list[Finding]:
    """Every finding on the cloud assembly ``cdk synth`` wrote to ``directory``."""
    return run(Assembly.from_directory(directory))
