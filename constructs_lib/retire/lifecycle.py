"""Retiring old AMIs: Image Builder lifecycle policies that never touch an image in use."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_imagebuilder as imagebuilder
from constructs import Construct

from .._core.iam import image_builder_role
from .._core.lifecycle_rules import RECIPES_MAX, Lifecycle, _Policy
from .._core.limits import check_name, check_tags


def lifecycle_role(scope: Construct, id: str, description: str = "Image Builder lifecycle policies") -> iam.Role:
    """An execution role for lifecycle policies: only ``EC2ImageBuilderLifecycleExecutionPolicy``,
    trusted by Image Builder for this account; one can serve every policy of a stack. Kept when
    removed from the stack, like the policies it runs (see :class:`ImageLifecycle`)."""
    role = image_builder_role(
        scope,
        id,
        description=description,
        policy="service-role/EC2ImageBuilderLifecycleExecutionPolicy",
        why="The AWS policy the lifecycle service documents; it scopes actions to Image Builder-made AMIs.",
    )
    role.apply_removal_policy(RemovalPolicy.RETAIN)
    return role


class ImageLifecycle(Construct):
    """An ``AWS::ImageBuilder::LifecyclePolicy`` over AMIs of the given recipes or tags.

    Its execution role holds only ``EC2ImageBuilderLifecycleExecutionPolicy``, trusted by Image
    Builder for this account.

    The policy and its own role are kept when they leave the stack (``DeletionPolicy: Retain``):
    the AMIs of a removed image outlive its pipeline, and only the policy retires them
    (https://docs.aws.amazon.com/imagebuilder/latest/userguide/image-lifecycle-prerequisites.html).
    Delete a retained policy by hand once its AMIs are gone (``aws imagebuilder
    delete-lifecycle-policy``), and before an image of the same name comes back: policy names are
    unique in an account and region.

    Example::

        ImageLifecycle(self, "Retire", name="web-server", lifecycle=Lifecycle.standard(), recipes=["web-server"])
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        lifecycle: Lifecycle,
        recipes: Sequence[str] = (),
        tags: Mapping[str, str] | None = None,
        role: iam.IRole | None = None,
    ) -> None:
        """
        :param role: the execution role, for example one shared by a stack's policies
            (:func:`lifecycle_role`). Default: its own, holding only EC2ImageBuilderLifecycleExecutionPolicy.
        """
        super().__init__(scope, id)
        check_name("lifecycle.name", name)
        if bool(recipes) == bool(tags):
            raise ValueError(
                "lifecycle: select images by recipes or by tags, exactly one of them; "
                "a policy cannot take both (or neither)"
            )
        if len(recipes) > RECIPES_MAX:
            raise ValueError(
                f"lifecycle.recipes: {len(recipes)} given; a policy selects at most {RECIPES_MAX}, split it"
            )
        for recipe in recipes:
            check_name("lifecycle.recipes", recipe)
        self.role = role or lifecycle_role(self, "ExecutionRole", f"Image Builder lifecycle policy {name}")
        selection = _Policy.ResourceSelectionProperty(
            recipes=[_Policy.RecipeSelectionProperty(name=r, semantic_version="x.x.x") for r in recipes] or None,
            tag_map=check_tags("lifecycle.tags", tags) if tags else None,
        )
        self.resource = imagebuilder.CfnLifecyclePolicy(
            self,
            "Resource",
            name=name,
            description=f"Retires old AMIs of {name}",
            execution_role=self.role.role_arn,
            resource_type="AMI_IMAGE",
            status="ENABLED",
            policy_details=lifecycle.render(),
            resource_selection=selection,
        )
        self.resource.apply_removal_policy(RemovalPolicy.RETAIN)
        self.lifecycle = lifecycle
