"""Joining, reading and leaving the waitlist; the staff's list of a night.

An entry is keyed on what fits (party size, tiers, areas, latest start), never on a
table. Services flush, never commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.actor import Actor
from venue.core.channels import night_channel
from venue.core.clock import local_to_utc, to_local
from venue.core.errors import Conflict, InvalidRequest, NightClosed, NotFound, StaleReservation
from venue.core.tokens import hash_token, new_token
from venue.guests.identity import normalise_email, normalise_phone
from venue.journal.audit import record
from venue.models import (
    Area,
    EntryStatus,
    FloorPlan,
    Night,
    Sitting,
    Venue,
    VenueTable,
    WaitlistEntry,
    WaitlistOffer,
)
from venue.setup import venues

# Entries still in the queue: their place counts for those behind them.
QUEUED = (EntryStatus.WAITING.value, EntryStatus.OFFERED.value)
ORDER = (WaitlistEntry.queue_no, WaitlistEntry.created_at, WaitlistEntry.id)


class AlreadyWaiting(Conflict):
    code = "waitlist_already_joined"


class EntryClosed(Conflict):
    """The entry is no longer in the queue (booked, left, skipped, lapsed, declined)."""

    code = "waitlist_entry_closed"


@dataclass(frozen=True)
class JoinRequest:
    business_date: date
    party_size: int
    name: str
    email: str | None
    phone: str | None
    sitting_id: uuid.UUID | None = None
    tiers: list[str] = field(default_factory=list)
    area_ids: list[uuid.UUID] = field(default_factory=list)
    latest_time: time | None = None  # venue-local; before the night opens = after midnight
    notes: str | None = None
    channel: str = "online"  # online | phone | walk_in


@dataclass(frozen=True)
class Joined:
    entry: WaitlistEntry
    token: str


def entry_dict(entry: WaitlistEntry, tz: str, position: int | None) -> dict[str, Any]:
    latest = to_local(entry.latest_start, tz) if entry.latest_start else None
    return {
        "id": str(entry.id),
        "date": entry.business_date.isoformat(),
        "night_id": str(entry.night_id),
        "sitting_id": str(entry.sitting_id) if entry.sitting_id else None,
        "party_size": entry.party_size,
        "name": entry.name,
        "tiers": list(entry.tiers or []),
        "area_ids": list(entry.area_ids or []),
        "latest_start": entry.latest_start.isoformat() if entry.latest_start else None,
        "latest_time": f"{latest:%H:%M}" if latest else None,
        "channel": entry.channel,
        "status": entry.status,
        "position": position,
        "created_at": entry.created_at.isoformat(),
        "version": entry.version,
    }


def audit_view(entry: WaitlistEntry) -> dict[str, Any]:
    """The audit/outbox view of an entry (no personal data)."""
    return {
        "id": str(entry.id),
        "night_id": str(entry.night_id),
        "party_size": entry.party_size,
        "status": entry.status,
        "channel": entry.channel,
        "version": entry.version,
    }


async def join(
    session: AsyncSession, venue: Venue, req: JoinRequest, actor: Actor, now: datetime
) -> Joined:
    """Put a party on the night's waitlist; 409 if the same person already waits."""
    night = await venues.night_on(session, venue, req.business_date)
    if night.is_closed:
        raise NightClosed(night.closed_reason or "the venue is closed that night")
    sitting = await venues.sitting_of(session, night, req.sitting_id)
    if night.closes_at <= now:
        raise InvalidRequest("date", "that night is over")
    rules = await venues.rules_of(session, venue)
    if req.channel == "online" and not rules.min_party <= req.party_size <= rules.max_party:
        raise InvalidRequest(
            "party_size", f"the waitlist takes parties of {rules.min_party} to {rules.max_party}"
        )
    name = req.name.strip()
    if not name:
        raise InvalidRequest("name", "say who the table is for")
    email = _named("email", normalise_email, req.email)
    phone = _named("phone", lambda raw: normalise_phone(raw, venue.country), req.phone)
    if req.channel == "online" and not email:
        raise InvalidRequest("email", "give an email address: the offer is sent there")
    if not email and not phone:
        raise InvalidRequest("phone", "give an email address or a phone number")
    await _check_fit_choices(session, venue, req)
    latest = _latest_start(venue, night, req.latest_time)
    if latest is not None and latest < sitting.starts_at and req.sitting_id is not None:
        raise InvalidRequest("latest_time", "that is before the sitting starts")
    await _refuse_duplicate(session, venue, night, email, phone)
    last = await session.scalar(
        select(func.max(WaitlistEntry.queue_no)).where(
            WaitlistEntry.tenant_id == venue.tenant_id, WaitlistEntry.night_id == night.id
        )
    )
    token = new_token()
    entry = WaitlistEntry(
        id=uuid.uuid4(),
        tenant_id=venue.tenant_id,
        venue_id=venue.id,
        night_id=night.id,
        sitting_id=req.sitting_id,
        business_date=night.business_date,
        party_size=req.party_size,
        queue_no=int(last or 0) + 1,
        name=name[:200],
        email=email,
        phone=phone,
        tiers=sorted(set(req.tiers)),
        area_ids=sorted({str(a) for a in req.area_ids}),
        latest_start=latest,
        notes=req.notes,
        channel=req.channel,
        status=EntryStatus.WAITING.value,
        token_hash=hash_token(token),
        created_by=str(actor),
        created_at=now,
        updated_at=now,
        version=1,
    )
    session.add(entry)
    await session.flush()
    journal(session, entry, actor, "waitlist.joined", None, now)
    return Joined(entry, token)


