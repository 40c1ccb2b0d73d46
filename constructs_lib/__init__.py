"""Golden AMI factory: CDK constructs that bake, distribute, share and launch golden AMIs.

The public API is what this module exports; everything in a module starting with ``_`` is
internal. Names load on first use (PEP 562), so an app that only builds pipelines does not pay
for loading the consumer, rollout and cdk-nag modules of aws-cdk-lib and cdk-nag through jsii.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._core.enums import Architecture, Platform, StartCondition, VolumeType
    from ._core.lifecycle_rules import Lifecycle, LifecycleAction, LifecycleRule, TimeUnit
    from ._core.network import BuildNetwork, FleetNetwork
    from ._core.targets import FastLaunch, LaunchPermission, LaunchTemplateTarget, RegionTarget
    from ._core.volumes import DataVolume, RootVolume
    from .bake.base_image import BaseImage, OperatingSystem
    from .bake.capture import InstanceCapture
    from .bake.component import Component, DeclaredParameter
    from .bake.infrastructure import BuildInfrastructure, BuildResources
    from .bake.recipe import GoldenImageRecipe
    from .bake.schedule import Schedule
    from .bake.toe_document import check_document
    from .bake.version_lock import VersionLock
    from .bake.vm_import import VmImportImage
    from .bake.vm_import_options import BootMode, DiskFormat, DiskImage, LicenseType
    from .bake.vm_import_role import VmImportRole
    from .bake.workflow import Workflow, WorkflowOnFailure, WorkflowParameterDetail
    from .bake.workflow_document import WorkflowType, check_workflow_document
    from .checks.acknowledge import acknowledge
    from .checks.cfn_validate import start_validation_engine, wait_for_validation_engine
    from .checks.nag import GoldenAmiChecks
    from .checks.preflight import PREFLIGHT_RULES, PreflightFinding, PreflightSeverity, preflight
    from .distribute.destination import DistributionAccountRole, LifecycleAccountRole
    from .distribute.key import DistributionKey
    from .distribute.key_grant import AutoScalingKeyGrants
    from .distribute.label_role import LabelAccessRole
    from .distribute.revoke_role import RevokeAccessRole
    from .distribute.stackset import CallAs, DistributionAccountStackSet
    from .launch.consumer_stack import ConsumerStack
    from .launch.fleet import GoldenFleet, InstanceRefresh
    from .launch.labeller import VersionLabeller
    from .launch.launch_template import GoldenLaunchTemplate
    from .launch.notice_forwarder import NotificationForwarder
    from .launch.rollout import ImageRollout
    from .pipeline._logging import PipelineLogGroups, PipelineLogs
    from .pipeline.family import ImageFamily, ImageSpec, build_order
    from .pipeline.image import GoldenImage
    from .pipeline.image_pipeline import GoldenImagePipeline
    from .pipeline.interfaces import IDistributedGoldenImage, IGoldenImage, ImportedPipeline
    from .pipeline.notifications import FactoryNotifications
    from .retire.cost import SNAPSHOT_PRICE_PER_GB_MONTH, CostEstimate, estimate_snapshot_cost, total_monthly_usd
    from .retire.lifecycle import ImageLifecycle
    from .retire.pipeline_holds import PipelineHolds
    from .retire.revoker_role import RevokerRole

_WHERE: dict[str, str] = {
    "acknowledge": "checks.acknowledge",
    "Architecture": "_core.enums",
    "AutoScalingKeyGrants": "distribute.key_grant",
    "BaseImage": "bake.base_image",
    "BootMode": "bake.vm_import_options",
    "BuildInfrastructure": "bake.infrastructure",
    "BuildNetwork": "_core.network",
    "BuildResources": "bake.infrastructure",
    "CallAs": "distribute.stackset",
    "Component": "bake.component",
    "DeclaredParameter": "bake.component",
    "PipelineLogGroups": "pipeline._logging",
    "PipelineLogs": "pipeline._logging",
    "check_document": "bake.toe_document",
    "ConsumerStack": "launch.consumer_stack",
    "CostEstimate": "retire.cost",
    "DataVolume": "_core.volumes",
    "DiskFormat": "bake.vm_import_options",
    "DiskImage": "bake.vm_import_options",
    "DistributionAccountRole": "distribute.destination",
    "LifecycleAccountRole": "distribute.destination",
    "DistributionAccountStackSet": "distribute.stackset",
    "FleetNetwork": "_core.network",
    "DistributionKey": "distribute.key",
    "GoldenAmiChecks": "checks.nag",
    "GoldenFleet": "launch.fleet",
    "GoldenImage": "pipeline.image",
    "GoldenImagePipeline": "pipeline.image_pipeline",
    "GoldenImageRecipe": "bake.recipe",
    "GoldenLaunchTemplate": "launch.launch_template",
    "IDistributedGoldenImage": "pipeline.interfaces",
    "IGoldenImage": "pipeline.interfaces",
    "ImageFamily": "pipeline.family",
    "ImageLifecycle": "retire.lifecycle",
    "ImageRollout": "launch.rollout",
    "ImageSpec": "pipeline.family",
    "ImportedPipeline": "pipeline.interfaces",
    "InstanceCapture": "bake.capture",
    "InstanceRefresh": "launch.fleet",
    "LaunchPermission": "_core.targets",
    "LaunchTemplateTarget": "_core.targets",
    "FastLaunch": "_core.targets",
    "LicenseType": "bake.vm_import_options",
    "Lifecycle": "_core.lifecycle_rules",
    "LifecycleAction": "_core.lifecycle_rules",
    "LifecycleRule": "_core.lifecycle_rules",
    "OperatingSystem": "bake.base_image",
    "PREFLIGHT_RULES": "checks.preflight",
    "PreflightFinding": "checks.preflight",
    "PreflightSeverity": "checks.preflight",
    "Platform": "_core.enums",
    "RegionTarget": "_core.targets",
    "RevokeAccessRole": "distribute.revoke_role",
    "LabelAccessRole": "distribute.label_role",
    "VersionLabeller": "launch.labeller",
    "NotificationForwarder": "launch.notice_forwarder",
    "FactoryNotifications": "pipeline.notifications",
    "PipelineHolds": "retire.pipeline_holds",
    "RevokerRole": "retire.revoker_role",
    "RootVolume": "_core.volumes",
    "SNAPSHOT_PRICE_PER_GB_MONTH": "retire.cost",
    "Schedule": "bake.schedule",
    "StartCondition": "_core.enums",
    "TimeUnit": "_core.lifecycle_rules",
    "VersionLock": "bake.version_lock",
    "VmImportImage": "bake.vm_import",
    "VmImportRole": "bake.vm_import_role",
    "VolumeType": "_core.enums",
    "Workflow": "bake.workflow",
    "WorkflowOnFailure": "bake.workflow",
    "WorkflowParameterDetail": "bake.workflow",
    "WorkflowType": "bake.workflow_document",
    "check_workflow_document": "bake.workflow_document",
    "build_order": "pipeline.family",
    "preflight": "checks.preflight",
    "start_validation_engine": "checks.cfn_validate",
    "wait_for_validation_engine": "checks.cfn_validate",
    "estimate_snapshot_cost": "retire.cost",
    "total_monthly_usd": "retire.cost",
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
    "PREFLIGHT_RULES",
    "SNAPSHOT_PRICE_PER_GB_MONTH",
    "Architecture",
    "AutoScalingKeyGrants",
    "BaseImage",
    "BootMode",
    "BuildInfrastructure",
    "BuildNetwork",
    "BuildResources",
    "CallAs",
    "Component",
    "ConsumerStack",
    "CostEstimate",
    "DataVolume",
    "DeclaredParameter",
    "DiskFormat",
    "DiskImage",
    "DistributionAccountRole",
    "DistributionAccountStackSet",
    "DistributionKey",
    "FactoryNotifications",
    "FastLaunch",
    "FleetNetwork",
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
    "InstanceCapture",
    "InstanceRefresh",
    "LabelAccessRole",
    "LaunchPermission",
    "LaunchTemplateTarget",
    "LicenseType",
    "Lifecycle",
    "LifecycleAccountRole",
    "LifecycleAction",
    "LifecycleRule",
    "NotificationForwarder",
    "OperatingSystem",
    "PipelineHolds",
    "PipelineLogGroups",
    "PipelineLogs",
    "Platform",
    "PreflightFinding",
    "PreflightSeverity",
    "RegionTarget",
    "RevokeAccessRole",
    "RevokerRole",
    "RootVolume",
    "Schedule",
    "StartCondition",
    "TimeUnit",
    "VersionLabeller",
    "VersionLock",
    "VmImportImage",
    "VmImportRole",
    "VolumeType",
    "Workflow",
    "WorkflowOnFailure",
    "WorkflowParameterDetail",
    "WorkflowType",
    "acknowledge",
    "build_order",
    "check_document",
    "check_workflow_document",
    "estimate_snapshot_cost",
    "preflight",
    "start_validation_engine",
    "total_monthly_usd",
    "wait_for_validation_engine",
]
