"""Staff operations: running a night and editing a venue, behind the staff console.

Every function takes a venue already resolved from the staff member's own tenant, so
an id from another tenant simply is not found (404). Every write is audited with the
acting staff member; every change a live floor shows also leaves an outbox event on the
night's channel, so the relay pushes it after commit. Services flush, never commit.

Moving a reservation claims its new tables through ``claim.tables``, as a hold does
(venue/claim.py); the reservation itself changes by ``booking.write_versioned``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.actor import Actor
from venue.core.channels import night_channel
from venue.core.clock import to_local
from venue.core.errors import (
    Conflict,
    InvalidRequest,
    InvalidTransition,
    NotFound,
    PartySizeNotAllowed,
    StaleReservation,
    TablesNotJoinable,
    TableUnavailable,
)
from venue.floor import availability, claim, floormap
from venue.floor.closures import blocks_of
from venue.guests import records as guests
from venue.guests.identity import GuestIdentity, identify
from venue.journal.audit import record
from venue.models import (
    EXPIRING,
    OCCUPYING,
    AuditEntry,
    Base,
    Guest,
    Host,
    Night,
    Reservation,
    ReservationTable,
    Status,
    Venue,
    VenueTable,
)
from venue.reservations import booking
from venue.reservations.booking import HoldRequest, snapshot
from venue.setup import venues


def staff_actor(user_id: uuid.UUID) -> Actor:
    return Actor("staff", str(user_id))


# --- reservations: lookup, lifecycle -------------------------------------------------


async def reservation_of(session: AsyncSession, venue: Venue, res_id: uuid.UUID) -> Reservation:
    res = await session.scalar(
        select(Reservation).where(
            Reservation.tenant_id == venue.tenant_id,
            Reservation.venue_id == venue.id,
            Reservation.id == res_id,
        )
    )
    if res is None:
        raise NotFound("no such reservation")
    return res


def _check_version(res: Reservation, version: int | None) -> None:
    if version is not None and version != res.version:
        raise StaleReservation(
            "the reservation changed meanwhile; reload and try again", version=res.version
        )


class ServiceNotOpen(Conflict):
    code = "service_not_open"


async def check_service_open(
    session: AsyncSession, venue: Venue, res: Reservation, now: datetime
) -> None:
    """Seating, completing and no-shows belong to the night itself: from the venue's
    ``service_opens_minutes`` before the sitting starts. Completing a reservation days
    ahead would free its table for that night and let it be sold twice."""
    rules = await venues.rules_of(session, venue)
    opens = res.starts_at - timedelta(minutes=rules.service_opens_minutes)
    if now < opens:
        local = to_local(opens, venue.timezone)
        raise ServiceNotOpen(
            f"too early: this reservation can be seated, completed or marked a no-show "
            f"from {local:%a %d %b %H:%M} ({rules.service_opens_minutes} minutes before "
            f"its sitting starts; the venue's rules set this)"
        )


async def advance(
    session: AsyncSession,
    venue: Venue,
    res: Reservation,
    to: Status,
    actor: Actor,
    now: datetime,
    version: int | None,
) -> Reservation:
    """One step of tonight's service (seated, completed, no-show) under the version the
    staff member saw, within the venue's service window."""
    _check_version(res, version)
    await check_service_open(session, venue, res, now)
    return await booking.transition(session, res, to, actor, now)


async def cancel(
    session: AsyncSession,
    res: Reservation,
    actor: Actor,
    now: datetime,
    reason: str,
    version: int | None,
) -> Reservation:
    """Cancel for the venue; the ``reservation.cancelled`` outbox event tells the guest."""
    _check_version(res, version)
    if res.status == Status.CANCELLED:
        return res
    return await booking.cancel(session, res, actor, now, reason)


def _is_live(res: Reservation, now: datetime) -> bool:
    if res.status not in OCCUPYING:
        return False
    return not (res.status in EXPIRING and res.expires_at is not None and res.expires_at <= now)


