"""GA-P007: every consumer's latest-AMI parameter exists in its region and account when its stack
deploys, and keeps existing when a region or account is added later.

A launch template whose image is ``resolve:ssm:<name>`` (or a stack parameter of type
``AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>``) needs the parameter when CloudFormation
creates it. Image Builder writes the parameter only when a distribution runs: a pipeline's first
scheduled run, or an ``AWS::ImageBuilder::Image`` built while the factory deploys. That image runs
once; when the distribution later gains a region or account, it reaches them only if the deploy
builds a new image (the factory's images end their logical ID with ``D`` and eight hex digits of
a digest of the distribution, so a changed distribution replaces them; the rule sees that the
image carries one, and the change report that it changed with the distribution), runs it again
(``ImagePipelineExecutionSettings`` on the image) or distributes the current image (a custom
resource calling ``DistributeImage``).

https://docs.aws.amazon.com/autoscaling/ec2/userguide/using-systems-manager-parameters.html ("You
must create a Systems Manager parameter before you can use it in a launch template"),
https://docs.aws.amazon.com/imagebuilder/latest/userguide/cr-upd-ami-distribution-settings.html
(SSM parameter outputs) and
https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_DistributeImage.html.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from .._model import Build, builds, consumers, parameters_written
from ..assembly import Assembly
from ..finding import Finding, Rule

DIGEST_ID = re.compile(r"[A-Za-z0-9]*[0-9A-F]{8}D[0-9A-F]{8}")
"""A construct's logical ID (its path hash last) followed by ``D`` and a distribution digest."""


def _redistributes(assembly: Assembly, build: Build) -> bool:
    """True when the deploy that changes the distribution also brings the current image to it."""
    if build.resource.get("Properties", {}).get("ImagePipelineExecutionSettings"):
        return True
    distribution = build.distribution
    if distribution is None:
        return False
    if DIGEST_ID.fullmatch(build.logical_id):
        return True
    needle = json.dumps(distribution.logical_id)
    return any(
        needle in json.dumps(resource.get("Properties", {}))
        for _, _, resource in assembly.resources("AWS::CloudFormation::CustomResource")
    ) or any(
        needle in json.dumps(r.get("Properties", {}))
        for r in assembly.stacks[distribution.stack].resources.values()
        if str(r.get("Type", "")).startswith("Custom::")
    )


def check(assembly: Assembly) -> Iterator[Finding]:
    all_builds = list(builds(assembly))
    for consumer in consumers(assembly):
        where = (str(consumer.stack.region), str(consumer.stack.account), consumer.parameter)
        writers = []
        for build in all_builds:
            distribution = assembly.resource(build.distribution) if build.distribution else None
            if (
                distribution
                and build.distribution
                and where in parameters_written(assembly, assembly.stacks[build.distribution.stack], distribution)
            ):
                writers.append(build)
        if consumer.stack.account is None or consumer.stack.region is None:
            continue
        if not writers:
            yield RULE.error(
                (consumer.path,),
                f"reads {consumer.parameter} in {consumer.stack.region} of account {consumer.stack.account}, but no "
                "distribution of the assembly writes it there; add the region or account to the image's distribution",
            )
            continue
        on_deploy = [b for b in writers if b.on_deploy and assembly.depends_on(consumer.stack.name, b.stack.name)]
        if not on_deploy:
            yield RULE.error(
                (consumer.path, *sorted({b.path for b in writers})),
                f"reads {consumer.parameter}, which exists only after the pipeline's first run, so this stack fails "
                "to create; build the image while the factory deploys (build_on_deploy: true) and deploy this stack "
                "after it",
            )
        elif not any(_redistributes(assembly, b) for b in on_deploy):
            yield RULE.error(
                (consumer.path, *sorted({b.path for b in on_deploy})),
                f"reads {consumer.parameter}, written by an image built once on the first deploy: a region or account "
                "added later gets no parameter until the next scheduled build, and its consumers fail to create; "
                "rerun the image when the distribution changes (ImagePipelineExecutionSettings) or distribute the "
                "current image to it (DistributeImage)",
            )


RULE = Rule(
    id="GA-P007",
    title="every consumer's parameter exists where and when its stack deploys",
    citation="https://docs.aws.amazon.com/autoscaling/ec2/userguide/using-systems-manager-parameters.html",
    check=check,
)
