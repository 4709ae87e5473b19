"""Guest profiles: the ``guests`` row (one per person, matched by normalised email or
phone, created by the first booking) plus what staff add (tags, notes), its history
and money, search, edit, merging duplicates, export and erasure.

Erasure anonymises the person (name, email, phone, notes, tags, reservation notes)
and keeps every financial row (reservations' minimums, payments, refunds, spends,
commission lines), which then point at an anonymous guest.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.actor import Actor
from venue.core.errors import Conflict, InvalidRequest, NotFound
from venue.guests.identity import identify
from venue.journal.audit import record
from venue.models import (
    AuditEntry,
    Guest,
    GuestProfile,
    Host,
    Night,
    Payment,
    Refund,
    Reservation,
    ReservationSeries,
    ReservationSpend,
    Status,
    Venue,
    VenueRules,
)

ERASED_NAME = "Erased guest"
SHOWN = (Status.SEATED, Status.COMPLETED)
MAX_TAGS = 20


class GuestErased(Conflict):
    code = "guest_erased"


async def guest_of(session: AsyncSession, tenant_id: uuid.UUID, guest_id: uuid.UUID) -> Guest:
    guest = await session.scalar(
        select(Guest).where(Guest.tenant_id == tenant_id, Guest.id == guest_id)
    )
    if guest is None:
        raise NotFound("no such guest")
    return guest


async def profile_row(session: AsyncSession, guest: Guest) -> GuestProfile:
    row = await session.scalar(select(GuestProfile).where(GuestProfile.guest_id == guest.id))
    if row is None:
        row = GuestProfile(
            id=uuid.uuid4(), tenant_id=guest.tenant_id, guest_id=guest.id, tags=[], notes=None
        )
        session.add(row)
        await session.flush()
    return row


async def search(
    session: AsyncSession, tenant_id: uuid.UUID, text: str | None, limit: int = 50
) -> list[dict[str, Any]]:
    """Guests by name, email or phone (merged duplicates left out), with a visit count."""
    merged = select(GuestProfile.guest_id).where(GuestProfile.merged_into_id.is_not(None))
    stmt = select(Guest).where(Guest.tenant_id == tenant_id, Guest.id.not_in(merged))
    if text and text.strip():
        needle = text.strip().lower()
        like = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        digits = "".join(ch for ch in needle if ch.isdigit())
        conds = [
            func.lower(Guest.name).like(like, escape="\\"),
            func.lower(Guest.email).like(like, escape="\\"),
        ]
        if len(digits) >= 4:
            conds.append(Guest.phone.like(f"%{digits}%"))
        stmt = stmt.where(or_(*conds))
    guests = list(await session.scalars(stmt.order_by(Guest.name, Guest.id).limit(limit)))
    counts = await _status_counts(session, [g.id for g in guests])
    tags = await _tags(session, [g.id for g in guests])
    return [
        {
            **_guest_dict(g),
            "tags": tags.get(g.id, []),
            "visits": sum(n for s, n in counts.get(g.id, {}).items() if s in SHOWN),
            "bookings": sum(counts.get(g.id, {}).values()),
        }
        for g in guests
    ]


async def profile(
    session: AsyncSession, venue: Venue, guest: Guest, now: datetime
) -> dict[str, Any]:
    """Visits, minimums and spend, no-shows, late cancellations, tags, notes, first host."""
    row = await session.scalar(select(GuestProfile).where(GuestProfile.guest_id == guest.id))
    rows = (
        await session.execute(
            select(Reservation, Night.business_date, ReservationSpend.amount, Host)
            .join(Night, Night.id == Reservation.night_id)
            .outerjoin(ReservationSpend, ReservationSpend.reservation_id == Reservation.id)
            .outerjoin(Host, Host.id == Reservation.host_id)
            .where(Reservation.tenant_id == guest.tenant_id, Reservation.guest_id == guest.id)
            .order_by(Reservation.created_at)
        )
    ).all()
    cutoff = await _cancel_cutoffs(session, guest.tenant_id)
    stats = {"visits": 0, "no_shows": 0, "cancellations": 0, "late_cancellations": 0}
    minimums = spend = 0
    brought_by = None
    history = []
    for res, day, spent, host in rows:
        if host is not None and brought_by is None:
            brought_by = {"id": str(host.id), "name": host.name, "code": host.code}
        if res.status in SHOWN:
            stats["visits"] += 1
            minimums += res.quoted_minimum
            spend += spent or 0
        elif res.status == Status.CONFIRMED:
            minimums += res.quoted_minimum
        elif res.status == Status.NO_SHOW:
            stats["no_shows"] += 1
        elif res.status == Status.CANCELLED:
            stats["cancellations"] += 1
            window = timedelta(minutes=cutoff.get(res.venue_id, 120))
            if res.updated_at >= res.starts_at - window:
                stats["late_cancellations"] += 1
        history.append(
            {
                "id": str(res.id),
                "date": day.isoformat(),
                "status": res.status,
                "party_size": res.party_size,
                "minimum": res.quoted_minimum,
                "spend": spent,
                "currency": res.currency,
                "host_id": str(res.host_id) if res.host_id else None,
                "venue_id": str(res.venue_id),
            }
        )
    return {
        **_guest_dict(guest),
        "tags": list(row.tags) if row else [],
        "notes": row.notes if row else None,
        "erased_at": row.erased_at.isoformat() if row and row.erased_at else None,
        "merged_into_id": str(row.merged_into_id) if row and row.merged_into_id else None,
        **stats,
        "currency": venue.currency,
        "total_minimums": minimums,
        "total_spend": spend,
        "brought_by": brought_by,
        "reservations": list(reversed(history)),
    }


async def edit(
    session: AsyncSession,
    venue: Venue,
    guest: Guest,
    changes: dict[str, Any],
    actor: Actor,
    now: datetime,
) -> Guest:
    """Change name/email/phone (normalised like a booking), tags, notes; audited."""
    row = await profile_row(session, guest)
    if row.erased_at is not None:
        raise GuestErased("this guest was erased")
    before = {**_guest_dict(guest), "tags": list(row.tags), "notes": row.notes}
    if {"name", "email", "phone"} & changes.keys():
        name = changes.get("name", guest.name)
        email, phone = changes.get("email", guest.email), changes.get("phone", guest.phone)
        if email or phone:
            who = identify(name, email, phone, venue.country)
            guest.name, guest.email, guest.phone = who.name, who.email, who.phone
        elif " ".join(name.split()):  # a walk-in known by name only
            guest.name, guest.email, guest.phone = " ".join(name.split()), None, None
        else:
            raise InvalidRequest("name", "a name is required")
    if "tags" in changes:
        tags = sorted({t.strip() for t in changes["tags"] if t and t.strip()})
        if len(tags) > MAX_TAGS:
            raise InvalidRequest("tags", f"at most {MAX_TAGS} tags")
        row.tags = tags
    if "notes" in changes:
        row.notes = changes["notes"]
    row.updated_at = now
    await session.flush()
    after = {**_guest_dict(guest), "tags": list(row.tags), "notes": row.notes}
    _audit(session, guest, actor, "guest.edited", before, after, now)
    return guest


async def merge(
    session: AsyncSession, keep: Guest, duplicate: Guest, actor: Actor, now: datetime
) -> int:
    """Fold ``duplicate`` into ``keep``: its reservations move over (returned: how many),
    missing contact details and tags carry over, and the duplicate stays as an empty
    record pointing at ``keep`` (so the audit trail of both remains readable)."""
    if keep.id == duplicate.id:
        raise InvalidRequest("duplicate_id", "a guest cannot be merged into itself")
    keep_row, dup_row = await profile_row(session, keep), await profile_row(session, duplicate)
    if dup_row.merged_into_id is not None or keep_row.merged_into_id is not None:
        raise Conflict("one of these guests was already merged")
    moved = await session.execute(
        update(Reservation)
        .where(Reservation.tenant_id == keep.tenant_id, Reservation.guest_id == duplicate.id)
        .values(guest_id=keep.id)
        .execution_options(synchronize_session=False)
    )
    # Standing reservations follow their bookings (their future occurrences name the guest).
    await session.execute(
        update(ReservationSeries)
        .where(
            ReservationSeries.tenant_id == keep.tenant_id,
            ReservationSeries.guest_id == duplicate.id,
        )
        .values(guest_id=keep.id)
        .execution_options(synchronize_session=False)
    )
    before = {"keep": _guest_dict(keep), "duplicate": _guest_dict(duplicate)}
    email, phone = duplicate.email, duplicate.phone
    # The duplicate must stop matching new bookings, or they would land on it again.
    duplicate.email = duplicate.phone = None
    await session.flush()
    keep.email = keep.email or email
    keep.phone = keep.phone or phone
    keep_row.tags = sorted(set(keep_row.tags) | set(dup_row.tags))
    if dup_row.notes:
        keep_row.notes = "\n".join(n for n in (keep_row.notes, dup_row.notes) if n)
    dup_row.merged_into_id = keep.id
    keep_row.updated_at = dup_row.updated_at = now
    await session.flush()
    count = int(moved.rowcount or 0)  # type: ignore[attr-defined]
    after = {"keep": _guest_dict(keep), "moved_reservations": count}
    _audit(session, keep, actor, "guest.merged", before, after, now)
    return count


async def export(
    session: AsyncSession, venue: Venue, guest: Guest, now: datetime
) -> dict[str, Any]:
    """Everything held about the guest, as JSON (a subject access request)."""
    res_ids = list(
        await session.scalars(
            select(Reservation.id).where(
                Reservation.tenant_id == guest.tenant_id, Reservation.guest_id == guest.id
            )
        )
    )
    reservations = await session.scalars(select(Reservation).where(Reservation.id.in_(res_ids)))
    payments = await session.scalars(select(Payment).where(Payment.reservation_id.in_(res_ids)))
    refunds = await session.scalars(select(Refund).where(Refund.reservation_id.in_(res_ids)))
    spends = await session.scalars(
        select(ReservationSpend).where(ReservationSpend.reservation_id.in_(res_ids))
    )
    audit = await session.scalars(
        select(AuditEntry)
        .where(AuditEntry.tenant_id == guest.tenant_id, AuditEntry.entity == "guest")
        .where(AuditEntry.entity_id == str(guest.id))
        .order_by(AuditEntry.id)
    )
    return {
        "exported_at": now.isoformat(),
        "profile": await profile(session, venue, guest, now),
        "reservations": [
            {
                "id": str(r.id),
                "venue_id": str(r.venue_id),
                "status": r.status,
                "starts_at": r.starts_at.isoformat(),
                "ends_at": r.ends_at.isoformat(),
                "party_size": r.party_size,
                "channel": r.channel,
                "notes": r.notes,
                "cancel_reason": r.cancel_reason,
                "currency": r.currency,
                "minimum": r.quoted_minimum,
                "deposit": r.quoted_deposit,
                "created_at": r.created_at.isoformat(),
            }
            for r in reservations
        ],
        "payments": [
            {
                "id": str(p.id),
                "reservation_id": str(p.reservation_id),
                "amount": p.amount,
                "currency": p.currency,
                "outcome": p.outcome,
                "created_at": p.created_at.isoformat(),
            }
            for p in payments
        ],
        "refunds": [
            {
                "id": str(r.id),
                "reservation_id": str(r.reservation_id),
                "amount": r.amount,
                "currency": r.currency,
                "reason": r.reason,
                "status": r.status,
                "created_at": r.created_at.isoformat(),
            }
            for r in refunds
        ],
        "spends": [
            {"reservation_id": str(s.reservation_id), "amount": s.amount, "currency": s.currency}
            for s in spends
        ],
        "changes": [{"at": e.at.isoformat(), "action": e.action, "actor": e.actor} for e in audit],
    }


async def erase(
    session: AsyncSession, guest: Guest, reason: str, actor: Actor, now: datetime
) -> None:
    """Anonymise the person; every money row stays, now about an anonymous guest."""
    row = await profile_row(session, guest)
    if row.erased_at is not None:
        return
    guest.name, guest.email, guest.phone = ERASED_NAME, None, None
    row.tags, row.notes, row.erased_at, row.updated_at = [], None, now, now
    await session.execute(
        update(Reservation)
        .where(Reservation.tenant_id == guest.tenant_id, Reservation.guest_id == guest.id)
        .values(notes=None)
        .execution_options(synchronize_session=False)
    )
    await session.flush()
    # The audit entry names no personal data: that is what was just erased.
    _audit(session, guest, actor, "guest.erased", None, {"reason": reason}, now)


def _guest_dict(g: Guest) -> dict[str, Any]:
    return {
        "id": str(g.id),
        "name": g.name,
        "email": g.email,
        "phone": g.phone,
        "created_at": g.created_at.isoformat(),
    }


async def _status_counts(
    session: AsyncSession, ids: list[uuid.UUID]
) -> dict[uuid.UUID, dict[str, int]]:
    if not ids:
        return {}
    rows = await session.execute(
        select(Reservation.guest_id, Reservation.status, func.count())
        .where(Reservation.guest_id.in_(ids))
        .group_by(Reservation.guest_id, Reservation.status)
    )
    out: dict[uuid.UUID, dict[str, int]] = {}
    for gid, status, n in rows:
        if gid is not None:
            out.setdefault(gid, {})[status] = int(n)
    return out


async def _tags(session: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    if not ids:
        return {}
    rows = await session.execute(
        select(GuestProfile.guest_id, GuestProfile.tags).where(GuestProfile.guest_id.in_(ids))
    )
    return {gid: list(tags or []) for gid, tags in rows}


async def _cancel_cutoffs(session: AsyncSession, tenant_id: uuid.UUID) -> dict[uuid.UUID, int]:
    rows = await session.execute(
        select(VenueRules.venue_id, VenueRules.cancel_cutoff_minutes).where(
            VenueRules.tenant_id == tenant_id
        )
    )
    return {vid: int(m) for vid, m in rows}


def _audit(
    session: AsyncSession,
    guest: Guest,
    actor: Actor,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    now: datetime,
) -> None:
    record(
        session,
        tenant_id=guest.tenant_id,
        actor=str(actor),
        action=action,
        entity="guest",
        entity_id=guest.id,
        before=before,
        after=after,
        at=now,
    )
