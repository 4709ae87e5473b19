from typing import Any

import pytest

from pricing import (
    Adjustment,
    DepositPolicy,
    PricingRuleError,
    RuleProblem,
    TableOverride,
    TierPrice,
    validate_rules,
)

from .factories import create_rules

VIP = TierPrice("vip", 100_000)


def _problems(**overrides: Any) -> list[RuleProblem]:
    known = overrides.pop("known", {})
    with pytest.raises(PricingRuleError) as caught:
        validate_rules(create_rules(**overrides), **known)
    return caught.value.errors


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"currency": "eur"}, "currency", "ISO-4217"),
        ({"currency": "EURO"}, "currency", "ISO-4217"),
        ({"rounding_step": 0}, "rounding_step", "at least 1"),
        ({"tiers": ()}, "tiers", "at least one"),
        ({"tiers": (TierPrice("vip", -1),)}, "tiers[0].base_minimum", "negative"),
        ({"tiers": (TierPrice("vip", 1, floor=-5),)}, "tiers[0].floor", "negative"),
        ({"tiers": (TierPrice("vip", 1, ceiling=-5),)}, "tiers[0].ceiling", "negative"),
        ({"tiers": (TierPrice("vip", 10, 20, 10),)}, "tiers[0].floor", "above the ceiling"),
        ({"tiers": (TierPrice("vip", 1.5),)}, "tiers[0].base_minimum", "integer"),  # type: ignore[arg-type]
        ({"tiers": (VIP, TierPrice("vip", 5))}, "tiers[1].tier", "duplicate"),
        ({"tiers": (TierPrice("", 5),)}, "tiers[0].tier", "non-empty"),
        (
            {"tiers": (TierPrice("vvip", 5),), "known": {"known_tiers": {"vip", "ga"}}},
            "tiers[0].tier",
            "unknown tier 'vvip'",
        ),
        (
            {"table_overrides": (TableOverride("T1", 1), TableOverride("T1", 2))},
            "table_overrides[1].table_key",
            "duplicate",
        ),
        (
            {"table_overrides": (TableOverride("T1", -1),)},
            "table_overrides[0].base_minimum",
            "negative",
        ),
        ({"adjustments": (Adjustment("moon", "fixed", 1),)}, "adjustments[0].kind", "unknown kind"),
        (
            {"adjustments": (Adjustment("weekday", "ratio", 1, weekdays=frozenset({1})),)},
            "adjustments[0].mode",
            "unknown mode",
        ),
        (
            {"adjustments": (Adjustment("weekday", "percent", -10_001, weekdays=frozenset({1})),)},
            "adjustments[0].value",
            "cannot exceed 100%",
        ),
        (
            {"adjustments": (Adjustment("weekday", "fixed", 1, weekdays=frozenset({7})),)},
            "adjustments[0].weekdays",
            "7 is not a weekday",
        ),
        (
            {"adjustments": (Adjustment("weekday", "fixed", 1),)},
            "adjustments[0].weekdays",
            "at least one weekday",
        ),
        (
            {
                "adjustments": (
                    Adjustment("event_type", "fixed", 1, event_types=frozenset({"x"})),
                ),
                "known": {"known_event_types": {"gala"}},
            },
            "adjustments[0].event_types",
            "unknown event type 'x'",
        ),
        (
            {"adjustments": (Adjustment("demand", "percent", -100, threshold_bp=5000),)},
            "adjustments[0].value",
            "never falls as demand rises",
        ),
        (
            {"adjustments": (Adjustment("pace", "fixed", -100, threshold_bp=5000),)},
            "adjustments[0].value",
            "never falls as demand rises",
        ),
        (
            {"adjustments": (Adjustment("demand", "fixed", 1, threshold_bp=10_001),)},
            "adjustments[0].threshold_bp",
            "10000",
        ),
        (
            {"adjustments": (Adjustment("demand", "fixed", 1, threshold_bp=1, scope="room"),)},
            "adjustments[0].scope",
            "unknown scope",
        ),
        (
            {"adjustments": (Adjustment("lead_time", "fixed", 1),)},
            "adjustments[0].within_hours",
            "at least 1",
        ),
        (
            {"adjustments": (Adjustment("pace", "fixed", 1, weekdays=frozenset({1})),)},
            "adjustments[0].weekdays",
            "only weekday adjustments",
        ),
        (
            {
                "adjustments": (
                    Adjustment("weekday", "fixed", 1, tier="ga", weekdays=frozenset({1})),
                )
            },
            "adjustments[0].tier",
            "unknown tier 'ga'",
        ),
        # Stored as 32-bit integers: a larger number is a problem with a path, not a 500.
        ({"rounding_step": 2**31}, "rounding_step", "at most 2147483647"),
        ({"tiers": (TierPrice("vip", 2**31),)}, "tiers[0].base_minimum", "at most"),
        ({"tiers": (TierPrice("vip", 1, ceiling=10**30),)}, "tiers[0].ceiling", "at most"),
        (
            {"table_overrides": (TableOverride("T1", 2**31),)},
            "table_overrides[0].base_minimum",
            "at most",
        ),
        (
            {
                "adjustments": (
                    Adjustment("weekday", "fixed", -(2**31) - 1, weekdays=frozenset({1})),
                )
            },
            "adjustments[0].value",
            "at most",
        ),
        (
            {"adjustments": (Adjustment("lead_time", "fixed", 1, within_hours=10**30),)},
            "adjustments[0].within_hours",
            "at most",
        ),
        ({"deposits": (DepositPolicy("flat", 2**31),)}, "deposits[0].value", "at most"),
        ({"deposits": (DepositPolicy("flat", -1),)}, "deposits[0].value", "negative"),
        ({"deposits": (DepositPolicy("percent", 10_001),)}, "deposits[0].value", "0..10000"),
        ({"deposits": (DepositPolicy("percent", -1),)}, "deposits[0].value", "0..10000"),
        ({"deposits": (DepositPolicy("half"),)}, "deposits[0].mode", "unknown mode"),
        ({"deposits": (DepositPolicy("none", 5),)}, "deposits[0].value", "no value"),
        ({"deposits": (DepositPolicy("flat", 1, tier="ga"),)}, "deposits[0].tier", "unknown tier"),
        (
            {"deposits": (DepositPolicy("flat", 1), DepositPolicy("none"))},
            "deposits[1].tier",
            "more than one deposit policy for the venue",
        ),
        (
            {"deposits": (DepositPolicy("flat", 1, "vip"), DepositPolicy("none", tier="vip"))},
            "deposits[1].tier",
            "for tier 'vip'",
        ),
    ],
)
def test_problem_is_reported_with_its_field(
    overrides: dict[str, Any], field: str, fragment: str
) -> None:
    problems = _problems(**overrides)
    assert any(p.field == field and fragment in p.message for p in problems), problems


