"""The pipeline side of a revocation: disable the image's pipeline and hold it disabled across
deploys, or lift the hold (``golden-ami-revoke --lift``).

A held pipeline (``hold_status``, as the factory's are: :class:`PipelineHolds`) takes its
``Status`` from ``/golden-ami/<pipeline>/status`` at every deploy that changes it, so writing
``DISABLED`` there keeps it disabled until ``--lift`` writes ``ENABLED``. The pipeline is also
updated at once. A pipeline without the parameter is disabled all the same, and the message says
that its next deploy may enable it again.

``UpdateImagePipeline`` "does not support selective updates"
(https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_UpdateImagePipeline.html):
every field of ``GetImagePipeline`` that the call takes is sent back. An SDK too old to know a
field the factory sets (``schedule.autoDisablePolicy``, ``loggingConfiguration``, ``workflows``)
would drop it from both calls, so :func:`set_status` refuses one.
"""

from __future__ import annotations

from typing import Any, Final

from .._core.revoke_names import status_parameter_name

_NOT_SENT_BACK: Final = frozenset({"imagePipelineArn", "clientToken", "status"})
_NEEDED: Final = ("workflows", "executionRole", "loggingConfiguration", "imageTags")
"""Fields of ``UpdateImagePipeline`` the library sets that older SDKs do not know."""


class OutdatedSdk(ValueError):
    """The installed botocore does not know every field the pipeline may have: sending it back
    would reset what it drops."""


def check_sdk(imagebuilder: Any) -> None:
    """Raise :class:`OutdatedSdk` unless the client knows every field the library sets."""
    model = imagebuilder.meta.service_model
    members = model.operation_model("UpdateImagePipeline").input_shape.members
    missing = [f for f in _NEEDED if f not in members]
    if "autoDisablePolicy" not in model.shape_for("Schedule").members:
        missing.append("schedule.autoDisablePolicy")
    if missing:
        raise OutdatedSdk(
            f"this boto3 does not know the pipeline fields {', '.join(missing)}, so updating the pipeline would "
            "reset them; pip install -U 'golden-ami-factory[cli]' (or boto3) and run the command again"
        )


def pipeline_name(pipeline_arn: str) -> str:
    """``web-server`` from ``arn:aws:imagebuilder:<region>:<account>:image-pipeline/web-server``."""
    return pipeline_arn.rsplit("/", 1)[-1]


def set_status(imagebuilder: Any, pipeline: dict[str, Any], status: str) -> None:
    """Update the pipeline to ``status``, everything else sent back as it is."""
    check_sdk(imagebuilder)
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
        "hold it (GoldenImagePipeline(hold_status=True); the factory file's pipelines are held)"
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
