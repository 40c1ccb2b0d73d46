"""What a factory's AMIs cost to keep: snapshot storage at steady state, before deploy."""

from __future__ import annotations

import dataclasses
from typing import Final

SNAPSHOT_PRICE_PER_GB_MONTH: Final = 0.05
"""USD per GB-month of Amazon EBS snapshot storage, Standard tier, as AWS publishes it on the
Amazon EBS pricing page for US East (N. Virginia). Other regions cost slightly more: pass
``price_per_gb_month`` for yours."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class CostEstimate:
    """Snapshot storage one image holds at steady state, and its monthly cost.

    An upper bound: snapshots store only written blocks and copies within a region share
    unchanged blocks, so real bills are usually lower.
    """

    image: str
    volume_gib: int
    copies: int
    versions_kept: int
    price_per_gb_month: float

    @property
    def stored_gib(self) -> int:
        return self.volume_gib * self.copies * self.versions_kept

    @property
    def monthly_usd(self) -> float:
        return round(self.stored_gib * self.price_per_gb_month, 2)

    def as_metadata(self) -> dict[str, int | float]:
        """The estimate as the pipeline's ``GoldenAmi::SnapshotCost`` metadata, which `make synth` prints."""
        return {"VersionsKept": self.versions_kept, "StoredGiB": self.stored_gib, "MonthlyUSD": self.monthly_usd}


def estimate_snapshot_cost(
    *,
    image: str,
    volume_gib: int,
    copies: int,
    versions_kept: int,
    price_per_gb_month: float = SNAPSHOT_PRICE_PER_GB_MONTH,
) -> CostEstimate:
    """Estimate one image: ``volume_gib`` (all volumes of the image) in ``copies`` places (one per
    region, plus one per destination account there), ``versions_kept`` versions each.

    Default price: :data:`SNAPSHOT_PRICE_PER_GB_MONTH`.
    """
    if not price_per_gb_month > 0:
        raise ValueError(
            f"price_per_gb_month: {price_per_gb_month!r} is not a price; give USD per GB-month above zero, "
            f"for example {SNAPSHOT_PRICE_PER_GB_MONTH}"
        )
    for field, value in (("volume_gib", volume_gib), ("copies", copies), ("versions_kept", versions_kept)):
        if value < 1:
            raise ValueError(f"{field}: {value!r} must be at least 1")
    return CostEstimate(
        image=image,
        volume_gib=volume_gib,
        copies=copies,
        versions_kept=versions_kept,
        price_per_gb_month=price_per_gb_month,
    )


def total_monthly_usd(estimates: list[CostEstimate]) -> float:
    """The monthly cost of several images together."""
    return round(sum(e.monthly_usd for e in estimates), 2)
