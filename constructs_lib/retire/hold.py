"""The pipeline side of a revocation: disable the image's pipeline and hold it disabled across
deploys, or lift the hold (``golden-ami-revoke --lift``).

A pipeline made with ``status_parameter`` (the factory's are, :class:`PipelineHolds`) reads its
``Status`` from ``/golden-ami/<pipeline>/status`` at every deploy, so writing ``DISABLED`` there
keeps it disabled until ``--lift`` writes ``ENABLED``. The pipeline is also updated at once, as
the parameter is read only when its stack deploys. A pipeline without the parameter is disabled
all the same, and the message says that its next deploy enables it again.

``UpdateImagePipeline`` "doesn't support selective updates ... Any optional property that you
omit is removed or reset to its default"
(https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_UpdateImagePipeline.html):
every field of ``GetImagePipeline`` that the call takes is sent back.
"""

from __future__ import annotations

from typing import Any, Final

from .._core.revoke_names import status_parameter_name

_NOT_SENT_BACK: Final = frozenset({"imagePipelineArn", "clientToken", "status"})


def pipeline_name(pipeline_arn: str) -> str:
    """``web-server`` from ``arn:aws:imagebuilder:<region>:<account>:image-pipeline/web-server``."""
    return pipeline_arn.rsplit("/", 1)[-1]


def set_status(imagebuilder: Any, pipeline: dict[str, Any], status: str) -> None:
    """Update the pipeline to ``status``, everything else sent back as it is."""
    members = imagebuilder.meta.service_model.operation_model("UpdateImagePipeline").input_shape.members
    fields = {k: v for k, v in pipeline.items() if k in members and k not in _NOT_SENT_BACK}
    imagebuilder.update_image_pipeline(imagePipelineArn=pipeline["arn"], status=status, **fields)


def held_status(ssm: Any, name: str) -> str | None:
    """The status parameter's value; None when the pipeline has none (not held)."""
    try:
        return str(ssm.get_parameter(Name=name)["Parameter"]["Value"])
    except ssm.exceptions.ParameterNotFound:
        return None


def hold(ssm: Any, imagebuilder: Any, pipeline_arn: str, execute: bool) -> str:
    """Disable the pipeline now and write ``DISABLED`` to its status parameter, so its next run
    does not build the same components again, nor does a deploy enable it."""
    parameter = status_parameter_name(pipeline_name(pipeline_arn))
    pipeline = imagebuilder.get_image_pipeline(imagePipelineArn=pipeline_arn)["imagePipeline"]
    held = held_status(ssm, parameter)
    disabled = pipeline.get("status") == "DISABLED"
    unheld = (
        f"; it has no status parameter ({parameter}), so the next deploy that updates it enables it again: "
        "give it one (GoldenImagePipeline(status_parameter=...), PipelineHolds)"
        if held is None
        else ""
    )
    if disabled and held in (None, "DISABLED"):
        return f"pipeline {pipeline_arn} is already disabled" + ("" if held is None else f" and held ({parameter})")
    if not execute:
        return f"would disable pipeline {pipeline_arn}" + (
            "" if held is None else f" and hold it: {parameter} = DISABLED"
        )
    if held is not None and held != "DISABLED":
        ssm.put_parameter(Name=parameter, Value="DISABLED", Type="String", Overwrite=True)
    if not disabled:
        set_status(imagebuilder, pipeline, "DISABLED")
    done = f"disabled pipeline {pipeline_arn}" + ("" if held is None else f" and held it ({parameter} = DISABLED)")
    return (
        f"{done}: its next build would publish the same components again{unheld}. Once a new version of one of "
        f"its components is published: golden-ami-revoke --image {pipeline_name(pipeline_arn)} --lift --execute"
    )


def lift(ssm: Any, imagebuilder: Any, pipeline_arn: str, execute: bool) -> str:
    """Write ``ENABLED`` to the pipeline's status parameter and enable the pipeline now. The
    revoked AMIs stay deprecated and tagged: a lift lets the pipeline build again, it does not
    bring a revoked version back."""
    parameter = status_parameter_name(pipeline_name(pipeline_arn))
    pipeline = imagebuilder.get_image_pipeline(imagePipelineArn=pipeline_arn)["imagePipeline"]
    held = held_status(ssm, parameter)
    enabled = pipeline.get("status") == "ENABLED"
    if enabled and held in (None, "ENABLED"):
        return f"pipeline {pipeline_arn} is enabled and not held; nothing to lift"
    if not execute:
        return f"would enable pipeline {pipeline_arn}" + ("" if held is None else f" and write {parameter} = ENABLED")
    if held is not None and held != "ENABLED":
        ssm.put_parameter(Name=parameter, Value="ENABLED", Type="String", Overwrite=True)
    if not enabled:
        set_status(imagebuilder, pipeline, "ENABLED")
    return (
        f"lifted: pipeline {pipeline_arn} enabled"
        + ("" if held is None else f", {parameter} = ENABLED")
        + "; revoked AMIs stay deprecated and tagged, and its next build publishes a new version"
    )
