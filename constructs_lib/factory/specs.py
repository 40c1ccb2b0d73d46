"""The parts of a factory file (base, components, volumes, schedule, sharing, lifecycle),
each a frozen pydantic model whose validators call the library's own checks, so that a value is
refused with the same message as in the Python API."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from .._core.enums import Architecture, Platform, StartCondition
from .._core.lifecycle_rules import FILTER_MAX, FILTER_MIN, Lifecycle, LifecycleAction, LifecycleRule, TimeUnit
from .._core.limits import check_name, check_range, check_unique
from .._core.targets import LaunchPermission, check_account, check_parameter_name
from .._core.volumes import RootVolume
from ..bake.base_image import BaseImage
from ..bake.schedule import Schedule, check_cron, check_time_zone
from ..distribute.stackset import check_unit_ids
from ..pipeline._logging import PipelineLogs
from ..pipeline._workflows import planned_workflows
from ..pipeline.family import ImageSpec
from ._base import _Model
from .base_specs import ArchName, BaseSpec
from .component_specs import ComponentSpec
from .fast_launch_specs import FastLaunchSpec
from .network_specs import BuildNetworkSpec
from .volume_specs import VolumesSpec
from .workflow_specs import SmokeTestSpec, WorkflowSpec

SCHEMA_FILE = "factory.schema.json"


class ScheduleSpec(_Model):
    cron: str = "cron(0 4 ? * SUN *)"
    """Six-field cron expression. Default: Sundays 04:00."""
    time_zone: str = "Etc/UTC"
    """IANA time zone of the cron expression."""
    start: Literal["on_schedule", "on_dependency_update"] | None = None
    """Build at every match, or only when a dependency is new. Default: by the base (see README)."""
    disable_after_failures: int = 3

    # Each checked apart, so that a bad cron and a bad time zone are both reported.
    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        return check_cron("schedule.expression", value)

    @field_validator("time_zone")
    @classmethod
    def _time_zone(cls, value: str) -> str:
        return check_time_zone("schedule.time_zone", value)

    @model_validator(mode="after")
    def _check(self) -> ScheduleSpec:
        self.to_schedule()
        return self

    def to_schedule(self) -> Schedule:
        return Schedule(
            expression=self.cron,
            time_zone=self.time_zone,
            start_condition=StartCondition[self.start.upper()] if self.start else None,
            disable_after_failures=self.disable_after_failures,
        )


class LogsSpec(_Model):
    """The image's logs in CloudWatch, next to the build logs in S3: an image and a pipeline log
    group per pipeline, encrypted with a key made for them and kept for ``retention_days``."""

    retention_days: int = 365
    """One of CloudWatch Logs' retention values (1, 3, 5, 7, 14, 30, ... 3653). Default: 365."""

    @model_validator(mode="after")
    def _check(self) -> LogsSpec:
        self.to_logs()
        return self

    def to_logs(self) -> PipelineLogs:
        return PipelineLogs(retention_days=self.retention_days)


