"""Attribution is set once: the service refuses a change (409, audited), PostgreSQL's
trigger refuses it even from raw SQL, and only the manager's reassignment moves it,
with a reason kept in history and the commission following it."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from venue.core.actor import SYSTEM
from venue.core.db import session_factory
from venue.hosts import hosts
from venue.models import AuditEntry, CommissionEntry, Reservation
from venue.reservations import operations

from .conftest import NOW, Money, base, consume, host_book, ledger_sum, make_money_tenant, sign_in


async def test_service_refuses_a_second_attribution_and_audits_the_attempt(
    client: httpx.AsyncClient, mine: Money, engine: AsyncEngine
) -> None:
    host = await sign_in(client, mine.emails["host"])
    res = await host_book(client, mine, host, "T3")
    floor = await sign_in(client, mine.emails["floor"])
    r = await client.post(
        f"{base(mine)}/reservations/{res['id']}/host",
        json={"host_id": str(mine.host2_id)},
        headers=floor,
    )
    assert r.status_code == 409 and r.json()["code"] == "attribution_locked"
    async with session_factory(engine)() as s:
        row = await s.scalar(select(Reservation).where(Reservation.id == uuid.UUID(res["id"])))
        assert row is not None and row.host_id == mine.host_id
        refused = await s.scalar(
            select(AuditEntry).where(
                AuditEntry.entity_id == res["id"],
                AuditEntry.action == "reservation.attribution_refused",
            )
        )
        assert refused is not None and refused.after == {"host_id": str(mine.host2_id)}


async def test_reassignment_with_a_reason_moves_the_commission(
    client: httpx.AsyncClient, mine: Money, engine: AsyncEngine
) -> None:
    host = await sign_in(client, mine.emails["host"])
    res = await host_book(client, mine, host, "T3")
    await consume(client)
    floor = await sign_in(client, mine.emails["floor"])
    body = {"host_id": str(mine.host2_id), "reason": "Max brought them, typo at the door"}
    url = f"{base(mine)}/reservations/{res['id']}/reassign-host"
    assert (await client.post(url, json=body, headers=floor)).status_code == 403
    manager = await sign_in(client, mine.emails["manager"])
    r = await client.post(url, json=body, headers=manager)
    assert r.status_code == 200, r.text
    assert r.json()["host_id"] == str(mine.host2_id)
    assert [h["reason"] for h in r.json()["history"]] == [body["reason"]]
    await consume(client)
    assert await ledger_sum(engine, res["id"], mine.host_id) == 0
    assert await ledger_sum(engine, res["id"], mine.host2_id) == res["minimum"] // 10
    # The original host no longer sees it; the new one does.
    host = await sign_in(client, mine.emails["host"])
    gone = await client.get(f"/api/v1/host/venues/{mine.slug}/reservations/{res['id']}")
    assert gone.status_code == 404


async def test_unattributed_reservation_can_be_attributed_once(
    client: httpx.AsyncClient, mine: Money
) -> None:
    floor = await sign_in(client, mine.emails["floor"])
    r = await client.post(
        f"{base(mine)}/bookings",
        json={
            "date": "2026-11-21",
            "table_ids": [mine.tid("T3")],
            "party_size": 2,
            "channel": "phone",
            "guest": {"name": "Cy", "email": "cy@example.com"},
        },
        headers=floor,
    )
    assert r.status_code == 201, r.text
    url = f"{base(mine)}/reservations/{r.json()['id']}/host"
    first = await client.post(url, json={"host_id": str(mine.host_id)}, headers=floor)
    assert first.status_code == 200 and first.json()["host_id"] == str(mine.host_id)
    again = await client.post(url, json={"host_id": str(mine.host2_id)}, headers=floor)
    assert again.status_code == 409


@pytest.mark.postgres
async def test_trigger_refuses_raw_sql_but_not_the_reassignment(pg_engine: AsyncEngine) -> None:
    from tests.conftest import FakeClock  # noqa: F401 - keeps the fixture module loaded

    t = await make_money_tenant(pg_engine)
    res_id = await _booked(pg_engine, t)
    sessions = session_factory(pg_engine)
    async with sessions() as s:
        with pytest.raises(DBAPIError, match="attribution_locked"):
            async with s.begin():
                await s.execute(
                    text("UPDATE reservations SET host_id = :h WHERE id = :r"),
                    {"h": t.host2_id, "r": res_id},
                )
        with pytest.raises(DBAPIError, match="attribution_locked"):
            async with s.begin():
                await s.execute(
                    text("UPDATE reservations SET host_id = NULL WHERE id = :r"), {"r": res_id}
                )
    async with sessions() as s, s.begin():
        res = await s.get(Reservation, res_id)
        assert res is not None
        await hosts.reassign(s, res, t.host2_id, "manager correction", SYSTEM, NOW)
    async with sessions() as s, s.begin():
        # The setting was transaction-local: the lock is back at once.
        with pytest.raises(DBAPIError, match="attribution_locked"):
            async with s.begin_nested():
                await s.execute(
                    text("UPDATE reservations SET host_id = :h WHERE id = :r"),
                    {"h": t.host_id, "r": res_id},
                )
        assert (await s.get(Reservation, res_id, populate_existing=True)).host_id == t.host2_id  # type: ignore[union-attr]


@pytest.mark.postgres
async def test_ledger_lines_cannot_be_updated_or_deleted(pg_engine: AsyncEngine) -> None:
    from venue.hosts.commissions import consume_once

    t = await make_money_tenant(pg_engine)
    res_id = await _booked(pg_engine, t)
    sessions = session_factory(pg_engine)
    async with sessions() as s, s.begin():
        await consume_once(s, NOW, 10_000)
    async with sessions() as s:
        line = await s.scalar(
            select(CommissionEntry.id).where(CommissionEntry.reservation_id == res_id)
        )
    assert line is not None
    for sql in (
        "UPDATE commission_entries SET amount = amount + 1 WHERE id = :i",
        "DELETE FROM commission_entries WHERE id = :i",
    ):
        async with sessions() as s:
            with pytest.raises(DBAPIError, match="append_only"):
                async with s.begin():
                    await s.execute(text(sql), {"i": line})


async def _booked(engine: AsyncEngine, t: Money) -> uuid.UUID:
    from venue.models import Venue

    async with session_factory(engine)() as s, s.begin():
        venue = await s.get(Venue, t.world.venue.id)
        assert venue is not None
        host = await operations.host_by_id(s, venue.tenant_id, t.host_id)
        res = await hosts.book_for_client(
            s,
            venue,
            host,
            operations.StaffBooking(
                business_date=next(iter(t.world.nights)),
                table_ids=[t.world.table("T3").id],
                party_size=2,
                channel="host",
                guest_name="Dee",
                guest_email="dee@example.com",
            ),
            SYSTEM,
            NOW,
        )
        return res.id
