"""The cancellation refund policy: pure functions, no database, no clock of their own.

A rule ``(hours, bp)`` reads "cancel at least ``hours`` hours before the reservation
starts and get ``bp`` basis points of the deposit back". Hours are counted on the
venue's wall clock, so "48 hours before a 22:00 Sunday night" is 22:00 on Friday in the
venue's timezone even when the clocks change in between (a guest reads the policy
against their calendar, not against elapsed seconds). The best matching rule wins; a
cancellation that matches none gets nothing back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class RefundDecision:
    refund_bp: int
    amount: int
    deadline: datetime | None  # until when this share applies (UTC), None if nothing


def deadline(starts_at: datetime, hours: int, timezone: str) -> datetime:
    """``hours`` before ``starts_at`` on the venue's wall clock, as a UTC instant.

    A wall time that does not exist (spring forward) or exists twice (fall back) is
    read with ``fold=0``: the earlier offset, which never shortens the guest's window
    by more than the hour the clocks skip.
    """
    zone = ZoneInfo(timezone)
    wall = starts_at.astimezone(zone).replace(tzinfo=None) - timedelta(hours=hours)
    return wall.replace(tzinfo=zone).astimezone(UTC)


def decide(
    rules: Iterable[tuple[int, int]],
    deposit: int,
    starts_at: datetime,
    now: datetime,
    timezone: str,
) -> RefundDecision:
    best: tuple[int, datetime] | None = None
    for hours, bp in rules:
        until = deadline(starts_at, hours, timezone)
        if now <= until and (best is None or bp > best[0]):
            best = (bp, until)
    if best is None:
        return RefundDecision(0, 0, None)
    bp, until = best
    return RefundDecision(bp, deposit * bp // 10000, until)
