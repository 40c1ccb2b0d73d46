#!/usr/bin/env python3
"""The default golden AMI factory: what `make synth` builds and `make deploy` deploys.

The account comes from context (`-c account=...`), else CDK_DEFAULT_ACCOUNT (set by the CLI
when it finds credentials), else a placeholder, so synthesis never needs credentials; a deploy
with the placeholder fails fast at the CLI. The home region comes from context `region`
(cdk.json sets it), never from the caller's AWS configuration, so templates are reproducible.
The other regions, the destination and shared accounts and the organizational unit come from
context too (`regions`, `destinationAccount`, `sharedAccount`, `organizationalUnit`).

Stacks: a distribution key per region (`GoldenAmiKeys-<region>`), the factory with its
pipeline (`GoldenAmiFactory`), the role Image Builder needs in the destination account
(`GoldenAmiDestination`), and the StackSet that puts that role in every account of the OU
(`GoldenAmiMemberAccounts`, deployed by a delegated StackSet administrator), and in every region
a launch template, an Auto Scaling group and the rollout that refreshes it on each new image
(`GoldenAmiConsumers-<region>`). `-c pin=<version or label>` pins the consumers to an earlier
image (see the README's rollback runbook).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks

from constructs_lib import (
    Architecture,
    BaseImage,
    Component,
    ConsumerStack,
    DataVolume,
    DistributionAccountRole,
    DistributionAccountStackSet,
    DistributionKey,
    GoldenAmiChecks,
    ImageFamily,
    ImageSpec,
    LaunchPermission,
    OperatingSystem,
    RegionTarget,
    Schedule,
    VersionLock,
)

HERE = Path(__file__).resolve().parent
PLACEHOLDER_ACCOUNT = "111111111111"
DEFAULT_REGION = "eu-west-1"


def environment(app: cdk.App) -> cdk.Environment:
    """The factory's home account and region (context, then environment, then placeholders)."""
    account = app.node.try_get_context("account") or os.environ.get("CDK_DEFAULT_ACCOUNT") or PLACEHOLDER_ACCOUNT
    region = app.node.try_get_context("region") or DEFAULT_REGION
    return cdk.Environment(account=str(account), region=str(region))


def _context(app: cdk.App, key: str) -> Any:
    value = app.node.try_get_context(key)
    if value is None:
        raise ValueError(f'cdk.json context: {key!r} is missing; add it under "context" or pass -c {key}=...')
    return value


def build(app: cdk.App) -> list[cdk.Stack]:
    """Add the default factory's stacks to ``app`` and return them."""
    frozen = str(app.node.try_get_context("golden-ami:versionLockFrozen")).lower() == "true"
    lock = VersionLock.at(HERE / "golden-ami.lock.json", frozen=frozen)
    env = environment(app)
    assert env.account is not None and env.region is not None
    regions = [env.region, *[r for r in _context(app, "regions") if r != env.region]]
    destination = str(_context(app, "destinationAccount"))
    shared = str(_context(app, "sharedAccount"))
    ou_arn = str(_context(app, "organizationalUnit"))

    keys = [
        cdk.Stack(
            app,
            f"GoldenAmiKeys-{region}",
            env=cdk.Environment(account=env.account, region=region),
            description=f"Golden AMI factory: the key that encrypts AMI copies in {region}",
        )
        for region in regions
    ]
    for stack in keys:
        DistributionKey(stack, "DistributionKey", accounts=(destination, shared))

    factory = cdk.Stack(
        app,
        "GoldenAmiFactory",
        env=env,
        description="Golden AMI factory: Image Builder pipelines of the default factory",
    )
    for stack in keys:
        factory.add_stack_dependency(stack, "the distribution configuration names each region's key by alias")
    sharing = LaunchPermission(accounts=(shared,), organizational_units=(ou_arn,))
    # A family: a patched Amazon Linux 2023 base in both architectures, and the web server
    # layered on the x86_64 base, rebuilt whenever the base has a new version.
    family = ImageFamily(
        factory,
        "Images",
        images=[
            ImageSpec(
                name="base-al2023",
                description="Amazon Linux 2023, patched weekly",
                base_image=BaseImage.aws_managed(OperatingSystem.AMAZON_LINUX_2023),
                components=(Component.aws_managed("update-linux"),),
                architectures=(Architecture.X86_64, Architecture.ARM64),
                schedule=Schedule(expression="cron(0 4 ? * SUN *)", time_zone="Etc/UTC"),
            ),
            ImageSpec(
                name="web-server",
                description="The base with nginx",
                parent="base-al2023",
                architectures=(Architecture.X86_64,),
                components=(Component.from_file(HERE / "components" / "web-server.yaml", name="nginx"),),
                data_volumes=(DataVolume(device_name="/dev/xvdf", size_gib=20),),
            ),
        ],
        distributions=[
            RegionTarget(
                region=region,
                kms_key_arn=DistributionKey.alias_arn(env.account, region),
                target_accounts=(destination,),
                parameter_accounts=(destination,),
                launch_permission=sharing,
            )
            for region in regions
        ],
        version_lock=lock,
        # Each image is built once while the factory deploys, parents first: layers need their
        # parent image and consumers need the latest-AMI parameter before they are created.
        build_on_deploy=True,
        tags={"team": "platform", "golden-ami:factory": "default"},
    )
    web = family.pipeline("web-server")

    receiver = cdk.Stack(
        app,
        "GoldenAmiDestination",
        env=cdk.Environment(account=destination, region=env.region),
        description="Golden AMI factory: lets the factory account copy AMIs into this account",
    )
    parameters = tuple(p.ami_parameter_name for p in family.all_pipelines)
    DistributionAccountRole(receiver, "ImageBuilderAccess", factory_account=env.account, parameter_names=parameters)
    factory.add_stack_dependency(receiver, "Image Builder assumes the destination role when it distributes")

    members = cdk.Stack(
        app,
        "GoldenAmiMemberAccounts",
        env=env,
        description="Golden AMI factory: the destination role in every account of the organizational unit",
    )
    DistributionAccountStackSet(
        members,
        "DistributionAccess",
        factory_account=env.account,
        organizational_units=(ou_arn.rsplit("/", 1)[-1],),
        parameter_names=parameters,
    )
    consumers = []
    for region in regions:
        consumer = ConsumerStack(
            app,
            f"GoldenAmiConsumers-{region}",
            image=web,
            pin=app.node.try_get_context("pin"),
            env=cdk.Environment(account=env.account, region=region),
            description=f"Golden AMI factory: launch template, fleet and rollout of web-server in {region}",
        )
        consumer.add_stack_dependency(factory, "the fleet launches the image the factory publishes")
        consumers.append(consumer)
    return [*keys, factory, receiver, members, *consumers]


def compliance_packs(app: cdk.App) -> list[cdk.IPolicyValidationPlugin]:
    """The cdk-nag packs every synth of the factory must pass: AWS Solutions, NIST 800-53 rev 5,
    HIPAA Security, and the library's own GoldenAmi pack."""
    return [AwsSolutionsChecks(app), NIST80053R5Checks(app), HIPAASecurityChecks(app), GoldenAmiChecks(app)]


def main() -> None:
    app = cdk.App()
    build(app)
    cdk.Validations.of(app).add_plugins(*compliance_packs(app))
    app.synth()


if __name__ == "__main__":
    main()
