"""Completing a hold on PostgreSQL in one statement (``booking.COMPLETE``): the number of
statements, and the same rows as the statement-by-statement path it replaced there
(``_complete_by_orm``, still SQLite's)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.factories import World, create_night_for, create_venue, link
from venue.core import errors
from venue.core.actor import GUEST
from venue.guests.identity import GuestIdentity, identify
from venue.models import AuditEntry, Guest, OutboxEvent, Reservation, Status
from venue.reservations import booking

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SAT = date(2026, 11, 21)


async def world_with_night(session: AsyncSession, **kw: Any) -> World:
    world = await create_venue(session, **kw)
    await create_night_for(session, world, SAT, now=NOW)
    await link(session, world, "T1", "T2")
    return world


async def held(session: AsyncSession, world: World) -> booking.Hold:
    ids = [world.table("T1").id, world.table("T2").id]
    req = booking.HoldRequest(business_date=SAT, table_ids=ids, party_size=10)
    return await booking.place_hold(session, world.venue, req, GUEST, NOW)


async def test_a_completion_is_three_statements_and_the_commit(
    pg_sessions: async_sessionmaker[AsyncSession],
) -> None:
    """As the endpoint does it: the hold with the venue's rules, the night's date with the
    guest's bookings that night, then ``COMPLETE`` (it was 8 and the commit)."""
    async with pg_sessions() as s:
        world = await world_with_night(s)
        hold = await held(s, world)
        await s.commit()
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        statements.append(" ".join(sql.split()[:3]))

    engine = pg_sessions.kw["bind"].sync_engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        async with pg_sessions() as s:
            res, rules = await booking.by_token_with_rules(s, world.venue, hold.token)
            who = identify("Ada Lovelace", "ada@example.com", "07911 123456", "GB")
            done = await booking.complete_hold(s, world.venue, res, who, GUEST, NOW, rules=rules)
            await s.commit()
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert len(statements) == 3, statements
    assert statements[2].startswith("WITH found AS")
    assert done.reservation.status == Status.CONFIRMED and done.reservation.version == 2
    assert [t.label for t in done.tables] == ["T1", "T2"]
    assert done.guest.email == "ada@example.com" and done.guest.phone == "+447911123456"


