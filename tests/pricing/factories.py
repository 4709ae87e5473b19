"""Builders with sensible defaults so each test states only what it is about."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

from pricing import Adjustment, DepositPolicy, PricingRules, QuoteContext, TableOverride, TierPrice

# Friday 2025-01-03, doors at 22:00 UTC; "now" is a week earlier unless a test says otherwise.
FRIDAY = date(2025, 1, 3)
STARTS_AT = datetime(2025, 1, 3, 22, tzinfo=UTC)
WEEK_BEFORE = STARTS_AT - timedelta(days=7)


def create_rules(
    *,
    tiers: tuple[TierPrice, ...] = (TierPrice("vip", 100_000),),
    adjustments: tuple[Adjustment, ...] = (),
    deposits: tuple[DepositPolicy, ...] = (),
    table_overrides: tuple[TableOverride, ...] = (),
    rounding_step: int = 1,
    currency: str = "EUR",
) -> PricingRules:
    return PricingRules(
        currency=currency,
        rounding_step=rounding_step,
        tiers=tiers,
        table_overrides=table_overrides,
        adjustments=adjustments,
        deposits=deposits,
    )


def create_context(**overrides: Any) -> QuoteContext:
    fields: dict[str, Any] = {
        "tier": "vip",
        "table_key": "T1",
        "business_date": FRIDAY,
        "event_type": None,
        "starts_at": STARTS_AT,
        "tier_taken": 0,
        "tier_total": 10,
        "night_taken": 0,
        "night_total": 40,
        "pace_bp": None,
    }
    fields.update(overrides)
    return QuoteContext(**fields)
