"""Outbox consumers take turns across processes: one transaction at a time consumes as a
given consumer; the others skip their pass (they used to queue on the same consumption
rows, and five processes deadlocked there)."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from venue.journal import outbox

pytestmark = pytest.mark.postgres


async def test_one_transaction_at_a_time_per_consumer(
    pg_sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with pg_sessions() as first, first.begin():
        assert await outbox.take_turn(first, "mail-planner")
        async with pg_sessions() as second, second.begin():
            assert not await outbox.take_turn(second, "mail-planner")
            # Another consumer is not held up by this one.
            assert await outbox.take_turn(second, "waitlist")
    # The holder's commit ends its turn.
    async with pg_sessions() as third, third.begin():
        assert await outbox.take_turn(third, "mail-planner")
