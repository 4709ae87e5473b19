"""Rules as JSON-ready data, for the manager API and for storage.

The stored form carries a ``schema`` number so that a later change of shape can be
read alongside old rows instead of breaking them.
"""

from typing import Any

from pricing._reader import Reader
from pricing.errors import PricingRuleError
from pricing.rules import Adjustment, DepositPolicy, PricingRules, TableOverride, TierPrice
from pricing.validation import validate_rules

SCHEMA = 1

_ADJ_OPTIONAL = (
    "tier",
    "weekdays",
    "event_types",
    "threshold_bp",
    "scope",
    "within_hours",
    "label",
    "position",
)


def _adjustment_to_dict(adj: Adjustment) -> dict[str, Any]:
    return {
        "kind": adj.kind,
        "mode": adj.mode,
        "value": adj.value,
        "tier": adj.tier,
        "weekdays": sorted(adj.weekdays),
        "event_types": sorted(adj.event_types),
        "threshold_bp": adj.threshold_bp,
        "scope": adj.scope,
        "within_hours": adj.within_hours,
        "label": adj.label,
        "position": adj.position,
    }


def rules_to_dict(rules: PricingRules) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "currency": rules.currency,
        "rounding_step": rules.rounding_step,
        "tiers": [
            {"tier": t.tier, "base_minimum": t.base_minimum, "floor": t.floor, "ceiling": t.ceiling}
            for t in rules.tiers
        ],
        "table_overrides": [
            {"table_key": o.table_key, "base_minimum": o.base_minimum}
            for o in rules.table_overrides
        ],
        "adjustments": [_adjustment_to_dict(a) for a in rules.adjustments],
        "deposits": [{"mode": d.mode, "value": d.value, "tier": d.tier} for d in rules.deposits],
    }


def _tier(r: Reader, path: str, raw: object) -> TierPrice | None:
    f = r.fields(path, raw, ("tier", "base_minimum"), ("floor", "ceiling"))
    if f is None:
        return None
    return TierPrice(
        tier=r.text(f"{path}.tier", f.get("tier")),
        base_minimum=r.integer(f"{path}.base_minimum", f.get("base_minimum")),
        floor=r.optional_integer(f"{path}.floor", f.get("floor")),
        ceiling=r.optional_integer(f"{path}.ceiling", f.get("ceiling")),
    )


def _override(r: Reader, path: str, raw: object) -> TableOverride | None:
    f = r.fields(path, raw, ("table_key", "base_minimum"), ())
    if f is None:
        return None
    return TableOverride(
        table_key=r.text(f"{path}.table_key", f.get("table_key")),
        base_minimum=r.integer(f"{path}.base_minimum", f.get("base_minimum")),
    )


def _adjustment(r: Reader, path: str, raw: object) -> Adjustment | None:
    f = r.fields(path, raw, ("kind", "mode", "value"), _ADJ_OPTIONAL)
    if f is None:
        return None
    return Adjustment(
        kind=r.text(f"{path}.kind", f.get("kind")),
        mode=r.text(f"{path}.mode", f.get("mode")),
        value=r.integer(f"{path}.value", f.get("value")),
        tier=r.optional_text(f"{path}.tier", f.get("tier")),
        weekdays=r.integer_set(f"{path}.weekdays", f.get("weekdays", [])),
        event_types=r.text_set(f"{path}.event_types", f.get("event_types", [])),
        threshold_bp=r.integer(f"{path}.threshold_bp", f.get("threshold_bp", 0)),
        scope=r.text(f"{path}.scope", f.get("scope", "tier")),
        within_hours=r.integer(f"{path}.within_hours", f.get("within_hours", 0)),
        label=r.text(f"{path}.label", f.get("label", "")),
        position=r.integer(f"{path}.position", f.get("position", 0)),
    )


def _deposit(r: Reader, path: str, raw: object) -> DepositPolicy | None:
    f = r.fields(path, raw, ("mode",), ("value", "tier"))
    if f is None:
        return None
    return DepositPolicy(
        mode=r.text(f"{path}.mode", f.get("mode")),
        value=r.integer(f"{path}.value", f.get("value", 0)),
        tier=r.optional_text(f"{path}.tier", f.get("tier")),
    )


def rules_from_dict(data: object) -> PricingRules:
    """Parse and validate stored or submitted rules; any problem raises PricingRuleError
    with the path of each offending field (never KeyError or TypeError)."""
    r = Reader()
    top = r.fields(
        "",
        data,
        ("currency", "rounding_step", "tiers"),
        ("schema", "table_overrides", "adjustments", "deposits"),
    )
    if top is None:
        raise PricingRuleError(r.problems)
    if top.get("schema", SCHEMA) != SCHEMA:
        r.fail("schema", f"unsupported schema {top.get('schema')!r}; expected {SCHEMA}")
    currency = r.text("currency", top.get("currency"))
    step = r.integer("rounding_step", top.get("rounding_step"))
    tiers = [_tier(r, p, v) for p, v in r.items("tiers", top.get("tiers", []))]
    overrides = [
        _override(r, p, v) for p, v in r.items("table_overrides", top.get("table_overrides", []))
    ]
    adjustments = [
        _adjustment(r, p, v) for p, v in r.items("adjustments", top.get("adjustments", []))
    ]
    deposits = [_deposit(r, p, v) for p, v in r.items("deposits", top.get("deposits", []))]
    if r.problems:
        raise PricingRuleError(r.problems)
    rules = PricingRules(
        currency=currency,
        rounding_step=step,
        tiers=tuple(t for t in tiers if t is not None),
        table_overrides=tuple(o for o in overrides if o is not None),
        adjustments=tuple(a for a in adjustments if a is not None),
        deposits=tuple(d for d in deposits if d is not None),
    )
    validate_rules(rules)
    return rules