def test_every_problem_is_reported_at_once() -> None:
    problems = _problems(
        currency="x",
        rounding_step=0,
        tiers=(TierPrice("vip", -1, 5, 1),),
        deposits=(DepositPolicy("percent", 20_000),),
    )
    fields = {p.field for p in problems}
    assert fields == {
        "currency",
        "rounding_step",
        "tiers[0].base_minimum",
        "tiers[0].floor",
        "deposits[0].value",
    }


def test_error_explains_itself() -> None:
    with pytest.raises(PricingRuleError) as caught:
        validate_rules(create_rules(rounding_step=0))
    assert str(caught.value) == "rounding_step: must be an integer of at least 1"
    assert caught.value.code == "pricing_rules_invalid"
    assert caught.value.errors[0].to_dict() == {
        "field": "rounding_step",
        "message": "must be an integer of at least 1",
    }


@pytest.mark.parametrize(
    "adjustment",
    [
        Adjustment("weekday", "percent", -10_000, weekdays=frozenset({0, 6})),
        Adjustment("event_type", "fixed", -500, event_types=frozenset({"gala"})),
        Adjustment("demand", "percent", 0, threshold_bp=10_000, scope="night"),
        Adjustment("pace", "fixed", 100, threshold_bp=25_000),
        Adjustment("lead_time", "fixed", -2_000, within_hours=1),
    ],
)
def test_valid_rules_pass(adjustment: Adjustment) -> None:
    validate_rules(
        create_rules(adjustments=(adjustment,), deposits=(DepositPolicy("percent", 10_000),)),
        known_tiers={"vip"},
        known_event_types={"gala"},
    )


def test_every_tier_that_has_tables_needs_a_price() -> None:
    """A rule set that prices only some tiers would leave the others unquotable."""
    problems = _problems(
        tiers=(VIP,),
        known={"known_tiers": {"vip", "ga", "booth"}, "required_tiers": {"vip", "ga", "booth"}},
    )
    assert [(p.field, p.message) for p in problems] == [
        ("tiers", "tier 'booth' has tables but no price; add a price row for it"),
        ("tiers", "tier 'ga' has tables but no price; add a price row for it"),
    ]
    validate_rules(create_rules(tiers=(VIP,)), required_tiers={"vip"})
