"""Lifecycle rules: what an Image Builder lifecycle policy deprecates, disables or deletes, and when.

Value objects shared by the pipeline and the factory file; the policy itself is
``retire.lifecycle.ImageLifecycle``."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from typing import Final

from aws_cdk import aws_imagebuilder as imagebuilder

from .limits import check_range, check_tags
from .targets import check_account

# Source: AWS::ImageBuilder::LifecyclePolicy schema (Filter.Value 1..1000, RetainAtLeast 1..10,
# LastLaunched.Value 1..365, Recipes 1..50) and the Image Builder API (1 to 3 policy details).
_Policy = imagebuilder.CfnLifecyclePolicy
RULES_MAX: Final = 3
FILTER_MIN, FILTER_MAX = 1, 1000
RETAIN_MIN, RETAIN_MAX = 1, 10
LAST_LAUNCHED_MIN, LAST_LAUNCHED_MAX = 1, 365
RECIPES_MAX: Final = 50
KEEP_TAG: Final = ("golden-ami:keep", "true")
"""AMIs carrying this tag are never retired by the library's policies."""


class LifecycleAction(enum.Enum):
    """What a rule does to the images it selects, in the order a platform team applies them."""

    DEPRECATE = "DEPRECATE"
    """Marks the AMI deprecated: still launchable, hidden from most listings."""
    DISABLE = "DISABLE"
    """Disables the AMI: no new launches, can be re-enabled."""
    DELETE = "DELETE"
    """Deregisters the AMI and deletes its snapshots."""


