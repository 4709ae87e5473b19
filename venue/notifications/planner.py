"""From outbox events to queued messages (the mail consumer of the outbox).

See ``OutboxConsumption`` for why consumption is a row per event, not a cursor.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core import i18n
from venue.core.clock import local_to_utc, to_local
from venue.journal import outbox
from venue.models import (
    Guest,
    NotificationSettings,
    OutboxConsumption,
    OutboxEvent,
    Reservation,
    ReservationSeries,
    Sitting,
    Status,
    Venue,
    WaitlistEntry,
    WaitlistOffer,
)
from venue.reservations import booking, reschedule
from venue.setup import venues

from . import links, overrides, queue
from .context import venue_context
from .sql import insert_ignore

CONSUMER = "mail"
DEFAULT_REMINDERS = (1440, 120)
# Events older than this are not worth an email any more; it also bounds the scan.
WINDOW = timedelta(days=3)
TOPICS = (
    "reservation.confirmed",
    "reservation.cancelled",
    "reservation.seated",
    "reservation.no_show",
    "payment.refunded",
    "reservation.rescheduled",
    "waitlist.offered",
    "series.created",
)


async def pending_events(session: AsyncSession, now: datetime, limit: int) -> list[OutboxEvent]:
    consumed = exists().where(
        OutboxConsumption.consumer == CONSUMER, OutboxConsumption.event_id == OutboxEvent.id
    )
    rows = await session.scalars(
        select(OutboxEvent)
        .where(OutboxEvent.at >= now - WINDOW, ~consumed)
        .order_by(OutboxEvent.id)
        .limit(limit)
    )
    return list(rows)


async def plan_once(session: AsyncSession, now: datetime, secret: str, limit: int = 200) -> int:
    """Consume up to ``limit`` events in the caller's transaction; returns how many."""
    if not await outbox.take_turn(session, CONSUMER):
        return 0
    events = await pending_events(session, now, limit)
    for event in events:
        mine = await insert_ignore(
            session, OutboxConsumption, {"consumer": CONSUMER, "event_id": event.id, "at": now}
        )
        if mine and event.topic in TOPICS:
            await plan_event(session, event, now, secret)
    return len(events)


async def plan_event(session: AsyncSession, event: OutboxEvent, now: datetime, secret: str) -> None:
    payload = event.payload
    if event.topic == "series.created":
        await _series_created(session, event, now)
        return
    res_id = payload.get("reservation_id") or payload.get("id")
    if not res_id:
        return
    res = await session.get(Reservation, uuid.UUID(str(res_id)))
    if res is None or res.tenant_id != event.tenant_id:
        return
    venue = await session.get(Venue, res.venue_id)
    assert venue is not None
    if event.topic == "reservation.confirmed":
        await _confirmed(session, venue, res, now, secret)
    elif event.topic == "reservation.cancelled":
        await _cancelled(session, venue, res, now)
    elif event.topic in ("reservation.seated", "reservation.no_show"):
        await queue.cancel_pending(session, res.id, ("reminder",))
    elif event.topic == "reservation.rescheduled":
        await _rescheduled(session, venue, res, now, secret)
    elif event.topic == "waitlist.offered":
        await _offered(session, venue, res, payload, now)
    elif event.topic == "payment.refunded":
        amount = int(payload.get("amount", res.quoted_deposit))
        ctx = await _context(session, venue, res, {"amount": amount})
        await _to_guest(session, venue, res, ctx, "refund", f"refund:{event.id}", now)


async def reminder_offsets(session: AsyncSession, venue: Venue) -> list[int]:
    prefs = await session.scalar(
        select(NotificationSettings).where(NotificationSettings.venue_id == venue.id)
    )
    return list(prefs.reminder_minutes) if prefs else list(DEFAULT_REMINDERS)


