"""Semantic checks on a rule set, reported all at once with field paths."""

from collections.abc import Iterator

from pricing._arith import BP_SCALE
from pricing.errors import PricingRuleError, RuleProblem
from pricing.money import is_currency_code
from pricing.rules import (
    ADJUSTMENT_MODES,
    DEMAND_SCOPES,
    DEPOSIT_MODES,
    KINDS,
    Adjustment,
    DepositPolicy,
    PricingRules,
    TableOverride,
    TierPrice,
)

Problems = Iterator[RuleProblem]

# Amounts, steps and values are stored as 32-bit integers: anything larger is refused
# here, with its path, rather than by the database.
MAX_INT = 2**31 - 1


def _is_int(value: object) -> bool:
    # bool is an int subclass, and a float amount is exactly what we refuse to carry.
    return type(value) is int


def _too_big(path: str, value: object) -> Problems:
    if isinstance(value, int) and _is_int(value) and abs(value) > MAX_INT:
        yield RuleProblem(path, f"must be at most {MAX_INT} in size, got {value}")


def _amount(path: str, value: object, *, optional: bool = False) -> Problems:
    if value is None and optional:
        return
    if not _is_int(value):
        yield RuleProblem(path, f"must be an integer amount in minor units, got {value!r}")
    elif isinstance(value, int) and value < 0:
        yield RuleProblem(path, f"must not be negative, got {value}")
    yield from _too_big(path, value)


def _name(path: str, value: object, known: set[str] | None, what: str) -> Problems:
    if not isinstance(value, str) or not value:
        yield RuleProblem(path, f"must be a non-empty {what} name")
    elif known is not None and value not in known:
        yield RuleProblem(path, f"unknown {what} {value!r}; known: {sorted(known)}")


def _tiers(tiers: tuple[TierPrice, ...], known: set[str] | None) -> Problems:
    if not tiers:
        yield RuleProblem("tiers", "at least one tier price is required")
    seen: set[str] = set()
    for i, tp in enumerate(tiers):
        at = f"tiers[{i}]"
        if not isinstance(tp, TierPrice):
            yield RuleProblem(at, "must be a TierPrice")
            continue
        yield from _name(f"{at}.tier", tp.tier, known, "tier")
        if tp.tier in seen:
            yield RuleProblem(f"{at}.tier", f"duplicate price row for tier {tp.tier!r}")
        seen.add(tp.tier)
        yield from _amount(f"{at}.base_minimum", tp.base_minimum)
        yield from _amount(f"{at}.floor", tp.floor, optional=True)
        yield from _amount(f"{at}.ceiling", tp.ceiling, optional=True)
        floor, ceiling = tp.floor, tp.ceiling
        if isinstance(floor, int) and isinstance(ceiling, int) and floor > ceiling:
            yield RuleProblem(f"{at}.floor", f"floor {tp.floor} is above the ceiling {tp.ceiling}")


def _overrides(overrides: tuple[TableOverride, ...]) -> Problems:
    seen: set[str] = set()
    for i, ov in enumerate(overrides):
        at = f"table_overrides[{i}]"
        if not isinstance(ov, TableOverride):
            yield RuleProblem(at, "must be a TableOverride")
            continue
        if not isinstance(ov.table_key, str) or not ov.table_key:
            yield RuleProblem(f"{at}.table_key", "must be a non-empty string")
        elif ov.table_key in seen:
            yield RuleProblem(f"{at}.table_key", f"duplicate override for table {ov.table_key!r}")
        seen.add(ov.table_key)
        yield from _amount(f"{at}.base_minimum", ov.base_minimum)


def _adjustment_value(at: str, adj: Adjustment) -> Problems:
    if adj.mode not in ADJUSTMENT_MODES:
        yield RuleProblem(f"{at}.mode", f"unknown mode {adj.mode!r}; expected percent or fixed")
    if not _is_int(adj.value):
        yield RuleProblem(f"{at}.value", f"must be an integer, got {adj.value!r}")
        return
    yield from _too_big(f"{at}.value", adj.value)
    if adj.kind in ("demand", "pace") and adj.value < 0:
        yield RuleProblem(
            f"{at}.value",
            f"{adj.kind} adjustments must not be negative, so a price never falls as demand rises",
        )
    elif adj.mode == "percent" and adj.value < -BP_SCALE:
        yield RuleProblem(
            f"{at}.value", f"a percent discount cannot exceed 100% (-10000 bp), got {adj.value}"
        )