async def move(
    session: AsyncSession,
    venue: Venue,
    res: Reservation,
    table_ids: list[uuid.UUID],
    actor: Actor,
    now: datetime,
    version: int | None = None,
) -> Reservation:
    """Put the reservation on other table(s), all or nothing; joining tables is a move
    to a larger set. The new tables are claimed like a hold claims them."""
    _check_version(res, version)
    if not _is_live(res, now):
        raise InvalidTransition(f"a {res.status} reservation cannot be moved")
    night = await venues.night_on_id(session, venue, res.night_id)
    sitting = await venues.sitting_of(session, night, res.sitting_id)
    plan = await venues.active_plan(session, venue)
    all_tables = await availability.tables_of(session, venue, plan.id)
    wanted = availability.pick(all_tables, table_ids)
    await _check_fit(session, venue, wanted, res.party_size)
    current = await booking.tables_of(session, res)
    current_ids = {t.id for t in current}
    added = [t for t in wanted if t.id not in current_ids]
    removed = [t for t in current if t.id not in {w.id for w in wanted}]
    if not added and not removed:
        return res

    async def check(_: claim.Versions) -> None:
        # Free for the reservation's own range: a club's is its sitting's, a restaurant
        # party's is its start plus its turn time.
        occupied = await availability.occupying(
            session, venue.tenant_id, [t.id for t in added], res.starts_at, res.ends_at, now
        )
        blocks = await availability.blocked(session, night)
        taken = [
            t for t in added if t.id in blocks or (t.id in occupied and occupied[t.id][0] != res.id)
        ]
        if taken:
            labels = ", ".join(t.label for t in taken)
            raise TableUnavailable(f"not free: {labels}", table_ids=[str(t.id) for t in taken])

    added_ids = [t.id for t in added]
    await claim.tables(session, venue.tenant_id, added_ids, check)
    await booking.expire_lapsed(session, venue.tenant_id, added_ids, sitting, actor, now)
    before = {**snapshot(res), "tables": [t.label for t in current]}
    await booking.write_versioned(session, res, {"updated_at": now})
    if removed:
        claim.forget(t.id for t in removed)  # this process's markers must not refuse them
        await session.execute(
            delete(ReservationTable).where(
                ReservationTable.tenant_id == venue.tenant_id,
                ReservationTable.reservation_id == res.id,
                ReservationTable.table_id.in_([t.id for t in removed]),
            )
        )
    session.add_all(
        ReservationTable(
            tenant_id=venue.tenant_id,
            reservation_id=res.id,
            table_id=t.id,
            status=res.status,
            starts_at=res.starts_at,
            ends_at=res.ends_at,
        )
        for t in added
    )
    async with claim.refused_as_taken():
        await session.flush()
    after = {**snapshot(res), "tables": [t.label for t in sorted(wanted, key=lambda t: t.label)]}
    record(
        session,
        tenant_id=venue.tenant_id,
        actor=str(actor),
        action="reservation.moved",
        entity="reservation",
        entity_id=res.id,
        before=before,
        after=after,
        at=now,
        topic="reservation.moved",
        channel=night_channel(res.night_id),
        payload={
            **after,
            "table_ids": [str(t.id) for t in wanted],
            "from_table_ids": [str(t.id) for t in current],
        },
    )
    return res


async def _check_fit(
    session: AsyncSession, venue: Venue, wanted: list[VenueTable], party_size: int
) -> None:
    """Staff may seat a party on more tables than needed, never on tables too small or
    on tables that cannot be joined."""
    capacity = sum(t.max_party for t in wanted)
    if party_size > capacity:
        raise PartySizeNotAllowed(f"those tables seat at most {capacity}")
    ids = [t.id for t in wanted]
    if len(ids) > 1:
        links = await availability.links_between(session, venue.tenant_id, ids)
        if not availability.connected(ids, links):
            raise TablesNotJoinable("those tables cannot be joined (no join links between them)")


# --- phone and walk-in bookings ------------------------------------------------------


