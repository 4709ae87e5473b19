import pytest

from pricing import Adjustment, TierPrice, quote

from .factories import WEEK_BEFORE, create_context, create_rules


def _friday(mode: str, value: int) -> Adjustment:
    return Adjustment("weekday", mode, value, weekdays=frozenset({4}), label="friday")


@pytest.mark.parametrize(
    ("tier", "adjustment", "step", "expected", "tail_kinds"),
    [
        (
            TierPrice("vip", 100_000, 90_000, 110_000),
            _friday("percent", 5000),
            1,
            110_000,
            ["ceiling"],
        ),
        (
            TierPrice("vip", 100_000, 90_000, 110_000),
            _friday("percent", -5000),
            1,
            90_000,
            ["floor"],
        ),
        (TierPrice("vip", 100_000, 90_000, 110_000), _friday("percent", 500), 1, 105_000, []),
        (TierPrice("vip", 1_000), _friday("fixed", -5_000), 1, 0, ["non_negative"]),
        (TierPrice("vip", 1_000), _friday("percent", -10_000), 1, 0, []),
        # Half up to the step.
        (TierPrice("vip", 12_250), None, 500, 12_500, ["rounding"]),
        (TierPrice("vip", 12_249), None, 500, 12_000, ["rounding"]),
        (TierPrice("vip", 12_000), None, 500, 12_000, []),
        # Nearest multiple (12500) is above the ceiling: round down instead.
        (TierPrice("vip", 12_300, None, 12_400), None, 500, 12_000, ["rounding"]),
        # Nearest multiple (12000) is below the floor: round up instead.
        (TierPrice("vip", 12_100, 12_100, None), None, 500, 12_500, ["rounding"]),
        # No multiple of 500 inside [12100, 12400]: keep the clamped value.
        (TierPrice("vip", 12_300, 12_100, 12_400), None, 500, 12_300, []),
        # Clamped to the ceiling, which is itself off-step: rounds down inside.
        (TierPrice("vip", 20_000, None, 15_250), None, 500, 15_000, ["ceiling", "rounding"]),
    ],
    ids=[
        "ceiling",
        "floor",
        "inside",
        "never-negative",
        "free-night",
        "half-up",
        "below-half",
        "on-step",
        "round-down-under-ceiling",
        "round-up-over-floor",
        "no-multiple-inside",
        "clamp-then-round",
    ],
)
def test_clamp_and_rounding(
    tier: TierPrice,
    adjustment: Adjustment | None,
    step: int,
    expected: int,
    tail_kinds: list[str],
) -> None:
    rules = create_rules(
        tiers=(tier,), adjustments=(adjustment,) if adjustment else (), rounding_step=step
    )
    result = quote(rules, create_context(), WEEK_BEFORE)
    assert result.minimum.amount == expected
    n_rule_lines = 1 + (adjustment is not None)
    assert [line.kind for line in result.lines[n_rule_lines:]] == tail_kinds
    assert result.lines[-1].total_after == expected
    assert sum(line.delta for line in result.lines) == expected
