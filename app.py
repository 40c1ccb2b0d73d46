#!/usr/bin/env python3
"""The default golden AMI factory: what `make synth` builds and `make deploy` deploys.

The account comes from context (`-c account=...`), else CDK_DEFAULT_ACCOUNT (set by the CLI
when it finds credentials), else a placeholder, so synthesis never needs credentials; a deploy
with the placeholder fails fast at the CLI. The home region comes from context `region`
(cdk.json sets it), never from the caller's AWS configuration, so templates are reproducible.
"""

from __future__ import annotations

import os
from pathlib import Path

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from constructs_lib import (
    BaseImage,
    Component,
    DataVolume,
    GoldenImagePipeline,
    OperatingSystem,
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


def build(app: cdk.App) -> list[cdk.Stack]:
    """Add the default factory's stacks to ``app`` and return them."""
    frozen = str(app.node.try_get_context("golden-ami:versionLockFrozen")).lower() == "true"
    lock = VersionLock.at(HERE / "golden-ami.lock.json", frozen=frozen)
    factory = cdk.Stack(
        app,
        "GoldenAmiFactory",
        env=environment(app),
        description="Golden AMI factory: Image Builder pipelines of the default factory",
    )
    GoldenImagePipeline(
        factory,
        "WebServer",
        image_name="web-server",
        description="Amazon Linux 2023 with nginx, patched weekly",
        base_image=BaseImage.aws_managed(OperatingSystem.AMAZON_LINUX_2023),
        components=[
            Component.aws_managed("update-linux"),
            Component.from_file(HERE / "components" / "web-server.yaml", name="nginx"),
        ],
        data_volumes=[DataVolume(device_name="/dev/xvdf", size_gib=20)],
        schedule=Schedule(expression="cron(0 4 ? * SUN *)", time_zone="Etc/UTC"),
        version_lock=lock,
        tags={"team": "platform", "golden-ami:factory": "default"},
    )
    return [factory]


def main() -> None:
    app = cdk.App()
    build(app)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    app.synth()


if __name__ == "__main__":
    main()