@dataclass(frozen=True)
class StaffBooking:
    business_date: date
    table_ids: list[uuid.UUID]
    party_size: int
    channel: str  # phone | walk_in
    guest_name: str
    guest_email: str | None = None
    guest_phone: str | None = None
    sitting_id: uuid.UUID | None = None
    host_id: uuid.UUID | None = None
    notes: str | None = None
    seat_now: bool = False
    series_id: uuid.UUID | None = None
    series_date: date | None = None


async def book_for_guest(
    session: AsyncSession, venue: Venue, req: StaffBooking, actor: Actor, now: datetime
) -> Reservation:
    """A booking taken by staff: confirmed at once (any deposit is settled at the venue),
    past the online cutoff and window and the per-guest cap, attributed to the staff
    member in ``created_by``. A walk-in needs only a name."""
    if req.host_id is not None:
        await host_by_id(session, venue.tenant_id, req.host_id)
    who = staff_identity(venue, req.channel, req.guest_name, req.guest_email, req.guest_phone)
    hold = await booking.place_hold(
        session,
        venue,
        HoldRequest(
            business_date=req.business_date,
            table_ids=req.table_ids,
            party_size=req.party_size,
            sitting_id=req.sitting_id,
            channel=req.channel,
            host_id=req.host_id,
            bypass_rules=True,
            notes=req.notes,
            series_id=req.series_id,
            series_date=req.series_date,
        ),
        actor,
        now,
    )
    return await confirm_for_guest(session, venue, hold.reservation, who, req.seat_now, actor, now)


def staff_identity(
    venue: Venue, channel: str, name: str, email: str | None, phone: str | None
) -> GuestIdentity:
    """Who a staff booking is for: a walk-in needs only a name."""
    if channel == "walk_in" and not (email or phone):
        who = GuestIdentity(" ".join(name.split()), None, None)
        if not who.name:
            raise InvalidRequest("guest.name", "a name is required")
        return who
    return identify(name, email, phone, venue.country)


async def confirm_for_guest(
    session: AsyncSession,
    venue: Venue,
    hold: Reservation,
    who: GuestIdentity,
    seat_now: bool,
    actor: Actor,
    now: datetime,
) -> Reservation:
    """Confirm a staff member's hold for the guest at once (and seat a walk-in)."""
    guest = await _guest_for(session, venue, who)
    res = await booking.transition(session, hold, Status.CONFIRMED, actor, now, guest_id=guest.id)
    if seat_now:
        await check_service_open(session, venue, res, now)
        res = await booking.transition(session, res, Status.SEATED, actor, now)
    return res


async def _guest_for(session: AsyncSession, venue: Venue, who: GuestIdentity) -> Guest:
    if who.email or who.phone:
        return await guests.find_or_create(session, venue.tenant_id, who)
    guest = Guest(tenant_id=venue.tenant_id, name=who.name)
    session.add(guest)
    await session.flush()
    return guest


async def host_by_id(session: AsyncSession, tenant_id: uuid.UUID, host_id: uuid.UUID) -> Host:
    """The tenant's host ``host_id`` (404 otherwise): the one lookup every path uses."""
    host = await session.scalar(select(Host).where(Host.tenant_id == tenant_id, Host.id == host_id))
    if host is None:
        raise NotFound("no such host")
    return host


async def hosts(session: AsyncSession, venue: Venue) -> list[Host]:
    return list(
        await session.scalars(
            select(Host).where(Host.tenant_id == venue.tenant_id).order_by(Host.name)
        )
    )


# --- the staff floor: the public map plus who is where -------------------------------


