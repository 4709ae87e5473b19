"""Booking an appointment: a reservation in status ``hold`` plus the staff member's time.

The reservation is the tables' own row (venue/reservations/booking.py: completing it,
paying its deposit, cancelling, expiring, emails and the manage page are all theirs); the
day's night and its one all-day sitting are made on first use (``ensure_day``), so
``night_id`` and ``sitting_id`` keep meaning "the day" for the daily cap and the sweeper.

Order of work, as for tables: what does not write comes first (service, window, facts),
then the claim (``claim.claim``: versions, state, bump), then one insert of the
reservation, its appointment row, the audit entry and the outbox event. Services flush,
never commit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.actor import Actor
from venue.core.channels import night_channel
from venue.core.clock import to_local
from venue.core.errors import DomainError, InvalidRequest, NightClosed, StaffUnavailable
from venue.core.tokens import hash_token, new_token
from venue.guests.identity import GuestIdentity
from venue.journal import turnaways
from venue.journal.audit import record
from venue.models import (
    EXPIRING,
    Appointment,
    Night,
    Reservation,
    Service,
    Sitting,
    StaffMember,
    Status,
    Venue,
    VenueRules,
)
from venue.reservations import booking
from venue.setup import venues

from . import availability, slots
from .claim import Pick, Versions, claim, refused_as_taken, versions


@dataclass(frozen=True)
class AppointmentRequest:
    service_id: uuid.UUID
    starts_at: datetime
    staff_id: uuid.UUID | None = None  # None: anyone available
    channel: str = "online"
    bypass_rules: bool = False  # staff bookings and walk-ins skip the cutoff and window
    notes: str | None = None
    take_deposit: bool = True  # a walk-in pays at the till


@dataclass(frozen=True)
class Found:
    pick: Pick
    staff: list[StaffMember]


def local_day(at: datetime, venue: Venue) -> date:
    return to_local(at, venue.timezone).date()


async def ensure_day(session: AsyncSession, venue: Venue, day: date) -> tuple[Night, Sitting, bool]:
    """The day's night and its one sitting (local midnight to midnight), made on first
    use. Two first bookings of a day at once: ``ON CONFLICT DO NOTHING`` makes the second
    wait for the first's commit and then read its rows. The flag: whether it wrote."""
    start, end = slots.day_bounds(day, venue.timezone)
    night_id = uuid.uuid4()
    values = {
        "id": night_id,
        "tenant_id": venue.tenant_id,
        "venue_id": venue.id,
        "business_date": day,
        "opens_at": start,
        "closes_at": end,
        "event_type": "appointments",
        "is_closed": False,
    }
    dialect = session.get_bind().dialect.name
    make = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = make(Night).values(**values).on_conflict_do_nothing().returning(Night.id)
    made = await session.scalar(stmt)
    if made is not None:
        await session.execute(
            insert(Sitting).values(
                id=uuid.uuid4(),
                tenant_id=venue.tenant_id,
                night_id=night_id,
                name="Day",
                starts_at=start,
                ends_at=end,
            )
        )
    night = await venues.night_on(session, venue, day)
    return night, await venues.sitting_of(session, night, None), made is not None


async def place_hold(
    session: AsyncSession, venue: Venue, req: AppointmentRequest, actor: Actor, now: datetime
) -> booking.Hold:
    outcome = await try_hold(session, venue, req, actor, now)
    if isinstance(outcome, booking.Refused):
        raise outcome.error
    return outcome


async def place_guest_hold(
    session: AsyncSession, venue: Venue, req: AppointmentRequest, actor: Actor, now: datetime
) -> booking.Hold:
    """``place_hold`` for a guest online: a refusal that is turned-away demand is kept,
    with the service the guest wanted, then raised."""
    outcome = await try_hold(session, venue, req, actor, now)
    if isinstance(outcome, booking.Hold):
        return outcome
    if outcome.error.turnaway:
        tenant_id, venue_id = venue.tenant_id, venue.id
        await turnaways.record_after_refusal(
            session,
            tenant_id,
            venue_id,
            wrote=outcome.wrote,
            reason=outcome.error.code,
            business_date=local_day(req.starts_at, venue),
            party_size=1,
            channel="online",
            at=now,
            service_id=req.service_id,
        )
    raise outcome.error


