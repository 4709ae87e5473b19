"""The relay publishes a tenant's new commission lines: all of them on the tenant's feed,
each host's own on that host's feed, and a broken event is charged to its tenant alone."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from realtime import MemoryBroker, Message, Subscription
from realtime.relay import OutboxRelay
from tests.conftest import FakeClock
from tests.staff.conftest import make_tenant
from venue.core.channels import commissions_channel, ledger_channel, ledger_scope
from venue.core.db import session_factory
from venue.journal.audit import emit
from venue.models import OutboxEvent


@pytest.fixture
async def broker() -> AsyncIterator[MemoryBroker]:
    b = MemoryBroker(queue_size=64)
    await b.connect()
    yield b
    await b.disconnect()


def line(n: int, host_id: uuid.UUID) -> dict[str, Any]:
    return {"id": n, "host_id": str(host_id), "kind": "accrual", "amount": 100 * n}


async def published(sub: Subscription) -> list[list[int]]:
    """The line ids of each message already delivered (the memory broker delivers during
    publish, so nothing is in flight)."""
    found = []
    while len(sub):
        event = await sub.get()
        assert isinstance(event, Message)
        message = json.loads(event.data)
        assert message["type"] == "entries"
        found.append([e["id"] for e in message["entries"]])
    return found


def test_ledger_channels_name_the_tenant_and_the_host() -> None:
    tenant, host = uuid.uuid4(), uuid.uuid4()
    assert ledger_scope(ledger_channel(tenant)) == (tenant, None)
    assert ledger_scope(ledger_channel(tenant, host)) == (tenant, host)
    for other in (commissions_channel(tenant), f"ledger:{tenant}:nope", "ledger:", None):
        assert ledger_scope(other) is None


async def test_lines_go_to_the_tenant_feed_and_each_host_feed_only(
    engine: AsyncEngine, clock: FakeClock, broker: MemoryBroker
) -> None:
    sessions = session_factory(engine)
    good, bad = await make_tenant(engine), await make_tenant(engine)
    tenant, other = good.world.venue.tenant_id, bad.world.venue.tenant_id
    jade, max_ = uuid.uuid4(), uuid.uuid4()
    relay = OutboxRelay(sessions, broker, clock, max_attempts=3)
    while await relay.relay_once():  # whatever earlier tests left behind
        pass

    async with AsyncExitStack() as stack:
        feeds = {
            name: await stack.enter_async_context(broker.subscribe(channel))
            for name, channel in {
                "all": ledger_channel(tenant),
                "jade": ledger_channel(tenant, jade),
                "max": ledger_channel(tenant, max_),
                "other": ledger_channel(other),
            }.items()
        }
        async with sessions() as s, s.begin():
            for entries, who in (
                ([line(1, jade), line(2, max_)], tenant),
                ([line(3, jade)], tenant),
                ([{"id": 4}], other),  # no host: cannot be routed
            ):
                emit(
                    s,
                    tenant_id=who,
                    topic="commissions.posted",
                    channel=commissions_channel(who),
                    payload={"entries": entries},
                    at=clock(),
                )
        await relay.relay_once()

        # One message per feed for the pass; a host's feed never carries another's line.
        assert await published(feeds["all"]) == [[1, 2, 3]]
        assert await published(feeds["jade"]) == [[1, 3]]
        assert await published(feeds["max"]) == [[2]]
        assert await published(feeds["other"]) == []

    async with sessions() as s:
        rows = list(
            await s.scalars(
                select(OutboxEvent).where(
                    OutboxEvent.channel.in_(
                        [commissions_channel(tenant), commissions_channel(other)]
                    )
                )
            )
        )
    assert {e.tenant_id for e in rows if e.published_at is not None} == {tenant}
    [broken] = [e for e in rows if e.tenant_id == other]
    assert broken.attempts == 1 and "KeyError" in (broken.last_error or "")
