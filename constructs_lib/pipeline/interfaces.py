"""What launch needs of an image, and pipelines built elsewhere: the interfaces consumers accept."""

from __future__ import annotations

import dataclasses
from typing import Protocol, runtime_checkable

from aws_cdk import aws_iam as iam

from .._core.enums import Architecture, Platform
from .._core.render import slug
from .._core.targets import partition_of
from .._core.volumes import DataVolume, RootVolume


@runtime_checkable
class IGoldenImage(Protocol):
    """What consumers need of an image: the name of its latest-AMI SSM parameter."""

    @property
    def ami_parameter_name(self) -> str: ...


@runtime_checkable
class IDistributedGoldenImage(IGoldenImage, Protocol):
    """An image that also knows where it is distributed, its architecture and its volumes,
    so that consumers can be checked against it at synth."""

    architecture: Architecture | None
    platform: Platform
    root_device_name: str
    root_volume: RootVolume
    data_volumes: tuple[DataVolume, ...]
    image_name: str

    def parameter_name_in(self, region: str) -> str: ...


@runtime_checkable
class IFastLaunchImage(Protocol):
    """An image that says where EC2 Fast Launch is on for its AMIs."""

    def fast_launch_in(self, region: str) -> bool: ...


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ImportedPipeline:
    """A pipeline defined elsewhere, from :meth:`GoldenImagePipeline.from_pipeline_arn`."""

    pipeline_arn: str
    ami_parameter_name: str

    def grant_start_execution(self, grantee: iam.IGrantable) -> iam.Grant:
        """Allow ``grantee`` to start a build of this pipeline."""
        return grant_start(grantee, self.pipeline_arn)


def grant_start(grantee: iam.IGrantable, pipeline_arn: str) -> iam.Grant:
    return iam.Grant.add_to_principal(
        grantee=grantee, actions=["imagebuilder:StartImagePipelineExecution"], resource_arns=[pipeline_arn]
    )


def start_command(*, region: str, account: str, image_name: str) -> str:
    """The AWS CLI command that starts a build of the pipeline ``image_name`` now."""
    arn = f"arn:{partition_of(region)}:imagebuilder:{region}:{account}:image-pipeline/{slug(image_name)}"
    return f"aws imagebuilder start-image-pipeline-execution --region {region} --image-pipeline-arn {arn}"
