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
    """Snapshot storage one image holds at steady state, and its monthly cost: an upper bound
    (every volume full), and with ``used_gib`` the expected figure.

    How AWS bills it: a snapshot stores the blocks written to its volume, and a snapshot of a
    volume made from another snapshot is incremental to that snapshot, but "full" when the source
    volume was owned by another account or the volume is encrypted with another KMS key
    ("Incremental snapshots of different volumes",
    https://docs.aws.amazon.com/ebs/latest/userguide/how_snapshots_work.html). A build's volume
    comes from its base image, another account's for AWS-managed and Marketplace bases, and the
    recipe encrypts it with the factory's key: each version is its full written size. A copy to
    another region or account is incremental only if the snapshot was copied there before, the
    most recent copy still exists and is not archived, and the copies share one KMS key
    (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-copy-snapshot.html#ebs-incremental-copy);
    a new build's snapshot was never copied before, so each copy is full too. So each kept version
    counts its written size in each place. One case overstates: a layer on the factory's own
    parent, encrypted with the same key, snapshots incrementally to the parent's snapshot, which
    no figure here subtracts. AWS publishes no typical written size, so there is no default:
    measure it with ``golden-ami-status``, which reads ``FullSnapshotSizeInBytes``.
    """

    image: str
    volume_gib: int
    copies: int
    versions_kept: int
    price_per_gb_month: float
    used_gib: float | None = None
    """The data the image's volumes hold (their written blocks). Default: none, the upper bound only."""

    @property
    def stored_gib(self) -> int:
        return self.volume_gib * self.copies * self.versions_kept

    @property
    def monthly_usd(self) -> float:
        return round(self.stored_gib * self.price_per_gb_month, 2)

    @property
    def expected_gib(self) -> float | None:
        """The written size kept: ``used_gib`` per version in every place; None without ``used_gib``."""
        return None if self.used_gib is None else round(self.used_gib * self.copies * self.versions_kept, 2)

    @property
    def expected_monthly_usd(self) -> float | None:
        return None if self.expected_gib is None else round(self.expected_gib * self.price_per_gb_month, 2)

    def as_metadata(self) -> dict[str, int | float]:
        """The estimate as the pipeline's ``GoldenAmi::SnapshotCost`` metadata, which `make synth` prints."""
        found: dict[str, int | float] = {
            "VersionsKept": self.versions_kept,
            "StoredGiB": self.stored_gib,
            "MonthlyUSD": self.monthly_usd,
        }
        if self.expected_gib is not None and self.expected_monthly_usd is not None:
            found |= {"ExpectedGiB": self.expected_gib, "ExpectedMonthlyUSD": self.expected_monthly_usd}
        return found


def estimate_snapshot_cost(
    *,
    image: str,
    volume_gib: int,
    copies: int,
    versions_kept: int,
    price_per_gb_month: float = SNAPSHOT_PRICE_PER_GB_MONTH,
    used_gib: float | None = None,
) -> CostEstimate:
    """Estimate one image: ``volume_gib`` (all volumes of the image) in ``copies`` places (one per
    region, plus one per destination account there), ``versions_kept`` versions each.

    Default price: :data:`SNAPSHOT_PRICE_PER_GB_MONTH`. ``used_gib``: the written data of all the
    image's volumes, at most ``volume_gib``; default none.
    """
    if not price_per_gb_month > 0:
        raise ValueError(
            f"price_per_gb_month: {price_per_gb_month!r} is not a price; give USD per GB-month above zero, "
            f"for example {SNAPSHOT_PRICE_PER_GB_MONTH}"
        )
    for field, value in (("volume_gib", volume_gib), ("copies", copies), ("versions_kept", versions_kept)):
        if value < 1:
            raise ValueError(f"{field}: {value!r} must be at least 1")
    if used_gib is not None and not 0 < used_gib <= volume_gib:
        raise ValueError(
            f"used_gib: {used_gib!r} is not a written size of volumes of {volume_gib} GiB; give more than 0 and at "
            f"most {volume_gib} (make status shows the kept snapshots' written size)"
        )
    return CostEstimate(
        image=image,
        used_gib=used_gib,
        volume_gib=volume_gib,
        copies=copies,
        versions_kept=versions_kept,
        price_per_gb_month=price_per_gb_month,
    )


def total_monthly_usd(estimates: list[CostEstimate]) -> float:
    """The monthly cost of several images together."""
    return round(sum(e.monthly_usd for e in estimates), 2)
