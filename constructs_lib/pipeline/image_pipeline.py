"""The golden image pipeline: one call from a base image and components to distributed AMIs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from aws_cdk import Annotations, Stack, Tags
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_imagebuilder as imagebuilder
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from constructs import Construct

from .._core import render as _render
from .._core.derived import AMI_DESCRIPTION, AMI_NAME, check_description
from .._core.enums import StartCondition
from .._core.lifecycle_rules import Lifecycle
from .._core.limits import TEST_TIMEOUT_MAX, TEST_TIMEOUT_MIN, check_range, check_tags
from .._core.network import BuildNetwork
from .._core.revoke_names import status_parameter_name
from .._core.targets import RegionTarget
from .._core.volumes import DataVolume, RootVolume, layered
from .._core.warning_ids import NEVER_BUILDS_WARNING
from ..bake.base_image import BaseImage
from ..bake.component import Component
from ..bake.infrastructure import BuildInfrastructure, BuildResources
from ..bake.recipe import GoldenImageRecipe
from ..bake.schedule import Schedule
from ..bake.version_lock import DEFAULT_LOCK_FILE, VersionLock
from ..bake.workflow import Workflow
from ..retire.lifecycle import ImageLifecycle
from ._checks import check_base_region, instance_types_for
from ._cost import PipelineCost
from ._distribution import PipelineDistribution, pipeline_targets
from ._events import PipelineEvents
from ._execution import ExecutionRole
from ._recipe_key import recipe_key
from ._schedule import NEVER_BUILDS, never_builds, render_schedule, start_condition
from ._status import pipeline_status
from ._workflows import PipelineWorkflows, planned_workflows
from .interfaces import ImportedPipeline, grant_start, start_command

LOCK_FILE_CONTEXT = "golden-ami:versionLockFile"
LOCK_FROZEN_CONTEXT = "golden-ami:versionLockFrozen"
_Pipeline = imagebuilder.CfnImagePipeline
WEEKLY = Schedule()
"""The default schedule: Sundays 04:00 UTC, built whenever it matches."""
STANDARD_LIFECYCLE = Lifecycle.standard()


class GoldenImagePipeline(Construct, PipelineEvents, PipelineCost):
    """A complete EC2 Image Builder pipeline for one golden image; ``on_build_failed()`` and the
    other ``on_*()`` methods (:class:`PipelineEvents`) make rules on its events.

    Builds the components, the image recipe (:class:`GoldenImageRecipe`), the build
    infrastructure (:class:`BuildInfrastructure`), the distribution configuration with the
    latest-AMI SSM parameter in every region, the execution role that writes it, and the
    pipeline. Secure by default: encrypted volumes, IMDSv2, terminate on failure, image tests
    and scanning on, AMIs shared with nobody.

    Example::

        GoldenImagePipeline(
            self, "Web",
            image_name="web-server",
            base_image=BaseImage.aws_managed(OperatingSystem.AMAZON_LINUX_2023),
            components=[Component.aws_managed("update-linux"), Component.from_file("components/web-server.yaml")],
        )
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        image_name: str,
        base_image: BaseImage,
        components: Sequence[Component],
        description: str | None = None,
        recipe_version: str = "1.0.x",
        root_volume: RootVolume | None = None,
        data_volumes: Sequence[DataVolume] = (),
        kms_key: kms.IKey | None = None,
        encrypt_volumes: bool = True,
        instance_types: Sequence[str] | None = None,
        hop_limit: int = 1,
        terminate_on_failure: bool = True,
        subnet: ec2.ISubnet | None = None,
        security_groups: Sequence[ec2.ISecurityGroup] = (),
        build_network: BuildNetwork | None = None,
        log_bucket: s3.IBucket | None = None,
        notifications: bool = False,
        notification_topic: sns.ITopic | None = None,
        image_tests: bool = True,
        test_timeout_minutes: int = 720,
        image_scanning: bool = True,
        schedule: Schedule | None = WEEKLY,
        distributions: Sequence[RegionTarget] = (),
        include_home_region: bool = True,
        version_lock: VersionLock | None = None,
        lifecycle: Lifecycle | None = STANDARD_LIFECYCLE,
        tags: Mapping[str, str] | None = None,
        build_resources: BuildResources | None = None,
        lifecycle_role: iam.IRole | None = None,
        workflows: Sequence[Workflow] = (),
        smoke_test: str | Path | None = None,
        hold_status: bool = False,
        expected_used_gib: float | None = None,
    ) -> None:
        """
        :param image_name: names the recipe, pipeline and configurations (3 to 128 of ``[-_A-Za-z0-9 ]``).
        :param base_image: what the recipe starts from, see :class:`BaseImage`.
        :param components: AWS-managed and own components, run in order.
        :param recipe_version: Default: ``1.0.x``, auto-incremented by Image Builder on each change.
        :param root_volume: Default: 30 GiB gp3 on the base image's root device, encrypted.
        :param data_volumes: Default: none. Extra volumes such as ``/dev/xvdf``, encrypted (a layer adds its parent's).
        :param kms_key: customer managed key (home region) for the image's volumes, by key or alias
            (``kms.Alias.from_alias_name``); its key policy must let ``AWSServiceRoleForImageBuilder``
            use it too (as :class:`DistributionKey` does). Default: when the AMI is shared in the
            home region or copied into other accounts, ``alias/golden-ami/recipes``, one
            :class:`DistributionKey` per account and region the library makes and extends; else
            the account's default EBS key.
        :param encrypt_volumes: Default: True. False only for public images (AWS cannot make an AMI
            with encrypted snapshots public).
        :param instance_types: Default: m7i.large, m6i.large (x86_64) or m7g.large, m6g.large (arm64).
        :param hop_limit: IMDSv2 hop limit of build instances. Default: 1.
        :param terminate_on_failure: Default: True.
        :param subnet: build subnet. Default: the default VPC (a synth warning).
        :param build_network: build subnet and security groups by ID (:class:`BuildNetwork`) instead.
        :param image_tests: run the recipe's test phases before distribution. Default: True.
        :param test_timeout_minutes: 60 to 1440. Default: 720.
        :param image_scanning: Amazon Inspector scan of the test instance. Default: True. It needs
            Amazon Inspector activated in the account (a paid service); set False otherwise.
        :param schedule: Default: ``Schedule()``, Sundays 04:00 UTC. None builds only on demand.
        :param distributions: region targets besides the home region. Default: none. More can
            follow with :meth:`add_region`.
        :param include_home_region: add the stack's region with defaults unless listed. Default: True.
        :param version_lock: Default: the file in context ``golden-ami:versionLockFile``, else
            ``golden-ami.lock.json`` in the working directory; frozen when context
            ``golden-ami:versionLockFrozen`` is true.
        :param lifecycle: how old AMIs are retired. Default: ``Lifecycle.standard()``, deprecate after
            90 days, delete with snapshots after 180, keep the newest 3, never one launched in the
            last 30 days or tagged ``golden-ami:keep=true``. None keeps every AMI (and pays for it).
        :param tags: tags on every resource and on the AMIs. Default: none.
        :param build_resources: build instance role, profile and log bucket shared with other
            pipelines (:class:`BuildResources`). Default: the pipeline's own.
        :param lifecycle_role: the lifecycle policy's execution role, shared. Default: its own.
        :param workflows: build and test workflows (:class:`Workflow`). Given any, the pipeline lists
            ``build-image`` unless one is a build workflow, and ``test-image`` while ``image_tests``
            is on, and gets its execution role. Default: none, Image Builder's own build and test.
        :param smoke_test: the team's smoke-test script (its text, or a ``Path`` to read), run on the
            test instance before distribution (:meth:`Workflow.smoke_test`). Default: none.
        :param hold_status: read the pipeline's status from ``/golden-ami/<image_name>/status`` at
            every deploy that changes it (:class:`PipelineHolds`), so a deploy keeps a pipeline
            ``golden-ami-revoke`` disabled. Default: False, always ``ENABLED``.
        :param expected_used_gib: the data the image's volumes hold (their written blocks), for the
            expected snapshot cost beside the upper bound (:meth:`snapshot_cost`); measure it with
            ``golden-ami-status`` (the kept snapshots' written size). Default: none, the upper bound only.
        """
        super().__init__(scope, id)
        stack = Stack.of(self)
        self.image_name = image_name
        self.region = stack.region
        self.architecture, self.platform = base_image.architecture, base_image.platform
        self.base_image = base_image
        tag_map = check_tags("tags", tags or {})
        check_range("test_timeout_minutes", test_timeout_minutes, TEST_TIMEOUT_MIN, TEST_TIMEOUT_MAX, " minutes")
        types = instance_types_for(instance_types, self.architecture)
        check_base_region(base_image, image_name, self.region)
        check_description("description", description)
        planned = planned_workflows(
            workflows, smoke_test=smoke_test, image_tests=image_tests, platform=base_image.platform
        )
        kms_key = recipe_key(self, kms_key, distributions, self.region, encrypt_volumes)
        lock = version_lock or self._default_lock()
        self.version_lock = lock
        """The lock file this pipeline's component versions, names and image identity are recorded in."""
        targets = pipeline_targets(
            self,
            tuple(distributions),
            include_home=include_home_region,
            encrypted=encrypt_volumes,
            home_key=kms_key is not None,
            platform=self.platform,
        )
        if any(t.ami_name is None for t in targets):
            AMI_NAME.check("image_name", image_name, image=image_name)
        if any(t.description is None for t in targets):
            AMI_DESCRIPTION.check("image_name", image_name, image=image_name)

        self.recipe = GoldenImageRecipe(
            self,
            "Recipe",
            name=image_name,
            base_image=base_image,
            components=components,
            version_lock=lock,
            recipe_version=recipe_version,
            root_volume=root_volume,
            data_volumes=data_volumes,
            kms_key=kms_key,
            encrypt_volumes=encrypt_volumes,
            description=description,
        )
        self.infrastructure = BuildInfrastructure(
            self,
            "Infrastructure",
            name=image_name,
            instance_types=types,
            hop_limit=hop_limit,
            terminate_on_failure=terminate_on_failure,
            subnet=subnet,
            security_groups=security_groups,
            network=build_network,
            log_bucket=log_bucket,
            notifications=notifications,
            notification_topic=notification_topic,
            resources=build_resources,
        )
        trace = _render.trace_tags(image_name, base_image.parent_image, self.recipe.component_versions)
        self._execution = ExecutionRole(self, image_name, kms_key)
        self._distribution = PipelineDistribution(
            self,
            image_name=image_name,
            targets=targets,
            ami_tags={**tag_map, **trace},
            execution=self._execution,
            encrypted=encrypt_volumes,
            home_key=kms_key is not None,
            platform=self.platform,
        )
        self.distribution = self._distribution.resource
        self.region_targets = targets
        self.parameter_names = self._distribution.parameter_names
        self.image_tests = image_tests
        self.test_timeout_minutes = test_timeout_minutes
        self.image_scanning = image_scanning
        self.resource = self._pipeline(description, self._schedule(schedule, components))
        self.resource.status = pipeline_status(self, self.resource, image_name, hold_status)
        self.status_parameter = status_parameter_name(image_name) if hold_status else None
        """The SSM parameter a revoke holds the pipeline's status in; None when not held."""
        self.workflows: PipelineWorkflows | None = None
        """The workflows the pipeline lists; None when Image Builder runs its defaults."""
        self.log_groups: Any = None
        """The pipeline's CloudWatch log groups (``PipelineLogGroups``), once made; None without."""
        self.images: list[Any] = []
        """The deploy-time builds of this pipeline (``GoldenImage``)."""
        if planned:
            self.workflows = PipelineWorkflows(
                self, image_name=image_name, workflows=planned, version_lock=lock, execution=self._execution
            )
            self.resource.workflows = self.workflows.render(_Pipeline)
            self.resource.execution_role = self.workflows.role.role_arn
        self.lifecycle = self._retire(lifecycle, lifecycle_role)
        self.root_volume = root_volume or RootVolume()
        self.data_volumes = layered(base_image.inherited_data_volumes, data_volumes)
        """The AMI's data volumes: a parent's (a layer's ancestors'), then the recipe's own."""
        self._record_cost(schedule, expected_used_gib)
        self._execution.order_before(self.resource)
        for key, value in tag_map.items():
            Tags.of(self).add(key, value)

        self.root_device_name = self.root_volume.device_name or base_image.root_device_name
        self.pipeline_arn = self.resource.attr_arn
        self.pipeline_name = image_name
        self.start_command = start_command(region=self.region, account=stack.account, image_name=image_name)
        """The AWS CLI command that builds and distributes an image now (after a region was added)."""
        self.recipe_arn = self.recipe.arn
        self.recipe_name = image_name
        self.component_versions = dict(self.recipe.component_versions)

    # -- the steps of __init__ ---------------------------------------------------------------

    def _pipeline(self, description: str | None, schedule: _Pipeline.ScheduleProperty | None) -> _Pipeline:
        """The pipeline resource, with what each build runs besides the recipe (tests, scan). Its
        logging configuration is set by :class:`~constructs_lib.pipeline._logging.PipelineLogGroups`,
        with the execution role (``_execution``) that Image Builder then requires
        (https://docs.aws.amazon.com/imagebuilder/latest/userguide/pipeline-workflows.html)."""
        return _Pipeline(
            self,
            "Resource",
            name=self.image_name,
            description=description or f"Golden image {self.image_name}",
            image_recipe_arn=self.recipe.arn,
            infrastructure_configuration_arn=self.infrastructure.arn,
            distribution_configuration_arn=self.distribution.attr_arn,
            execution_role=self.execution_role.role_arn if self.execution_role else None,
            enhanced_image_metadata_enabled=True,
            image_tests_configuration=_Pipeline.ImageTestsConfigurationProperty(
                image_tests_enabled=self.image_tests, timeout_minutes=self.test_timeout_minutes
            ),
            image_scanning_configuration=_Pipeline.ImageScanningConfigurationProperty(
                image_scanning_enabled=self.image_scanning
            ),
            schedule=schedule,
        )

    def _retire(self, lifecycle: Lifecycle | None, role: iam.IRole | None) -> ImageLifecycle | None:
        if lifecycle is None:
            return None
        policy = ImageLifecycle(
            self, "Lifecycle", name=self.image_name, lifecycle=lifecycle, recipes=[self.image_name], role=role
        )
        policy.node.add_dependency(self.recipe.resource)
        return policy

    # -- public API -------------------------------------------------------------------------

    @property
    def execution_role(self) -> iam.Role | None:
        """The role Image Builder runs the pipeline with; None when it publishes no parameter."""
        return self._execution.role

    @property
    def ami_parameter_name(self) -> str:
        """The latest-AMI SSM parameter in the home region (``/golden-ami/<image>/latest``)."""
        return self.parameter_name_in(self.region)  # the home region, read once at construction

    @property
    def image_arn_wildcard(self) -> str:
        """The ARN of this pipeline's newest image (``.../image/<name>/x.x.x``), a layer's parent."""
        stack = Stack.of(self)
        image = _render.slug(self.image_name)
        return f"arn:{stack.partition}:imagebuilder:{stack.region}:{stack.account}:image/{image}/x.x.x"

    def fast_launch_in(self, region: str) -> bool:
        """True when EC2 Fast Launch is on for this image's AMIs in ``region``."""
        return region in self._distribution.fast_launch_regions

    def parameter_name_in(self, region: str) -> str:
        """The latest-AMI SSM parameter this image publishes in ``region``; raises ``ValueError``
        naming the regions it reaches when it publishes none there."""
        return self._distribution.parameter_name_in(region)

    @property
    def distribution_entries(self) -> list[Any]:
        """The distribution configuration's entries (one per region), as given to the resource."""
        return list(self._distribution.entries)

    def add_region(self, target: RegionTarget) -> None:
        """Distribute the image to one more region (or, with ``target_accounts``, more accounts
        there). The same rules apply as to ``distributions``: one target per region, the home
        partition, a key of your own for sharing or copying encrypted AMIs."""
        if self._distribution.add(target):
            self.resource.execution_role = self.execution_role.role_arn if self.execution_role else None
            self._execution.order_before(self.resource)
        self.region_targets = self._distribution.targets

    def grant_start_execution(self, grantee: iam.IGrantable) -> iam.Grant:
        """Allow ``grantee`` to start a build of this pipeline (``imagebuilder:StartImagePipelineExecution``)."""
        return grant_start(grantee, self.pipeline_arn)

    @staticmethod
    def from_pipeline_arn(pipeline_arn: str, *, ami_parameter_name: str) -> ImportedPipeline:
        """Reference a pipeline built elsewhere by ARN, with the parameter its AMIs are published under."""
        return ImportedPipeline(pipeline_arn=pipeline_arn, ami_parameter_name=ami_parameter_name)

    def _default_lock(self) -> VersionLock:
        path = self.node.try_get_context(LOCK_FILE_CONTEXT) or DEFAULT_LOCK_FILE
        return VersionLock.at(path, frozen=str(self.node.try_get_context(LOCK_FROZEN_CONTEXT)).lower() == "true")

    def _schedule(
        self, schedule: Schedule | None, components: Sequence[Component]
    ) -> _Pipeline.ScheduleProperty | None:
        self._condition: StartCondition | None = None
        if schedule is None:
            return None
        self._condition = condition = start_condition(schedule, self.base_image)
        if never_builds(condition, self.base_image, components):
            Annotations.of(self).add_warning_v2(NEVER_BUILDS_WARNING, NEVER_BUILDS)
        return render_schedule(schedule, condition)
