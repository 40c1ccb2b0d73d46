"""Pure functions from validated props to CloudFormation property values.

Nothing here owns a construct. Typed L1 properties are built from aws-cdk-lib's property
classes, whose keyword arguments jsii checks; ``AmiDistributionConfiguration`` is untyped in
Python (``Any``), so it is rendered here, and only here, as a PascalCase dict whose keys are
tested against the CloudFormation schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_cdk import aws_imagebuilder as imagebuilder

from .derived import AMI_DESCRIPTION, AMI_NAME
from .targets import PARAMETER_PREFIX, FastLaunch, RegionTarget
from .volumes import DataVolume, RootVolume

_Recipe = imagebuilder.CfnImageRecipe
_Distribution = imagebuilder.CfnDistributionConfiguration


def slug(image_name: str) -> str:
    """How Image Builder writes a name inside an ARN: lowercase, spaces as dashes."""
    return image_name.lower().replace(" ", "-")


def default_ami_name(image_name: str) -> str:
    """``<image>-{{ imagebuilder:buildDate }}``: unique per build, sortable by date."""
    return AMI_NAME.render(image=image_name)


def default_parameter_name(image_name: str) -> str:
    """The documented latest-AMI parameter of an image: ``/golden-ami/<image>/latest``."""
    return f"{PARAMETER_PREFIX}/{slug(image_name)}/latest"


def trace_tags(image_name: str, parent_image: str, component_versions: Mapping[str, str]) -> dict[str, str]:
    """The AMI tags that say where an image came from (tag values are at most 256 characters).

    ``golden-ami:recipe`` names the recipe only: its version is chosen by Image Builder when the
    auto-versioned (``1.0.x``) recipe is created, after synth, and the one dynamic value AWS
    documents for tags, ``{{imagebuilder:buildVersion}}``, is only the build number at the end of
    the ARN (https://docs.aws.amazon.com/imagebuilder/latest/userguide/tag-resources.html). The
    exact recipe version and build are in the ``Ec2ImageBuilderArn`` tag Image Builder adds to
    every AMI itself (same page).
    """
    return {
        "golden-ami:pipeline": image_name,
        "golden-ami:base-image": parent_image[:256],
        "golden-ami:components": " ".join(f"{n}/{v}" for n, v in component_versions.items())[:256],
        "golden-ami:recipe": image_name,
    }


def block_device_mappings(
    root: RootVolume,
    root_device_name: str,
    data: tuple[DataVolume, ...],
    kms_key_arn: str | None,
    encrypted: bool = True,
) -> list[_Recipe.InstanceBlockDeviceMappingProperty]:
    """The recipe's block device mapping: the root volume first, then data volumes, all
    encrypted unless ``encrypted`` is False (only public images need that)."""
    devices = [(root.device_name or root_device_name, root)] + [(v.device_name, v) for v in data]
    seen: set[str] = set()
    for device, _ in devices:
        if device in seen:
            raise ValueError(
                f"data_volumes: device {device!r} is used twice (the root volume is {devices[0][0]}); "
                "give each volume its own device, for example /dev/xvdf, /dev/xvdg"
            )
        seen.add(device)
    return [
        _Recipe.InstanceBlockDeviceMappingProperty(
            device_name=device,
            ebs=_Recipe.EbsInstanceBlockDeviceSpecificationProperty(
                encrypted=encrypted,
                kms_key_id=kms_key_arn,
                delete_on_termination=True,
                volume_size=volume.size_gib,
                volume_type=volume.volume_type.value,
                iops=volume.iops,
                throughput=volume.throughput,
            ),
        )
        for device, volume in devices
    ]


def ami_distribution(target: RegionTarget, image_name: str, ami_tags: dict[str, str]) -> dict[str, Any]:
    """``AmiDistributionConfiguration`` of one region, PascalCase as CloudFormation wants it."""
    permission = target.launch_permission
    launch: dict[str, Any] = {}
    if permission.accounts:
        launch["UserIds"] = list(permission.accounts)
    if permission.public:
        launch["UserGroups"] = ["all"]
    if permission.organizations:
        launch["OrganizationArns"] = list(permission.organizations)
    if permission.organizational_units:
        launch["OrganizationalUnitArns"] = list(permission.organizational_units)
    config: dict[str, Any] = {
        "Name": target.ami_name or default_ami_name(image_name),
        "Description": target.description or AMI_DESCRIPTION.render(image=image_name),
        "AmiTags": {**ami_tags, **dict(target.ami_tags)},
    }
    if target.kms_key_arn:
        config["KmsKeyId"] = target.kms_key_arn
    if target.target_accounts:
        config["TargetAccountIds"] = list(target.target_accounts)
    if launch:
        config["LaunchPermissionConfiguration"] = launch
    return config


def parameter_name(target: RegionTarget, image_name: str) -> str | None:
    """The latest-AMI parameter a target writes, or None when it writes none."""
    if not target.publish_parameter:
        return None
    return target.parameter_name or default_parameter_name(image_name)


def fast_launch(
    given: FastLaunch, template: tuple[str, str] | None = None
) -> _Distribution.FastLaunchConfigurationProperty:
    """A region's Fast Launch configuration; ``template`` is the (ID, version) of the launch template
    the pipeline made for ``given.subnet_id``."""
    template_id, version = template or (given.launch_template_id, given.launch_template_version)
    spec = None
    if template_id or given.launch_template_name:
        spec = _Distribution.FastLaunchLaunchTemplateSpecificationProperty(
            launch_template_id=template_id,
            launch_template_name=given.launch_template_name,
            launch_template_version=version,
        )
    return _Distribution.FastLaunchConfigurationProperty(
        enabled=True,
        account_id=given.account,
        max_parallel_launches=given.max_parallel_launches,
        snapshot_configuration=_Distribution.FastLaunchSnapshotConfigurationProperty(
            target_resource_count=given.snapshots
        ),
        launch_template=spec,
    )


def distribution(
    target: RegionTarget,
    image_name: str,
    ami_tags: dict[str, str],
    fast_launch_template: tuple[str, str] | None = None,
) -> _Distribution.DistributionProperty:
    """One region's entry of the distribution configuration."""
    name = parameter_name(target, image_name)
    parameters = None
    if name is not None:
        parameters = [_Distribution.SsmParameterConfigurationProperty(parameter_name=name, data_type="aws:ec2:image")]
        parameters += [
            _Distribution.SsmParameterConfigurationProperty(
                parameter_name=name, data_type="aws:ec2:image", ami_account_id=account
            )
            for account in target.parameter_accounts
        ]
    templates = [
        _Distribution.LaunchTemplateConfigurationProperty(
            launch_template_id=t.launch_template_id, account_id=t.account, set_default_version=t.set_default_version
        )
        for t in target.launch_templates
    ]
    return _Distribution.DistributionProperty(
        region=target.region,
        ami_distribution_configuration=ami_distribution(target, image_name, ami_tags),
        ssm_parameter_configurations=parameters,
        launch_template_configurations=templates or None,
        fast_launch_configurations=(
            [fast_launch(target.fast_launch, fast_launch_template)] if target.fast_launch else None
        ),
    )
