"""Time quoting a 200-table night in-process: `.venv/bin/python bench/pricing.py`.

Target: under 5 ms per night with ``quote_many`` (the floor map re-prices a whole night
after every booking, so this is on the path of each realtime update).
"""

import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

# Run as a script, bench/ is sys.path[0] and this very file is named pricing.py: put the
# repository root first so that `import pricing` finds the package, not this module.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pricing import (
    Adjustment,
    DepositPolicy,
    PricingRules,
    QuoteContext,
    TableOverride,
    TierPrice,
    quote,
    quote_many,
)
from pricing.engine import _cached_compile

TABLES = 200
REPETITIONS = 2000
WARMUP = 100
TIERS = ("ga", "vip", "stage")


def build_rules() -> PricingRules:
    return PricingRules(
        currency="EUR",
        rounding_step=500,
        tiers=(
            TierPrice("ga", 30_000, 20_000, 80_000),
            TierPrice("vip", 100_000, 75_000, 250_000),
            TierPrice("stage", 200_000, 150_000, 500_000),
        ),
        table_overrides=tuple(TableOverride(f"T{i:03}", 120_000) for i in range(0, 200, 20)),
        adjustments=(
            Adjustment("weekday", "percent", 2000, weekdays=frozenset({4, 5}), label="weekend"),
            Adjustment("weekday", "percent", -1500, weekdays=frozenset({0, 1, 2}), label="early"),
            Adjustment(
                "event_type", "fixed", 25_000, event_types=frozenset({"gala"}), label="gala"
            ),
            Adjustment(
                "event_type", "percent", 1000, tier="stage", event_types=frozenset({"live"})
            ),
            Adjustment("demand", "percent", 1000, threshold_bp=5000, label="half full"),
            Adjustment("demand", "percent", 1500, threshold_bp=8000, label="nearly full"),
            Adjustment("demand", "fixed", 10_000, threshold_bp=9000, scope="night", label="sold"),
            Adjustment("pace", "percent", 1000, threshold_bp=12_000, label="ahead of pace"),
            Adjustment("pace", "fixed", 5_000, tier="vip", threshold_bp=15_000),
            Adjustment("lead_time", "percent", -2000, within_hours=3, label="last minute"),
        ),
        deposits=(
            DepositPolicy("percent", 2500),
            DepositPolicy("flat", 50_000, tier="vip"),
            DepositPolicy("percent", 5000, tier="stage"),
        ),
    )


def build_contexts() -> list[QuoteContext]:
    starts_at = datetime(2025, 1, 3, 22, tzinfo=UTC)
    per_tier = {"ga": 120, "vip": 60, "stage": 20}
    contexts = []
    for i in range(TABLES):
        tier = TIERS[0] if i < 120 else TIERS[1] if i < 180 else TIERS[2]
        contexts.append(
            QuoteContext(
                tier=tier,
                table_key=f"T{i:03}",
                business_date=date(2025, 1, 3),
                event_type="gala" if i % 2 else "live",
                starts_at=starts_at,
                tier_taken=(i * 7) % per_tier[tier],
                tier_total=per_tier[tier],
                night_taken=150,
                night_total=TABLES,
                pace_bp=9000 + (i * 97) % 9000,
            )
        )
    return contexts


def measure(run: Callable[[], object], repetitions: int) -> list[float]:
    for _ in range(WARMUP):
        run()
    samples = []
    for _ in range(repetitions):
        start = time.perf_counter_ns()
        run()
        samples.append((time.perf_counter_ns() - start) / 1e6)
    return samples


def report(name: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * len(ordered)) - 1)]
    print(
        f"{name:<32} n={len(samples):<5} p50={p50:.3f} ms  p99={p99:.3f} ms  "
        f"mean={statistics.fmean(samples):.3f} ms  max={ordered[-1]:.3f} ms"
    )


def main() -> None:
    rules, contexts = build_rules(), build_contexts()
    now = datetime(2025, 1, 3, 20, tzinfo=UTC) - timedelta(minutes=30)
    assert quote_many(rules, contexts, now) == [quote(rules, c, now) for c in contexts]
    print(f"python {platform.python_version()} on {platform.machine()}, {TABLES} tables")
    report("quote_many (one night)", measure(lambda: quote_many(rules, contexts, now), REPETITIONS))

    def cold() -> None:
        # As if every night had a rule set never seen before: validate and index included.
        _cached_compile.cache_clear()
        quote_many(rules, contexts, now)

    report("quote_many, rules not cached", measure(cold, REPETITIONS))
    report(
        "quote per table (one night)",
        measure(lambda: [quote(rules, c, now) for c in contexts], REPETITIONS // 4),
    )


if __name__ == "__main__":
    main()
