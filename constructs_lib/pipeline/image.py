"""One image built while the stack deploys, and whether its AMIs go when the stack goes."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import jsii
from aws_cdk import Aspects, CfnDeletionPolicy, IAspect, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_imagebuilder as imagebuilder
from constructs import Construct, IConstruct

from .._core.iam import image_builder_role
from .._core.plain import NeedsNode, plain
from .image_pipeline import GoldenImagePipeline

_Image = imagebuilder.CfnImage
_POLICY = "service-role/EC2ImageBuilderLifecycleExecutionPolicy"


class GoldenImage(Construct):
    """An ``AWS::ImageBuilder::Image``: one build of a pipeline's recipe, made during deploy.

    Images a pipeline builds on its schedule are not CloudFormation resources, so they always
    outlive the stack (their lifecycle policy retires them). This construct is for short-lived
    environments that want an AMI as part of the deploy, and, with
    ``removal_policy=RemovalPolicy.DESTROY``, want its AMIs and snapshots deleted, in every
    distribution region, when the stack is deleted or the image replaced. The deploy waits for
    the build (typically 20 to 60 minutes).

    The image's logical ID ends with a digest of the pipeline's distributions (regions, accounts,
    launch permissions, parameters), so a deploy that adds a region or an account creates a new
    image, built and distributed to every target, the new one included: its latest-AMI
    parameter exists there when the deploy ends, instead of after the next scheduled build.
    The tags the distributions put on the AMIs do not count: a tags-only edit updates the
    distribution in place, and the next build's AMIs carry the new tags. The version lock
    records the digest in use (``images``), so the images deployed before tags were left out keep
    their logical IDs (:meth:`VersionLock.image_suffix`). A distribution configuration only
    applies to images built after it changes, and creating an ``AWS::ImageBuilder::Image``
    builds one
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-imagebuilder-image.html).
    The image it replaces is kept (``RETAIN``, its lifecycle policy retires it) or deleted with
    its AMIs (``DESTROY``).

    Example::

        GoldenImage(self, "Ephemeral", pipeline=pipeline, removal_policy=RemovalPolicy.DESTROY)
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        pipeline: GoldenImagePipeline,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
    ) -> None:
        """
        :param pipeline: whose recipe, build infrastructure, distribution, tests, workflows and execution
            role the build uses.
        :param removal_policy: Default: ``RETAIN``, the AMIs and snapshots stay when the stack
            is deleted. ``DESTROY`` deletes them, with a role that may only deregister AMIs and
            delete snapshots Image Builder created.
        """
        super().__init__(scope, id)
        if removal_policy not in (RemovalPolicy.RETAIN, RemovalPolicy.DESTROY):
            raise ValueError(
                f"removal_policy: {removal_policy} is not supported for images; "
                "use RemovalPolicy.RETAIN (keep the AMIs) or RemovalPolicy.DESTROY (delete them with the stack)"
            )
        self.deletion_role: iam.Role | None = None
        if removal_policy is RemovalPolicy.DESTROY:
            self.deletion_role = image_builder_role(
                self,
                "DeletionRole",
                description=f"Image Builder deletes the AMIs and snapshots of {pipeline.image_name} with the stack",
                policy=_POLICY,
                why="Deregisters AMIs and deletes snapshots only when tagged CreatedBy=EC2 Image Builder; "
                "deleting an image needs exactly that.",
            )
        source = pipeline.resource
        self.resource = _Image(
            self,
            "Resource",
            image_recipe_arn=source.image_recipe_arn,
            infrastructure_configuration_arn=source.infrastructure_configuration_arn,
            distribution_configuration_arn=source.distribution_configuration_arn,
            execution_role=source.execution_role,
            workflows=pipeline.workflows.render(_Image) if pipeline.workflows else None,
            enhanced_image_metadata_enabled=True,
            image_tests_configuration=_Image.ImageTestsConfigurationProperty(
                image_tests_enabled=pipeline.image_tests, timeout_minutes=pipeline.test_timeout_minutes
            ),
            image_scanning_configuration=_Image.ImageScanningConfigurationProperty(
                image_scanning_enabled=pipeline.image_scanning
            ),
            deletion_settings=_Image.DeletionSettingsProperty(execution_role=self.deletion_role.role_arn)
            if self.deletion_role
            else None,
        )
        if pipeline.execution_role is not None:
            self.resource.node.add_dependency(pipeline.execution_role.node.find_child("DefaultPolicy"))

        self.resource.apply_removal_policy(removal_policy)
        if removal_policy is RemovalPolicy.RETAIN:
            self.resource.cfn_options.deletion_policy = CfnDeletionPolicy.RETAIN
        self.removal_policy = removal_policy
        self.pipeline = pipeline
        pipeline.images.append(self)
        if pipeline.log_groups is not None:
            self.use_logs(pipeline.log_groups)
        Aspects.of(self.resource).add(_DistributionDigest(pipeline))
        self.image_arn = self.resource.attr_arn
        self.image_id = self.resource.attr_image_id
        """The AMI ID in the stack's region."""

    def use_logs(self, groups: Any) -> None:
        """Write this build's log to the pipeline's image log group (``PipelineLogGroups``), made
        first: without it Image Builder writes to ``/aws/imagebuilder/<image>``, creating it itself,
        unencrypted and never expiring, if the build starts before the stack creates the group
        ("ImageLoggingConfiguration", https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-imagebuilder-image-imageloggingconfiguration.html)."""
        self.resource.logging_configuration = _Image.ImageLoggingConfigurationProperty(
            log_group_name=groups.image_log_group_name
        )
        for group in groups.log_groups:
            self.resource.node.add_dependency(group)
        self.resource.execution_role = self.pipeline.resource.execution_role
        self.pipeline._execution.order_before(self.resource)