class TimeUnit(enum.Enum):
    """Units of an age filter; ``days`` is the library's approximation for ordering rules."""

    DAYS = "DAYS"
    WEEKS = "WEEKS"
    MONTHS = "MONTHS"
    YEARS = "YEARS"

    @property
    def days(self) -> int:
        return {"DAYS": 1, "WEEKS": 7, "MONTHS": 30, "YEARS": 365}[self.value]


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class LifecycleRule:
    """One action on images older than ``age`` ``unit``, or beyond the newest ``keep_last``.

    Give exactly one of ``age`` and ``keep_last``. ``retain_at_least`` (age DELETE rules only)
    always spares that many newest images: AWS documents it as "the number of resources to keep on
    hand after the lifecycle DELETE action is applied", and for no other action
    (https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_LifecyclePolicyDetailFilter.html).
    Default unit: days.
    """

    action: LifecycleAction
    age: int | None = None
    unit: TimeUnit = TimeUnit.DAYS
    keep_last: int | None = None
    retain_at_least: int | None = None

    def __post_init__(self) -> None:
        field = f"lifecycle.rules[{self.action.value}]"
        if (self.age is None) == (self.keep_last is None):
            raise ValueError(f"{field}: give exactly one of age and keep_last, for example age=90 or keep_last=5")
        if self.age is not None:
            check_range(f"{field}.age", self.age, FILTER_MIN, FILTER_MAX)
        if self.keep_last is not None:
            check_range(f"{field}.keep_last", self.keep_last, FILTER_MIN, FILTER_MAX)
            if self.retain_at_least is not None:
                raise ValueError(f"{field}.retain_at_least: only age rules take it; keep_last already keeps images")
        if self.retain_at_least is not None and self.action is not LifecycleAction.DELETE:
            raise ValueError(
                f"{field}.retain_at_least: AWS documents it only for DELETE rules (images kept after the DELETE "
                "action); remove it here. A deprecated AMI still launches by its ID (launch templates and Auto "
                "Scaling groups included), and exclude_launched_within_days keeps AMIs in use from any action"
            )
        if self.retain_at_least is not None:
            check_range(f"{field}.retain_at_least", self.retain_at_least, RETAIN_MIN, RETAIN_MAX)

    @property
    def age_days(self) -> int | None:
        return None if self.age is None else self.age * self.unit.days


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Lifecycle:
    """Which images are retired how, and which are never touched.

    Defaults: the :meth:`standard` rules; AMIs launched in the last 30 days and AMIs tagged
    ``golden-ami:keep=true`` are excluded; public or shared AMIs are only excluded when asked.
    Deleting without the last-launched exclusion needs ``delete_launched_images=True``.
    """

    rules: tuple[LifecycleRule, ...]
    exclude_launched_within_days: int | None = 30
    exclude_tags: Mapping[str, str] = dataclasses.field(default_factory=lambda: dict([KEEP_TAG]))
    exclude_public: bool = False
    exclude_shared_with: tuple[str, ...] = ()
    delete_launched_images: bool = False
    """With ``exclude_launched_within_days=None``, say that DELETE may reach AMIs launched
    recently. Default: False, and such a lifecycle is refused."""

    def __post_init__(self) -> None:
        if not 1 <= len(self.rules) <= RULES_MAX:
            raise ValueError(f"lifecycle.rules: {len(self.rules)} given; a policy takes 1 to {RULES_MAX} rules")
        actions = [r.action for r in self.rules]
        for action in actions:
            if actions.count(action) > 1:
                raise ValueError(f"lifecycle.rules: {action.value} appears twice; give each action one rule")
        if self.exclude_launched_within_days is not None:
            check_range(
                "lifecycle.exclude_launched_within_days",
                self.exclude_launched_within_days,
                LAST_LAUNCHED_MIN,
                LAST_LAUNCHED_MAX,
                " days",
            )
        if (
            self.exclude_launched_within_days is None
            and not self.delete_launched_images
            and any(r.action is LifecycleAction.DELETE for r in self.rules)
        ):
            # Lifecycle rules know nothing of launch templates or fleets; the last-launched
            # exclusion is what keeps an AMI in use (https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_LifecyclePolicyDetailExclusionRulesAmis.html).
            raise ValueError(
                "lifecycle.exclude_launched_within_days: None with a DELETE rule deletes AMIs (and snapshots) "
                "that fleets launched recently; give a number of days (1 to 365), or pass "
                "delete_launched_images=True to delete them anyway"
            )
        check_tags("lifecycle.exclude_tags", self.exclude_tags)
        for account in self.exclude_shared_with:
            check_account("lifecycle.exclude_shared_with", account)
        by_action = {r.action: r for r in self.rules}
        delete = by_action.get(LifecycleAction.DELETE)
        for earlier in (LifecycleAction.DEPRECATE, LifecycleAction.DISABLE):
            rule = by_action.get(earlier)
            if delete is None or rule is None:
                continue
            if (delete.age_days is not None and rule.age_days is not None and delete.age_days <= rule.age_days) or (
                delete.keep_last is not None and rule.keep_last is not None and delete.keep_last >= rule.keep_last
            ):
                raise ValueError(
                    f"lifecycle.rules: DELETE would reach images before {earlier.value} does; delete later "
                    "than you deprecate or disable (a larger age, or a smaller keep_last)"
                )

    @classmethod
    def standard(cls) -> Lifecycle:
        """Deprecate after 90 days, delete (with snapshots) after 180 days but never the newest 3.
        A deprecated AMI still launches by its ID, so fleets reading the latest-AMI parameter keep
        launching an image whose pipeline stopped building ("Deprecate an Amazon EC2 AMI",
        https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ami-deprecate.html)."""
        return cls(
            rules=(
                LifecycleRule(action=LifecycleAction.DEPRECATE, age=90),
                LifecycleRule(action=LifecycleAction.DELETE, age=180, retain_at_least=3),
            )
        )

    @classmethod
    def keep_last(cls, count: int) -> Lifecycle:
        """Delete (with snapshots) every image beyond the newest ``count``."""
        return cls(rules=(LifecycleRule(action=LifecycleAction.DELETE, keep_last=count),))

    def versions_kept(self, builds_per_month: float) -> int | None:
        """How many images the policy holds at steady state, or None if it never deletes."""
        delete = next((r for r in self.rules if r.action is LifecycleAction.DELETE), None)
        if delete is None:
            return None
        if delete.keep_last is not None:
            return delete.keep_last
        assert delete.age_days is not None
        built = int(-(-delete.age_days * builds_per_month // 30))  # ceiling
        return max(built, delete.retain_at_least or 1)

    def render(self) -> list[_Policy.PolicyDetailProperty]:
        """``PolicyDetails``, one per rule, each carrying the exclusions."""
        amis = _Policy.AmiExclusionRulesProperty(
            last_launched=_Policy.LastLaunchedProperty(value=self.exclude_launched_within_days, unit="DAYS")
            if self.exclude_launched_within_days is not None
            else None,
            is_public=True if self.exclude_public else None,
            shared_accounts=list(self.exclude_shared_with) or None,
        )
        exclusions = _Policy.ExclusionRulesProperty(amis=amis, tag_map=dict(self.exclude_tags) or None)
        return [
            _Policy.PolicyDetailProperty(
                action=_Policy.ActionProperty(
                    type=rule.action.value,
                    include_resources=_Policy.IncludeResourcesProperty(
                        amis=True, snapshots=True if rule.action is LifecycleAction.DELETE else None
                    ),
                ),
                filter=_Policy.FilterProperty(
                    type="AGE", value=rule.age, unit=rule.unit.value, retain_at_least=rule.retain_at_least
                )
                if rule.age is not None
                else _Policy.FilterProperty(type="COUNT", value=rule.keep_last or 0),
                exclusion_rules=exclusions,
            )
            for rule in self.rules
        ]