def _same(value: Any, ids: dict[str, str]) -> Any:
    """``value`` with the reservations' and guests' ids named by their role."""
    if isinstance(value, dict):
        return {k: _same(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_same(v, ids) for v in value]
    return ids.get(value, value) if isinstance(value, str) else value


async def _complete(
    session: AsyncSession,
    world: World,
    who: GuestIdentity,
    write: Any,
) -> tuple[dict[str, Any], Guest]:
    """Hold T1+T2, complete it with ``write``, cancel it (so the next hold can have the
    tables); the completion's audit entry, outbox event and reservation columns, ids
    replaced by role."""
    hold = await held(session, world)
    res = hold.reservation
    to = Status.PENDING_PAYMENT if res.quoted_deposit > 0 else Status.CONFIRMED
    expires = NOW.replace(minute=30) if res.quoted_deposit > 0 else None
    res, tables, guest = await write(session, res, who, to, GUEST, NOW, expires, "by the window")
    await session.flush()
    ids = {str(res.id): "reservation", str(guest.id): "guest"}
    action = f"reservation.{to.value}"
    audit = await session.scalar(
        select(AuditEntry).where(AuditEntry.entity_id == str(res.id), AuditEntry.action == action)
    )
    outbox = await session.scalar(
        select(OutboxEvent).where(
            OutboxEvent.topic == action, OutboxEvent.payload["id"].as_string() == str(res.id)
        )
    )
    assert audit is not None and outbox is not None
    row = (await session.execute(select(Reservation).where(Reservation.id == res.id))).scalar_one()
    await session.refresh(row)
    written = {
        "audit": {
            c: getattr(audit, c)
            for c in (
                "tenant_id",
                "at",
                "actor",
                "action",
                "entity",
                "entity_id",
                "before",
                "after",
            )
        },
        "outbox": {
            c: getattr(outbox, c)
            for c in ("tenant_id", "at", "topic", "channel", "payload", "published_at", "attempts")
        },
        "reservation": {
            c: getattr(row, c)
            for c in ("status", "expires_at", "notes", "version", "updated_at", "guest_id")
        },
        "tables": [t.label for t in tables],
    }
    written["reservation"]["guest_id"] = str(written["reservation"]["guest_id"])
    await booking.cancel(session, res, GUEST, NOW, "making room for the other path")
    return _same(written, ids), guest


@pytest.mark.parametrize("deposit_bp", [0, 2500])
async def test_the_rows_are_those_of_the_orm_path(
    pg_sessions: async_sessionmaker[AsyncSession], deposit_bp: int
) -> None:
    """Same hold, same moment, one completed each way: the audit entry, the outbox event
    (the payload the notifications planner reads), the reservation and the guest match,
    for a new guest and for a found one whose missing phone is filled in."""
    async with pg_sessions() as s:
        world = await world_with_night(s, deposit_bp=deposit_bp)
        orm, orm_guest = await _complete(
            s, world, identify("Ada", "ada@example.com", None, "GB"), booking._complete_by_orm
        )
        one, one_guest = await _complete(
            s, world, identify("Ada", "ada2@example.com", None, "GB"), booking._complete_at_once
        )
        assert one == orm
        assert orm["outbox"]["payload"]["table_ids"] == [
            str(world.table("T1").id),
            str(world.table("T2").id),
        ]
        assert (
            (one_guest.name, one_guest.phone) == (orm_guest.name, orm_guest.phone) == ("Ada", None)
        )

        # Found by email; the phone they give now is filled in, the name kept.
        orm, orm_found = await _complete(
            s,
            world,
            identify("Ada L", "ada@example.com", "07911 123456", "GB"),
            booking._complete_by_orm,
        )
        one, one_found = await _complete(
            s,
            world,
            identify("Ada L", "ada2@example.com", "07911 654321", "GB"),
            booking._complete_at_once,
        )
        assert one == orm
        assert orm_found is orm_guest and one_found is one_guest  # the loaded objects, updated
        rows = {
            g.email: (g.name, g.phone)
            for g in await s.scalars(select(Guest).where(Guest.tenant_id == world.venue.tenant_id))
        }
        assert rows == {
            "ada@example.com": ("Ada", "+447911123456"),
            "ada2@example.com": ("Ada", "+447911654321"),
        }
        assert one_found.phone == "+447911654321"
        await s.rollback()


async def test_a_stale_version_writes_nothing(
    pg_sessions: async_sessionmaker[AsyncSession],
) -> None:
    """The reservation changed after it was read: 409 ``stale_reservation``, and no audit
    entry or event of the completion."""
    async with pg_sessions() as s:
        world = await world_with_night(s)
        hold = await held(s, world)
        await s.commit()
    async with pg_sessions() as s, pg_sessions() as other:
        res = await booking.by_token(s, world.venue, hold.token)
        rid = str(res.id)
        meanwhile = await booking.by_token(other, world.venue, hold.token)
        await booking.write_versioned(other, meanwhile, {"notes": "changed meanwhile"})
        await other.commit()
        who = identify("Ada", "ada@example.com", None, "GB")
        with pytest.raises(errors.StaleReservation):
            await booking._complete_at_once(s, res, who, Status.CONFIRMED, GUEST, NOW, None, None)
        await s.rollback()
        actions = await s.scalars(select(AuditEntry.action).where(AuditEntry.entity_id == rid))
        assert list(actions) == ["reservation.held"]
        assert not list(
            await s.scalars(select(Guest).where(Guest.tenant_id == world.venue.tenant_id))
        )
