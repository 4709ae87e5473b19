"""One relay pass over many nights costs a fixed number of lookups, not three per night.

Commits on many nights reach the relay in one pass: it reads the sittings of all of them
in one query and asks the broker once who listens, computes only the watched floors, and
each watched channel gets its own night's delta.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from realtime import MemoryBroker, Message, Subscription
from realtime.leader import SoleLeadership
from realtime.relay import OutboxRelay
from tests.conftest import engine_for
from tests.factories import World, create_night_for, create_venue
from venue.core.actor import GUEST
from venue.core.channels import floor_channel
from venue.core.db import session_factory
from venue.models import OutboxEvent
from venue.reservations import booking
from venue.setup.venues import sittings_of

pytestmark = pytest.mark.postgres

FIRST = date(2026, 12, 1)
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
NIGHTS = 10


@pytest.fixture
async def pg() -> AsyncIterator[AsyncEngine]:
    engine, _ = await engine_for("postgres")
    async with engine.begin() as conn:  # earlier tests leave rows nobody listens to
        await conn.execute(
            update(OutboxEvent).where(OutboxEvent.published_at.is_(None)).values(published_at=NOW)
        )
    yield engine


class CountingBroker(MemoryBroker):
    def __init__(self) -> None:
        super().__init__(queue_size=64)
        self.listened_calls: list[list[str]] = []

    async def listened(self, channels: list[str]) -> set[str] | None:
        self.listened_calls.append(channels)
        return await super().listened(channels)


@contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def make_world(engine: AsyncEngine) -> tuple[World, list[str]]:
    """A venue with NIGHTS nights (one sitting each); the floor channel of each night."""
    async with session_factory(engine)() as s, s.begin():
        world = await create_venue(s, tables=4)
        channels = []
        for i in range(NIGHTS):
            night = await create_night_for(s, world, FIRST + timedelta(days=i), now=NOW)
            channels.append(floor_channel((await sittings_of(s, night))[0].id))
        return world, channels


async def hold(
    sessions: async_sessionmaker[AsyncSession], world: World, day: date, label: str
) -> None:
    async with sessions() as s, s.begin():
        venue = await s.merge(world.venue)
        request = booking.HoldRequest(day, [world.table(label).id], 2)
        await booking.place_hold(s, venue, request, GUEST, NOW)


async def messages(sub: Subscription) -> list[dict[str, Any]]:
    found = []
    while len(sub):  # the memory broker delivers during publish
        item = await sub.get()
        assert isinstance(item, Message)
        found.append(json.loads(item.data))
    return found


async def one_pass(
    engine: AsyncEngine, relay: OutboxRelay, world: World, nights: int, label: str
) -> tuple[int, list[str]]:
    """Hold `label` on the first `nights` nights, then one relay pass: (claimed, SQL)."""
    sessions = session_factory(engine)
    for i in range(nights):
        await hold(sessions, world, FIRST + timedelta(days=i), label)
    with statements(engine) as seen:
        claimed = await relay.relay_once()
    assert await relay.relay_once() == 0  # one pass took everything
    return claimed, seen


async def test_one_pass_publishes_each_watched_night_and_skips_the_others(
    pg: AsyncEngine,
) -> None:
    world, channels = await make_world(pg)
    broker = CountingBroker()
    await broker.connect()
    relay = OutboxRelay(session_factory(pg), broker, lambda: NOW)
    relay.use(SoleLeadership(exclusive=True))
    watched = [0, 3, 7]
    try:
        async with AsyncExitStack() as stack:
            subs = {
                i: await stack.enter_async_context(broker.subscribe(channels[i])) for i in watched
            }
            # First pass: every watched floor goes out whole (no memory yet).
            claimed, _ = await one_pass(pg, relay, world, NIGHTS, "T1")
            assert claimed == NIGHTS
            for sub in subs.values():
                (whole,) = await messages(sub)
                assert len(whole["tables"]) == 4
            assert len(broker.listened_calls) == 1  # one question for all ten nights
            assert sorted(broker.listened_calls[0]) == sorted(channels)

            # Second pass: a different table on each night; each watched channel gets a
            # delta of its own night only, with that one table.
            for i in watched:
                await hold(session_factory(pg), world, FIRST + timedelta(days=i), "T2")
            await hold(session_factory(pg), world, FIRST + timedelta(days=1), "T3")
            assert await relay.relay_once() == len(watched) + 1
            for i, sub in subs.items():
                (delta,) = await messages(sub)
                sitting = channels[i].removeprefix("floor:")
                assert delta["sitting_id"] == sitting
                assert [(t["id"], t["state"]) for t in delta["tables"]] == [
                    (str(world.table("T2").id), "held")
                ]
                assert delta["tables_free"] == 2
            assert len(broker.listened_calls) == 2
    finally:
        await broker.disconnect()


async def test_statements_per_pass_do_not_grow_with_the_number_of_nights(
    pg: AsyncEngine,
) -> None:
    """Two nights or ten in a pass, watched or not: the same statements reach the database
    (claim, the one lookup, the watched floor's queries, the mark)."""
    world, channels = await make_world(pg)
    broker = CountingBroker()
    await broker.connect()
    relay = OutboxRelay(session_factory(pg), broker, lambda: NOW)
    relay.use(SoleLeadership(exclusive=True))
    try:
        claimed, two_unwatched = await one_pass(pg, relay, world, 2, "T1")
        assert claimed == 2
        claimed, ten_unwatched = await one_pass(pg, relay, world, NIGHTS, "T2")
        assert claimed == NIGHTS
        assert len(two_unwatched) == len(ten_unwatched) == 3  # claim, lookup, mark
        assert len(broker.listened_calls) == 2

        async with broker.subscribe(channels[0]) as sub:
            claimed, two_one_watched = await one_pass(pg, relay, world, 2, "T3")
            assert claimed == 2
            claimed, ten_one_watched = await one_pass(pg, relay, world, NIGHTS, "T4")
            assert claimed == NIGHTS
            assert len(await messages(sub)) == 2
        # The watched floor adds its own queries (in a savepoint), the same in both.
        assert len(two_one_watched) == len(ten_one_watched) > 3
        assert [s.split()[0] for s in two_one_watched] == [s.split()[0] for s in ten_one_watched]
    finally:
        await broker.disconnect()
