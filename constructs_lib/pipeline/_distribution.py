"""Where a pipeline's AMIs go: its distribution configuration and the latest-AMI parameter each
region target publishes, which the pipeline's execution role may write."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import CfnTag, IResolvable, Stack, Validations
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_imagebuilder as imagebuilder
from constructs import Construct

from .._core import render as _render
from .._core.enums import Platform
from .._core.nag import FAST_LAUNCH_VOLUMES_REASON, acknowledge
from .._core.targets import RegionTarget
from .._core.warning_ids import PUBLIC_AMI_WARNING
from ._checks import check_fast_launch, check_target, check_targets, public_warning
from ._execution import ExecutionRole

_Entry = imagebuilder.CfnDistributionConfiguration.DistributionProperty


def pipeline_targets(
    scope: Construct,
    given: tuple[RegionTarget, ...],
    *,
    include_home: bool,
    encrypted: bool,
    home_key: bool,
    platform: Platform = Platform.LINUX,
) -> tuple[RegionTarget, ...]:
    """The targets of the pipeline ``scope``, checked (:func:`check_targets`), the home region
    first unless listed or excluded; a public one raises a warning on ``scope``."""
    stack = Stack.of(scope)
    region = stack.region
    if not region or stack.resolve(region) != region:
        raise ValueError("stack region: the pipeline's stack needs an explicit region (env=Environment(region=...))")
    targets = check_targets(given, home=region, include_home=include_home, encrypted=encrypted, home_key=home_key)
    account = stack.account  # read once: each read is a round trip to jsii
    for target in targets:
        warn_if_public(scope, target)
        check_fast_launch(target, home=region, account=account, platform=platform)
    return targets


def warn_if_public(scope: Construct, target: RegionTarget) -> None:
    """A warning on ``scope`` when ``target`` shares AMIs publicly: AWS blocks that by default."""
    if target.launch_permission.public:
        Validations.of(scope).add_warning(PUBLIC_AMI_WARNING, public_warning(scope.node.path, target.region))


class PipelineDistribution:
    """Owns the distribution configuration (child ``Distribution`` of ``scope``) of ``targets``
    and the parameter each publishes (region -> name), which ``execution`` may write."""

    def __init__(
        self,
        scope: Construct,
        *,
        image_name: str,
        targets: tuple[RegionTarget, ...],
        ami_tags: Mapping[str, str],
        execution: ExecutionRole,
        encrypted: bool,
        home_key: bool,
        platform: Platform = Platform.LINUX,
    ) -> None:
        self._scope = scope
        self._platform = platform
        self._fast_launch_template: tuple[str, str] | None = None
        self._image_name = image_name
        self._ami_tags = dict(ami_tags)
        self._encrypted = encrypted
        self._home_key = home_key
        self.targets = targets
        self.entries = self._entries(targets)
        """The distribution entries as given to the resource: reading them back from it through jsii
        would rebuild each nested struct in Python (seconds on a large fleet)."""
        self.resource = imagebuilder.CfnDistributionConfiguration(
            scope,
            "Distribution",
            name=image_name,
            description=f"Regions and accounts that receive {image_name}",
            distributions=self.entries,
        )
        self.parameter_names = {t.region: n for t in targets if (n := _render.parameter_name(t, image_name))}
        self.execution = execution
        self.execution.allow_parameters(Stack.of(scope), self.parameter_names)

    def add(self, target: RegionTarget) -> bool:
        """Distribute to one more region, under the same rules as the first targets; True when
        it publishes a parameter there (the execution role may then be new)."""
        stack = Stack.of(self._scope)
        if target.region in {t.region for t in self.targets}:
            raise ValueError(
                f"add_region: region {target.region!r} is already distributed to; "
                "merge its settings into the existing RegionTarget"
            )
        check_target(target, home=stack.region, encrypted=self._encrypted, home_key=self._home_key)
        check_fast_launch(target, home=stack.region, account=stack.account, platform=self._platform)
        warn_if_public(self._scope, target)
        self.targets = (*self.targets, target)
        self.entries = self._entries(self.targets)
        self.resource.distributions = self.entries
        name = _render.parameter_name(target, self._image_name)
        if name is None:
            return False
        self.parameter_names[target.region] = name
        self.execution.allow_parameters(stack, self.parameter_names)
        return True

    @property
    def fast_launch_regions(self) -> tuple[str, ...]:
        """The regions where EC2 Fast Launch is on."""
        return tuple(t.region for t in self.targets if t.fast_launch)

    def _entries(self, targets: tuple[RegionTarget, ...]) -> list[IResolvable | _Entry]:
        entries: list[IResolvable | _Entry] = []
        for target in targets:
            template = None
            if target.fast_launch and target.fast_launch.subnet_id:
                template = self._prep_template(target.fast_launch.subnet_id)
            entries.append(_render.distribution(target, self._image_name, self._ami_tags, template))
        return entries

    def _prep_template(self, subnet_id: str) -> tuple[str, str]:
        """The launch template (child ``FastLaunchTemplate``) EC2 Fast Launch launches its prep
        instances from, in ``subnet_id``: IMDSv2 required, no public IP, no block device mapping.
        Tagged ``CreatedBy: EC2 Image Builder``: Image Builder's policies allow ``ec2:EnableFastLaunch``
        on a launch template only with that tag (``AWSServiceRoleForImageBuilder``,
        https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSServiceRoleForImageBuilder.html,
        and ``EC2ImageBuilderExecutionPolicy``,
        https://docs.aws.amazon.com/aws-managed-policy/latest/reference/EC2ImageBuilderExecutionPolicy.html)."""
        if self._fast_launch_template is None:
            template = ec2.CfnLaunchTemplate(
                self._scope,
                "FastLaunchTemplate",
                tag_specifications=[
                    ec2.CfnLaunchTemplate.LaunchTemplateTagSpecificationProperty(
                        resource_type="launch-template", tags=[CfnTag(key="CreatedBy", value="EC2 Image Builder")]
                    )
                ],
                launch_template_data=ec2.CfnLaunchTemplate.LaunchTemplateDataProperty(
                    metadata_options=ec2.CfnLaunchTemplate.MetadataOptionsProperty(
                        http_tokens="required", http_put_response_hop_limit=1, http_endpoint="enabled"
                    ),
                    network_interfaces=[
                        ec2.CfnLaunchTemplate.NetworkInterfaceProperty(
                            device_index=0, subnet_id=subnet_id, associate_public_ip_address=False
                        )
                    ],
                ),
            )
            acknowledge(template, "GoldenAmi-LaunchTemplateVolumesEncrypted", FAST_LAUNCH_VOLUMES_REASON)
            self._fast_launch_template = (template.ref, template.attr_latest_version_number)
        return self._fast_launch_template

    def parameter_name_in(self, region: str) -> str:
        """The parameter published in ``region``; ``ValueError`` naming the regions reached otherwise."""
        if region not in self.parameter_names:
            reached = ", ".join(self.parameter_names) or "no region"
            raise ValueError(
                f"region: {self._image_name!r} publishes no latest-AMI parameter in {region}; it does in {reached}. "
                f"Distribute it there (add_region(RegionTarget(region={region!r}))) or use a consumer in one of those"
            )
        return self.parameter_names[region]