class ImageModel(_Model):
    """One image of the fleet."""

    name: str
    """Names the pipeline, recipe and parameter (/golden-ami/<name>/latest)."""
    description: str | None = None
    base: BaseSpec | None = None
    """What the image starts from; or give parent."""
    parent: str | None = None
    """Another image of this file to layer on."""
    architectures: list[ArchName] | None = None
    """Default: the parent's, else the base's, else x86_64. Two give two pipelines."""
    components: Annotated[list[ComponentSpec], Field(min_length=1)]
    volumes: VolumesSpec = VolumesSpec()
    schedule: ScheduleSpec | Literal["on-demand"] | None = None
    """Default: weekly for images on a base, every 6 hours for layers (building only on a new parent)."""
    tests: bool = True
    """Run the recipe's test phases before distribution."""
    scanning: bool = True
    """Amazon Inspector scan of the test instance (needs Inspector activated in the account)."""
    parameter: str | None = None
    """Latest-AMI SSM parameter in every region and destination account. Default: /golden-ami/<name>/latest."""
    build_network: BuildNetworkSpec | None = None
    """This image's build subnet and security groups. Default: the file's build_network."""
    logs: LogsSpec | None = None
    """Pipeline and image logs in CloudWatch log groups. Default: none (build logs go to S3 only)."""
    workflows: list[WorkflowSpec] = []
    """Build and test workflows; given any, build-image and (with tests on) test-image are listed too."""
    smoke_test: SmokeTestSpec | None = None
    """The team's smoke-test script, run on the test instance before distribution. Default: none."""

    @model_validator(mode="after")
    def _workflows(self, info: ValidationInfo) -> ImageModel:
        base_dir = Path((info.context or {}).get("base_dir", "."))
        script = self.smoke_test.to_script(base_dir) if self.smoke_test else None
        given = tuple(w.to_workflow(base_dir) for w in self.workflows)
        # What is checked here does not depend on the platform, which picks only the Run Command
        # document; the image's own (its base's, else its parent's) renders it (pipeline/family.py).
        planned_workflows(given, smoke_test=script, image_tests=self.tests, platform=Platform.LINUX)
        return self

    fast_launch: FastLaunchSpec | None = None
    """EC2 Fast Launch of a Windows image, per region (README: Windows Server). Default: off."""

    @field_validator("parameter")
    @classmethod
    def _parameter(cls, value: str | None) -> str | None:
        return check_parameter_name("parameter", value) if value is not None else None

    @field_validator("architectures")
    @classmethod
    def _architectures(cls, value: list[ArchName] | None) -> list[ArchName] | None:
        if value is not None and not value:
            raise ValueError(
                "architectures: [] lists none; list x86_64, arm64 or both, or leave the key out to take the "
                "parent's (else the base's, else x86_64)"
            )
        if value is not None:
            check_unique("architectures", tuple(value))
        return value

    @model_validator(mode="after")
    def _devices(self) -> ImageModel:
        """Each volume on its own device, the root's included where this entry's base says which it
        is (a layer's root is its parent's, known only when the family is built)."""
        data = tuple(v.device for v in self.volumes.data)
        root = None
        if self.base is not None and self.base.import_ is None and self.base.instance is None:
            root = self.base.to_base_image().root_device_name
        elif self.base is not None:
            root = self.base.root_device or ("/dev/sda1" if self.base.import_ else "/dev/xvda")
        for i, device in enumerate(data):
            if device in data[:i] or device == root:
                raise ValueError(
                    f"volumes.data: device {device!r} is used twice"
                    + (f" (the root volume is {root})" if root else "")
                    + "; give each volume its own device, for example /dev/xvdf, /dev/xvdg"
                )
        return self

    @field_validator("components")
    @classmethod
    def _components(cls, value: list[ComponentSpec]) -> list[ComponentSpec]:
        names = [c.component_name for c in value]
        for second, name in enumerate(names):
            if name in names[:second]:
                raise ValueError(
                    f"{name!r} is listed twice (components[{names.index(name)}] and components[{second}]); "
                    "a recipe takes each component once: drop one"
                )
        return value

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_name("name", value)

    def to_spec(
        self,
        base_dir: Path,
        base_image: BaseImage | None = None,
        platform: Platform = Platform.LINUX,
        home_region: str = "eu-west-1",
    ) -> ImageSpec:
        """The image's spec; ``base_image`` is the base when a construct makes it (an import or a capture);
        ``platform`` is the image's (its base's, or its parent's), which its own documents are checked for."""
        schedule = None
        if isinstance(self.schedule, ScheduleSpec):
            schedule = self.schedule.to_schedule()
        return ImageSpec(
            name=self.name,
            description=self.description,
            base_image=base_image or (self.base.to_base_image() if self.base else None),
            parent=self.parent,
            architectures=tuple(Architecture(a) for a in self.architectures) if self.architectures else None,
            components=tuple(c.to_component(base_dir, platform) for c in self.components),
            root_volume=None if self.volumes.root_gib is None else RootVolume(size_gib=self.volumes.root_gib),
            data_volumes=tuple(v.to_volume() for v in self.volumes.data),
            expected_used_gib=self.volumes.used_gib,
            schedule=schedule,
            on_demand=self.schedule == "on-demand",
            image_tests=self.tests,
            image_scanning=self.scanning,
            parameter_name=self.parameter,
            build_network=self.build_network.to_network() if self.build_network else None,
            logs=self.logs.to_logs() if self.logs else None,
            workflows=tuple(w.to_workflow(base_dir) for w in self.workflows),
            smoke_test=self.smoke_test.to_script(base_dir) if self.smoke_test else None,
            fast_launch=self.fast_launch.by_region(home_region) if self.fast_launch else {},
        )


class SharingSpec(_Model):
    """Who may launch the AMIs besides their owner. Default: nobody."""

    accounts: list[str] = []
    organizations: list[str] = []
    organizational_units: list[str] = []
    """OU ARNs: arn:aws:organizations::<management account>:ou/o-.../ou-..."""
    public: bool = False
    """Every AWS account. Refused in a factory file: it encrypts every image, and AWS cannot make an
    AMI with encrypted snapshots public. Build public images in Python with encrypt_volumes=False."""

    @field_validator("public")
    @classmethod
    def _public(cls, value: bool) -> bool:
        if value:
            raise ValueError(
                "the factory file encrypts every image, and AWS cannot make encrypted AMIs public; share "
                "with accounts, organizations or OUs, or build public images in Python with encrypt_volumes=False"
            )
        return value

    @model_validator(mode="after")
    def _check(self) -> SharingSpec:
        self.to_permission()
        return self

    def to_permission(self) -> LaunchPermission:
        return LaunchPermission(
            accounts=tuple(self.accounts),
            organizations=tuple(self.organizations),
            organizational_units=tuple(self.organizational_units),
            public=self.public,
        )