def _named(field: str, normalise: Callable[[str], str], raw: str | None) -> str | None:
    """Normalise a contact, naming this request's field (not the booking's ``guest.``)."""
    if not raw:
        return None
    try:
        return normalise(raw)
    except InvalidRequest as exc:
        raise InvalidRequest(field, exc.message) from exc


def _latest_start(venue: Venue, night: Night, at: time | None) -> datetime | None:
    """The latest start as a UTC instant, on the night's local date, or the next one for
    a time in the part of the night after midnight (before it opens and by its close)."""
    if at is None:
        return None
    opens = to_local(night.opens_at, venue.timezone)
    closes = to_local(night.closes_at, venue.timezone)
    day = night.business_date
    if closes.date() > day and at < opens.time() and at <= closes.time():
        day = day + timedelta(days=1)
    return local_to_utc(day, at, venue.timezone)


async def _check_fit_choices(session: AsyncSession, venue: Venue, req: JoinRequest) -> None:
    if req.tiers:
        known = set(
            await session.scalars(
                select(VenueTable.tier)
                .join(FloorPlan, FloorPlan.id == VenueTable.floor_plan_id)
                .where(
                    VenueTable.tenant_id == venue.tenant_id,
                    VenueTable.venue_id == venue.id,
                    VenueTable.is_active.is_(True),
                    FloorPlan.is_active.is_(True),
                )
            )
        )
        unknown = sorted(set(req.tiers) - known)
        if unknown:
            raise InvalidRequest("tiers", f"no such tier here: {', '.join(unknown)}")
    if req.area_ids:
        _, areas = await venues.plan_and_areas(session, venue)
        missing = {a for a in req.area_ids} - {a.id for a in areas}
        if missing:
            raise InvalidRequest("area_ids", "no such area on the floor plan")


async def _refuse_duplicate(
    session: AsyncSession, venue: Venue, night: Night, email: str | None, phone: str | None
) -> None:
    same = []
    if email:
        same.append(WaitlistEntry.email == email)
    if phone:
        same.append(WaitlistEntry.phone == phone)
    found = await session.scalar(
        select(WaitlistEntry.id).where(
            WaitlistEntry.tenant_id == venue.tenant_id,
            WaitlistEntry.night_id == night.id,
            WaitlistEntry.status.in_(QUEUED),
            or_(*same),
        )
    )
    if found is not None:
        raise AlreadyWaiting("you are already on the waitlist for that night")


async def by_token(session: AsyncSession, venue: Venue, token: str) -> WaitlistEntry:
    entry = await session.scalar(
        select(WaitlistEntry).where(
            WaitlistEntry.tenant_id == venue.tenant_id,
            WaitlistEntry.venue_id == venue.id,
            WaitlistEntry.token_hash == hash_token(token),
        )
    )
    if entry is None:
        raise NotFound("no such waitlist entry")
    return entry


async def by_id(session: AsyncSession, venue: Venue, entry_id: uuid.UUID) -> WaitlistEntry:
    entry = await session.scalar(
        select(WaitlistEntry).where(
            WaitlistEntry.tenant_id == venue.tenant_id,
            WaitlistEntry.venue_id == venue.id,
            WaitlistEntry.id == entry_id,
        )
    )
    if entry is None:
        raise NotFound("no such waitlist entry")
    return entry


