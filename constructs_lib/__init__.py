"""Golden AMI factory: CDK constructs that bake, distribute, share and launch golden AMIs.

The public API is what this module exports; everything in a module starting with ``_`` is
internal.
"""

from .base_image import BaseImage, OperatingSystem
from .component import Component
from .cost import SNAPSHOT_PRICE_PER_GB_MONTH, CostEstimate, estimate_snapshot_cost, total_monthly_usd
from .destination import DistributionAccountRole
from .distribution import LaunchPermission, RegionTarget
from .distribution_key import DistributionKey
from .enums import Architecture, StartCondition, VolumeType
from .image import GoldenImage
from .infrastructure import BuildInfrastructure
from .lifecycle import ImageLifecycle, Lifecycle, LifecycleAction, LifecycleRule, TimeUnit
from .pipeline import GoldenImagePipeline, IGoldenImage, ImportedPipeline
from .recipe import GoldenImageRecipe
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
    "CostEstimate",
    "DataVolume",
    "DistributionAccountRole",
    "DistributionAccountStackSet",
    "DistributionKey",
    "GoldenImage",
    "GoldenImagePipeline",
    "GoldenImageRecipe",
    "IGoldenImage",
    "ImageLifecycle",
    "ImportedPipeline",
    "LaunchPermission",
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
    "estimate_snapshot_cost",
    "total_monthly_usd",
]
