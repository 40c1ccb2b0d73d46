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