async def position(session: AsyncSession, entry: WaitlistEntry) -> int | None:
    """1 for the first party in the queue; None once the entry has left it."""
    if entry.status not in QUEUED:
        return None
    ahead = await session.scalar(
        select(func.count(WaitlistEntry.id)).where(
            WaitlistEntry.tenant_id == entry.tenant_id,
            WaitlistEntry.night_id == entry.night_id,
            WaitlistEntry.status.in_(QUEUED),
            tuple_(WaitlistEntry.queue_no, WaitlistEntry.created_at, WaitlistEntry.id)
            < tuple_(entry.queue_no, entry.created_at, entry.id),
        )
    )
    return int(ahead or 0) + 1


async def queue_of(session: AsyncSession, night: Night) -> list[WaitlistEntry]:
    """The night's entries in queue order (every status, for the staff's list)."""
    rows = await session.scalars(
        select(WaitlistEntry)
        .where(WaitlistEntry.tenant_id == night.tenant_id, WaitlistEntry.night_id == night.id)
        .order_by(*ORDER)
    )
    return list(rows)


async def waiting_on(session: AsyncSession, night: Night) -> list[WaitlistEntry]:
    rows = await session.scalars(
        select(WaitlistEntry)
        .where(
            WaitlistEntry.tenant_id == night.tenant_id,
            WaitlistEntry.night_id == night.id,
            WaitlistEntry.status == EntryStatus.WAITING.value,
        )
        .order_by(*ORDER)
    )
    return list(rows)


async def move(
    session: AsyncSession,
    entry: WaitlistEntry,
    to: EntryStatus,
    actor: Actor,
    now: datetime,
    *,
    allowed: tuple[str, ...],
    reservation_id: uuid.UUID | None = None,
) -> None:
    """Change the entry's status under its version, from one of ``allowed`` (else 409)."""
    if entry.status not in allowed:
        raise EntryClosed(f"this waitlist entry is {entry.status}")
    before = audit_view(entry)
    values: dict[str, Any] = {"status": to.value, "updated_at": now, "version": entry.version + 1}
    if reservation_id is not None:
        values["reservation_id"] = reservation_id
    result = await session.execute(
        update(WaitlistEntry)
        .where(
            WaitlistEntry.id == entry.id,
            WaitlistEntry.version == entry.version,
            WaitlistEntry.status.in_(allowed),
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise StaleReservation("the waitlist entry changed meanwhile; reload and try again")
    await session.refresh(entry)
    journal(session, entry, actor, f"waitlist.entry_{to.value}", before, now)


def journal(
    session: AsyncSession,
    entry: WaitlistEntry,
    actor: Actor,
    action: str,
    before: dict[str, Any] | None,
    now: datetime,
) -> None:
    journal_row(session, "waitlist_entry", entry, audit_view(entry), actor, action, before, now)


def journal_row(
    session: AsyncSession,
    entity: str,
    row: WaitlistEntry | WaitlistOffer,
    after: dict[str, Any],
    actor: Actor,
    action: str,
    before: dict[str, Any] | None,
    now: datetime,
) -> None:
    """Audit a waitlist entry's or offer's change, with its outbox event on the night's
    channel (``entry_id``/``offer_id`` in the payload)."""
    record(
        session,
        tenant_id=row.tenant_id,
        actor=str(actor),
        action=action,
        entity=entity,
        entity_id=row.id,
        before=before,
        after=after,
        at=now,
        topic=action,
        channel=night_channel(row.night_id),
        payload={**after, f"{entity.removeprefix('waitlist_')}_id": str(row.id)},
    )


async def open_offers(session: AsyncSession, night: Night) -> dict[uuid.UUID, WaitlistOffer]:
    rows = await session.scalars(
        select(WaitlistOffer).where(
            WaitlistOffer.tenant_id == night.tenant_id,
            WaitlistOffer.night_id == night.id,
            WaitlistOffer.status == "open",
        )
    )
    return {o.entry_id: o for o in rows}


async def areas_of(session: AsyncSession, venue: Venue) -> list[Area]:
    _, areas = await venues.plan_and_areas(session, venue)
    return areas


async def sittings_for(session: AsyncSession, night: Night, entry: WaitlistEntry) -> list[Sitting]:
    """The sittings of the night this entry would take, earliest first."""
    out = []
    for sitting in await venues.sittings_of(session, night):
        if entry.sitting_id is not None and sitting.id != entry.sitting_id:
            continue
        if entry.latest_start is not None and sitting.starts_at > entry.latest_start:
            continue
        out.append(sitting)
    return out
