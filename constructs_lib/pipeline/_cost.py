"""How often a pipeline builds and what its AMIs' snapshots cost at steady state, as pure functions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from .._core.enums import StartCondition
from .._core.lifecycle_rules import Lifecycle
from .._core.targets import RegionTarget
from ..bake.schedule import Schedule, builds_per_month
from ..retire.cost import SNAPSHOT_PRICE_PER_GB_MONTH, CostEstimate, estimate_snapshot_cost

COST_METADATA: Final = "GoldenAmi::SnapshotCost"
"""Pipeline metadata key holding the snapshot cost estimate that `make synth` prints."""


def pipeline_builds_per_month(
    schedule: Schedule | None, condition: StartCondition | None, parent_builds_per_month: float | None
) -> float:
    """Builds a month from the schedule (one when built on demand); a layer that waits for its
    parent (``ON_DEPENDENCY_UPDATE``) builds at most as often as the parent."""
    rate = builds_per_month(schedule.expression) if schedule else 1.0
    if parent_builds_per_month is not None and condition is StartCondition.ON_DEPENDENCY_UPDATE:
        rate = min(rate, parent_builds_per_month)
    return rate


def steady_state_cost(
    *,
    image: str,
    lifecycle: Lifecycle | None,
    builds_per_month: float,
    targets: Sequence[RegionTarget],
    volume_gib: int,
    price_per_gb_month: float,
    used_gib: float | None = None,
) -> CostEstimate | None:
    """The snapshot storage the image holds once its lifecycle policy deletes as fast as it
    builds: one copy per region and per account copied into; None when nothing deletes its AMIs.

    Copies in other accounts count as retired as fast as the factory's: the lifecycle policy
    reaches them through ``Ec2ImageBuilderCrossAccountLifecycleAccess`` in each account
    (https://docs.aws.amazon.com/imagebuilder/latest/userguide/image-lifecycle-prerequisites.html),
    which :class:`DistributionAccountRole` creates by default and preflight rule GA-P019 requires
    wherever a lifecycle policy would retire copies. An account without it keeps every copy."""
    kept = lifecycle.versions_kept(builds_per_month) if lifecycle else None
    if kept is None:
        return None
    return estimate_snapshot_cost(
        image=image,
        volume_gib=volume_gib,
        copies=sum(1 + len(t.target_accounts) for t in targets),
        versions_kept=kept,
        price_per_gb_month=price_per_gb_month,
        used_gib=used_gib,
    )


def fast_launch_cost(targets: Sequence[RegionTarget], volume_gib: int, price_per_gb_month: float) -> dict[str, float]:
    """Per region with EC2 Fast Launch, the monthly cost of its pre-provisioned snapshots kept the whole
    month (snapshots x the AMI's volumes x the price), an upper bound: EC2 charges no fee for Fast Launch,
    only standard prices for what it uses, the snapshots and the prep instances and their volumes, which
    run again for each snapshot a launch consumes
    (https://docs.aws.amazon.com/AWSEC2/latest/WindowsGuide/win-ami-config-fast-launch.html, "Resource costs")."""
    return {t.region: t.fast_launch.snapshots * volume_gib * price_per_gb_month for t in targets if t.fast_launch}


class PipelineCost:
    """The cost methods of :class:`GoldenImagePipeline`, which gives the fields they read (its
    image name, lifecycle, region targets, volumes, base image, resource and start condition)."""

    _volume_gib: int
    expected_used_gib: float | None
    builds_per_month: float

    def _record_cost(self, schedule: Schedule | None, expected_used_gib: float | None) -> None:
        """Builds a month and the snapshot cost estimate, as pipeline metadata `make synth` prints."""
        me: Any = self
        self._volume_gib = me.root_volume.size_gib + sum(v.size_gib for v in me.data_volumes)
        self.expected_used_gib = expected_used_gib
        self.builds_per_month = pipeline_builds_per_month(schedule, me._condition, me.base_image.builds_per_month)
        estimate = self.snapshot_cost()
        unbounded = {"VersionsKept": "unbounded"}
        me.resource.add_metadata(COST_METADATA, estimate.as_metadata() if estimate else unbounded)

    def snapshot_cost(self, price_per_gb_month: float = SNAPSHOT_PRICE_PER_GB_MONTH) -> CostEstimate | None:
        """Snapshot storage this image holds at steady state under its lifecycle policy, and its
        monthly cost (with ``expected_used_gib``, the expected figure beside the upper bound); None
        when nothing ever deletes its AMIs. Builds per month come from the schedule (one a month
        when built on demand)."""
        me: Any = self
        return steady_state_cost(
            image=me.image_name,
            lifecycle=me.lifecycle.lifecycle if me.lifecycle else None,
            builds_per_month=self.builds_per_month,
            targets=me.region_targets,
            volume_gib=self._volume_gib,
            price_per_gb_month=price_per_gb_month,
            used_gib=self.expected_used_gib,
        )

    def fast_launch_cost(self, price_per_gb_month: float = SNAPSHOT_PRICE_PER_GB_MONTH) -> dict[str, float]:
        """Region -> monthly cost of the Fast Launch snapshots kept there, an upper bound (see
        :func:`fast_launch_cost`); empty without Fast Launch."""
        me: Any = self
        return fast_launch_cost(me.region_targets, self._volume_gib, price_per_gb_month)
