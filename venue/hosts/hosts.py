"""Hosts (promoters): their bookings, booking links, attribution and its reassignment.

Attribution is written once, when the reservation is created (``host_id`` and channel
``host`` or ``host_link``), and never changes after that except through
:func:`reassign`: an explicit manager action with a reason, audited, kept in
``host_attributions`` and announced on the outbox (``reservation.host_reassigned``) so
the commission ledger moves the money. Anything else that tries is refused with 409
``attribution_locked`` (:func:`set_attribution`); on PostgreSQL the trigger
``reservations_host_locked`` (migration 0006) refuses it even from raw SQL, and only
:func:`reassign` turns on the transaction-local ``maitre.reassign`` setting it checks.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.actor import Actor
from venue.core.errors import (
    Conflict,
    InvalidRequest,
    InvalidTransition,
    NotFound,
    StaleReservation,
)
from venue.journal.audit import record
from venue.models import (
    Guest,
    Host,
    HostAttribution,
    Night,
    Reservation,
    ReservationSpend,
    StaffUser,
    Status,
    Venue,
)
from venue.reservations import booking, operations

CODE = re.compile(r"^[A-Z0-9]{3,20}$")


class AttributionLocked(Conflict):
    code = "attribution_locked"


class SpendRecorded(Conflict):
    code = "spend_already_recorded"


class NotAHost(Conflict):
    code = "not_a_host"


def host_dict(host: Host, venues: list[Venue] | None = None) -> dict[str, Any]:
    return {
        "id": str(host.id),
        "name": host.name,
        "email": host.email,
        "code": host.code,
        "commission_bp": host.commission_bp,
        "links": [booking_link(v, host) for v in venues or []],
    }


def booking_link(venue: Venue, host: Host) -> dict[str, str]:
    """The guest booking page with the host's code (the public hold takes ``host_code``)."""
    return {"venue": venue.slug, "path": f"/v/{venue.slug}?host={host.code}", "code": host.code}


async def host_of_user(session: AsyncSession, user: StaffUser) -> Host:
    if user.host_id is None:
        raise NotAHost("this account is not linked to a host")
    host = await session.scalar(
        select(Host).where(Host.tenant_id == user.tenant_id, Host.id == user.host_id)
    )
    if host is None:
        raise NotAHost("this account's host no longer exists")
    return host


async def create_host(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    name: str,
    email: str | None,
    code: str,
    commission_bp: int,
    actor: Actor,
    now: datetime,
) -> Host:
    code = code.strip().upper()
    if not CODE.match(code):
        raise InvalidRequest("code", "3 to 20 letters or digits")
    taken = await session.scalar(
        select(Host.id).where(Host.tenant_id == tenant_id, func.upper(Host.code) == code)
    )
    if taken is not None:
        raise Conflict("that code is taken", field="code")
    host = Host(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        name=name,
        email=email,
        code=code,
        commission_bp=commission_bp,
        created_at=now,
    )
    session.add(host)
    await session.flush()
    record(
        session,
        tenant_id=tenant_id,
        actor=str(actor),
        action="host.created",
        entity="host",
        entity_id=host.id,
        before=None,
        after=host_dict(host),
        at=now,
    )
    return host


async def book_for_client(
    session: AsyncSession,
    venue: Venue,
    host: Host,
    req: operations.StaffBooking,
    actor: Actor,
    now: datetime,
) -> Reservation:
    """A host's booking for a client: confirmed at once, attributed to the host."""
    req = operations.StaffBooking(
        **{**req.__dict__, "channel": "host", "host_id": host.id, "seat_now": False}
    )
    return await operations.book_for_guest(session, venue, req, actor, now)


async def own_reservation(
    session: AsyncSession, venue: Venue, host: Host, res_id: uuid.UUID
) -> Reservation:
    """The host's reservation; another host's (or another venue's) is 404, not 403."""
    res = await operations.reservation_of(session, venue, res_id)
    if res.host_id != host.id:
        raise NotFound("no such reservation")
    return res


@dataclass(frozen=True)
class HostSearch:
    start: date | None = None
    end: date | None = None
    statuses: tuple[str, ...] = ()
    page: int = 1
    per_page: int = 50


