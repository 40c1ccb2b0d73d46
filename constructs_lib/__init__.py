"""Golden AMI factory: CDK constructs that bake, distribute, share and launch golden AMIs.

The public API is what this module exports; everything in a module starting with ``_`` is
internal.
"""

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
from .infrastructure import BuildInfrastructure
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

__all__ = [
    "SNAPSHOT_PRICE_PER_GB_MONTH",
    "Architecture",
    "BaseImage",
    "BuildInfrastructure",
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