async def try_hold(
    session: AsyncSession, venue: Venue, req: AppointmentRequest, actor: Actor, now: datetime
) -> booking.Hold | booking.Refused:
    """The hold, or the refusal with whether anything was written before it."""
    wrote = False
    try:
        service = await availability.service_by_id(session, venue, req.service_id)
        rules = await venues.rules_of(session, venue)
        day = local_day(req.starts_at, venue)
        check_grid(req.starts_at, day, venue, rules)
        if not req.bypass_rules:
            booking.check_window(rules, req.starts_at, now)
        if await availability.day_closed(session, venue, day):
            raise NightClosed("the venue is closed that day")
        staff = await availability.staff_for(session, venue, service.id)
        if req.staff_id is not None:
            staff = [s for s in staff if s.id == req.staff_id]
            if not staff:
                raise InvalidRequest("staff_id", "that staff member does not perform this service")
        night, sitting, wrote = await ensure_day(session, venue, day)

        async def attempt(n: int) -> tuple[Versions, Found]:
            nonlocal wrote
            wrote = wrote or n > 0
            return await look(session, venue, service, staff, req, day, now)

        found = await claim(session, venue.tenant_id, attempt)
        wrote = True
        await expire_lapsed(session, venue, found.pick, service, req.starts_at, actor, now)
        token = new_token()
        res = _reservation(venue, req, service, found, night, sitting, rules, actor, token, now)
        await _insert(session, venue, res, service, found.pick, actor, now)
    except DomainError as exc:
        return booking.Refused(exc, wrote=wrote)
    return booking.Hold(res, token, [])


def check_grid(starts_at: datetime, day: date, venue: Venue, rules: VenueRules) -> None:
    start, _ = slots.day_bounds(day, venue.timezone)
    if (starts_at - start) % timedelta(minutes=rules.slot_interval_minutes):
        raise InvalidRequest(
            "starts_at", f"start times are every {rules.slot_interval_minutes} minutes"
        )


async def look(
    session: AsyncSession,
    venue: Venue,
    service: Service,
    staff: list[StaffMember],
    req: AppointmentRequest,
    day: date,
    now: datetime,
    moving: uuid.UUID | None = None,
) -> tuple[Versions, Found]:
    """Versions first, then the facts; refuse if nobody can take the start. Public for
    the one other path that claims a staff member's time: a move (moves.py)."""
    kind = await availability.resource_ids(session, venue, service.resource_kind)
    seen = await versions(session, venue.tenant_id, [s.id for s in staff], kind)
    facts = await availability.day_facts(session, venue, service, staff, day, now, moving=moving)
    busy = availability.shape_of(service).busy(req.starts_at)
    able = [s for s in facts.staff if slots.fits(slots.free_time(s, day, venue.timezone), busy)]
    if not able:
        who = "that staff member is not" if req.staff_id else "nobody is"
        raise StaffUnavailable(f"{who} free for that service at that time")
    resource_id = None
    if facts.resources is not None:
        free = [
            r.id
            for r, taken in facts.resources
            if not any(b0 < busy[1] and busy[0] < b1 for b0, b1 in taken)
        ]
        if not free:
            raise StaffUnavailable("no room or chair is free for that service then")
        resource_id = free[0]
    chosen = slots.pick_anyone(able)
    return seen, Found(Pick(chosen.staff_id, resource_id), staff)


