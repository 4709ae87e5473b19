"""Background loops: lapsed holds marked expired (availability never waits for it),
restaurants' nights opened across their booking window, and imported calendars fetched
again."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from payments import refunds
from venue.dining import nights as dining_nights
from venue.floor import calendar_import
from venue.reservations import booking

log = logging.getLogger("maitre.sweeper")


# Restaurants' nights are opened at most this often (the window moves a day at a time;
# a new service period is picked up within the minute).
OPEN_NIGHTS_EVERY = timedelta(minutes=1)


async def sweep_once(
    sessions: async_sessionmaker[AsyncSession], now: datetime, *, nights: bool = True
) -> int:
    """Expire lapsed holds and payments; a booking that lapsed holding a deposit (an unpaid
    reschedule top-up) has it refunded in the same transaction. Then (``nights``) open
    the restaurants' missing nights."""
    async with sessions() as session, session.begin():
        expired = await booking.expire_due(session, now)
        await refunds.for_lapsed(session, now)
    if nights:
        await open_nights(sessions, now)
    return expired


async def open_nights(sessions: async_sessionmaker[AsyncSession], now: datetime) -> int:
    """Open the restaurants' missing nights (idempotent: a date already there is skipped),
    in a transaction of its own so the expiry above never waits on it."""
    async with sessions() as session, session.begin():
        opened = await dining_nights.open_due(session, now)
    if opened:
        log.info("opened %d restaurant nights", opened)
    return opened


async def sweep_forever(
    sessions: async_sessionmaker[AsyncSession],
    clock: Callable[[], datetime],
    interval: float,
) -> None:
    next_nights: datetime | None = None
    while True:
        try:
            now = clock()
            due = next_nights is None or now >= next_nights
            if due:
                next_nights = now + OPEN_NIGHTS_EVERY
            expired = await sweep_once(sessions, now, nights=due)
            if expired:
                log.info("expired %d lapsed holds", expired)
        except Exception:
            log.exception("sweeper pass failed; trying again")
        await asyncio.sleep(interval)


async def refresh_calendars_forever(
    sessions: async_sessionmaker[AsyncSession],
    clock: Callable[[], datetime],
    every: float,
) -> None:
    """Fetch each imported calendar's URL every ``every`` seconds, looking once a minute
    (a manager's "refresh" puts one first in line)."""
    while True:
        try:
            await calendar_import.refresh_due(sessions, clock(), timedelta(seconds=every))
        except Exception:
            log.exception("calendar refresh pass failed; trying again")
        await asyncio.sleep(min(60.0, every))
