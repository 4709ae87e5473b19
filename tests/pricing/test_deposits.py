import pytest

from pricing import DepositPolicy, TierPrice, quote

from .factories import WEEK_BEFORE, create_context, create_rules

TIERS = (TierPrice("vip", 100_000), TierPrice("ga", 20_000), TierPrice("free", 0))


@pytest.mark.parametrize(
    ("deposits", "tier", "expected", "basis"),
    [
        ((), "vip", 0, {"mode": "none", "source": "default"}),
        ((DepositPolicy("none"),), "vip", 0, {"mode": "none", "source": "venue"}),
        ((DepositPolicy("flat", 25_000),), "vip", 25_000, {"mode": "flat", "source": "venue"}),
        ((DepositPolicy("percent", 2500),), "vip", 25_000, {"mode": "percent"}),
        ((DepositPolicy("percent", 3333),), "ga", 6_666, {"mode": "percent"}),
        ((DepositPolicy("percent", 10_000),), "ga", 20_000, {"mode": "percent"}),
        (
            (DepositPolicy("percent", 2500), DepositPolicy("flat", 5_000, tier="ga")),
            "ga",
            5_000,
            {"mode": "flat", "source": "tier"},
        ),
        (
            (DepositPolicy("flat", 5_000, tier="ga"), DepositPolicy("percent", 2500)),
            "vip",
            25_000,
            {"mode": "percent", "source": "venue"},
        ),
        (
            (DepositPolicy("percent", 2500), DepositPolicy("none", tier="ga")),
            "ga",
            0,
            {"mode": "none", "source": "tier"},
        ),
        (
            (DepositPolicy("flat", 50_000),),
            "ga",
            20_000,
            {"mode": "flat", "value": 50_000, "capped_at_minimum": True},
        ),
        ((DepositPolicy("flat", 50_000),), "free", 0, {"capped_at_minimum": True}),
    ],
    ids=[
        "no-policy",
        "none",
        "flat",
        "percent",
        "percent-rounds-half-up",
        "percent-all",
        "tier-overrides-venue",
        "venue-for-other-tier",
        "tier-none-overrides-venue",
        "flat-above-minimum-capped",
        "flat-on-free-table",
    ],
)
def test_deposit(
    deposits: tuple[DepositPolicy, ...], tier: str, expected: int, basis: dict[str, object]
) -> None:
    result = quote(
        create_rules(tiers=TIERS, deposits=deposits), create_context(tier=tier), WEEK_BEFORE
    )
    assert result.deposit.amount == expected
    assert result.deposit.currency == "EUR"
    assert result.deposit.amount <= result.minimum.amount
    explained = result.to_dict()["deposit_basis"]
    assert {k: explained[k] for k in basis} == basis


def test_deposit_is_taken_from_the_rounded_minimum() -> None:
    rules = create_rules(
        tiers=(TierPrice("vip", 12_250),),
        rounding_step=500,
        deposits=(DepositPolicy("percent", 5000),),
    )
    result = quote(rules, create_context(), WEEK_BEFORE)
    assert (result.minimum.amount, result.deposit.amount) == (12_500, 6_250)
