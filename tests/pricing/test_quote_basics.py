import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from pricing import (
    Adjustment,
    DepositPolicy,
    Money,
    PricingRuleError,
    QuoteContextError,
    TierPrice,
    priced_tiers,
    quote,
    quote_many,
)

from .factories import STARTS_AT, WEEK_BEFORE, create_context, create_rules


@pytest.mark.parametrize(
    ("amount", "currency", "error"),
    [
        (1.5, "EUR", TypeError),
        (True, "EUR", TypeError),
        (1, "eur", ValueError),
        (1, "EU", ValueError),
    ],
)
def test_money_rejects_floats_and_bad_codes(amount: object, currency: str, error: type) -> None:
    with pytest.raises(error):
        Money(amount, currency)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "overrides",
    [
        {"starts_at": datetime(2025, 1, 3, 22)},
        {"tier_taken": -1},
        {"night_total": 2.0},
        {"pace_bp": -5},
    ],
)
def test_context_rejects_nonsense(overrides: dict[str, object]) -> None:
    with pytest.raises(QuoteContextError):
        create_context(**overrides)


def test_naive_now_and_unknown_tier_are_refused() -> None:
    rules = create_rules()
    with pytest.raises(QuoteContextError):
        quote(rules, create_context(), datetime(2025, 1, 1))
    with pytest.raises(QuoteContextError, match="no price for tier 'ga'"):
        quote(rules, create_context(tier="ga"), WEEK_BEFORE)


def test_invalid_rules_are_never_priced() -> None:
    with pytest.raises(PricingRuleError):
        quote(create_rules(rounding_step=0), create_context(), WEEK_BEFORE)


def test_now_in_another_offset_is_the_same_instant() -> None:
    rules = create_rules(adjustments=(Adjustment("lead_time", "fixed", 500, within_hours=3),))
    paris = STARTS_AT.astimezone(ZoneInfo("Europe/Paris"))
    assert quote(rules, create_context(), paris - timedelta(hours=3)).minimum.amount == 100_500


def test_explanation_is_json_ready_and_complete() -> None:
    rules = create_rules(
        tiers=(TierPrice("vip", 100_000, None, 112_345),),
        adjustments=(
            Adjustment("weekday", "percent", 1500, weekdays=frozenset({4}), label="Friday"),
            Adjustment("event_type", "fixed", 1000, event_types=frozenset({"gala"})),
        ),
        rounding_step=1000,
        deposits=(DepositPolicy("percent", 5000),),
    )
    result = quote(rules, create_context(), WEEK_BEFORE)
    explained = json.loads(json.dumps(result.to_dict()))
    assert explained == {
        "currency": "EUR",
        "minimum": 112_000,
        "deposit": 56_000,
        "lines": [
            {"kind": "base", "label": "vip tier base", "delta": 100_000, "total_after": 100_000},
            {
                "kind": "weekday",
                "label": "Friday",
                "mode": "percent",
                "value": 1500,
                "delta": 15_000,
                "total_after": 115_000,
            },
            {
                "kind": "ceiling",
                "label": "capped at the vip ceiling",
                "delta": -2_655,
                "total_after": 112_345,
            },
            {
                "kind": "rounding",
                "label": "rounded to a multiple of 1000",
                "delta": -345,
                "total_after": 112_000,
            },
        ],
        "deposit_basis": {
            "mode": "percent",
            "value": 5000,
            "source": "venue",
            "capped_at_minimum": False,
        },
    }


def test_rounding_that_had_to_stay_inside_says_so() -> None:
    rules = create_rules(tiers=(TierPrice("vip", 12_300, None, 12_400),), rounding_step=500)
    assert (
        "outside the floor/ceiling" in quote(rules, create_context(), WEEK_BEFORE).lines[-1].label
    )


def test_quote_many_matches_quote() -> None:
    rules = create_rules(
        tiers=(TierPrice("vip", 100_000), TierPrice("ga", 20_000)),
        adjustments=(Adjustment("demand", "percent", 2000, threshold_bp=5000),),
        deposits=(DepositPolicy("flat", 10_000, "vip"),),
    )
    contexts = [
        create_context(tier=tier, table_key=f"T{i}", tier_taken=i)
        for i in range(10)
        for tier in ("vip", "ga")
    ]
    now = datetime(2025, 1, 1, tzinfo=UTC)
    assert quote_many(rules, contexts, now) == [quote(rules, c, now) for c in contexts]
    assert quote_many(rules, [], now) == []


def test_unhashable_rules_are_still_reported_not_crashed() -> None:
    rules = create_rules(tiers=(TierPrice("vip", [1]),))  # type: ignore[arg-type]
    with pytest.raises(PricingRuleError, match=r"tiers\[0\]\.base_minimum"):
        quote(rules, create_context(), WEEK_BEFORE)


def test_priced_tiers_says_beforehand_what_can_be_quoted() -> None:
    rules = create_rules(tiers=(TierPrice("vip", 100_000), TierPrice("ga", 20_000)))
    assert priced_tiers(rules) == {"vip", "ga"}
    with pytest.raises(PricingRuleError, match="rounding_step"):
        priced_tiers(create_rules(rounding_step=0))
