"""GA-P009: every build has a network: a subnet, or the default VPC named as an assumption.

Without ``SubnetId`` Image Builder launches build and test instances in the default VPC and
subnet, which many landing zones (AWS Control Tower among them) delete; the build then fails.

https://docs.aws.amazon.com/imagebuilder/latest/userguide/create-infra-config.html ("VPC, subnet,
and security groups - Image Builder uses your default VPC and subnet").
"""

from __future__ import annotations

from collections.abc import Iterator

from ..assembly import Assembly
from ..finding import Finding, Rule


def check(assembly: Assembly) -> Iterator[Finding]:
    for stack, logical_id, resource in assembly.resources("AWS::ImageBuilder::InfrastructureConfiguration"):
        if resource.get("Properties", {}).get("SubnetId") is None:
            yield RULE.warning(
                (f"{stack.name}/{logical_id}",),
                f"names no subnet, so builds assume a default VPC in {stack.region} of account {stack.account}, "
                "which landing zones often delete; name the build subnet and security groups",
            )


RULE = Rule(
    id="GA-P009",
    title="every build has a network",
    citation="https://docs.aws.amazon.com/imagebuilder/latest/userguide/create-infra-config.html",
    check=check,
)
