"""GA-P017: an AMI with EC2 Fast Launch is encrypted by the recipe, and its key lets Fast Launch in.

When Fast Launch is enabled for an encrypted AMI, EC2 grants ``AWSServiceRoleForEC2FastLaunch`` the
use of the customer managed key, which needs the caller (here Image Builder: the pipeline's execution
role or ``AWSServiceRoleForImageBuilder``, AWS does not say which) to have ``kms:CreateGrant`` on it;
EC2 checks it before enabling and refuses otherwise. A key policy that admits the Fast Launch role
itself passes too.
https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/slr-windows-fast-launch.html ("Access to customer
managed keys for use with encrypted AMIs and EBS snapshots"), and
https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/win-fast-launch-configure.html (the permission check).

The key is the recipe's in the home region and the distribution's elsewhere (the AMI of the source
account there; Image Builder enables Fast Launch in that account only). The launch templates of a Fast
Launch image carry no block device mapping, so the recipe alone decides encryption: every volume of
the recipe must be encrypted. GA-P002 holds the builder's use of the key in general; this rule names
what Fast Launch needs, so that its finding says why.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .._model import Build, builds, copies
from .._policy import Principal, missing_actions, role_allows, service_linked
from ..assembly import Assembly, Reference
from ..finding import Finding, Rule

FAST_LAUNCH = "ec2fastlaunch.amazonaws.com/AWSServiceRoleForEC2FastLaunch"
IMAGE_BUILDER = "imagebuilder.amazonaws.com/AWSServiceRoleForImageBuilder"
GRANT = ("kms:CreateGrant",)
FAST_LAUNCH_USE = ("kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom")


def _fast_launch_regions(assembly: Assembly, build: Build) -> set[str]:
    distribution = assembly.resource(build.distribution) if build.distribution else None
    if distribution is None or build.distribution is None:
        return set()
    stack = assembly.stacks[build.distribution.stack]
    found = set()
    for entry in distribution.get("Properties", {}).get("Distributions", []):
        configurations = [c for c in entry.get("FastLaunchConfigurations") or [] if isinstance(c, Mapping)]
        region = assembly.text(stack, entry.get("Region"))
        if region and any(c.get("Enabled") in (True, "true") for c in configurations):
            found.add(region)
    return found


def _callers(assembly: Assembly, build: Build, account: str) -> list[Principal]:
    """Who may call EnableFastLaunch: the execution role (a statement for its account is enough when
    its own policy allows kms:CreateGrant), else Image Builder's service-linked role."""
    callers = [service_linked(account, IMAGE_BUILDER, delegated=True)]
    role = build.execution_role
    if isinstance(role, Reference):
        delegated = not role_allows(assembly, role, GRANT)
        callers.insert(0, Principal(account=account, role=role, delegated=delegated, label=role.path))
    return callers


def _unencrypted(assembly: Assembly, build: Build) -> list[str]:
    recipe: Mapping[str, Any] = (assembly.resource(build.recipe) if build.recipe else None) or {}
    return [
        str(m.get("DeviceName"))
        for m in recipe.get("Properties", {}).get("BlockDeviceMappings", [])
        if isinstance(m, Mapping) and "Ebs" in m and m["Ebs"].get("Encrypted") not in (True, "true")
    ]


def check(assembly: Assembly) -> Iterator[Finding]:
    done = set()
    for build in builds(assembly):
        account = build.stack.account
        if account is None or (build.recipe, build.distribution) in done:
            continue
        done.add((build.recipe, build.distribution))
        regions = _fast_launch_regions(assembly, build)
        if not regions or build.distribution is None:
            continue
        recipe_path = build.recipe.path if build.recipe else build.distribution.path
        devices = _unencrypted(assembly, build)
        if devices:
            yield RULE.error(
                (recipe_path,),
                f"Fast Launch in {', '.join(sorted(regions))}, but the recipe leaves {', '.join(devices)} "
                "unencrypted, and the image's launch templates carry no block device mapping to encrypt them; "
                "set Ebs.Encrypted (and a customer managed KmsKeyId) on every volume of the recipe",
            )
        for copy in copies(assembly, build):
            key = copy.key
            if copy.account != account or copy.region not in regions or not isinstance(key, Reference):
                continue
            callers = _callers(assembly, build, account)
            fast_launch = service_linked(account, FAST_LAUNCH)
            admitted = not missing_actions(assembly, key, fast_launch, FAST_LAUNCH_USE)
            if admitted or any(not missing_actions(assembly, key, p, GRANT) for p in callers):
                continue
            who = " or ".join(p.label for p in callers)
            yield RULE.error(
                (key.path,),
                f"Fast Launch in {copy.region}: key {key.path} encrypts the AMI there but lets neither {who} "
                f"kms:CreateGrant, which EC2 needs to grant {fast_launch.label} the key, nor that role itself "
                "use it, so EC2 refuses to enable Fast Launch; add a key policy statement giving the account "
                f"(arn:aws:iam::{account}:root) or the execution role kms:CreateGrant",
            )


RULE = Rule(
    id="GA-P017",
    title="an AMI with Fast Launch is encrypted by its recipe with a key Fast Launch may use",
    citation="https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/slr-windows-fast-launch.html",
    check=check,
)
