"""The PostgreSQL exclusion constraint refuses overlaps from code that skips the service."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import create_night_for, create_venue
from venue.core.actor import GUEST
from venue.core.db import session_factory
from venue.reservations import booking

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SAT = date(2026, 11, 21)

COPY_RESERVATION = """
INSERT INTO reservations (id, tenant_id, venue_id, night_id, sitting_id, status, starts_at,
  ends_at, expires_at, party_size, channel, created_by, currency, quoted_minimum,
  quoted_deposit, quote, token_hash, version, created_at, updated_at)
SELECT :new_id, tenant_id, venue_id, night_id, sitting_id, :status, starts_at + :shift,
  ends_at + :shift, NULL, party_size, channel, 'raw-sql', currency, 0, 0, quote,
  md5(random()::text), 1, created_at, updated_at
FROM reservations WHERE id = :id
"""
ALLOCATE = """
INSERT INTO reservation_tables (id, tenant_id, reservation_id, table_id, status, starts_at, ends_at)
SELECT gen_random_uuid(), tenant_id, id, :table_id, status, starts_at, ends_at
FROM reservations WHERE id = :id
"""


@pytest.fixture
async def booked(pg_engine: AsyncEngine) -> tuple[uuid.UUID, uuid.UUID]:
    async with session_factory(pg_engine)() as s, s.begin():
        world = await create_venue(s)
        await create_night_for(s, world, SAT, now=NOW)
        hold = await booking.place_hold(
            s, world.venue, booking.HoldRequest(SAT, [world.table("T1").id], 2), GUEST, NOW
        )
        return hold.reservation.id, world.table("T1").id


async def raw(engine: AsyncEngine, sql: str, **params: object) -> None:
    async with engine.begin() as conn:
        await conn.execute(text(sql), params)


async def test_raw_overlapping_insert_is_rejected(pg_engine: AsyncEngine, booked: tuple) -> None:
    res_id, table_id = booked
    new_id = uuid.uuid4()
    await raw(
        pg_engine,
        COPY_RESERVATION,
        new_id=new_id,
        id=res_id,
        status="confirmed",
        shift=timedelta(hours=1),
    )
    with pytest.raises(IntegrityError, match="ex_reservation_tables_no_overlap"):
        await raw(pg_engine, ALLOCATE, id=new_id, table_id=table_id)


async def test_inactive_rows_and_adjacent_ranges_are_allowed(
    pg_engine: AsyncEngine, booked: tuple
) -> None:
    res_id, table_id = booked
    cancelled, next_night = uuid.uuid4(), uuid.uuid4()
    await raw(
        pg_engine,
        COPY_RESERVATION,
        new_id=cancelled,
        id=res_id,
        status="cancelled",
        shift=timedelta(0),
    )
    await raw(pg_engine, ALLOCATE, id=cancelled, table_id=table_id)
    # [start, end) ranges: the next booking may start exactly when this one ends.
    await raw(
        pg_engine,
        COPY_RESERVATION,
        new_id=next_night,
        id=res_id,
        status="confirmed",
        shift=timedelta(hours=6),
    )
    await raw(pg_engine, ALLOCATE, id=next_night, table_id=table_id)


async def test_reviving_a_cancelled_overlap_is_rejected_through_the_cascade(
    pg_engine: AsyncEngine, booked: tuple
) -> None:
    res_id, table_id = booked
    ghost = uuid.uuid4()
    await raw(
        pg_engine, COPY_RESERVATION, new_id=ghost, id=res_id, status="cancelled", shift=timedelta(0)
    )
    await raw(pg_engine, ALLOCATE, id=ghost, table_id=table_id)
    with pytest.raises(IntegrityError, match="ex_reservation_tables_no_overlap"):
        await raw(
            pg_engine, "UPDATE reservations SET status = 'confirmed' WHERE id = :id", id=ghost
        )
