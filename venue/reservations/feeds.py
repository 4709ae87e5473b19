"""Calendar feeds: a venue's bookings as a read-only iCalendar feed behind a secret URL.

Staff subscribe their calendar application (Google Calendar, Outlook, Apple Calendar) to
the whole venue or one area; a host to their own clients. The feed lists the bookings that
hold tables (awaiting payment, confirmed, seated) and those completed, from a week back to
half a year ahead, in the venue's time zone (TZID + VTIMEZONE) with one stable UID per
reservation, so a calendar that refetches updates events in place; a cancelled booking
drops out of the feed. The token is shown once; rotating gives the same feed a new URL and
ends the old one at once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import icalendar
from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core import ical
from venue.core.actor import Actor
from venue.core.clock import to_local
from venue.core.errors import InvalidRequest, NotFound
from venue.core.tokens import hash_token, new_token
from venue.journal.audit import record
from venue.models import (
    Area,
    CalendarFeed,
    FloorPlan,
    Guest,
    Host,
    Reservation,
    ReservationTable,
    Status,
    Venue,
    VenueTable,
)

LISTED = (Status.PENDING_PAYMENT, Status.CONFIRMED, Status.SEATED, Status.COMPLETED)
PAST = timedelta(days=7)
AHEAD = timedelta(days=183)
REFRESH = timedelta(minutes=15)  # how often a calendar should fetch again


@dataclass(frozen=True)
class IssuedFeed:
    """A feed with the one moment its token is known: creation or rotation."""

    feed: CalendarFeed
    token: str


def feed_dict(feed: CalendarFeed) -> dict[str, Any]:
    return {
        "id": str(feed.id),
        "label": feed.label,
        "scope": "host" if feed.host_id else "area" if feed.area_id else "venue",
        "area_id": str(feed.area_id) if feed.area_id else None,
        "host_id": str(feed.host_id) if feed.host_id else None,
        "created_by": feed.created_by,
        "created_at": feed.created_at.isoformat(),
        "rotated_at": feed.rotated_at.isoformat() if feed.rotated_at else None,
    }


async def create_feed(
    session: AsyncSession,
    venue: Venue,
    actor: Actor,
    now: datetime,
    *,
    label: str,
    area_id: uuid.UUID | None = None,
    host_id: uuid.UUID | None = None,
) -> IssuedFeed:
    """A new feed of ``venue``, narrowed to an area of its active plan or to a host."""
    if area_id is not None and host_id is not None:
        raise InvalidRequest("area_id", "a feed is for one area or one host, not both")
    if area_id is not None:
        await _area_of(session, venue, area_id)
    token = new_token()
    feed = CalendarFeed(
        tenant_id=venue.tenant_id,
        venue_id=venue.id,
        area_id=area_id,
        host_id=host_id,
        label=label,
        token_hash=hash_token(token),
        created_by=str(actor),
        created_at=now,
    )
    session.add(feed)
    await session.flush()
    _audit(session, feed, actor, now, "created", None)
    return IssuedFeed(feed, token)


async def feeds_of(
    session: AsyncSession, venue: Venue, host_id: uuid.UUID | None = None
) -> list[CalendarFeed]:
    """The venue's live feeds; with ``host_id``, only that host's."""
    query = select(CalendarFeed).where(
        CalendarFeed.tenant_id == venue.tenant_id,
        CalendarFeed.venue_id == venue.id,
        CalendarFeed.revoked_at.is_(None),
    )
    if host_id is not None:
        query = query.where(CalendarFeed.host_id == host_id)
    return list(await session.scalars(query.order_by(CalendarFeed.created_at, CalendarFeed.id)))


async def feed_of(
    session: AsyncSession, venue: Venue, feed_id: uuid.UUID, host_id: uuid.UUID | None = None
) -> CalendarFeed:
    """One live feed of the venue (a host's own only, when ``host_id`` is given)."""
    for feed in await feeds_of(session, venue, host_id):
        if feed.id == feed_id:
            return feed
    raise NotFound("no such calendar feed")


async def rotate(
    session: AsyncSession, feed: CalendarFeed, actor: Actor, now: datetime
) -> IssuedFeed:
    """A new secret URL for the same feed; the old one stops working with this commit."""
    token = new_token()
    feed.token_hash = hash_token(token)
    feed.rotated_at = now
    await session.flush()
    _audit(session, feed, actor, now, "rotated", feed_dict(feed))
    return IssuedFeed(feed, token)


async def revoke(session: AsyncSession, feed: CalendarFeed, actor: Actor, now: datetime) -> None:
    before = feed_dict(feed)
    feed.revoked_at = now
    await session.flush()
    _audit(session, feed, actor, now, "revoked", before)


async def by_token(session: AsyncSession, token: str) -> tuple[CalendarFeed, Venue] | None:
    """The live feed a URL's token opens, with its venue (unscoped: the token is the key)."""
    row = (
        await session.execute(
            select(CalendarFeed, Venue)
            .join(Venue, Venue.id == CalendarFeed.venue_id)
            .where(CalendarFeed.token_hash == hash_token(token), CalendarFeed.revoked_at.is_(None))
        )
    ).first()
    return (row[0], row[1]) if row else None


async def ics(session: AsyncSession, feed: CalendarFeed, venue: Venue, now: datetime) -> bytes:
    """The feed's calendar: one VEVENT per listed booking in the window around ``now``."""
    rows = await _bookings(session, feed, now)
    tables = await _tables_of(session, [r.id for r, *_ in rows])
    cal = icalendar.Calendar()
    cal.add("prodid", ical.PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{venue.name}: {feed.label}")
    cal.add("x-wr-timezone", venue.timezone)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT15M")
    first, last = to_local(now - PAST, venue.timezone), to_local(now + AHEAD, venue.timezone)
    cal.add_component(ical.vtimezone(venue.timezone, first.year, last.year))
    for res, guest_name, host_name in rows:
        cal.add_component(_event(res, venue, guest_name, host_name, tables.get(res.id, [])))
    return bytes(cal.to_ical())


def _event(
    res: Reservation, venue: Venue, guest: str | None, host: str | None, tables: list[str]
) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"{res.id}@maitre")
    event.add("sequence", res.version)
    event.add("dtstamp", res.updated_at)
    event.add("last-modified", res.updated_at)
    event.add("dtstart", to_local(res.starts_at, venue.timezone))
    event.add("dtend", to_local(res.ends_at, venue.timezone))
    where = ", ".join(tables) or "no table"
    event.add("summary", f"{guest or 'Guest'} ({res.party_size}): {where}")
    event.add("location", f"{venue.name}, {where}")
    event.add("status", "TENTATIVE" if res.status == Status.PENDING_PAYMENT else "CONFIRMED")
    lines = [f"Party of {res.party_size}", f"Status: {res.status.replace('_', ' ')}"]
    if host:
        lines.append(f"Host: {host}")
    if res.notes:
        lines.append(f"Notes: {res.notes}")
    event.add("description", "\n".join(lines))
    return event


async def _bookings(
    session: AsyncSession, feed: CalendarFeed, now: datetime
) -> list[tuple[Reservation, str | None, str | None]]:
    query = (
        select(Reservation, Guest.name, Host.name)
        .outerjoin(Guest, Guest.id == Reservation.guest_id)
        .outerjoin(Host, Host.id == Reservation.host_id)
        .where(
            Reservation.tenant_id == feed.tenant_id,
            Reservation.venue_id == feed.venue_id,
            Reservation.status.in_([s.value for s in LISTED]),
            Reservation.ends_at > now - PAST,
            Reservation.starts_at < now + AHEAD,
        )
        .order_by(Reservation.starts_at, Reservation.id)
    )
    if feed.host_id is not None:
        query = query.where(Reservation.host_id == feed.host_id)
    if feed.area_id is not None:
        in_area = (
            select(ReservationTable.id)
            .join(VenueTable, VenueTable.id == ReservationTable.table_id)
            .where(
                ReservationTable.reservation_id == Reservation.id,
                VenueTable.area_id == feed.area_id,
            )
        )
        query = query.where(exists(in_area))
    return [(r, g, h) for r, g, h in (await session.execute(query)).all()]


async def _tables_of(
    session: AsyncSession, reservation_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[str]]:
    if not reservation_ids:
        return {}
    rows = await session.execute(
        select(ReservationTable.reservation_id, VenueTable.label)
        .join(VenueTable, VenueTable.id == ReservationTable.table_id)
        .where(ReservationTable.reservation_id.in_(reservation_ids))
        .order_by(VenueTable.label)
    )
    found: dict[uuid.UUID, list[str]] = {}
    for reservation_id, label in rows.all():
        found.setdefault(reservation_id, []).append(label)
    return found


async def _area_of(session: AsyncSession, venue: Venue, area_id: uuid.UUID) -> Area:
    area = await session.scalar(
        select(Area)
        .join(FloorPlan, FloorPlan.id == Area.floor_plan_id)
        .where(
            Area.tenant_id == venue.tenant_id, Area.id == area_id, FloorPlan.venue_id == venue.id
        )
    )
    if area is None:
        raise InvalidRequest("area_id", "no such area in this venue")
    return area


def _audit(
    session: AsyncSession,
    feed: CalendarFeed,
    actor: Actor,
    now: datetime,
    what: str,
    before: dict[str, Any] | None,
) -> None:
    after = None if what == "revoked" else feed_dict(feed)
    record(
        session,
        tenant_id=feed.tenant_id,
        actor=str(actor),
        action=f"calendar_feed.{what}",
        entity="calendar_feed",
        entity_id=feed.id,
        before=before,
        after=after,
        at=now,
        topic=f"calendar_feed.{what}",
        payload={"feed_id": str(feed.id), "venue_id": str(feed.venue_id)},
    )