async def staff_floor(
    session: AsyncSession,
    venue: Venue,
    night: Night,
    sitting_id: uuid.UUID | None,
    now: datetime,
) -> dict[str, Any]:
    """The public floor map overlaid with each table's reservation and block reason,
    and the night's totals against capacity."""
    floor = await floormap.floor_map(session, venue, night, sitting_id, now)
    sitting = await venues.sitting_of(session, night, sitting_id)
    plan = await venues.active_plan(session, venue)
    tables_ = await availability.tables_of(session, venue, plan.id)
    state = await availability.night_state(session, venue, night, sitting, tables_, now)
    on_table = {str(t.table.id): t.reservation_id for t in state.tables if t.reservation_id}
    ids = set(on_table.values())
    rows = await session.execute(
        select(Reservation, Guest)
        .outerjoin(Guest, Guest.id == Reservation.guest_id)
        .where(Reservation.tenant_id == venue.tenant_id, Reservation.id.in_(list(ids)))
    )
    info = {
        res.id: {
            "id": str(res.id),
            "status": res.status,
            "party_size": res.party_size,
            "guest_name": guest.name if guest else None,
            "minimum": res.quoted_minimum,
            "deposit": res.quoted_deposit,
            "channel": res.channel,
            "version": res.version,
            "notes": res.notes,
            "series_id": str(res.series_id) if res.series_id else None,
        }
        for res, guest in rows
    }
    reasons = {str(b.table_id): b.reason for b in await blocks_of(session, night)}
    tables = []
    for t in floor["tables"]:
        rid = on_table.get(t["id"])
        tables.append(
            {
                **t,
                "reservation": info.get(rid) if rid else None,
                "block_reason": reasons.get(t["id"]),
            }
        )
    taken = [t for t in tables if t["reservation"]]
    return {
        **floor,
        "tables": tables,
        "totals": {
            "guests": sum(r["party_size"] for r in info.values()),
            "reservations": len(info),
            "tables_booked": len(taken),
            "tables_blocked": len(reasons),
            "tables_total": len(tables),
            "seats_total": sum(t["max_party"] for t in tables),
            "minimum_total": sum(r["minimum"] for r in info.values()),
        },
    }


# --- search and details ----------------------------------------------------------------


@dataclass(frozen=True)
class Search:
    day: date | None = None
    statuses: tuple[str, ...] = ()
    text: str | None = None
    host_id: uuid.UUID | None = None
    page: int = 1
    per_page: int = 50


async def search(
    session: AsyncSession, venue: Venue, q: Search
) -> tuple[list[dict[str, Any]], int]:
    """Reservations of the venue, newest night first, with guest, host and tables."""
    stmt = (
        select(Reservation, Guest, Night.business_date, Host.name)
        .join(Night, Night.id == Reservation.night_id)
        .outerjoin(Guest, Guest.id == Reservation.guest_id)
        .outerjoin(Host, Host.id == Reservation.host_id)
        .where(Reservation.tenant_id == venue.tenant_id, Reservation.venue_id == venue.id)
    )
    if q.day is not None:
        stmt = stmt.where(Night.business_date == q.day)
    if q.statuses:
        stmt = stmt.where(Reservation.status.in_(list(q.statuses)))
    if q.host_id is not None:
        stmt = stmt.where(Reservation.host_id == q.host_id)
    if q.text and q.text.strip():
        like = f"%{_escape_like(q.text.strip().lower())}%"
        stmt = stmt.where(
            or_(
                func.lower(Guest.name).like(like, escape="\\"),
                func.lower(Guest.email).like(like, escape="\\"),
                Guest.phone.like(like, escape="\\"),
            )
        )
    total = int(await session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = (
        await session.execute(
            stmt.order_by(Night.business_date.desc(), Reservation.starts_at, Reservation.id)
            .offset((q.page - 1) * q.per_page)
            .limit(q.per_page)
        )
    ).all()
    labels = await _labels(session, venue, [r[0].id for r in rows])
    return [
        _summary(res, guest, day, host_name, labels.get(res.id, []))
        for res, guest, day, host_name in rows
    ], total


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def _labels(
    session: AsyncSession, venue: Venue, ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[str]]:
    if not ids:
        return {}
    rows = await session.execute(
        select(ReservationTable.reservation_id, VenueTable.label)
        .join(VenueTable, VenueTable.id == ReservationTable.table_id)
        .where(ReservationTable.tenant_id == venue.tenant_id)
        .where(ReservationTable.reservation_id.in_(ids))
        .order_by(VenueTable.label)
    )
    out: dict[uuid.UUID, list[str]] = {}
    for rid, label in rows:
        out.setdefault(rid, []).append(label)
    return out


def _summary(
    res: Reservation, guest: Guest | None, day: date, host_name: str | None, tables: list[str]
) -> dict[str, Any]:
    return {
        "id": str(res.id),
        "status": res.status,
        "date": day.isoformat(),
        "starts_at": res.starts_at.isoformat(),
        "ends_at": res.ends_at.isoformat(),
        "expires_at": res.expires_at.isoformat() if res.expires_at else None,
        "party_size": res.party_size,
        "tables": tables,
        "guest_name": guest.name if guest else None,
        "guest_email": guest.email if guest else None,
        "guest_phone": guest.phone if guest else None,
        "host_id": str(res.host_id) if res.host_id else None,
        "host_name": host_name,
        "channel": res.channel,
        "currency": res.currency,
        "minimum": res.quoted_minimum,
        "deposit": res.quoted_deposit,
        "version": res.version,
        "series_id": str(res.series_id) if res.series_id else None,
        "series_date": res.series_date.isoformat() if res.series_date else None,
    }


async def details(session: AsyncSession, venue: Venue, res: Reservation) -> dict[str, Any]:
    """Everything staff see about one reservation: contact, notes, tables, money, history."""
    await session.flush()  # sessions do not autoflush: include this request's entries
    night = await venues.night_on_id(session, venue, res.night_id)
    guest = await session.get(Guest, res.guest_id) if res.guest_id else None
    host = await host_by_id(session, venue.tenant_id, res.host_id) if res.host_id else None
    tables = await booking.tables_of(session, res)
    history = await session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.tenant_id == venue.tenant_id,
            AuditEntry.entity == "reservation",
            AuditEntry.entity_id == str(res.id),
        )
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    return {
        **_summary(res, guest, night.business_date, host.name if host else None, []),
        "tables": [{"id": str(t.id), "label": t.label, "tier": t.tier} for t in tables],
        "sitting_id": str(res.sitting_id),
        "notes": res.notes,
        "cancel_reason": res.cancel_reason,
        "created_by": res.created_by,
        "created_at": res.created_at.isoformat(),
        "updated_at": res.updated_at.isoformat(),
        "quote": res.quote,
        "guest": (
            {"id": str(guest.id), "name": guest.name, "email": guest.email, "phone": guest.phone}
            if guest
            else None
        ),
        "payments": await _payments(session, res),
        "history": [audit_dict(e) for e in history],
    }


