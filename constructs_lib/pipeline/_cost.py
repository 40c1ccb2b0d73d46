"""How often a pipeline builds and what its AMIs' snapshots cost at steady state, as pure functions."""

from __future__ import annotations

from collections.abc import Sequence

from .._core.enums import StartCondition
from .._core.lifecycle_rules import Lifecycle
from .._core.targets import RegionTarget
from ..bake.schedule import Schedule, builds_per_month
from ..retire.cost import CostEstimate, estimate_snapshot_cost


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
    )


def fast_launch_cost(targets: Sequence[RegionTarget], volume_gib: int, price_per_gb_month: float) -> dict[str, float]:
    """Per region with EC2 Fast Launch, the monthly cost of its pre-provisioned snapshots kept the whole
    month (snapshots x the AMI's volumes x the price), an upper bound: EC2 charges no fee for Fast Launch,
    only standard prices for what it uses, the snapshots and the prep instances and their volumes, which
    run again for each snapshot a launch consumes
    (https://docs.aws.amazon.com/AWSEC2/latest/WindowsGuide/win-ami-config-fast-launch.html, "Resource costs")."""
    return {t.region: t.fast_launch.snapshots * volume_gib * price_per_gb_month for t in targets if t.fast_launch}
