"""GA-P002: for every AMI copy (region x account), the key that encrypts it lets every principal
that must use it do so.

- The builder: with an execution role, Image Builder acts as that role; without one, as
  ``AWSServiceRoleForImageBuilder``. AWS does not document which principal the key policy of a
  recipe key must name, so either one admitted passes (the service-linked role's own policy grants
  EBS use of KMS, so a key policy that delegates to the account admits it).
- ``AWSServiceRoleForAutoScaling`` of the factory account: its policy has no KMS access, so the
  key policy must name it (use, plus ``kms:CreateGrant`` for AWS resources).
  https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html
- Each target account (its ``EC2ImageBuilderDistributionCrossAccountRole`` copies the AMI) and
  each account the AMI is shared with: the key policy admits the account, for the copy's key and
  for the home AMI's key it is copied from.
  https://docs.aws.amazon.com/imagebuilder/latest/userguide/cross-account-dist.html
- In another account, Auto Scaling uses the key through a grant that account creates: a stack of
  a target account must create it (error when none mentions the role); a share-only account is
  warned with the ``aws kms create-grant`` command AWS documents.
- EC2 Fast Launch: EC2 grants ``AWSServiceRoleForEC2FastLaunch`` the key itself when the caller
  may ``kms:CreateGrant``, which the builder check here requires too; GA-P017 (fast_launch_key)
  holds it for each Fast Launch region with its own finding.
  https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/slr-windows-fast-launch.html
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from .._model import Build, Copy, builds, copies, recipe_keys
from .._policy import USE_ACTIONS, Principal, missing_actions, role_allows, service_linked
from ..assembly import Assembly, Reference
from ..finding import Finding, Rule

AUTO_SCALING = "autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
IMAGE_BUILDER = "imagebuilder.amazonaws.com/AWSServiceRoleForImageBuilder"
FIX = (
    "add a key policy statement for {who} with kms:Decrypt, kms:DescribeKey, kms:GenerateDataKey*, "
    "kms:ReEncrypt* and kms:CreateGrant"
)


def _builders(assembly: Assembly, build: Build) -> list[Principal]:
    account = str(build.stack.account)
    candidates = [service_linked(account, IMAGE_BUILDER, delegated=True)]
    role = build.execution_role
    if isinstance(role, Reference):
        resource = assembly.resource(role) or {}
        name = assembly.text(assembly.stacks[role.stack], resource.get("Properties", {}).get("RoleName"))
        delegated = not role_allows(assembly, role, USE_ACTIONS)
        candidates.insert(
            0, Principal(account=account, role=role, role_name=name, delegated=delegated, label=role.path)
        )
    return candidates


def _grant_command(copy: Copy, key: Reference, account: str) -> str:
    return (
        f"aws kms create-grant --region {copy.region} --key-id <ARN of {key.path}> --grantee-principal "
        f"arn:aws:iam::{account}:role/aws-service-role/{AUTO_SCALING} --operations Encrypt Decrypt ReEncryptFrom "
        "ReEncryptTo GenerateDataKey GenerateDataKeyWithoutPlaintext DescribeKey CreateGrant"
    )


def _auto_scaling_grants(assembly: Assembly) -> dict[str, bool]:
    """Per account with stacks: True when one of them names the Auto Scaling role (a grant)."""
    found: dict[str, bool] = {}
    for stack in assembly.stacks.values():
        if stack.account is not None:
            mentions = "AWSServiceRoleForAutoScaling" in json.dumps(stack.template)
            found[stack.account] = found.get(stack.account, False) or mentions
    return found


def _check_copy(
    assembly: Assembly, build: Build, copy: Copy, home_key: object, grants: dict[str, bool]
) -> Iterator[Finding]:
    key = copy.key
    if not isinstance(key, Reference):
        return
    where = f"AMIs in {copy.region} of account {copy.account}"
    paths = (key.path,)
    factory = str(build.stack.account)
    if copy.account == factory:
        builders = _builders(assembly, build)
        if all(missing_actions(assembly, key, p) for p in builders):
            who = " or ".join(p.label for p in builders)
            yield RULE.error(paths, f"{where}: key {key.path} lets neither {who} use it; " + FIX.format(who=who))
        asg = service_linked(factory, AUTO_SCALING)
        missing = missing_actions(assembly, key, asg)
        if missing:
            yield RULE.error(
                paths,
                f"{where}: Auto Scaling cannot launch it, key {key.path} does not give {asg.label} "
                f"{', '.join(missing)}; "
                + FIX.format(who=asg.label)
                + " (CreateGrant bounded by kms:GrantIsForAWSResource)",
            )
    else:
        for source in (key, home_key):
            if isinstance(source, Reference):
                missing = missing_actions(assembly, source, Principal(account=copy.account))
                if missing:
                    yield RULE.error(
                        (source.path,),
                        f"{where}: key {source.path} does not let account {copy.account} (whose "
                        f"EC2ImageBuilderDistributionCrossAccountRole copies the AMI) {', '.join(missing)}; "
                        + FIX.format(who=f"arn:aws:iam::{copy.account}:root"),
                    )
        if grants.get(copy.account) is False:
            yield RULE.error(
                paths,
                f"{where}: no stack of account {copy.account} grants its AWSServiceRoleForAutoScaling use of "
                f"{key.path}, so its fleets cannot launch the AMI; create the grant there "
                f"({_grant_command(copy, key, copy.account)})",
            )
    for account in copy.user_ids:
        missing = missing_actions(assembly, key, Principal(account=account))
        if missing:
            yield RULE.error(
                paths,
                f"{where} are shared with {account}, but key {key.path} does not give it {', '.join(missing)}; "
                + FIX.format(who=f"arn:aws:iam::{account}:root"),
            )
        elif account not in grants:
            yield RULE.warning(
                paths,
                f"{where} are shared with {account}, which has no stack here: before Auto Scaling launches it "
                f"there, that account runs: {_grant_command(copy, key, account)}",
            )


def check(assembly: Assembly) -> Iterator[Finding]:
    seen: set[Finding] = set()
    done = set()
    grants = _auto_scaling_grants(assembly)
    for build in builds(assembly):
        if build.stack.account is None or (build.recipe, build.distribution) in done:
            continue
        done.add((build.recipe, build.distribution))
        keys = recipe_keys(assembly, build)
        home_key = keys[0] if keys else None
        for copy in copies(assembly, build):
            for finding in _check_copy(assembly, build, copy, home_key, grants):
                if finding not in seen:
                    seen.add(finding)
                    yield finding


RULE = Rule(
    id="GA-P002",
    title="every principal that uses an AMI copy is granted its key",
    citation="https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html",
    check=check,
)
