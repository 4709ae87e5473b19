"""The cancellation policy at each boundary, on the venue's wall clock across DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from payments.policy import deadline, decide
from venue.money.policies import DEFAULT_REFUND_RULES as DEFAULT_RULES

SECOND = timedelta(seconds=1)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# (venue tz, night start UTC, 48 h deadline UTC, 24 h deadline UTC)
CASES = [
    # Clocks go forward on Sunday 29 March 01:00: 22:00 BST on Sunday is 21:00 UTC, but
    # "48 hours before" is 22:00 GMT on Friday (22:00 UTC), not 21:00 UTC.
    ("Europe/London", at(2026, 3, 29, 21), at(2026, 3, 27, 22), at(2026, 3, 28, 22)),
    # Clocks go back on Sunday 25 October: 22:00 GMT Sunday; the deadlines are 22:00 BST.
    ("Europe/London", at(2026, 10, 25, 22), at(2026, 10, 23, 21), at(2026, 10, 24, 21)),
    # No change in between: plain hours.
    ("Europe/London", at(2026, 11, 21, 22), at(2026, 11, 19, 22), at(2026, 11, 20, 22)),
    # A venue elsewhere: 20:00 in New York (EST) on 21 November is 01:00 UTC the next day.
    ("America/New_York", at(2026, 11, 22, 1), at(2026, 11, 20, 1), at(2026, 11, 21, 1)),
    # New York springs forward on 8 March 2026 02:00.
    ("America/New_York", at(2026, 3, 9, 0), at(2026, 3, 7, 1), at(2026, 3, 8, 1)),
]


@pytest.mark.parametrize(("tz", "start", "full_until", "half_until"), CASES)
def test_each_boundary(
    tz: str, start: datetime, full_until: datetime, half_until: datetime
) -> None:
    assert deadline(start, 48, tz) == full_until
    assert deadline(start, 24, tz) == half_until
    expected = [
        (full_until - timedelta(days=3), 10000, 10000),
        (full_until, 10000, 10000),
        (full_until + SECOND, 5000, 5000),
        (half_until, 5000, 5000),
        (half_until + SECOND, 0, 0),
        (start, 0, 0),
    ]
    for now, bp, amount in expected:
        got = decide(DEFAULT_RULES, 10000, start, now, tz)
        assert (got.refund_bp, got.amount) == (bp, amount), (tz, now)


def test_wall_clock_differs_from_elapsed_hours_across_the_change() -> None:
    start = at(2026, 3, 29, 21)  # Sunday 22:00 BST
    friday_2130_utc = at(2026, 3, 27, 21, 30)  # 47.5 real hours before, 48.5 on the wall
    assert start - friday_2130_utc < timedelta(hours=48)
    assert decide(DEFAULT_RULES, 10000, start, friday_2130_utc, "Europe/London").refund_bp == 10000


def test_amounts_round_down_in_minor_units_and_the_best_rule_wins() -> None:
    start = at(2026, 11, 21, 22)
    rules = [(24, 2500), (72, 10000), (48, 5000)]
    assert decide(rules, 10001, start, at(2026, 11, 20, 12), "Europe/London").amount == 2500
    assert decide(rules, 10001, start, at(2026, 11, 19, 12), "Europe/London").amount == 5000
    assert decide(rules, 10001, start, at(2026, 11, 17, 12), "Europe/London").amount == 10001
    assert decide([], 10001, start, at(2026, 11, 1), "Europe/London").amount == 0
