"""Where a pipeline's ``Status`` comes from: ``ENABLED``, or its hold (:class:`PipelineHolds`)."""

from __future__ import annotations

from aws_cdk import CfnResource
from constructs import Construct

from ..retire.pipeline_holds import PipelineHolds


def pipeline_status(scope: Construct, pipeline: CfnResource, name: str, hold: bool) -> str:
    """``ENABLED``, or with ``hold`` the status ``golden-ami-revoke`` keeps in
    ``/golden-ami/<name>/status``, read again at every deploy that changes ``pipeline``."""
    return PipelineHolds.of(scope).hold(scope, pipeline, name) if hold else "ENABLED"
