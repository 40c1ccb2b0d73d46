"""Golden AMI factory: CDK constructs that bake, distribute, share and launch golden AMIs.

The public API is what this module exports; everything in a module starting with ``_`` is
internal.
"""

from .base_image import BaseImage, OperatingSystem
from .component import Component
from .distribution import LaunchPermission, RegionTarget
from .enums import Architecture, StartCondition, VolumeType
from .infrastructure import BuildInfrastructure
from .pipeline import GoldenImagePipeline, IGoldenImage, ImportedPipeline
from .recipe import GoldenImageRecipe
from .schedule import Schedule
from .version_lock import VersionLock
from .volumes import DataVolume, RootVolume

__all__ = [
    "Architecture",
    "BaseImage",
    "BuildInfrastructure",
    "Component",
    "DataVolume",
    "GoldenImagePipeline",
    "GoldenImageRecipe",
    "IGoldenImage",
    "ImportedPipeline",
    "LaunchPermission",
    "OperatingSystem",
    "RegionTarget",
    "RootVolume",
    "Schedule",
    "StartCondition",
    "VersionLock",
    "VolumeType",
]
