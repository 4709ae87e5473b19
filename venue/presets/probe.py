"""What ``maitre selftest`` needs from the database: a short-lived manager account to look
at the staff view with, and the erasing of every row its test booking left behind
(the booking, its guest, mails, payments, links, audit entries and outbox events, the
account and its sessions, and a day the booking alone created)."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.actor import SYSTEM
from venue.models import (
    AuditEntry,
    CheckoutAttempt,
    CommissionEntry,
    Guest,
    HostAttribution,
    LocalMail,
    Night,
    Notification,
    OutboxConsumption,
    OutboxEvent,
    Payment,
    Refund,
    Reservation,
    ReservationLink,
    ReservationSpend,
    StaffSession,
    StaffUser,
    StripeEvent,
    Turnaway,
    Venue,
)
from venue.setup import venues
from venue.staff import users


async def open_account(
    session: AsyncSession, slug: str, now: datetime
) -> tuple[str, str, uuid.UUID]:
    """A manager account for the probe: (email, password, id)."""
    venue = await venues.venue_by_slug(session, slug)
    tag = secrets.token_hex(4)
    password = secrets.token_urlsafe(18)
    user = await users.create_user(
        session,
        venue.tenant_id,
        email=f"selftest-{tag}@maitre-selftest.example.com",
        name=f"Maitre selftest {tag}",
        role="manager",
        password=password,
        actor=SYSTEM,
        now=now,
    )
    return user.email, password, user.id


async def erase(
    session: AsyncSession,
    slug: str,
    *,
    reservation_ids: list[uuid.UUID],
    guest_email: str,
    user_id: uuid.UUID | None,
    since: datetime,
    empty_days: Sequence[tuple[date, uuid.UUID | None]] = (),
) -> dict[str, int]:
    """Delete everything the probe made; returns what was removed, by kind."""
    venue = await venues.venue_by_slug(session, slug)
    tenant = venue.tenant_id
    counts: dict[str, int] = {}
    ids = {str(i) for i in reservation_ids}
    guests = list(
        await session.scalars(
            select(Guest.id).where(Guest.tenant_id == tenant, Guest.email == guest_email.lower())
        )
    )
    nights = set(
        await session.scalars(
            select(Reservation.night_id).where(Reservation.id.in_(reservation_ids))
        )
    )
    events = [
        e.id
        for e in await session.scalars(
            select(OutboxEvent).where(OutboxEvent.tenant_id == tenant, OutboxEvent.at >= since)
        )
        if str((e.payload or {}).get("id")) in ids
        or str((e.payload or {}).get("reservation_id")) in ids
    ]

    money = [
        *await session.scalars(
            select(Payment.id).where(Payment.reservation_id.in_(reservation_ids))
        ),
        *await session.scalars(select(Refund.id).where(Refund.reservation_id.in_(reservation_ids))),
    ]
    checkouts = set(
        await session.scalars(
            select(CheckoutAttempt.session_id).where(
                CheckoutAttempt.reservation_id.in_(reservation_ids)
            )
        )
    )
    webhooks = [
        e.id
        for e in await session.scalars(select(StripeEvent).where(StripeEvent.received_at >= since))
        if ((e.payload or {}).get("data", {}).get("object", {}) or {}).get("id") in checkouts
    ]

    async def gone(kind: str, stmt: Any) -> None:
        result = await session.execute(stmt.execution_options(synchronize_session=False))
        counts[kind] = counts.get(kind, 0) + int(result.rowcount or 0)  # type: ignore[attr-defined]

    await gone(
        "outbox consumptions",
        delete(OutboxConsumption).where(OutboxConsumption.event_id.in_(events)),
    )
    await gone(
        "commission lines",
        delete(CommissionEntry).where(CommissionEntry.reservation_id.in_(reservation_ids)),
    )
    await gone("outbox events", delete(OutboxEvent).where(OutboxEvent.id.in_(events)))
    mine = select(Notification.id).where(Notification.reservation_id.in_(reservation_ids))
    await gone("mails", delete(LocalMail).where(LocalMail.notification_id.in_(mine)))
    for kind, model in (
        ("notifications", Notification),
        ("links", ReservationLink),
        ("refunds", Refund),
        ("payments", Payment),
        ("checkout attempts", CheckoutAttempt),
        ("attributions", HostAttribution),
        ("spends", ReservationSpend),
    ):
        await gone(kind, delete(model).where(model.reservation_id.in_(reservation_ids)))
    await gone("webhook events", delete(StripeEvent).where(StripeEvent.id.in_(webhooks)))
    who = [str(i) for i in [*reservation_ids, *guests, *money, *([user_id] if user_id else [])]]
    audit: list[ColumnElement[bool]] = [AuditEntry.entity_id.in_(who)]
    if user_id:
        audit.append(AuditEntry.actor.contains(str(user_id)))
    await gone(
        "audit entries", delete(AuditEntry).where(AuditEntry.tenant_id == tenant, or_(*audit))
    )
    await gone("reservations", delete(Reservation).where(Reservation.id.in_(reservation_ids)))
    await gone("guests", delete(Guest).where(Guest.id.in_(guests)))
    if user_id:
        await gone("staff sessions", delete(StaffSession).where(StaffSession.user_id == user_id))
        await gone("accounts", delete(StaffUser).where(StaffUser.id == user_id))
    await _erase_empty_days(session, venue, nights, gone)
    for day, service_id in empty_days:  # each empty search was recorded as a turnaway
        one = await session.scalar(
            select(Turnaway.id)
            .where(
                Turnaway.venue_id == venue.id,
                Turnaway.business_date == day,
                Turnaway.service_id == service_id,
                Turnaway.at >= since,
            )
            .order_by(Turnaway.at)
            .limit(1)
        )
        if one is not None:
            await gone("turnaways", delete(Turnaway).where(Turnaway.id == one))
    return {k: v for k, v in counts.items() if v}


async def _erase_empty_days(
    session: AsyncSession, venue: Venue, nights: set[uuid.UUID], gone: Any
) -> None:
    """An appointments venue makes a day on its first booking: if the probe's was that
    booking, the day goes too."""
    if venue.mode != "appointments" or not nights:
        return
    used = set(
        await session.scalars(select(Reservation.night_id).where(Reservation.night_id.in_(nights)))
    )
    empty = list(
        await session.scalars(
            select(Night.id).where(
                Night.id.in_(nights - used),
                Night.event_type == "appointments",
                Night.is_closed.is_(False),
            )
        )
    )
    if empty:  # a day made on demand and now empty (a closed day is the venue's, kept)
        await gone("days", delete(Night).where(Night.id.in_(empty)))