def _adjustment_criteria(at: str, adj: Adjustment, known_events: set[str] | None) -> Problems:
    kind = adj.kind
    if kind == "weekday":
        if not adj.weekdays:
            yield RuleProblem(f"{at}.weekdays", "list at least one weekday (0=Monday..6=Sunday)")
        for day in sorted(adj.weekdays, key=repr):
            if not _is_int(day) or not 0 <= day <= 6:
                yield RuleProblem(f"{at}.weekdays", f"{day!r} is not a weekday 0 (Mon)..6 (Sun)")
    elif adj.weekdays:
        yield RuleProblem(f"{at}.weekdays", "only weekday adjustments use weekdays")
    if kind == "event_type":
        if not adj.event_types:
            yield RuleProblem(f"{at}.event_types", "list at least one event type")
        for event in sorted(adj.event_types, key=repr):
            yield from _name(f"{at}.event_types", event, known_events, "event type")
    elif adj.event_types:
        yield RuleProblem(f"{at}.event_types", "only event_type adjustments use event_types")
    if kind in ("demand", "pace"):
        high = BP_SCALE if kind == "demand" else None
        if not _is_int(adj.threshold_bp) or adj.threshold_bp < 0:
            yield RuleProblem(f"{at}.threshold_bp", "must be a non-negative integer (basis points)")
        elif high is not None and adj.threshold_bp > high:
            yield RuleProblem(f"{at}.threshold_bp", "an occupancy share cannot exceed 10000 bp")
        yield from _too_big(f"{at}.threshold_bp", adj.threshold_bp)
    elif adj.threshold_bp != 0:
        yield RuleProblem(f"{at}.threshold_bp", "only demand and pace adjustments use thresholds")
    if kind == "demand" and adj.scope not in DEMAND_SCOPES:
        yield RuleProblem(f"{at}.scope", f"unknown scope {adj.scope!r}; expected tier or night")
    elif kind != "demand" and adj.scope != "tier":
        yield RuleProblem(f"{at}.scope", "only demand adjustments use a scope")
    if kind == "lead_time":
        if not _is_int(adj.within_hours) or adj.within_hours < 1:
            yield RuleProblem(f"{at}.within_hours", "must be a whole number of hours, at least 1")
        yield from _too_big(f"{at}.within_hours", adj.within_hours)
    elif adj.within_hours != 0:
        yield RuleProblem(f"{at}.within_hours", "only lead_time adjustments use within_hours")


def _adjustments(rules: PricingRules, known_events: set[str] | None) -> Problems:
    tier_names = {tp.tier for tp in rules.tiers if isinstance(tp, TierPrice)}
    for i, adj in enumerate(rules.adjustments):
        at = f"adjustments[{i}]"
        if not isinstance(adj, Adjustment):
            yield RuleProblem(at, "must be an Adjustment")
            continue
        if adj.kind not in KINDS:
            yield RuleProblem(f"{at}.kind", f"unknown kind {adj.kind!r}; expected one of {KINDS}")
            continue
        yield from _adjustment_value(at, adj)
        yield from _adjustment_criteria(at, adj, known_events)
        if adj.tier is not None:
            yield from _name(f"{at}.tier", adj.tier, tier_names, "tier")
        if not isinstance(adj.label, str):
            yield RuleProblem(f"{at}.label", "must be a string")
        if not _is_int(adj.position):
            yield RuleProblem(f"{at}.position", "must be an integer")
        yield from _too_big(f"{at}.position", adj.position)


def _deposits(rules: PricingRules) -> Problems:
    tier_names = {tp.tier for tp in rules.tiers if isinstance(tp, TierPrice)}
    seen: set[str | None] = set()
    for i, dep in enumerate(rules.deposits):
        at = f"deposits[{i}]"
        if not isinstance(dep, DepositPolicy):
            yield RuleProblem(at, "must be a DepositPolicy")
            continue
        if dep.tier is not None:
            yield from _name(f"{at}.tier", dep.tier, tier_names, "tier")
        if dep.tier in seen:
            scope = "the venue" if dep.tier is None else f"tier {dep.tier!r}"
            yield RuleProblem(f"{at}.tier", f"more than one deposit policy for {scope}")
        seen.add(dep.tier)
        if dep.mode not in DEPOSIT_MODES:
            yield RuleProblem(f"{at}.mode", f"unknown mode {dep.mode!r}; expected {DEPOSIT_MODES}")
        elif dep.mode == "none" and dep.value != 0:
            yield RuleProblem(f"{at}.value", "a 'none' deposit takes no value; use 0")
        elif dep.mode in ("flat", "per_cover"):
            yield from _amount(f"{at}.value", dep.value)
        elif dep.mode == "percent" and (not _is_int(dep.value) or not 0 <= dep.value <= BP_SCALE):
            yield RuleProblem(f"{at}.value", "a percent deposit must be 0..10000 basis points")


def _required(tiers: tuple[TierPrice, ...], required: set[str] | None) -> Problems:
    if required is None:
        return
    priced = {tp.tier for tp in tiers if isinstance(tp, TierPrice)}
    for tier in sorted(required - priced):
        yield RuleProblem("tiers", f"tier {tier!r} has tables but no price; add a price row for it")


def rule_problems(
    rules: PricingRules,
    *,
    known_tiers: set[str] | None = None,
    known_event_types: set[str] | None = None,
    required_tiers: set[str] | None = None,
) -> list[RuleProblem]:
    problems: list[RuleProblem] = []
    if not is_currency_code(rules.currency):
        problems.append(RuleProblem("currency", f"{rules.currency!r} is not an ISO-4217 code"))
    if not _is_int(rules.rounding_step) or rules.rounding_step < 1:
        problems.append(RuleProblem("rounding_step", "must be an integer of at least 1"))
    problems.extend(_too_big("rounding_step", rules.rounding_step))
    problems.extend(_tiers(rules.tiers, known_tiers))
    problems.extend(_required(rules.tiers, required_tiers))
    problems.extend(_overrides(rules.table_overrides))
    problems.extend(_adjustments(rules, known_event_types))
    problems.extend(_deposits(rules))
    return problems


def validate_rules(
    rules: PricingRules,
    *,
    known_tiers: set[str] | None = None,
    known_event_types: set[str] | None = None,
    required_tiers: set[str] | None = None,
) -> None:
    """Raise PricingRuleError listing every problem. ``known_tiers`` and
    ``known_event_types``, when given, close the vocabulary of tier names and event types
    to what the venue actually has; ``required_tiers`` must each have a price (the tiers
    that have tables: a table without a price cannot be quoted, so cannot be booked)."""
    problems = rule_problems(
        rules,
        known_tiers=known_tiers,
        known_event_types=known_event_types,
        required_tiers=required_tiers,
    )
    if problems:
        raise PricingRuleError(problems)
