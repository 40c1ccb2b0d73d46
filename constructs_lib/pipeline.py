"""The golden image pipeline: one call from a base image and components to distributed AMIs."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable

from aws_cdk import Annotations, Stack, Tags, Validations
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_imagebuilder as imagebuilder
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from constructs import Construct

from . import _render
from ._iam import image_builder_role
from ._instance_types import DEFAULT_INSTANCE_TYPES, check_instance_types
from ._limits import TEST_TIMEOUT_MAX, TEST_TIMEOUT_MIN, check_range, check_tags
from ._nag import INLINE_POLICY_REASON, acknowledge, compliance
from .base_image import BaseImage
from .component import Component
from .cost import SNAPSHOT_PRICE_PER_GB_MONTH, CostEstimate, estimate_snapshot_cost
from .distribution import RegionTarget, check_region, partition_of
from .enums import Architecture, StartCondition
from .infrastructure import BuildInfrastructure, BuildResources
from .lifecycle import ImageLifecycle, Lifecycle
from .recipe import GoldenImageRecipe
from .schedule import Schedule, builds_per_month
from .version_lock import DEFAULT_LOCK_FILE, VersionLock
from .volumes import DataVolume, RootVolume

LOCK_FILE_CONTEXT = "golden-ami:versionLockFile"
LOCK_FROZEN_CONTEXT = "golden-ami:versionLockFrozen"
_Pipeline = imagebuilder.CfnImagePipeline
WEEKLY = Schedule()
"""The default schedule: Sundays 04:00 UTC, built whenever it matches."""
STANDARD_LIFECYCLE = Lifecycle.standard()
COST_METADATA = "GoldenAmi::SnapshotCost"
"""Pipeline metadata key holding the snapshot cost estimate that `make synth` prints."""


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
    root_device_name: str
    root_volume: RootVolume
    data_volumes: tuple[DataVolume, ...]
    image_name: str

    def parameter_name_in(self, region: str) -> str: ...


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ImportedPipeline:
    """A pipeline defined elsewhere, from :meth:`GoldenImagePipeline.from_pipeline_arn`."""

    pipeline_arn: str
    ami_parameter_name: str

    def grant_start_execution(self, grantee: iam.IGrantable) -> iam.Grant:
        """Allow ``grantee`` to start a build of this pipeline."""
        return _grant_start(grantee, self.pipeline_arn)


def _grant_start(grantee: iam.IGrantable, pipeline_arn: str) -> iam.Grant:
    return iam.Grant.add_to_principal(
        grantee=grantee, actions=["imagebuilder:StartImagePipelineExecution"], resource_arns=[pipeline_arn]
    )


class GoldenImagePipeline(Construct):
    """A complete EC2 Image Builder pipeline for one golden image.

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
    ) -> None:
        """
        :param image_name: names the recipe, pipeline and configurations (3 to 128 of ``[-_A-Za-z0-9 ]``).
        :param base_image: what the recipe starts from, see :class:`BaseImage`.
        :param components: AWS-managed and own components, run in order.
        :param recipe_version: Default: ``1.0.x``, auto-incremented by Image Builder on each change.
        :param root_volume: Default: 30 GiB gp3 on the base image's root device, encrypted.
        :param data_volumes: Default: none. Extra volumes such as ``/dev/xvdf``, encrypted.
        :param kms_key: key for the image's volumes. Default: the account's default EBS key, which
            cannot be shared: sharing the AMI with other accounts needs a key of your own here (home
            region) or in the region target's ``kms_key_arn``.
        :param encrypt_volumes: Default: True. False only for public images (AWS cannot make an AMI
            with encrypted snapshots public).
        :param instance_types: Default: m7i.large, m6i.large (x86_64) or m7g.large, m6g.large (arm64).
        :param hop_limit: IMDSv2 hop limit of build instances. Default: 1.
        :param terminate_on_failure: Default: True.
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
        """
        super().__init__(scope, id)
        stack = Stack.of(self)
        tag_map = check_tags("tags", tags or {})
        check_range("test_timeout_minutes", test_timeout_minutes, TEST_TIMEOUT_MIN, TEST_TIMEOUT_MAX, " minutes")
        architecture = base_image.architecture
        types = (
            tuple(instance_types)
            if instance_types is not None
            else DEFAULT_INSTANCE_TYPES[architecture or Architecture.X86_64]
        )
        check_instance_types("instance_types", types, architecture)
        self.image_name = image_name
        self.region = stack.region
        if base_image.region is not None and base_image.region != stack.region:
            raise ValueError(
                f"base_image: {base_image.description} is built in {base_image.region}, but {image_name!r} "
                f"builds in {stack.region}; a layer must be in its parent's region (and account)"
            )
        self._home_key = kms_key is not None
        self._encrypted = encrypt_volumes
        targets = self._targets(stack, tuple(distributions), include_home_region)
        self.recipe = GoldenImageRecipe(
            self,
            "Recipe",
            name=image_name,
            base_image=base_image,
            components=components,
            version_lock=version_lock or self._default_lock(),
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
            log_bucket=log_bucket,
            notifications=notifications,
            notification_topic=notification_topic,
            resources=build_resources,
        )
        self._ami_tags = {**tag_map, **self._trace_tags(base_image)}
        self.distribution = imagebuilder.CfnDistributionConfiguration(
            self,
            "Distribution",
            name=image_name,
            description=f"Regions and accounts that receive {image_name}",
            distributions=[_render.distribution(t, image_name, self._ami_tags) for t in targets],
        )
        self.region_targets = targets
        self.parameter_names = {t.region: n for t in targets if (n := _render.parameter_name(t, image_name))}
        self.execution_role: iam.Role | None = None
        self._put_parameter: iam.PolicyStatement | None = None
        self._publish_parameters(stack)

        self.resource = _Pipeline(
            self,
            "Resource",
            name=image_name,
            description=description or f"Golden image {image_name}",
            image_recipe_arn=self.recipe.arn,
            infrastructure_configuration_arn=self.infrastructure.arn,
            distribution_configuration_arn=self.distribution.attr_arn,
            execution_role=self.execution_role.role_arn if self.execution_role else None,
            enhanced_image_metadata_enabled=True,
            image_tests_configuration=_Pipeline.ImageTestsConfigurationProperty(
                image_tests_enabled=image_tests, timeout_minutes=test_timeout_minutes
            ),
            image_scanning_configuration=_Pipeline.ImageScanningConfigurationProperty(
                image_scanning_enabled=image_scanning
            ),
            schedule=self._schedule(schedule, base_image, components),
            status="ENABLED",
        )
        self.lifecycle = None
        if lifecycle is not None:
            self.lifecycle = ImageLifecycle(
                self, "Lifecycle", name=image_name, lifecycle=lifecycle, recipes=[image_name], role=lifecycle_role
            )
            self.lifecycle.node.add_dependency(self.recipe.resource)
        self._volume_gib = (root_volume or RootVolume()).size_gib + sum(v.size_gib for v in data_volumes)
        rate = builds_per_month(schedule.expression) if schedule else 1.0
        if base_image.builds_per_month is not None and self._condition is StartCondition.ON_DEPENDENCY_UPDATE:
            # A layer builds only when its parent has a new version.
            rate = min(rate, base_image.builds_per_month)
        self.builds_per_month = rate
        estimate = self.snapshot_cost()
        self.resource.add_metadata(
            COST_METADATA,
            {
                "VersionsKept": estimate.versions_kept,
                "StoredGiB": estimate.stored_gib,
                "MonthlyUSD": estimate.monthly_usd,
            }
            if estimate
            else {"VersionsKept": "unbounded"},
        )
        self._wait_for_execution_role()
        for key, value in tag_map.items():
            Tags.of(self).add(key, value)

        self.architecture = architecture
        self.base_image = base_image
        self.root_device_name = (root_volume or RootVolume()).device_name or base_image.root_device_name
        self.root_volume = root_volume or RootVolume()
        self.data_volumes = tuple(data_volumes)
        self.image_tests = image_tests
        self.test_timeout_minutes = test_timeout_minutes
        self.image_scanning = image_scanning
        self.pipeline_arn = self.resource.attr_arn
        self.pipeline_name = image_name
        self.recipe_arn = self.recipe.arn
        self.recipe_name = image_name
        self.component_versions = dict(self.recipe.component_versions)

    # -- public API -------------------------------------------------------------------------

    @property
    def ami_parameter_name(self) -> str:
        """The latest-AMI SSM parameter in the home region (``/golden-ami/<image>/latest``)."""
        return self.parameter_name_in(Stack.of(self).region)

    @property
    def image_arn_wildcard(self) -> str:
        """The ARN of this pipeline's newest image (``.../image/<name>/x.x.x``), a layer's parent."""
        stack = Stack.of(self)
        image = _render.slug(self.image_name)
        return f"arn:{stack.partition}:imagebuilder:{stack.region}:{stack.account}:image/{image}/x.x.x"

    def parameter_name_in(self, region: str) -> str:
        """The latest-AMI SSM parameter this image publishes in ``region``; raises ``ValueError``
        naming the regions it reaches when it publishes none there."""
        if region not in self.parameter_names:
            reached = ", ".join(self.parameter_names) or "no region"
            raise ValueError(
                f"region: {self.image_name!r} publishes no latest-AMI parameter in {region}; it does in {reached}. "
                f"Distribute it there (add_region(RegionTarget(region={region!r}))) or use a consumer in one of those"
            )
        return self.parameter_names[region]

    def add_region(self, target: RegionTarget) -> None:
        """Distribute the image to one more region (or, with ``target_accounts``, more accounts
        there). The same rules apply as to ``distributions``: one target per region, the home
        partition, a key of your own for sharing or copying encrypted AMIs."""
        stack = Stack.of(self)
        if target.region in {t.region for t in self.region_targets}:
            raise ValueError(
                f"add_region: region {target.region!r} is already distributed to; "
                "merge its settings into the existing RegionTarget"
            )
        self._check_target(stack, target)
        self.region_targets = (*self.region_targets, target)
        self.distribution.distributions = [
            _render.distribution(t, self.image_name, self._ami_tags) for t in self.region_targets
        ]
        name = _render.parameter_name(target, self.image_name)
        if name is not None:
            self.parameter_names[target.region] = name
            self._publish_parameters(stack)
            self.resource.execution_role = self.execution_role.role_arn if self.execution_role else None
            self._wait_for_execution_role()

    def snapshot_cost(self, price_per_gb_month: float = SNAPSHOT_PRICE_PER_GB_MONTH) -> CostEstimate | None:
        """Snapshot storage this image holds at steady state under its lifecycle policy, and its
        monthly cost; None when nothing ever deletes its AMIs. Builds per month come from the
        schedule (one a month when built on demand)."""
        kept = self.lifecycle.lifecycle.versions_kept(self.builds_per_month) if self.lifecycle else None
        if kept is None:
            return None
        copies = sum(1 + len(t.target_accounts) for t in self.region_targets)
        return estimate_snapshot_cost(
            image=self.image_name,
            volume_gib=self._volume_gib,
            copies=copies,
            versions_kept=kept,
            price_per_gb_month=price_per_gb_month,
        )

    def grant_start_execution(self, grantee: iam.IGrantable) -> iam.Grant:
        """Allow ``grantee`` to start a build of this pipeline (``imagebuilder:StartImagePipelineExecution``)."""
        return _grant_start(grantee, self.pipeline_arn)

    @staticmethod
    def from_pipeline_arn(pipeline_arn: str, *, ami_parameter_name: str) -> ImportedPipeline:
        """Reference a pipeline built elsewhere by ARN, with the parameter its AMIs are published under."""
        return ImportedPipeline(pipeline_arn=pipeline_arn, ami_parameter_name=ami_parameter_name)

    # -- helpers ----------------------------------------------------------------------------

    def _default_lock(self) -> VersionLock:
        path = self.node.try_get_context(LOCK_FILE_CONTEXT) or DEFAULT_LOCK_FILE
        frozen = str(self.node.try_get_context(LOCK_FROZEN_CONTEXT)).lower() == "true"
        return VersionLock.at(path, frozen=frozen)

    def _targets(self, stack: Stack, given: tuple[RegionTarget, ...], include_home: bool) -> tuple[RegionTarget, ...]:
        regions = [t.region for t in given]
        for region in regions:
            if regions.count(region) > 1:
                raise ValueError(
                    f"distributions: region {region!r} is listed twice; merge its settings into one RegionTarget"
                )
        home = stack.region
        if include_home and home not in regions:
            given = (RegionTarget(region=check_region("home region", home)), *given)
        if not given:
            raise ValueError(
                "distributions: no region left (include_home_region=False and none listed); list at least one"
            )
        if not stack.region or stack.resolve(home) != home:
            raise ValueError(
                "stack region: the pipeline's stack needs an explicit region (env=Environment(region=...))"
            )
        for target in given:
            self._check_target(stack, target)
        return given

    def _check_target(self, stack: Stack, target: RegionTarget) -> None:
        field = f"distributions[{target.region}]"
        partition = partition_of(self.region)
        if partition_of(target.region) != partition:
            raise ValueError(
                f"{field}.region: {target.region!r} is outside the home region's partition {partition!r}; "
                "AMIs cannot be copied across partitions"
            )
        permission = target.launch_permission
        if permission.public:
            if self._encrypted or target.kms_key_arn:
                raise ValueError(
                    f"{field}.launch_permission.public: AWS cannot make an AMI with encrypted snapshots public, "
                    "and this image's volumes are encrypted; pass encrypt_volumes=False to the pipeline (no "
                    "kms_key_arn on the target, and EBS encryption by default off in the account), or share "
                    "with accounts, organizations or OUs instead"
                )
            Validations.of(self).add_warning(
                "PublicAmi",
                f"{self.node.path}: AMIs in {target.region} are shared publicly. AWS accounts block public AMI "
                "sharing by default; it must be allowed per region (EC2 console > Data protection and security > "
                "Block public access for AMIs, or 'aws ec2 disable-image-block-public-access').",
            )
            return
        default_key = target.kms_key_arn is None and not (target.region == stack.region and self._home_key)
        if not permission.is_owner_only and self._encrypted and default_key:
            raise ValueError(
                f"{field}.kms_key_arn: the AMI is shared with other accounts but encrypted with the "
                "account's default EBS key, which AWS does not let other accounts use; set kms_key_arn to a "
                f"customer managed key in {target.region} those accounts may use "
                "(DistributionKey.alias_arn(...) for a DistributionKey)"
            )

    def _trace_tags(self, base_image: BaseImage) -> dict[str, str]:
        return {
            "golden-ami:pipeline": self.image_name,
            "golden-ami:base-image": base_image.parent_image[:256],
            "golden-ami:components": " ".join(f"{n}/{v}" for n, v in self.recipe.component_versions.items())[:256],
            # Image Builder adds Ec2ImageBuilderArn with the exact build version itself.
            "golden-ami:recipe": f"{self.image_name}/{self.recipe.resource.version}",
        }

    def _publish_parameters(self, stack: Stack) -> None:
        """Let the execution role write every latest-AMI parameter, creating it on first need."""
        if not self.parameter_names:
            return
        if self.execution_role is None:
            self.execution_role = self._execution_role(stack, self.image_name)
            self._put_parameter = iam.PolicyStatement(actions=["ssm:PutParameter"])
            self.execution_role.add_to_principal_policy(self._put_parameter)
        assert self._put_parameter is not None
        partition, account = stack.partition, stack.account  # each read is a round trip to jsii
        arns = [
            f"arn:{partition}:ssm:{region}:{account}:parameter{name}" for region, name in self.parameter_names.items()
        ]
        present = set(self._put_parameter.resources)
        self._put_parameter.add_resources(*[a for a in arns if a not in present])

    def _wait_for_execution_role(self) -> None:
        # The role's ARN orders the role; the pipeline must also wait for its inline policy.
        if self.execution_role is not None:
            self.resource.node.add_dependency(self.execution_role.node.find_child("DefaultPolicy"))

    def _execution_role(self, stack: Stack, image_name: str) -> iam.Role:
        role = image_builder_role(
            self,
            "ExecutionRole",
            description=f"Image Builder runs {image_name} with this role and writes its latest-AMI parameters",
            policy="EC2ImageBuilderExecutionPolicy",
            why="The AWS policy Image Builder documents for a pipeline execution role; building needs all of it.",
        )
        role.add_to_principal_policy(iam.PolicyStatement(actions=["ec2:DescribeImages"], resources=["*"]))
        acknowledge(
            role,
            "AwsSolutions-IAM5[Resource::*]",
            "ec2:DescribeImages has no resource-level permissions; SSM validates aws:ec2:image parameters with it.",
            *compliance("IAMNoInlinePolicy", INLINE_POLICY_REASON),
        )
        return role

    def _schedule(
        self, schedule: Schedule | None, base_image: BaseImage, components: Sequence[Component]
    ) -> _Pipeline.ScheduleProperty | None:
        self._condition: StartCondition | None = None
        if schedule is None:
            return None
        tracks = base_image.tracks_updates or any(c.is_managed and "x" in c.version for c in components)
        condition = schedule.start_condition or (
            StartCondition.ON_DEPENDENCY_UPDATE if base_image.tracks_updates else StartCondition.ON_SCHEDULE
        )
        self._condition = condition
        if condition is StartCondition.ON_DEPENDENCY_UPDATE and not tracks:
            Annotations.of(self).add_warning_v2(
                "golden-ami:never-builds",
                "schedule.start_condition is ON_DEPENDENCY_UPDATE but nothing the recipe uses has a wildcard "
                "version, so the schedule never starts a build; use StartCondition.ON_SCHEDULE",
            )
        return _Pipeline.ScheduleProperty(
            schedule_expression=schedule.expression,
            timezone=schedule.time_zone,
            pipeline_execution_start_condition=condition.value,
            auto_disable_policy=_Pipeline.AutoDisablePolicyProperty(failure_count=schedule.disable_after_failures),
        )
