from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import World, create_night_for, create_venue
from venue.core.db import session_factory

SAT = date(2026, 11, 21)
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
async def world(engine: AsyncEngine) -> World:
    async with session_factory(engine)() as s, s.begin():
        w = await create_venue(s, tables=4, tiers=("standard", "vip"))
        await create_night_for(s, w, SAT, now=NOW)
        return w
