"""One venue's failing floor cannot stop the relay from publishing everyone else's.

Venue A's floor fails to compute (a failed SQL statement, the worst kind on PostgreSQL: it
spoils the transaction) while venue B keeps booking. B's updates go out on every pass; A's
events are retried with exponential backoff on the fake clock, then set aside with their
error, counted, listed for A's staff only, and published once retried and fixed.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from realtime import BrokerUnavailable, MemoryBroker, Message, Subscription
from realtime.relay import OutboxRelay
from tests.conftest import FakeClock
from tests.staff.conftest import SAT, Tenant, make_tenant, sign_in
from venue.core.actor import GUEST
from venue.core.channels import floor_channel
from venue.core.db import session_factory
from venue.floor import floormap
from venue.models import OutboxEvent, Venue
from venue.reservations import booking
from venue.setup.venues import night_on, sittings_of

SET_ASIDE = "maitre_outbox_events_set_aside_total"


async def hold(
    sessions: async_sessionmaker[AsyncSession], t: Tenant, label: str, now: datetime
) -> None:
    async with sessions() as s, s.begin():
        venue = await s.get_one(Venue, t.world.venue.id)
        req = booking.HoldRequest(SAT, [t.world.table(label).id], 2)
        await booking.place_hold(s, venue, req, GUEST, now)


async def channel_of(sessions: async_sessionmaker[AsyncSession], t: Tenant) -> str:
    async with sessions() as s:
        venue = await s.get_one(Venue, t.world.venue.id)
        night = await night_on(s, venue, SAT)
        return floor_channel((await sittings_of(s, night))[0].id)


async def night_id(sessions: async_sessionmaker[AsyncSession], t: Tenant) -> str:
    async with sessions() as s:
        return str((await night_on(s, await s.get_one(Venue, t.world.venue.id), SAT)).id)


async def events_of(sessions: async_sessionmaker[AsyncSession], t: Tenant) -> list[OutboxEvent]:
    async with sessions() as s:
        rows = await s.scalars(
            select(OutboxEvent)
            .where(OutboxEvent.tenant_id == t.world.venue.tenant_id)
            .order_by(OutboxEvent.id)
        )
        return list(rows)


async def drain(relay: OutboxRelay) -> None:
    while await relay.relay_once():
        pass


async def latest(sub: Subscription) -> dict[str, str] | None:
    """The table states in the newest message already delivered to the subscription."""
    found = None
    while len(sub):  # the memory broker delivers during publish: nothing is in flight
        event = await sub.get()
        assert isinstance(event, Message)
        found = {t["id"]: t["state"] for t in json.loads(event.data)["tables"]}
    return found


@pytest.fixture
async def broker() -> AsyncIterator[MemoryBroker]:
    b = MemoryBroker(queue_size=64)
    await b.connect()
    yield b
    await b.disconnect()


async def test_a_failing_venue_is_retried_then_set_aside_while_others_publish(
    engine: AsyncEngine,
    client: httpx.AsyncClient,
    clock: FakeClock,
    broker: MemoryBroker,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sessions = session_factory(engine)
    one, two = await make_tenant(engine), await make_tenant(engine)
    # The broken venue is the one whose night the relay reaches first in a pass, so the
    # healthy one runs after the failed statement.
    a, b = sorted([one, two], key=lambda t: t.world.nights[SAT].id.hex)
    a_id = a.world.venue.id
    real = floormap.floor_map

    async def broken(
        session: AsyncSession, venue: Venue, *args: Any, **kwargs: Any
    ) -> dict[str, Any]:
        if venue.id == a_id:
            await session.execute(text("SELECT * FROM no_such_table"))
        return await real(session, venue, *args, **kwargs)

    monkeypatch.setattr(floormap, "floor_map", broken)
    relay = OutboxRelay(sessions, broker, clock, max_attempts=3)
    before = REGISTRY.get_sample_value(SET_ASIDE, {"topic": "reservation.held"}) or 0.0
    await drain(relay)  # whatever earlier tests left behind

    async with AsyncExitStack() as stack:
        sub_a = await stack.enter_async_context(broker.subscribe(await channel_of(sessions, a)))
        sub_b = await stack.enter_async_context(broker.subscribe(await channel_of(sessions, b)))
        await hold(sessions, a, "T1", clock())
        await hold(sessions, b, "T1", clock())
        await drain(relay)
        assert (await latest(sub_b) or {})[b.tid("T1")] == "held"
        assert await latest(sub_a) is None
        [event] = [e for e in await events_of(sessions, a) if e.topic == "reservation.held"]
        assert event.published_at is None and event.attempts == 1
        assert event.next_attempt_at == clock() + timedelta(seconds=2)
        assert "no_such_table" in (event.last_error or "")

        # While A waits out its backoff, B's next booking goes straight out.
        await hold(sessions, b, "T3", clock())
        await drain(relay)
        assert (await latest(sub_b) or {})[b.tid("T3")] == "held"
        assert (await events_of(sessions, a))[-1].attempts == 1  # not due yet: not retried

        clock.advance(seconds=2)
        await drain(relay)
        event = (await events_of(sessions, a))[-1]
        assert event.attempts == 2 and event.next_attempt_at == clock() + timedelta(seconds=4)
        clock.advance(seconds=4)
        await drain(relay)
        event = (await events_of(sessions, a))[-1]
        assert event.attempts == 3 and event.set_aside_at == clock()
        assert event.published_at is None and event.next_attempt_at is None
        after = REGISTRY.get_sample_value(SET_ASIDE, {"topic": "reservation.held"})
        assert after == before + 1
        assert f'{SET_ASIDE}{{topic="reservation.held"}}' in (await client.get("/metrics")).text

        clock.advance(minutes=5)  # far past any backoff: set aside, never picked up alone
        await drain(relay)
        assert (await events_of(sessions, a))[-1].attempts == 3
        assert await latest(sub_a) is None

        # A's staff see it with its error (B's staff do not) and retry it once fixed.
        csrf = await sign_in(client, b.emails["manager"])
        assert (await client.get("/api/v1/staff/outbox/set-aside")).json() == []
        foreign = await client.post(f"/api/v1/staff/outbox/{event.id}/retry", headers=csrf)
        assert foreign.status_code == 404
        csrf = await sign_in(client, a.emails["floor"])
        listed = (await client.get("/api/v1/staff/outbox/set-aside")).json()
        assert [(e["id"], e["venue"], e["date"]) for e in listed] == [
            (event.id, a.slug, SAT.isoformat())
        ]
        assert "no_such_table" in listed[0]["last_error"] and listed[0]["attempts"] == 3
        refused = await client.post(f"/api/v1/staff/outbox/{event.id}/retry", headers=csrf)
        assert refused.status_code == 403  # floor staff see, managers retry
        csrf = await sign_in(client, a.emails["manager"])
        retried = await client.post(f"/api/v1/staff/outbox/{event.id}/retry", headers=csrf)
        assert retried.status_code == 200, retried.text
        monkeypatch.setattr(floormap, "floor_map", real)
        await drain(relay)
        assert (await latest(sub_a) or {})[a.tid("T1")] == "held"
        event = (await events_of(sessions, a))[-1]
        assert event.published_at == clock() and event.set_aside_at is None
        assert (await client.get("/api/v1/staff/outbox/set-aside")).json() == []


async def test_a_broker_outage_charges_no_event(
    engine: AsyncEngine, clock: FakeClock, broker: MemoryBroker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Redis down is nobody's fault: the pass fails, and no event moves toward set-aside."""
    sessions = session_factory(engine)
    t = await make_tenant(engine)
    relay = OutboxRelay(sessions, broker, clock, max_attempts=1)
    await drain(relay)
    await hold(sessions, t, "T2", clock())

    async def down(channel: str, message: str) -> None:
        raise BrokerUnavailable("redis is down")

    monkeypatch.setattr(broker, "publish", down)
    # Watched: the relay computes only floors someone listens to.
    async with broker.subscribe(await channel_of(sessions, t)):
        with pytest.raises(BrokerUnavailable):
            await drain(relay)
    event = (await events_of(sessions, t))[-1]
    assert event.attempts == 0 and event.set_aside_at is None and event.published_at is None
