import json
from typing import Any

import pytest

from pricing import (
    Adjustment,
    DepositPolicy,
    PricingRuleError,
    TableOverride,
    TierPrice,
    rules_from_dict,
    rules_to_dict,
)

from .factories import create_rules

FULL = create_rules(
    tiers=(TierPrice("vip", 100_000, 80_000, 200_000), TierPrice("ga", 20_000)),
    table_overrides=(TableOverride("T7", 150_000),),
    adjustments=(
        Adjustment("weekday", "percent", 2000, weekdays=frozenset({4, 5}), label="weekend"),
        Adjustment("event_type", "fixed", 5000, tier="vip", event_types=frozenset({"gala"})),
        Adjustment("demand", "percent", 1000, threshold_bp=7500, scope="night", position=2),
        Adjustment("pace", "fixed", 2500, threshold_bp=12_000),
        Adjustment("lead_time", "percent", -1500, within_hours=4, label="late"),
    ),
    deposits=(DepositPolicy("percent", 2500), DepositPolicy("flat", 5000, "ga")),
    rounding_step=500,
)


def test_round_trip_through_json() -> None:
    assert rules_from_dict(json.loads(json.dumps(rules_to_dict(FULL)))) == FULL


def test_optional_fields_take_defaults() -> None:
    data = {
        "currency": "USD",
        "rounding_step": 100,
        "tiers": [{"tier": "vip", "base_minimum": 5000}],
        "adjustments": [{"kind": "pace", "mode": "fixed", "value": 100, "threshold_bp": 1}],
        "deposits": [{"mode": "none"}],
    }
    rules = rules_from_dict(data)
    assert rules.tiers == (TierPrice("vip", 5000),)
    assert rules.adjustments == (Adjustment("pace", "fixed", 100, threshold_bp=1),)
    assert rules.deposits == (DepositPolicy("none"),)


def _valid() -> dict[str, Any]:
    return rules_to_dict(FULL)


def _with(path: tuple[str | int, ...], value: Any, *, delete: bool = False) -> dict[str, Any]:
    data = _valid()
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    if delete:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("data", "field", "fragment"),
    [
        ([], "", "must be an object"),
        (None, "", "must be an object"),
        (_with(("currency",), None, delete=True), "currency", "is required"),
        (_with(("tiers",), None, delete=True), "tiers", "is required"),
        (_with(("rounding_step",), "100"), "rounding_step", "must be an integer"),
        (_with(("rounding_step",), 100.0), "rounding_step", "must be an integer"),
        (_with(("rounding_step",), True), "rounding_step", "must be an integer"),
        (_with(("tiers",), {"vip": 1}), "tiers", "must be a list"),
        (_with(("tiers", 0), "vip"), "tiers[0]", "must be an object"),
        (_with(("tiers", 0, "base_minimum"), 99.5), "tiers[0].base_minimum", "integer"),
        (_with(("tiers", 1, "tier"), None, delete=True), "tiers[1].tier", "is required"),
        (_with(("tiers", 0, "flor"), 1), "tiers[0].flor", "unknown field"),
        (_with(("adjustments", 0, "weekdays"), "fri"), "adjustments[0].weekdays", "list"),
        (_with(("adjustments", 0, "weekdays", 1), "5"), "adjustments[0].weekdays[1]", "integer"),
        (_with(("adjustments", 1, "event_types"), [1]), "adjustments[1].event_types[0]", "string"),
        (_with(("adjustments", 2, "kind"), None, delete=True), "adjustments[2].kind", "required"),
        (_with(("deposits", 1, "tier"), 3), "deposits[1].tier", "must be a string"),
        (_with(("schema",), 2), "schema", "unsupported schema"),
        # Well-formed but semantically wrong: validation runs too.
        (_with(("tiers", 0, "floor"), 300_000), "tiers[0].floor", "above the ceiling"),
        (_with(("currency",), "euro"), "currency", "ISO-4217"),
    ],
)
def test_malformed_input_names_the_field(data: Any, field: str, fragment: str) -> None:
    with pytest.raises(PricingRuleError) as caught:
        rules_from_dict(data)
    assert any(p.field == field and fragment in p.message for p in caught.value.errors), (
        caught.value.errors
    )


def test_a_required_field_is_reported_once() -> None:
    with pytest.raises(PricingRuleError) as caught:
        rules_from_dict(_with(("currency",), None, delete=True))
    assert [p.field for p in caught.value.errors] == ["currency"]