class StackSetSpec(_Model):
    organizational_units: Annotated[list[str], Field(min_length=1)]
    """OU IDs (ou-...) or the root ID (r-...) whose accounts get the destination role, ready to be
    listed as destinations (the factory's own destinations are left out: they have a stack of their own)."""
    call_as: Literal["SELF", "DELEGATED_ADMIN"] | None = None
    """SELF when the factory account is the organization's management account, DELEGATED_ADMIN when it is
    a delegated StackSet administrator. Default: derived from the account in sharing's organization or OU
    ARNs (the management account); required when sharing names none."""
    lifecycle_role: bool = True
    """Create Ec2ImageBuilderCrossAccountLifecycleAccess in every member account; false when the members have it
    already (AWS's lifecycle prerequisites tell you to make it by hand), as IAM refuses a second role of one name."""

    @field_validator("organizational_units")
    @classmethod
    def _units(cls, value: list[str]) -> list[str]:
        return list(check_unit_ids("organizational_units", value))


class AccountsSpec(_Model):
    destinations: list[str] = []
    """Accounts that get their own copy of every AMI (and the latest-AMI parameter)."""
    stackset: StackSetSpec | None = None
    """Roll the destination role out to every account of these OUs (but the destinations, which have their
    own stack), readying them to be listed as destinations: Image Builder copies only into listed accounts."""
    lifecycle_role_exists: list[str] = []
    """Destinations that have Ec2ImageBuilderCrossAccountLifecycleAccess already (AWS's lifecycle prerequisites
    tell you to make it by hand): their stacks do not create it again, as IAM refuses a second role of one name."""

    @field_validator("lifecycle_role_exists")
    @classmethod
    def _lifecycle_role_exists(cls, value: list[str], info: ValidationInfo) -> list[str]:
        destinations = info.data.get("destinations", [])
        for account in value:
            check_account("lifecycle_role_exists", account)
            if account not in destinations:
                raise ValueError(
                    f"{account!r} is not one of accounts.destinations; list only destinations (only their stacks "
                    "would create the role)"
                )
        return value

    @field_validator("destinations")
    @classmethod
    def _accounts(cls, value: list[str]) -> list[str]:
        for account in value:
            check_account("destinations", account)
        check_unique("destinations", tuple(value))
        return value


class RuleSpec(_Model):
    action: Literal["deprecate", "disable", "delete"]
    age: int | None = None
    unit: Literal["days", "weeks", "months", "years"] = "days"
    keep_last: int | None = None
    retain_at_least: int | None = None

    @model_validator(mode="after")
    def _check(self) -> RuleSpec:
        self.to_rule()  # its errors at this rule's line
        return self

    def to_rule(self) -> LifecycleRule:
        return LifecycleRule(
            action=LifecycleAction[self.action.upper()],
            age=self.age,
            unit=TimeUnit[self.unit.upper()],
            keep_last=self.keep_last,
            retain_at_least=self.retain_at_least,
        )


class LifecycleSpec(_Model):
    """How old AMIs are retired. Default: the standard preset on every image."""

    preset: Literal["standard", "none"] | None = None
    """standard: deprecate after 90 days, delete after 180, keep 3. none: keep every AMI (and pay)."""
    keep_last: int | None = None
    rules: list[RuleSpec] | None = None
    exclude_launched_within_days: int = 30
    exclude_public: bool = False

    @field_validator("keep_last")
    @classmethod
    def _keep_last(cls, value: int | None) -> int | None:
        return None if value is None else check_range("keep_last", value, FILTER_MIN, FILTER_MAX)

    @model_validator(mode="after")
    def _check(self) -> LifecycleSpec:
        given = [k for k in ("preset", "keep_last", "rules") if getattr(self, k) is not None]
        if len(given) > 1:
            raise ValueError(f"give one of preset, keep_last, rules ({', '.join(given)} given)")
        self.to_lifecycle()
        return self

    def to_lifecycle(self) -> Lifecycle | None:
        if self.preset == "none":
            return None
        if self.keep_last is not None:
            rules: tuple[LifecycleRule, ...] = Lifecycle.keep_last(self.keep_last).rules
        elif self.rules is not None:
            rules = tuple(r.to_rule() for r in self.rules)
        else:
            rules = Lifecycle.standard().rules
        return Lifecycle(
            rules=rules,
            exclude_launched_within_days=self.exclude_launched_within_days,
            exclude_public=self.exclude_public,
        )
