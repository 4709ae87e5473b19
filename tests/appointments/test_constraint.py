"""The PostgreSQL exclusion constraints refuse overlapping appointments from raw SQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from venue.appointments import booking as appt
from venue.appointments import setup
from venue.core.actor import GUEST, SYSTEM
from venue.core.db import session_factory

from .factories import NOW, create_salon

pytestmark = pytest.mark.postgres

START = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)

COPY_RESERVATION = """
INSERT INTO reservations (id, tenant_id, venue_id, night_id, sitting_id, status, starts_at,
  ends_at, expires_at, party_size, channel, created_by, currency, quoted_minimum,
  quoted_deposit, quote, token_hash, version, created_at, updated_at)
SELECT :new_id, tenant_id, venue_id, night_id, sitting_id, :status, starts_at + :shift,
  ends_at + :shift, NULL, party_size, channel, 'raw-sql', currency, 0, 0, quote,
  md5(random()::text), 1, created_at, updated_at
FROM reservations WHERE id = :id
"""
COPY_APPOINTMENT = """
INSERT INTO appointments (id, tenant_id, reservation_id, service_id, staff_member_id,
  resource_id, status, starts_at, ends_at, busy_from, busy_until, created_at)
SELECT gen_random_uuid(), r.tenant_id, r.id, a.service_id, a.staff_member_id, a.resource_id,
  r.status, r.starts_at, r.ends_at, r.starts_at, r.ends_at + interval '15 minutes', now()
FROM reservations r, appointments a WHERE r.id = :new_id AND a.reservation_id = :id
"""


async def raw(engine: AsyncEngine, sql: str, **params: object) -> None:
    async with engine.begin() as conn:
        await conn.execute(text(sql), params)


@pytest.fixture
async def booked(pg_engine: AsyncEngine) -> dict[str, uuid.UUID]:
    """Ana's cut at 10:00 (busy 10:00-11:00) and Ben's massage in Room 1 at 14:00."""
    async with session_factory(pg_engine)() as s, s.begin():
        hours = {1: [(time(9), time(18))]}
        salon = await create_salon(
            s,
            services=[
                setup.ServiceSpec("Cut", 60, 5000),
                setup.ServiceSpec("Massage", 60, 5000, resource_kind="room"),
            ],
            staff=[
                setup.StaffSpec("Ana", ["Cut", "Massage"], hours),
                setup.StaffSpec("Ben", ["Cut", "Massage"], hours),
            ],
        )
        await setup.add_resource(s, salon.venue, "Room 1", "room", SYSTEM, NOW)
        out = {}
        for key, service, who, start in (
            ("cut", "Cut", "Ana", START),
            ("massage", "Massage", "Ben", START + timedelta(hours=4)),
        ):
            req = appt.AppointmentRequest(salon.services[service].id, start, salon.staff[who].id)
            out[key] = (await appt.place_hold(s, salon.venue, req, GUEST, NOW)).reservation.id
        out["ana"] = salon.staff["Ana"].id
        return out


async def copy(engine: AsyncEngine, res_id: uuid.UUID, status: str, shift: timedelta) -> uuid.UUID:
    new_id = uuid.uuid4()
    await raw(engine, COPY_RESERVATION, new_id=new_id, id=res_id, status=status, shift=shift)
    await raw(engine, COPY_APPOINTMENT, new_id=new_id, id=res_id)
    return new_id


async def test_raw_overlapping_appointment_is_rejected(pg_engine: AsyncEngine, booked) -> None:
    with pytest.raises(IntegrityError, match="ex_appointments_staff_no_overlap"):
        await copy(pg_engine, booked["cut"], "confirmed", timedelta(minutes=30))


async def test_the_buffer_counts_and_touching_ranges_are_allowed(
    pg_engine: AsyncEngine, booked
) -> None:
    # A copy from 11:00 (busy 11:00-12:15 with its 15 minutes after) touches the original.
    await copy(pg_engine, booked["cut"], "confirmed", timedelta(hours=1))
    await copy(pg_engine, booked["cut"], "cancelled", timedelta(0))  # not occupying
    with pytest.raises(IntegrityError, match="ex_appointments_staff_no_overlap"):
        # From 12:05: clear of the 11:00 copy's appointment, not of its cleanup.
        await copy(pg_engine, booked["cut"], "confirmed", timedelta(hours=2, minutes=5))


async def test_a_room_is_never_in_two_appointments(pg_engine: AsyncEngine, booked) -> None:
    ghost = await copy(pg_engine, booked["massage"], "cancelled", timedelta(0))
    await raw(
        pg_engine,
        "UPDATE appointments SET staff_member_id = :ana WHERE reservation_id = :id",
        ana=booked["ana"],
        id=ghost,
    )
    with pytest.raises(IntegrityError, match="ex_appointments_resource_no_overlap"):
        await raw(
            pg_engine, "UPDATE reservations SET status = 'confirmed' WHERE id = :id", id=ghost
        )
