"""When a pipeline builds: its start condition and rendered schedule, as pure functions."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import aws_imagebuilder as imagebuilder

from .._core.enums import StartCondition
from ..bake.base_image import BaseImage
from ..bake.component import Component
from ..bake.schedule import Schedule

_Pipeline = imagebuilder.CfnImagePipeline
NEVER_BUILDS = (
    "schedule.start_condition is ON_DEPENDENCY_UPDATE but nothing the recipe uses has a wildcard "
    "version, so the schedule never starts a build; use StartCondition.ON_SCHEDULE"
)
"""The warning on a pipeline whose schedule waits for an update that never comes (:func:`never_builds`)."""


def start_condition(schedule: Schedule, base_image: BaseImage) -> StartCondition:
    """The schedule's own condition, else ``ON_DEPENDENCY_UPDATE`` for a base that tracks updates
    (a layer, a managed image by ``x.x.x``) and ``ON_SCHEDULE`` for a fixed one."""
    return schedule.start_condition or (
        StartCondition.ON_DEPENDENCY_UPDATE if base_image.tracks_updates else StartCondition.ON_SCHEDULE
    )


def never_builds(condition: StartCondition, base_image: BaseImage, components: Sequence[Component]) -> bool:
    """True when a dependency-update condition has no wildcard dependency to wait for."""
    tracks = base_image.tracks_updates or any(c.is_managed and "x" in c.version for c in components)
    return condition is StartCondition.ON_DEPENDENCY_UPDATE and not tracks


def render_schedule(schedule: Schedule, condition: StartCondition) -> _Pipeline.ScheduleProperty:
    return _Pipeline.ScheduleProperty(
        schedule_expression=schedule.expression,
        timezone=schedule.time_zone,
        pipeline_execution_start_condition=condition.value,
        auto_disable_policy=_Pipeline.AutoDisablePolicyProperty(failure_count=schedule.disable_after_failures),
    )
