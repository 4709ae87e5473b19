"""The quote calculation. See the package docstring for the order of application."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from pricing._arith import div_half_up, percent_of, round_within, share_bp
from pricing.context import QuoteContext
from pricing.errors import QuoteContextError
from pricing.money import Money
from pricing.result import DepositBasis, Quote, QuoteLine
from pricing.rules import KINDS, Adjustment, DepositPolicy, PricingRules, TierPrice
from pricing.validation import validate_rules

_KIND_RANK = {kind: rank for rank, kind in enumerate(KINDS)}
_NO_DEPOSIT = DepositBasis()


def adjustment_order_key(adj: Adjustment) -> tuple[object, ...]:
    """Kind order first, then position and label; the remaining fields only break exact
    ties so that the result never depends on the order rows were stored in."""
    return (
        _KIND_RANK[adj.kind],
        adj.position,
        adj.label,
        adj.mode,
        adj.value,
        adj.tier or "",
        tuple(sorted(adj.weekdays)),
        tuple(sorted(adj.event_types)),
        adj.threshold_bp,
        adj.scope,
        adj.within_hours,
    )


@dataclass(frozen=True, slots=True)
class _TierPlan:
    """Everything one tier needs, resolved once per rule set rather than per table."""

    price: TierPrice
    steps: tuple[tuple[Adjustment, timedelta], ...]
    deposit: DepositPolicy | None
    deposit_source: str


@dataclass(frozen=True, slots=True)
class _Plan:
    currency: str
    step: int
    tiers: dict[str, _TierPlan]
    overrides: dict[str, int]


def _plan_for(rules: PricingRules) -> _Plan:
    """Rules are immutable, so the validated, indexed plan is kept for the next table: a
    floor map prices table after table against the same few rule sets."""
    try:
        return _cached_compile(rules)
    except TypeError:
        # Something unhashable was smuggled into the rules; validation will name it.
        return _compile(rules)


def _compile(rules: PricingRules) -> _Plan:
    validate_rules(rules)
    ordered = sorted(rules.adjustments, key=adjustment_order_key)
    venue_deposit = next((d for d in rules.deposits if d.tier is None), None)
    tiers: dict[str, _TierPlan] = {}
    for price in rules.tiers:
        own_deposit = next((d for d in rules.deposits if d.tier == price.tier), None)
        tiers[price.tier] = _TierPlan(
            price=price,
            steps=tuple(
                (adj, timedelta(hours=adj.within_hours))
                for adj in ordered
                if adj.tier is None or adj.tier == price.tier
            ),
            deposit=own_deposit or venue_deposit,
            deposit_source="tier" if own_deposit else "venue" if venue_deposit else "default",
        )
    overrides = {o.table_key: o.base_minimum for o in rules.table_overrides}
    return _Plan(rules.currency, rules.rounding_step, tiers, overrides)


_cached_compile = lru_cache(maxsize=64)(_compile)


def _applies(adj: Adjustment, lead: timedelta, ctx: QuoteContext, until_start: timedelta) -> bool:
    kind = adj.kind
    if kind == "weekday":
        return ctx.business_date.weekday() in adj.weekdays
    if kind == "event_type":
        return ctx.event_type is not None and ctx.event_type in adj.event_types
    if kind == "demand":
        if adj.scope == "tier":
            return share_bp(ctx.tier_taken, ctx.tier_total) >= adj.threshold_bp
        return share_bp(ctx.night_taken, ctx.night_total) >= adj.threshold_bp
    if kind == "pace":
        return ctx.pace_bp is not None and ctx.pace_bp >= adj.threshold_bp
    # lead_time: a night already under way still counts as last-minute.
    return until_start <= lead


def _price(plan: _Plan, ctx: QuoteContext, now: datetime) -> Quote:
    tier_plan = plan.tiers.get(ctx.tier)
    if tier_plan is None:
        raise QuoteContextError(f"no price for tier {ctx.tier!r}")
    price = tier_plan.price

    override = plan.overrides.get(ctx.table_key)
    if override is None:
        total = price.base_minimum
        lines = [QuoteLine("base", f"{ctx.tier} tier base", total, total)]
    else:
        total = override
        lines = [QuoteLine("base", f"table {ctx.table_key} base", total, total)]

    until_start = ctx.starts_at - now
    for adj, lead in tier_plan.steps:
        if not _applies(adj, lead, ctx, until_start):
            continue
        # A percentage of a negative running total (deep fixed discounts) would turn a
        # surcharge into a further discount, so a rising demand could lower the price.
        delta = adj.value if adj.mode == "fixed" else percent_of(max(total, 0), adj.value)
        total += delta
        lines.append(QuoteLine(adj.kind, adj.label, delta, total, adj.mode, adj.value))

    floor, ceiling = price.floor, price.ceiling
    if floor is not None and total < floor:
        lines.append(QuoteLine("floor", f"raised to the {ctx.tier} floor", floor - total, floor))
        total = floor
    if ceiling is not None and total > ceiling:
        lines.append(
            QuoteLine("ceiling", f"capped at the {ctx.tier} ceiling", ceiling - total, ceiling)
        )
        total = ceiling
    if total < 0:
        lines.append(QuoteLine("non_negative", "a minimum is never negative", -total, 0))
        total = 0

    step = plan.step
    rounded = round_within(total, step, max(floor or 0, 0), ceiling)
    if rounded != total:
        nearest = div_half_up(total, step) * step
        label = f"rounded to a multiple of {step}"
        if rounded != nearest:
            label += " (the nearest one was outside the floor/ceiling)"
        lines.append(QuoteLine("rounding", label, rounded - total, rounded))
        total = rounded

    deposit, basis = _deposit(total, tier_plan)
    return Quote(Money(total, plan.currency), Money(deposit, plan.currency), tuple(lines), basis)


def _deposit(minimum: int, tier_plan: _TierPlan) -> tuple[int, DepositBasis]:
    policy = tier_plan.deposit
    if policy is None:
        return 0, _NO_DEPOSIT
    source = tier_plan.deposit_source
    if policy.mode == "flat":
        capped = policy.value > minimum
        amount = minimum if capped else policy.value
        return amount, DepositBasis("flat", policy.value, source, capped)
    if policy.mode == "percent":
        return percent_of(minimum, policy.value), DepositBasis("percent", policy.value, source)
    if policy.mode == "per_cover":  # priced per guest, once per booking: booking_deposit
        return 0, DepositBasis("per_cover", policy.value, source)
    return 0, DepositBasis("none", 0, source)


def booking_deposit(quotes: Sequence[Quote], party_size: int) -> int:
    """A booking's deposit over its tables' quotes: each table's own deposit, plus, when
    any table's policy is per cover, that amount (the highest, if its tables differ)
    times the party, once for the booking however many tables it is seated at."""
    per_table = sum(q.deposit.amount for q in quotes)
    per_cover = [q.deposit_basis.value for q in quotes if q.deposit_basis.mode == "per_cover"]
    return per_table + (max(per_cover) * max(party_size, 0) if per_cover else 0)


def _check_now(now: datetime) -> None:
    if now.utcoffset() is None:
        raise QuoteContextError("now must be timezone-aware (UTC)")


def priced_tiers(rules: PricingRules) -> frozenset[str]:
    """The tiers these rules price. Raises PricingRuleError for invalid rules; checked
    once per rule set and cached, like ``quote``, so callers can ask before quoting."""
    return frozenset(_plan_for(rules).tiers)


def quote(rules: PricingRules, ctx: QuoteContext, now: datetime) -> Quote:
    """Price one table. Raises PricingRuleError for invalid rules, QuoteContextError for an
    unknown tier or a naive ``now``."""
    _check_now(now)
    return _price(_plan_for(rules), ctx, now)


def quote_many(rules: PricingRules, contexts: Iterable[QuoteContext], now: datetime) -> list[Quote]:
    """Price many tables against one rule set, validating and indexing the rules once."""
    _check_now(now)
    plan = _plan_for(rules)
    return [_price(plan, ctx, now) for ctx in contexts]
