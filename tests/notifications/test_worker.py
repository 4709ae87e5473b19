"""The delivery queue under stress: retries, a killed worker, two workers racing."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import timedelta
from email.message import EmailMessage

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from tests.conftest import FakeClock, engine_for
from tests.factories import World
from venue.core.db import create_engine, session_factory
from venue.models import Notification
from venue.notifications import MailConfig, MailLoop
from venue.notifications.queue import enqueue

from .conftest import PUBLIC, SAT, SECRET, Inbox, make_loop


async def queue_messages(
    sessions: async_sessionmaker[AsyncSession], world: World, clock: FakeClock, n: int
) -> str:
    """``n`` due reminders to addresses tagged for this test; returns the tag."""
    tag = uuid.uuid4().hex[:8]
    venue = world.venue
    ctx = {
        "venue": {
            "name": venue.name,
            "slug": venue.slug,
            "phone": venue.phone,
            "email": venue.email,
            "timezone": venue.timezone,
            "brand_color": venue.brand_color,
        },
        "reservation": {
            "id": str(uuid.uuid4()),
            "status": "confirmed",
            "party_size": 2,
            "tables": ["T1"],
            "sitting": "Night",
            "starts_at": "2026-11-21T22:00:00+00:00",
            "ends_at": "2026-11-22T04:00:00+00:00",
            "currency": "GBP",
            "minimum": 50000,
            "deposit": 0,
            "notes": None,
        },
        "guest": {"name": "Ada", "email": None, "phone": None},
        "policy": {"cancel_cutoff_minutes": 120},
        "minutes_before": 120,
    }
    async with sessions() as s, s.begin():
        for i in range(n):
            await enqueue(
                s,
                tenant_id=venue.tenant_id,
                venue_id=venue.id,
                reservation_id=None,
                kind="reminder",
                audience="guest",
                to_addr=f"guest{i}-{tag}@example.com",
                reply_to=venue.email,
                language="en",
                context=ctx,
                dedupe_key=f"test:{tag}:{i}",
                due_at=clock.now - timedelta(seconds=1),
            )
    return tag


def tagged(inbox: Inbox, tag: str) -> list[EmailMessage]:
    return [m for m in inbox.messages if tag in str(m["To"])]


async def statuses(sessions: async_sessionmaker[AsyncSession], tag: str) -> Counter[str]:
    async with sessions() as s:
        rows = await s.scalars(
            select(Notification.status).where(Notification.dedupe_key.like(f"test:{tag}:%"))
        )
        return Counter(rows)


async def test_refused_then_accepted_is_retried_with_backoff(
    engine: AsyncEngine, world: World, clock: FakeClock, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    sessions = session_factory(engine)
    tag = await queue_messages(sessions, world, clock, 1)
    inbox.refuse, inbox.refuse_to = 1, tag
    loop = make_loop(sessions, port, clock, backoff_base=30)
    await loop.run_until_idle()
    assert tagged(inbox, tag) == []
    async with sessions() as s:
        row = await s.scalar(select(Notification).where(Notification.dedupe_key == f"test:{tag}:0"))
    assert row is not None and row.status == "pending" and row.attempts == 1
    assert row.last_error is not None and "451" in row.last_error
    assert row.due_at == clock.now + timedelta(seconds=30)

    await loop.run_until_idle()  # not due yet
    assert tagged(inbox, tag) == []
    clock.advance(seconds=31)
    await loop.run_until_idle()
    assert len(tagged(inbox, tag)) == 1
    assert await statuses(sessions, tag) == Counter({"sent": 1})


class Stuck:
    """A transport that accepts ``ok`` messages and then hangs (a wedged worker)."""

    local = False

    def __init__(self, inbox: Inbox, ok: int) -> None:
        self.inbox, self.ok = inbox, ok
        self.hung = asyncio.Event()

    async def send(self, msg: EmailMessage) -> None:
        if self.ok == 0:
            self.hung.set()
            await asyncio.Event().wait()
        self.ok -= 1
        self.inbox.messages.append(msg)

    async def close(self) -> None:
        return None


async def test_worker_killed_mid_batch_loses_nothing(
    engine: AsyncEngine, world: World, clock: FakeClock, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    sessions = session_factory(engine)
    tag = await queue_messages(sessions, world, clock, 6)
    config = MailConfig("bookings@maitre.test", PUBLIC, SECRET, batch=6)
    stuck = Stuck(inbox, ok=2)
    doomed = MailLoop(sessions, stuck, config, clock)
    task = asyncio.create_task(doomed.deliver_once())
    await asyncio.wait_for(stuck.hung.wait(), 10)
    task.cancel()  # killed between claim and send of message 3
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(tagged(inbox, tag)) == 2

    # A harder death: claimed, never released. Nobody touches them until the lease ends.
    gone = MailLoop(sessions, stuck, config, clock)
    claimed = await gone.claim()
    assert len(claimed) == 4  # the cancelled worker handed its unsent rows back
    survivor = make_loop(sessions, port, clock)
    await survivor.run_until_idle()
    assert len(tagged(inbox, tag)) == 2  # leased to the dead worker until the lease ends
    clock.advance(seconds=config.lease.total_seconds() + 1)
    await survivor.run_until_idle()

    received = Counter(str(m["Message-ID"]) for m in tagged(inbox, tag))
    assert len(received) == 6 and set(received.values()) == {1}
    assert await statuses(sessions, tag) == Counter({"sent": 6})


async def test_two_workers_racing_send_each_message_once(
    backend: str, engine: AsyncEngine, world: World, clock: FakeClock, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    _, url = await engine_for(backend)
    other = create_engine(url)
    try:
        tag = await queue_messages(session_factory(engine), world, clock, 120)
        one = make_loop(session_factory(engine), port, clock, batch=10)
        two = make_loop(session_factory(other), port, clock, batch=10)
        counts = await asyncio.gather(_drain(one), _drain(two))
    finally:
        await other.dispose()
    received = Counter(str(m["Message-ID"]) for m in tagged(inbox, tag))
    assert len(received) == 120 and set(received.values()) == {1}
    assert await statuses(session_factory(engine), tag) == Counter({"sent": 120})
    if backend == "postgres":  # SKIP LOCKED lets both work at once
        assert all(c > 0 for c in counts)


async def _drain(loop: MailLoop) -> int:
    total = 0
    while claimed := await loop.deliver_once():
        total += claimed
    return total


@pytest.mark.postgres
async def test_two_workers_on_postgres_skip_each_others_rows(
    pg_engine: AsyncEngine, clock: FakeClock, smtp: tuple[Inbox, int]
) -> None:
    """The claim itself, raced: two open transactions never return the same row."""
    from tests.factories import create_night_for, create_venue
    from venue.notifications import queue

    async with session_factory(pg_engine)() as s, s.begin():
        w = await create_venue(s)
        await create_night_for(s, w, SAT, now=clock.now)
    sessions = session_factory(pg_engine)
    await queue_messages(sessions, w, clock, 20)
    async with sessions() as a, a.begin(), sessions() as b, b.begin():
        first = await queue.claim(a, clock.now, limit=12, lease=timedelta(minutes=1))
        second = await queue.claim(b, clock.now, limit=12, lease=timedelta(minutes=1))
    assert first and second
    assert not {n.id for n in first} & {n.id for n in second}