def reminder_times(
    starts_at: datetime, offsets: list[int], now: datetime, tz: str
) -> dict[int, datetime]:
    """When each reminder is due, as a UTC instant; past ones are dropped, not sent late.

    Whole days are counted on the venue's calendar: "24 hours before" a Sunday 22:00
    start is Saturday 22:00 local even when the clocks change overnight (23 or 25 real
    hours), which is what a guest means by "this time tomorrow". Shorter offsets are
    real time: "2 hours before" is two hours before, whatever the clock on the wall.
    """
    local = to_local(starts_at, tz)
    due: dict[int, datetime] = {}
    for minutes in sorted(set(offsets), reverse=True):
        if minutes > 0 and minutes % 1440 == 0:
            day = local.date() - timedelta(days=minutes // 1440)
            at = local_to_utc(day, local.time().replace(tzinfo=None), tz)
        else:
            at = starts_at - timedelta(minutes=minutes)
        if at > now:
            due[minutes] = at
    return due


async def _confirmed(
    session: AsyncSession, venue: Venue, res: Reservation, now: datetime, secret: str
) -> None:
    if _moved(res):  # confirmed again after a reschedule's top-up: the new details
        await _moved_confirmed(session, venue, res, now, secret)
        return
    await links.issue_link(session, res, secret, now)
    ctx = await _context(session, venue, res, {})
    key = str(res.id)
    # A date of a standing reservation is confirmed with the others in one message
    # (``series.created``, planned after its dates in the same transaction); it keeps its
    # own reminders.
    if res.series_id is None:
        await _to_guest(session, venue, res, ctx, "confirmation", f"confirmation:{key}", now)
    if res.quoted_deposit > 0:
        receipt = {**ctx, "amount": res.quoted_deposit}
        await _to_guest(session, venue, res, receipt, "receipt", f"receipt:{key}", now)
    if res.series_id is None:
        await _to_venue(session, venue, res, ctx, "venue_booking", f"venue_booking:{key}", now)
    await _plan_reminders(session, venue, res, ctx, key, now)


async def _series_created(session: AsyncSession, event: OutboxEvent, now: datetime) -> None:
    """One confirmation for every date a standing reservation booked, with an invite of
    one event per date and each date's own manage link; the dates it could not book are
    listed with their reason."""
    series_id = event.payload.get("id")
    series = await session.get(ReservationSeries, uuid.UUID(str(series_id))) if series_id else None
    if series is None or series.tenant_id != event.tenant_id:
        return
    dates = list(
        await session.scalars(
            select(Reservation)
            .where(Reservation.series_id == series.id, Reservation.status == Status.CONFIRMED)
            .order_by(Reservation.starts_at)
        )
    )
    if not dates:
        return
    venue = await session.get_one(Venue, dates[0].venue_id)
    occurrences = [
        {
            "id": str(r.id),
            "starts_at": r.starts_at.isoformat(),
            "ends_at": r.ends_at.isoformat(),
            "tables": [t.label for t in await booking.tables_of(session, r)],
            "version": r.version,
        }
        for r in dates
    ]
    unbooked = event.payload.get("unbooked") or []
    extra = {"series": {"id": str(series.id), "occurrences": occurrences, "unbooked": unbooked}}
    ctx = await _context(session, venue, dates[0], extra)
    key = f"series_confirmation:{series.id}"
    await _to_guest(session, venue, dates[0], ctx, "series_confirmation", key, now)


async def _plan_reminders(
    session: AsyncSession,
    venue: Venue,
    res: Reservation,
    ctx: dict[str, Any],
    key: str,
    now: datetime,
) -> None:
    offsets = await reminder_offsets(session, venue)
    for minutes, due in reminder_times(res.starts_at, offsets, now, venue.timezone).items():
        reminder = {**ctx, "minutes_before": minutes}
        await _to_guest(session, venue, res, reminder, "reminder", f"reminder:{minutes}:{key}", due)


def _moved(res: Reservation) -> bool:
    return bool((res.quote or {}).get("rescheduled"))


async def _rescheduled(
    session: AsyncSession, venue: Venue, res: Reservation, now: datetime, secret: str
) -> None:
    """The reminders of the old time are dropped. Confirmed: the new details and invite
    (same UID, higher SEQUENCE) and new reminders; waiting for a top-up: a note of what
    is due, and the invite once it is paid (``reservation.confirmed``)."""
    await queue.cancel_pending(session, res.id, ("reminder",))
    if res.status == Status.CONFIRMED:
        await _moved_confirmed(session, venue, res, now, secret)
    elif res.status == Status.PENDING_PAYMENT:
        ctx = await _context(session, venue, res, {"amount": reschedule.amount_due(res)})
        key = f"reschedule_due:{res.id}:{res.version}"
        await _to_guest(session, venue, res, ctx, "reschedule_due", key, now)


async def _moved_confirmed(
    session: AsyncSession, venue: Venue, res: Reservation, now: datetime, secret: str
) -> None:
    """Keyed by the reservation's version: each reschedule is its own message, and
    planning one twice (its event, then the top-up's confirmation) queues it once."""
    await links.issue_link(session, res, secret, now)
    moved = (res.quote or {}).get("rescheduled") or {}
    ctx = await _context(session, venue, res, {"previous": moved.get("from")})
    key = f"{res.id}:{res.version}"
    await _to_guest(session, venue, res, ctx, "rescheduled", f"rescheduled:{key}", now)
    await _to_venue(session, venue, res, ctx, "venue_rescheduled", f"venue_resched:{key}", now)
    await _plan_reminders(session, venue, res, ctx, key, now)


async def _cancelled(session: AsyncSession, venue: Venue, res: Reservation, now: datetime) -> None:
    await queue.cancel_pending(session, res.id, ("reminder",))
    # Released holds and lapsed payments were never confirmed to anyone: stay quiet.
    if not await queue.has_sent_or_queued(session, res.id, "confirmation") and not (
        await queue.has_sent_or_queued(session, res.id, "venue_booking")
    ):
        return
    ctx = await _context(session, venue, res, {"reason": res.cancel_reason})
    key = str(res.id)
    await _to_guest(session, venue, res, ctx, "cancellation", f"cancellation:{key}", now)
    await _to_venue(session, venue, res, ctx, "venue_cancellation", f"venue_cancel:{key}", now)


async def _offered(
    session: AsyncSession, venue: Venue, res: Reservation, payload: dict[str, Any], now: datetime
) -> None:
    """The waitlist offer: a link that accepts or declines, sent to the entry's address
    (the hold has no guest yet). The link is derived from the offer when rendered."""
    offer = await session.get(WaitlistOffer, uuid.UUID(str(payload.get("offer_id"))))
    if offer is None or offer.tenant_id != res.tenant_id:
        return
    entry = await session.get_one(WaitlistEntry, offer.entry_id)
    ctx = await _context(
        session,
        venue,
        res,
        {"offer": {"id": str(offer.id), "expires_at": offer.expires_at.isoformat()}},
    )
    ctx["guest"] = {"name": entry.name, "email": entry.email, "phone": entry.phone}
    if entry.email:  # in the language the guest joined the waitlist in
        key = f"waitlist_offer:{offer.id}"
        await _enqueue(
            session,
            venue,
            res,
            ctx,
            "waitlist_offer",
            key,
            now,
            "guest",
            entry.email,
            venue.email,
            language=entry.language,
        )


async def _context(
    session: AsyncSession, venue: Venue, res: Reservation, extra: dict[str, Any]
) -> dict[str, Any]:
    guest = await session.get(Guest, res.guest_id) if res.guest_id else None
    tables = await booking.tables_of(session, res)
    sitting = await session.get(Sitting, res.sitting_id)
    rules = await venues.rules_of(session, venue)
    return {
        **await venue_context(session, venue),
        "reservation": {
            "id": str(res.id),
            "status": res.status,
            "party_size": res.party_size,
            "tables": [t.label for t in tables],
            "sitting": sitting.name if sitting else None,
            "starts_at": res.starts_at.isoformat(),
            "ends_at": res.ends_at.isoformat(),
            "currency": res.currency,
            "minimum": res.quoted_minimum,
            "deposit": res.quoted_deposit,
            "notes": res.notes,
            "version": res.version,  # the calendar invite's SEQUENCE
        },
        "guest": {
            "name": guest.name if guest else None,
            "email": guest.email if guest else None,
            "phone": guest.phone if guest else None,
        },
        "policy": {"cancel_cutoff_minutes": rules.cancel_cutoff_minutes},
        # An appointment (venue/appointments): the service and who performs it.
        "appointment": (res.quote or {}).get("appointment"),
        "booking_word": "appointment" if (res.quote or {}).get("appointment") else "table",
        **extra,
    }


async def _to_guest(
    session: AsyncSession,
    venue: Venue,
    res: Reservation,
    ctx: dict[str, Any],
    kind: str,
    key: str,
    due: datetime,
) -> None:
    email = ctx["guest"]["email"]
    if email:
        await _enqueue(session, venue, res, ctx, kind, key, due, "guest", email, venue.email)


async def _to_venue(
    session: AsyncSession,
    venue: Venue,
    res: Reservation,
    ctx: dict[str, Any],
    kind: str,
    key: str,
    due: datetime,
) -> None:
    if venue.email:
        guest_email = ctx["guest"]["email"]
        await _enqueue(session, venue, res, ctx, kind, key, due, "venue", venue.email, guest_email)


async def _enqueue(
    session: AsyncSession,
    venue: Venue,
    res: Reservation,
    ctx: dict[str, Any],
    kind: str,
    key: str,
    due: datetime,
    audience: str,
    to_addr: str,
    reply_to: str | None,
    *,
    language: str | None = None,
) -> None:
    """Queue one message, in the guest's own language for their mail (``language``, else
    the reservation's) and the venue's default for the venue's; with the venue's own
    words for that kind and language, as they are now (``overrides.planned``)."""
    prefs = await session.scalar(
        select(NotificationSettings.language).where(NotificationSettings.venue_id == venue.id)
    )
    guest_language = (language or res.language) if audience == "guest" else None
    lang = i18n.supported(guest_language) or i18n.supported(prefs) or i18n.SOURCE
    if audience == "guest" and (own := await overrides.planned(session, venue.id, kind, lang)):
        ctx = {**ctx, "override": own}
    await queue.enqueue(
        session,
        tenant_id=venue.tenant_id,
        venue_id=venue.id,
        reservation_id=res.id,
        kind=kind,
        audience=audience,
        to_addr=to_addr,
        reply_to=reply_to,
        language=lang,
        context=ctx,
        dedupe_key=key,
        due_at=due,
    )
