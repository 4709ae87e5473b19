"""Background loop marking lapsed holds expired (availability never waits for it)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from venue.reservations import booking

log = logging.getLogger("maitre.sweeper")


async def sweep_once(sessions: async_sessionmaker[AsyncSession], now: datetime) -> int:
    async with sessions() as session, session.begin():
        return await booking.expire_due(session, now)


async def sweep_forever(
    sessions: async_sessionmaker[AsyncSession],
    clock: Callable[[], datetime],
    interval: float,
) -> None:
    while True:
        try:
            expired = await sweep_once(sessions, clock())
            if expired:
                log.info("expired %d lapsed holds", expired)
        except Exception:
            log.exception("sweeper pass failed; trying again")
        await asyncio.sleep(interval)
