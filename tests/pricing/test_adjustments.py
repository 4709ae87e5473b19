from datetime import timedelta

import pytest

from pricing import Adjustment, TableOverride, TierPrice, quote

from .factories import STARTS_AT, WEEK_BEFORE, create_context, create_rules

WEEKEND = Adjustment("weekday", "percent", 2000, weekdays=frozenset({4, 5}), label="weekend")
GALA = Adjustment("event_type", "fixed", 5000, event_types=frozenset({"gala"}), label="gala")
TIER_HALF = Adjustment("demand", "percent", 1000, threshold_bp=5000, label="tier half full")
NIGHT_HALF = Adjustment(
    "demand", "fixed", 3000, threshold_bp=5000, scope="night", label="night half full"
)
PACE = Adjustment("pace", "percent", 1500, threshold_bp=12000, label="ahead of pace")
LAST_MINUTE = Adjustment("lead_time", "percent", -2500, within_hours=6, label="last minute")


@pytest.mark.parametrize(
    ("adjustment", "context", "expected"),
    [
        # weekday matches the business date (Friday = 4), not the UTC start time.
        (WEEKEND, {}, 120_000),
        (WEEKEND, {"business_date": STARTS_AT.date() + timedelta(days=3)}, 100_000),
        (GALA, {"event_type": "gala"}, 105_000),
        (GALA, {"event_type": "concert"}, 100_000),
        (GALA, {"event_type": None}, 100_000),
        (TIER_HALF, {"tier_taken": 5, "tier_total": 10}, 110_000),
        (TIER_HALF, {"tier_taken": 4, "tier_total": 10}, 100_000),
        (TIER_HALF, {"tier_taken": 0, "tier_total": 0}, 100_000),
        (NIGHT_HALF, {"night_taken": 20, "night_total": 40}, 103_000),
        (NIGHT_HALF, {"night_taken": 19, "night_total": 40, "tier_taken": 10}, 100_000),
        (PACE, {"pace_bp": 12_000}, 115_000),
        (PACE, {"pace_bp": 11_999}, 100_000),
        (PACE, {"pace_bp": None}, 100_000),
    ],
    ids=[
        "weekday-match",
        "weekday-miss",
        "event-match",
        "event-miss",
        "event-none",
        "tier-demand-at-threshold",
        "tier-demand-below",
        "tier-demand-empty-scope",
        "night-demand-at-threshold",
        "night-demand-ignores-tier-share",
        "pace-at-threshold",
        "pace-below",
        "pace-no-history",
    ],
)
def test_each_kind_applies_only_when_it_matches(
    adjustment: Adjustment, context: dict[str, object], expected: int
) -> None:
    rules = create_rules(adjustments=(adjustment,))
    assert quote(rules, create_context(**context), WEEK_BEFORE).minimum.amount == expected


@pytest.mark.parametrize(
    ("hours_before_start", "expected"),
    [(168, 100_000), (6, 75_000), (7, 100_000), (0, 75_000), (-1, 75_000)],
    ids=["week-ahead", "exactly-at-window", "just-outside", "at-start", "already-started"],
)
def test_lead_time_is_measured_from_now(hours_before_start: int, expected: int) -> None:
    rules = create_rules(adjustments=(LAST_MINUTE,))
    now = STARTS_AT - timedelta(hours=hours_before_start)
    assert quote(rules, create_context(), now).minimum.amount == expected


def test_tier_specific_adjustment_only_touches_its_tier() -> None:
    rules = create_rules(
        tiers=(TierPrice("vip", 100_000), TierPrice("ga", 20_000)),
        adjustments=(Adjustment("weekday", "fixed", 1000, tier="ga", weekdays=frozenset({4})),),
    )
    assert quote(rules, create_context(tier="vip"), WEEK_BEFORE).minimum.amount == 100_000
    assert quote(rules, create_context(tier="ga"), WEEK_BEFORE).minimum.amount == 21_000


def test_table_override_replaces_the_tier_base() -> None:
    rules = create_rules(table_overrides=(TableOverride("T7", 150_000),), adjustments=(WEEKEND,))
    assert quote(rules, create_context(table_key="T7"), WEEK_BEFORE).minimum.amount == 180_000
    assert quote(rules, create_context(table_key="T8"), WEEK_BEFORE).minimum.amount == 120_000