def distribution_digest(pipeline: GoldenImagePipeline) -> str:
    """Eight hex digits naming the pipeline's distributions as CloudFormation receives them."""
    return digest_of(_rendered(pipeline))


def _rendered(pipeline: GoldenImagePipeline) -> Any:
    """The pipeline's distribution entries as plain JSON (resolved by the stack where they hold tokens)."""
    entries = pipeline.distribution_entries
    try:
        return plain(entries)
    except NeedsNode:
        return Stack.of(pipeline).resolve(entries)


def _without_tags(value: Any) -> Any:
    """``value`` without the tags the distributions put on the AMIs (``AmiTags``): what is left
    decides whether a new build is worth it (a region, an account, a launch permission, a
    parameter). Tags update the distribution in place and reach the next build's AMIs."""
    if isinstance(value, dict):
        return {k: _without_tags(v) for k, v in value.items() if k not in ("AmiTags", "amiTags")}
    if isinstance(value, list):
        return [_without_tags(v) for v in value]
    return value


def digest_of(rendered: Any) -> str:
    """Eight hex digits of ``rendered`` (resolved distribution entries), key order aside."""
    return hashlib.sha256(json.dumps(rendered, sort_keys=True).encode()).hexdigest()[:8].upper()


@jsii.implements(IAspect)
class _DistributionDigest:
    """Appends a digest of the pipeline's distributions to the image's logical ID once the app is
    complete, so that regions added later (``add_region``) count too; the one recorded while only
    tags changed (:meth:`VersionLock.image_suffix`)."""

    def __init__(self, pipeline: GoldenImagePipeline) -> None:
        self._pipeline = pipeline

    def visit(self, node: IConstruct) -> None:
        if isinstance(node, _Image):
            stack = Stack.of(node)
            rendered = _rendered(self._pipeline)
            base = stack.get_logical_id(node)
            suffix = self._pipeline.version_lock.image_suffix(
                self._pipeline.image_name, basis=digest_of(_without_tags(rendered)), today=digest_of(rendered)
            )
            node.override_logical_id(f"{base}D{suffix}")