def _reservation(
    venue: Venue,
    req: AppointmentRequest,
    service: Service,
    found: Found,
    night: Night,
    sitting: Sitting,
    rules: VenueRules,
    actor: Actor,
    token: str,
    now: datetime,
) -> Reservation:
    staff = next(s for s in found.staff if s.id == found.pick.staff_id)
    return Reservation(
        id=uuid.uuid4(),
        tenant_id=venue.tenant_id,
        venue_id=venue.id,
        night_id=night.id,
        sitting_id=sitting.id,
        status=Status.HOLD.value,
        starts_at=req.starts_at,
        ends_at=req.starts_at + timedelta(minutes=service.duration_minutes),
        expires_at=now + timedelta(minutes=rules.hold_minutes),
        party_size=1,
        guest_id=None,
        host_id=None,
        channel=req.channel,
        created_by=str(actor),
        currency=venue.currency,
        quoted_minimum=service.price,
        quoted_deposit=service.deposit if req.take_deposit else 0,
        quote={
            "appointment": {
                "service_id": str(service.id),
                "service": service.name,
                "staff_id": str(staff.id),
                "staff": staff.name,
                "chosen_by": "guest" if req.staff_id else "anyone",
                "duration_minutes": service.duration_minutes,
                "price": service.price,
                "deposit": service.deposit,
            }
        },
        notes=req.notes,
        token_hash=hash_token(token),
        cancel_reason=None,
        version=1,
        created_at=now,
        updated_at=now,
    )


async def _insert(
    session: AsyncSession,
    venue: Venue,
    res: Reservation,
    service: Service,
    pick: Pick,
    actor: Actor,
    now: datetime,
) -> None:
    busy = availability.shape_of(service).busy(res.starts_at)
    async with refused_as_taken():  # an overlap that slipped past the claim
        session.add(res)
        await session.flush()
        await session.execute(
            insert(Appointment).values(
                id=uuid.uuid4(),
                tenant_id=venue.tenant_id,
                reservation_id=res.id,
                service_id=service.id,
                staff_member_id=pick.staff_id,
                resource_id=pick.resource_id,
                status=res.status,
                starts_at=res.starts_at,
                ends_at=res.ends_at,
                busy_from=busy[0],
                busy_until=busy[1],
                created_at=now,
            )
        )
    journal(session, res, actor, "reservation.held", None, now, pick)


def journal(
    session: AsyncSession,
    res: Reservation,
    actor: Actor,
    topic: str,
    before: dict[str, Any] | None,
    now: datetime,
    pick: Pick,
) -> None:
    after = booking.snapshot(res)
    record(
        session,
        tenant_id=res.tenant_id,
        actor=str(actor),
        action=topic,
        entity="reservation",
        entity_id=res.id,
        before=before,
        after=after,
        at=now,
        topic=topic,
        channel=night_channel(res.night_id),
        payload={
            **after,
            "table_ids": [],
            "staff_member_id": str(pick.staff_id),
            "resource_id": str(pick.resource_id) if pick.resource_id else None,
        },
    )


async def expire_lapsed(
    session: AsyncSession,
    venue: Venue,
    pick: Pick,
    service: Service,
    starts_at: datetime,
    actor: Actor,
    now: datetime,
) -> None:
    """Expire lapsed holds on the claimed staff member (or resource) that overlap: the
    exclusion constraint still counts one the sweeper has not marked yet."""
    busy = availability.shape_of(service).busy(starts_at)
    who = Appointment.staff_member_id == pick.staff_id
    if pick.resource_id is not None:
        who = who | (Appointment.resource_id == pick.resource_id)
    stale = await session.scalars(
        select(Reservation)
        .join(Appointment, Appointment.reservation_id == Reservation.id)
        .where(
            Appointment.tenant_id == venue.tenant_id,
            who,
            Appointment.busy_from < busy[1],
            Appointment.busy_until > busy[0],
            Reservation.status.in_([s.value for s in EXPIRING]),
            Reservation.expires_at <= now,
        )
    )
    for res in list(stale):
        await booking.transition(session, res, Status.EXPIRED, actor, now)


async def walk_in(
    session: AsyncSession,
    venue: Venue,
    req: AppointmentRequest,
    who: GuestIdentity,
    actor: Actor,
    now: datetime,
) -> Reservation:
    """Staff book someone at the desk (or on the phone): no cutoff, no online deposit, no
    daily cap; the same claim as any booking."""
    hold = await place_hold(session, venue, req, actor, now)
    done = await booking.complete_hold(
        session, venue, hold.reservation, who, actor, now, notes=req.notes, enforce_cap=False
    )
    return done.reservation
