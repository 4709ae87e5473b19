import random
from dataclasses import replace
from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from pricing import PricingRules, QuoteContext, quote, validate_rules

from .strategies import contexts, nows, pricing_rules

Case = tuple[PricingRules, QuoteContext, datetime]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    rules = draw(pricing_rules())
    return rules, draw(contexts(rules)), draw(nows)


@given(pricing_rules())
def test_generated_rules_are_valid(rules: PricingRules) -> None:
    validate_rules(rules)


@given(cases())
def test_quote_stays_within_floor_and_ceiling_and_is_never_negative(case: Case) -> None:
    rules, ctx, now = case
    result = quote(rules, ctx, now)
    price = next(t for t in rules.tiers if t.tier == ctx.tier)
    assert result.minimum.amount >= max(price.floor or 0, 0)
    if price.ceiling is not None:
        assert result.minimum.amount <= price.ceiling
    assert 0 <= result.deposit.amount <= result.minimum.amount
    assert result.lines[-1].total_after == result.minimum.amount
    assert sum(line.delta for line in result.lines) == result.minimum.amount


@given(cases(), st.randoms(use_true_random=False))
def test_quote_is_deterministic_whatever_the_stored_order(
    case: Case,
    rnd: random.Random,
) -> None:
    rules, ctx, now = case
    shuffled = list(rules.adjustments)
    rnd.shuffle(shuffled)
    first = quote(rules, ctx, now)
    assert quote(rules, ctx, now) == first
    assert quote(replace(rules, adjustments=tuple(shuffled)), ctx, now) == first


@given(
    cases(),
    st.integers(0, 50),
    st.integers(0, 150),
    st.integers(0, 30_000),
)
def test_price_never_falls_as_demand_rises(
    case: Case,
    more_tier: int,
    more_night: int,
    more_pace: int,
) -> None:
    rules, ctx, now = case
    busier = replace(
        ctx,
        tier_taken=ctx.tier_taken + more_tier,
        night_taken=ctx.night_taken + more_night,
        pace_bp=None if ctx.pace_bp is None else ctx.pace_bp + more_pace,
    )
    before, after = quote(rules, ctx, now), quote(rules, busier, now)
    assert after.minimum.amount >= before.minimum.amount
    assert after.deposit.amount >= before.deposit.amount
