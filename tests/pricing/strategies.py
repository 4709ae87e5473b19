"""Hypothesis strategies that only ever build rules ``validate_rules`` accepts."""

from datetime import UTC, date, datetime, timedelta

from hypothesis import strategies as st

from pricing import (
    Adjustment,
    DepositPolicy,
    PricingRules,
    QuoteContext,
    TableOverride,
    TierPrice,
)

TIER_NAMES = ("vip", "ga", "stage")
EVENT_TYPES = ("gala", "concert", "brunch")
TABLE_KEYS = ("T1", "T2", "T3", "T4")
amounts = st.integers(min_value=0, max_value=500_000)


@st.composite
def tier_prices(draw: st.DrawFn, name: str) -> TierPrice:
    bounds = sorted(draw(st.lists(amounts, min_size=2, max_size=2)))
    floor = draw(st.sampled_from([None, bounds[0]]))
    ceiling = draw(st.sampled_from([None, bounds[1]]))
    return TierPrice(name, draw(amounts), floor, ceiling)


@st.composite
def adjustments(draw: st.DrawFn, tiers: list[str]) -> Adjustment:
    kind = draw(st.sampled_from(["weekday", "event_type", "demand", "pace", "lead_time"]))
    mode = draw(st.sampled_from(["percent", "fixed"]))
    low = 0 if kind in ("demand", "pace") else (-10_000 if mode == "percent" else -100_000)
    high = 20_000 if mode == "percent" else 100_000
    criteria: dict[str, object] = {}
    if kind == "weekday":
        criteria["weekdays"] = draw(st.frozensets(st.integers(0, 6), min_size=1))
    elif kind == "event_type":
        criteria["event_types"] = draw(st.frozensets(st.sampled_from(EVENT_TYPES), min_size=1))
    elif kind == "demand":
        criteria["threshold_bp"] = draw(st.integers(0, 10_000))
        criteria["scope"] = draw(st.sampled_from(["tier", "night"]))
    elif kind == "pace":
        criteria["threshold_bp"] = draw(st.integers(0, 30_000))
    else:
        criteria["within_hours"] = draw(st.integers(1, 72))
    return Adjustment(
        kind,
        mode,
        draw(st.integers(low, high)),
        tier=draw(st.none() | st.sampled_from(tiers)),
        label=draw(st.sampled_from(["", "a", "b"])),
        position=draw(st.integers(0, 3)),
        **criteria,  # type: ignore[arg-type]
    )


@st.composite
def deposit_policies(draw: st.DrawFn, tier: str | None) -> DepositPolicy:
    mode = draw(st.sampled_from(["none", "flat", "percent"]))
    value = {"none": st.just(0), "flat": amounts, "percent": st.integers(0, 10_000)}[mode]
    return DepositPolicy(mode, draw(value), tier)


@st.composite
def pricing_rules(draw: st.DrawFn) -> PricingRules:
    names = draw(st.lists(st.sampled_from(TIER_NAMES), min_size=1, max_size=3, unique=True))
    deposit_scopes = draw(st.lists(st.sampled_from([None, *names]), unique=True))
    overrides = draw(st.lists(st.sampled_from(TABLE_KEYS), unique=True, max_size=2))
    return PricingRules(
        currency="EUR",
        rounding_step=draw(st.sampled_from([1, 5, 10, 100, 250, 500, 1000])),
        tiers=tuple(draw(tier_prices(name)) for name in names),
        table_overrides=tuple(TableOverride(key, draw(amounts)) for key in overrides),
        adjustments=tuple(draw(st.lists(adjustments(names), max_size=10))),
        deposits=tuple(draw(deposit_policies(scope)) for scope in deposit_scopes),
    )


STARTS_AT = datetime(2025, 6, 6, 22, tzinfo=UTC)


@st.composite
def contexts(draw: st.DrawFn, rules: PricingRules) -> QuoteContext:
    tier_total = draw(st.integers(0, 50))
    night_total = draw(st.integers(tier_total, 150))
    return QuoteContext(
        tier=draw(st.sampled_from([t.tier for t in rules.tiers])),
        table_key=draw(st.sampled_from(TABLE_KEYS)),
        business_date=draw(st.dates(date(2024, 1, 1), date(2026, 12, 31))),
        event_type=draw(st.none() | st.sampled_from(EVENT_TYPES)),
        starts_at=STARTS_AT,
        tier_taken=draw(st.integers(0, tier_total)),
        tier_total=tier_total,
        night_taken=draw(st.integers(0, night_total)),
        night_total=night_total,
        pace_bp=draw(st.none() | st.integers(0, 30_000)),
    )


nows = st.integers(-12, 24 * 14).map(lambda hours: STARTS_AT - timedelta(hours=hours))
