"""Names the revoke command and the roles it acts through agree on. Imports nothing, so the
command (which needs boto3) and synthesis (which must not) can both read them."""

from __future__ import annotations

from typing import Final

REVOKE_ROLE_NAME: Final = "GoldenAmiRevoke"
"""The role the revoke command assumes in each destination account."""
REVOKER_ROLE_NAME: Final = "GoldenAmiRevoker"
"""The one factory-account role the destination accounts' revoke roles trust; the factory makes it
(``RevokerRole``, in the home-region factory stack) for the people allowed to revoke."""
FACTORY_IMAGE_TAG: Final = "golden-ami:pipeline"
"""On every AMI the factory distributes (``_render.trace_tags``): the image it is a version of."""
REVOKED_TAG: Final = "golden-ami:revoked"
"""On a revoked AMI: who revoked it, when and why."""
PIN_TAG: Final = "golden-ami:pinned"
"""On a pinned launch template: the parameter version or label it launches (``GoldenLaunchTemplate(pin=)``)."""
PIPELINE_STATUSES: Final = ("ENABLED", "DISABLED")
"""The values of a pipeline status parameter: ``AWS::ImageBuilder::ImagePipeline.Status``'s."""


def status_parameter_name(pipeline: str) -> str:
    """The SSM parameter that holds a pipeline's status, ``/golden-ami/<pipeline>/status``, by the
    pipeline's name as its ARN writes it (lowercase, spaces as dashes): ``golden-ami-revoke`` writes
    ``DISABLED`` there and ``--lift`` writes ``ENABLED``; the factory's stacks read it at every deploy."""
    return f"/golden-ami/{pipeline.lower().replace(' ', '-')}/status"


HOLD_RESOURCE_TYPE: Final = "Custom::PipelineHold"
"""The custom resource that creates a pipeline's status parameter once (``PipelineHolds``)."""