@pytest.mark.parametrize(
    ("adjustments", "expected_kinds", "expected"),
    [
        # Fixed weekday before percent demand: (100000 + 10000) * 1.5.
        (
            (
                Adjustment("demand", "percent", 5000, threshold_bp=0),
                Adjustment("weekday", "fixed", 10_000, weekdays=frozenset({4})),
            ),
            ["base", "weekday", "demand"],
            165_000,
        ),
        # Every kind at once, stored in reverse: the kind order still wins.
        (
            (LAST_MINUTE, PACE, NIGHT_HALF, GALA, WEEKEND),
            ["base", "weekday", "event_type", "demand", "pace", "lead_time"],
            # 100000 *1.2=120000 +5000=125000 +3000=128000 *1.15=147200 *0.75=110400
            110_400,
        ),
    ],
    ids=["fixed-then-percent", "all-kinds-reversed"],
)
def test_kinds_apply_in_documented_order(
    adjustments: tuple[Adjustment, ...], expected_kinds: list[str], expected: int
) -> None:
    rules = create_rules(adjustments=adjustments)
    ctx = create_context(event_type="gala", night_taken=30, pace_bp=13_000)
    result = quote(rules, ctx, STARTS_AT - timedelta(hours=2))
    assert [line.kind for line in result.lines] == expected_kinds
    assert result.minimum.amount == expected


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        # position decides: fixed (pos 0) then percent (pos 1): (100000+10000)*1.1
        (("fixed", 0, "b"), ("percent", 1, "a"), 121_000),
        # position decides the other way: 100000*1.1 + 10000
        (("fixed", 1, "a"), ("percent", 0, "b"), 120_000),
        # equal position: label decides ("a" first)
        (("fixed", 0, "a"), ("percent", 0, "b"), 121_000),
        (("fixed", 0, "b"), ("percent", 0, "a"), 120_000),
    ],
)
def test_within_a_kind_position_then_label(
    first: tuple[str, int, str], second: tuple[str, int, str], expected: int
) -> None:
    def make(mode: str, position: int, label: str) -> Adjustment:
        value = 10_000 if mode == "fixed" else 1000
        return Adjustment(
            "weekday", mode, value, weekdays=frozenset({4}), position=position, label=label
        )

    for order in ((make(*first), make(*second)), (make(*second), make(*first))):
        rules = create_rules(adjustments=order)
        assert quote(rules, create_context(), WEEK_BEFORE).minimum.amount == expected


@pytest.mark.parametrize(
    ("base", "percent", "expected"),
    [(125, -1000, 113), (125, 1000, 138), (105, 1000, 116), (104, 1000, 114), (1, 5000, 2)],
    ids=["discount-half", "surcharge-half", "up-from-half", "down-below-half", "tiny"],
)
def test_percent_rounds_half_up_to_a_minor_unit(base: int, percent: int, expected: int) -> None:
    rules = create_rules(
        tiers=(TierPrice("vip", base),),
        adjustments=(Adjustment("weekday", "percent", percent, weekdays=frozenset({4})),),
    )
    assert quote(rules, create_context(), WEEK_BEFORE).minimum.amount == expected


def test_percent_skips_a_negative_running_total() -> None:
    # Found by the demand property: +50% of -5000 would be -2500, so filling the room
    # would have lowered the price.
    rules = create_rules(
        tiers=(TierPrice("vip", 5_000),),
        adjustments=(
            Adjustment("weekday", "fixed", -10_000, weekdays=frozenset({4})),
            Adjustment("demand", "percent", 5000, threshold_bp=5000),
            Adjustment("lead_time", "fixed", 8_000, within_hours=4),
        ),
    )
    now = STARTS_AT - timedelta(hours=1)
    quiet = quote(rules, create_context(tier_taken=0), now)
    busy = quote(rules, create_context(tier_taken=9), now)
    assert (quiet.minimum.amount, busy.minimum.amount) == (3_000, 3_000)
    assert [line.delta for line in busy.lines] == [5_000, -10_000, 0, 8_000]
