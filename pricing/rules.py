"""The rule set a manager edits: plain frozen data, checked by ``validate_rules``.

Construction only normalises containers (lists to tuples, sets to frozensets) so that
rules are hashable and safe to share; it never rejects, so that ``validate_rules`` can
report every problem at once instead of the first.
"""

from dataclasses import dataclass, field
from typing import Any, Final

KINDS: Final = ("weekday", "event_type", "demand", "pace", "lead_time")
ADJUSTMENT_MODES: Final = ("percent", "fixed")
DEMAND_SCOPES: Final = ("tier", "night")
DEPOSIT_MODES: Final = ("none", "flat", "percent", "per_cover")


def _freeze(obj: Any, name: str, kind: type) -> None:
    value = getattr(obj, name)
    if not isinstance(value, kind) and isinstance(value, list | tuple | set | frozenset):
        object.__setattr__(obj, name, kind(value))


@dataclass(frozen=True, slots=True)
class TierPrice:
    tier: str
    base_minimum: int
    floor: int | None = None
    ceiling: int | None = None


@dataclass(frozen=True, slots=True)
class TableOverride:
    """A per-table base minimum that replaces the tier base (the key is opaque)."""

    table_key: str
    base_minimum: int


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One pricing rule row; which criteria field matters depends on ``kind``.

    ``value`` is basis points for ``percent`` and minor units for ``fixed``.
    """

    kind: str
    mode: str
    value: int
    tier: str | None = None
    weekdays: frozenset[int] = frozenset()
    event_types: frozenset[str] = frozenset()
    threshold_bp: int = 0
    scope: str = "tier"
    within_hours: int = 0
    label: str = ""
    position: int = 0

    def __post_init__(self) -> None:
        _freeze(self, "weekdays", frozenset)
        _freeze(self, "event_types", frozenset)


@dataclass(frozen=True, slots=True)
class DepositPolicy:
    """Deposit for a tier, or venue-wide when ``tier`` is None (the tier's own wins).

    ``mode``: ``flat`` (``value`` minor units per table, capped at its minimum),
    ``percent`` (``value`` basis points of the minimum), ``per_cover`` (``value`` minor
    units per guest, once per booking: see ``booking_deposit``) or ``none``."""

    mode: str
    value: int = 0
    tier: str | None = None


@dataclass(frozen=True, slots=True)
class PricingRules:
    currency: str
    rounding_step: int
    tiers: tuple[TierPrice, ...]
    table_overrides: tuple[TableOverride, ...] = field(default=())
    adjustments: tuple[Adjustment, ...] = field(default=())
    deposits: tuple[DepositPolicy, ...] = field(default=())

    def __post_init__(self) -> None:
        for name in ("tiers", "table_overrides", "adjustments", "deposits"):
            _freeze(self, name, tuple)