async def reservations_of(
    session: AsyncSession, venue: Venue, host: Host, q: HostSearch
) -> tuple[list[dict[str, Any]], int]:
    stmt = (
        select(Reservation, Guest, Night.business_date)
        .join(Night, Night.id == Reservation.night_id)
        .outerjoin(Guest, Guest.id == Reservation.guest_id)
        .where(
            Reservation.tenant_id == venue.tenant_id,
            Reservation.venue_id == venue.id,
            Reservation.host_id == host.id,
            Reservation.status != Status.HOLD,
        )
    )
    if q.start:
        stmt = stmt.where(Night.business_date >= q.start)
    if q.end:
        stmt = stmt.where(Night.business_date <= q.end)
    if q.statuses:
        stmt = stmt.where(Reservation.status.in_(list(q.statuses)))
    total = int(await session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = (
        await session.execute(
            stmt.order_by(Night.business_date.desc(), Reservation.created_at.desc())
            .offset((q.page - 1) * q.per_page)
            .limit(q.per_page)
        )
    ).all()
    out = []
    for res, guest, day in rows:
        tables = await booking.tables_of(session, res)
        out.append(
            {
                "id": str(res.id),
                "status": res.status,
                "date": day.isoformat(),
                "starts_at": res.starts_at.isoformat(),
                "party_size": res.party_size,
                "tables": [t.label for t in tables],
                "guest_name": guest.name if guest else None,
                "guest_phone": guest.phone if guest else None,
                "guest_email": guest.email if guest else None,
                "channel": res.channel,
                "currency": res.currency,
                "minimum": res.quoted_minimum,
                "deposit": res.quoted_deposit,
                "notes": res.notes,
                "created_at": res.created_at.isoformat(),
            }
        )
    return out, total


# --- attribution -----------------------------------------------------------------------


async def set_attribution(
    session: AsyncSession, res: Reservation, host_id: uuid.UUID, actor: Actor, now: datetime
) -> Reservation:
    """Attribute an unattributed reservation; once set, 409 ``attribution_locked``.

    The caller records a refused attempt with :func:`refused_attempt` in a transaction
    of its own (this one rolls back with the error)."""
    if res.host_id is not None:
        raise AttributionLocked(
            "this reservation's host is set and cannot change; a manager can reassign it",
            host_id=str(res.host_id),
        )
    await operations.host_by_id(session, res.tenant_id, host_id)
    return await _write_host(session, res, host_id, actor, now, "attributed", None)


async def attribute(
    session: AsyncSession, res: Reservation, host_id: uuid.UUID, actor: Actor, now: datetime
) -> Reservation:
    """:func:`set_attribution`; a refused attempt is kept in the audit log: the refused
    work rolls back, the attempt is committed alone, and the refusal is raised."""
    try:
        return await set_attribution(session, res, host_id, actor, now)
    except AttributionLocked:
        tenant_id, res_id, current = res.tenant_id, res.id, res.host_id  # expired by rollback
        await session.rollback()
        refused_attempt(session, tenant_id, res_id, current, host_id, actor, now)
        await session.commit()
        raise


async def host_id_by_code(
    session: AsyncSession, venue: Venue, code: str | None
) -> uuid.UUID | None:
    """The host a guest's booking link names (``host_code``, any case); none without one."""
    if not code:
        return None
    host_id = await session.scalar(
        select(Host.id).where(
            Host.tenant_id == venue.tenant_id, func.upper(Host.code) == code.strip().upper()
        )
    )
    if host_id is None:
        raise InvalidRequest("host_code", "no host with that code at this venue")
    return host_id


def refused_attempt(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    res_id: uuid.UUID,
    current: uuid.UUID | None,
    wanted: uuid.UUID | None,
    actor: Actor,
    now: datetime,
) -> None:
    record(
        session,
        tenant_id=tenant_id,
        actor=str(actor),
        action="reservation.attribution_refused",
        entity="reservation",
        entity_id=res_id,
        before={"host_id": str(current) if current else None},
        after={"host_id": str(wanted) if wanted else None},
        at=now,
    )


async def reassign(
    session: AsyncSession,
    res: Reservation,
    to_host_id: uuid.UUID | None,
    reason: str,
    actor: Actor,
    now: datetime,
) -> HostAttribution:
    """The one path that may change a set attribution: audited, kept in history."""
    reason = reason.strip()
    if not reason:
        raise InvalidRequest("reason", "say why the attribution changes")
    if to_host_id is not None:
        await operations.host_by_id(session, res.tenant_id, to_host_id)
    if to_host_id == res.host_id:
        raise Conflict("the reservation is already attributed to that host")
    from_host = res.host_id
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT set_config('maitre.reassign', 'on', true)"))
    try:
        await _write_host(session, res, to_host_id, actor, now, "host_reassigned", reason)
    finally:
        if session.get_bind().dialect.name == "postgresql":
            await session.execute(text("SELECT set_config('maitre.reassign', 'off', true)"))
    row = HostAttribution(
        id=uuid.uuid4(),
        tenant_id=res.tenant_id,
        reservation_id=res.id,
        from_host_id=from_host,
        to_host_id=to_host_id,
        reason=reason,
        actor=str(actor),
        at=now,
    )
    session.add(row)
    await session.flush()
    return row


async def _write_host(
    session: AsyncSession,
    res: Reservation,
    host_id: uuid.UUID | None,
    actor: Actor,
    now: datetime,
    action: str,
    reason: str | None,
) -> Reservation:
    before = booking.snapshot(res)
    await booking.write_versioned(session, res, {"host_id": host_id, "updated_at": now})
    after = {**booking.snapshot(res), "reason": reason, "from_host_id": before["host_id"]}
    record(
        session,
        tenant_id=res.tenant_id,
        actor=str(actor),
        action=f"reservation.{action}",
        entity="reservation",
        entity_id=res.id,
        before=before,
        after=after,
        at=now,
        topic="reservation.host_reassigned",
        payload=after,
    )
    return res


async def attribution(session: AsyncSession, res: Reservation) -> dict[str, Any]:
    """The reservation's host, channel, version and reassignment history, as written so
    far in this transaction."""
    await session.flush()
    return {
        "reservation_id": str(res.id),
        "host_id": str(res.host_id) if res.host_id else None,
        "channel": res.channel,
        "version": res.version,
        "history": await history(session, res),
    }


async def history(session: AsyncSession, res: Reservation) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(HostAttribution)
        .where(HostAttribution.tenant_id == res.tenant_id, HostAttribution.reservation_id == res.id)
        .order_by(HostAttribution.at, HostAttribution.id)
    )
    return [
        {
            "from_host_id": str(r.from_host_id) if r.from_host_id else None,
            "to_host_id": str(r.to_host_id) if r.to_host_id else None,
            "reason": r.reason,
            "actor": r.actor,
            "at": r.at.isoformat(),
        }
        for r in rows
    ]