async def _payments(session: AsyncSession, res: Reservation) -> list[dict[str, Any]]:
    """Payment rows if the payments package has its table (it ships separately)."""
    table = Base.metadata.tables.get("payments")
    if table is None or "reservation_id" not in table.c:
        return []
    rows = await session.execute(
        select(table).where(
            table.c.reservation_id == res.id,
            *([table.c.tenant_id == res.tenant_id] if "tenant_id" in table.c else []),
        )
    )
    return [
        {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row._mapping.items()}
        for row in rows
        if row is not None
    ]


def audit_dict(e: AuditEntry) -> dict[str, Any]:
    return {
        "id": e.id,
        "at": e.at.isoformat(),
        "actor": e.actor,
        "action": e.action,
        "entity": e.entity,
        "entity_id": e.entity_id,
        "before": e.before,
        "after": e.after,
    }


async def audit_trail(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    entity: str | None,
    entity_id: str | None,
    page: int,
    per_page: int,
) -> list[dict[str, Any]]:
    stmt = select(AuditEntry).where(AuditEntry.tenant_id == tenant_id)
    if entity:
        stmt = stmt.where(AuditEntry.entity == entity)
    if entity_id:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    rows = list(
        await session.scalars(
            stmt.order_by(AuditEntry.id.desc()).offset((page - 1) * per_page).limit(per_page)
        )
    )
    # An id with no history here is unknown, whoever else it may belong to: 404, as for
    # every other id, rather than an empty page that would look the same for both.
    if entity_id and not rows and not await _any(session, stmt):
        raise NotFound("no audit entries for that id")
    return [audit_dict(e) for e in rows]


async def _any(session: AsyncSession, stmt: Any) -> bool:
    return await session.scalar(stmt.with_only_columns(AuditEntry.id).limit(1)) is not None
