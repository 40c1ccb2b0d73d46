"""Golden AMI factory: CDK constructs that bake, distribute, share and launch golden AMIs.

The public API is what this module exports; everything in a module starting with ``_`` is
internal. Names load on first use (PEP 562), so an app that only builds pipelines does not pay
for loading the consumer, rollout and cdk-nag modules of aws-cdk-lib and cdk-nag through jsii.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .base_image import BaseImage, OperatingSystem
    from .component import Component
    from .consumer_stack import ConsumerStack
    from .cost import SNAPSHOT_PRICE_PER_GB_MONTH, CostEstimate, estimate_snapshot_cost, total_monthly_usd
    from .destination import DistributionAccountRole
    from .distribution import LaunchPermission, LaunchTemplateTarget, RegionTarget
    from .distribution_key import DistributionKey
    from .enums import Architecture, StartCondition, VolumeType
    from .family import ImageFamily, ImageSpec, build_order
    from .fleet import GoldenFleet, InstanceRefresh
    from .image import GoldenImage
    from .infrastructure import BuildInfrastructure, BuildResources
    from .launch_template import GoldenLaunchTemplate
    from .lifecycle import ImageLifecycle, Lifecycle, LifecycleAction, LifecycleRule, TimeUnit
    from .nag import GoldenAmiChecks
    from .pipeline import GoldenImagePipeline, IDistributedGoldenImage, IGoldenImage, ImportedPipeline
    from .recipe import GoldenImageRecipe
    from .rollout import ImageRollout
    from .schedule import Schedule
    from .stackset import CallAs, DistributionAccountStackSet
    from .version_lock import VersionLock
    from .volumes import DataVolume, RootVolume

_WHERE: dict[str, str] = {
    "Architecture": "enums",
    "BaseImage": "base_image",
    "BuildInfrastructure": "infrastructure",
    "BuildResources": "infrastructure",
    "CallAs": "stackset",
    "Component": "component",
    "ConsumerStack": "consumer_stack",
    "CostEstimate": "cost",
    "DataVolume": "volumes",
    "DistributionAccountRole": "destination",
    "DistributionAccountStackSet": "stackset",
    "DistributionKey": "distribution_key",
    "GoldenAmiChecks": "nag",
    "GoldenFleet": "fleet",
    "GoldenImage": "image",
    "GoldenImagePipeline": "pipeline",
    "GoldenImageRecipe": "recipe",
    "GoldenLaunchTemplate": "launch_template",
    "IDistributedGoldenImage": "pipeline",
    "IGoldenImage": "pipeline",
    "ImageFamily": "family",
    "ImageLifecycle": "lifecycle",
    "ImageRollout": "rollout",
    "ImageSpec": "family",
    "ImportedPipeline": "pipeline",
    "InstanceRefresh": "fleet",
    "LaunchPermission": "distribution",
    "LaunchTemplateTarget": "distribution",
    "Lifecycle": "lifecycle",
    "LifecycleAction": "lifecycle",
    "LifecycleRule": "lifecycle",
    "OperatingSystem": "base_image",
    "RegionTarget": "distribution",
    "RootVolume": "volumes",
    "SNAPSHOT_PRICE_PER_GB_MONTH": "cost",
    "Schedule": "schedule",
    "StartCondition": "enums",
    "TimeUnit": "lifecycle",
    "VersionLock": "version_lock",
    "VolumeType": "enums",
    "build_order": "family",
    "estimate_snapshot_cost": "cost",
    "total_monthly_usd": "cost",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'constructs_lib' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "SNAPSHOT_PRICE_PER_GB_MONTH",
    "Architecture",
    "BaseImage",
    "BuildInfrastructure",
    "BuildResources",
    "CallAs",
    "Component",
    "ConsumerStack",
    "CostEstimate",
    "DataVolume",
    "DistributionAccountRole",
    "DistributionAccountStackSet",
    "DistributionKey",
    "GoldenAmiChecks",
    "GoldenFleet",
    "GoldenImage",
    "GoldenImagePipeline",
    "GoldenImageRecipe",
    "GoldenLaunchTemplate",
    "IDistributedGoldenImage",
    "IGoldenImage",
    "ImageFamily",
    "ImageLifecycle",
    "ImageRollout",
    "ImageSpec",
    "ImportedPipeline",
    "InstanceRefresh",
    "LaunchPermission",
    "LaunchTemplateTarget",
    "Lifecycle",
    "LifecycleAction",
    "LifecycleRule",
    "OperatingSystem",
    "RegionTarget",
    "RootVolume",
    "Schedule",
    "StartCondition",
    "TimeUnit",
    "VersionLock",
    "VolumeType",
    "build_order",
    "estimate_snapshot_cost",
    "total_monthly_usd",
]