# --- closing a table with its spend ----------------------------------------------------


async def record_spend(
    session: AsyncSession, res: Reservation, amount: int, actor: Actor, now: datetime
) -> ReservationSpend:
    """The actual spend, once per reservation; the commission settles on it.

    Closing a seated table (``close``) records it with the completion; entered after a
    completion without one, the outbox event ``reservation.spend_recorded`` adjusts the
    settlement."""
    if amount < 0:
        raise InvalidRequest("spend", "cannot be negative")
    if res.status not in (Status.SEATED, Status.COMPLETED):
        raise InvalidTransition(f"a {res.status} reservation has no spend to record")
    existing = await spend_of(session, res.id)
    if existing is not None:
        raise SpendRecorded("the spend of this reservation is already recorded", amount=existing)
    row = ReservationSpend(
        id=uuid.uuid4(),
        tenant_id=res.tenant_id,
        reservation_id=res.id,
        amount=amount,
        currency=res.currency,
        actor=str(actor),
        at=now,
    )
    session.add(row)
    await session.flush()
    after = {"id": str(res.id), "spend": amount, "currency": res.currency, "status": res.status}
    record(
        session,
        tenant_id=res.tenant_id,
        actor=str(actor),
        action="reservation.spend_recorded",
        entity="reservation",
        entity_id=res.id,
        before=None,
        after=after,
        at=now,
        topic="reservation.spend_recorded" if res.status == Status.COMPLETED else None,
    )
    return row


async def close(
    session: AsyncSession,
    venue: Venue,
    res: Reservation,
    spend: int,
    actor: Actor,
    now: datetime,
    version: int | None,
) -> Reservation:
    """seated -> completed with the actual spend (one transaction, one settlement)."""
    if version is not None and version != res.version:
        raise StaleReservation("the reservation changed meanwhile", version=res.version)
    await record_spend(session, res, spend, actor, now)
    return await operations.advance(session, venue, res, Status.COMPLETED, actor, now, version)


async def spend_of(session: AsyncSession, res_id: uuid.UUID) -> int | None:
    return await session.scalar(
        select(ReservationSpend.amount).where(ReservationSpend.reservation_id == res_id)
    )
