"""Imported calendars: an external calendar's busy events block tables on the nights
they overlap, shown with their source; an event removed there removes its blocks here.

A sync reads the whole calendar (an uploaded ``.ics`` or the import's URL), expands
recurring events over the coming half year, and makes the blocks this import owns match
it, through ``closures.block`` and ``closures.unblock`` (so the claim, the audit and the
live floor work as for a manager's block). A table that already has a live booking, or a
manager's own block, is never taken over: the first is reported as a conflict for staff
to resolve, the second is left as it is. Fetching has a timeout and a size limit; a
calendar that cannot be fetched or read changes nothing and keeps its error for staff.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import icalendar
import recurring_ical_events
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from venue.core.actor import SYSTEM, Actor
from venue.core.errors import InvalidRequest, NotFound
from venue.floor import availability, closures
from venue.journal.audit import record
from venue.models import CalendarImport, Night, TableBlock, Venue, VenueTable
from venue.setup import venues

log = logging.getLogger("maitre.calendar_import")

AHEAD = timedelta(days=183)
MAX_BYTES = 2_000_000
FETCH_TIMEOUT = 10.0
ERROR_LENGTH = 1000


class CalendarUnreadable(InvalidRequest):
    code = "calendar_unreadable"


@dataclass(frozen=True)
class Busy:
    uid: str
    summary: str
    starts_at: datetime
    ends_at: datetime


@dataclass
class SyncResult:
    events: int = 0
    added: int = 0
    removed: int = 0
    conflicts: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "events": self.events,
            "added": self.added,
            "removed": self.removed,
            "conflicts": self.conflicts,
        }


def import_dict(imp: CalendarImport) -> dict[str, Any]:
    return {
        "id": str(imp.id),
        "label": imp.label,
        "url": imp.url,
        "table_ids": list(imp.table_ids),
        "events": imp.events,
        "last_attempt_at": imp.last_attempt_at.isoformat() if imp.last_attempt_at else None,
        "last_synced_at": imp.last_synced_at.isoformat() if imp.last_synced_at else None,
        "last_error": imp.last_error,
    }


# --- reading a calendar ----------------------------------------------------------------


def busy_events(body: bytes, tz: str, start: datetime, end: datetime) -> list[Busy]:
    """The calendar's busy events overlapping ``[start, end)``, recurrences expanded; a
    floating or all-day time is read in the venue's zone ``tz``."""
    try:
        cal = icalendar.Calendar.from_ical(body)
        occurrences = recurring_ical_events.of(cal).between(start, end)
    except Exception as exc:  # the parsers raise many types for one meaning: unreadable
        raise CalendarUnreadable("file", f"not a readable iCalendar file ({exc})") from exc
    zone = ZoneInfo(tz)
    found = []
    for event in occurrences:
        if str(event.get("status", "")).upper() == "CANCELLED":
            continue
        if str(event.get("transp", "")).upper() == "TRANSPARENT":
            continue  # marked free, not busy
        if "dtstart" not in event:
            continue
        starts = _instant(event.decoded("dtstart"), zone)
        ends = _instant(event.decoded("dtend"), zone) if "dtend" in event else None
        if ends is None or ends <= starts:
            ends = starts + timedelta(days=1) if _all_day(event) else starts + timedelta(hours=1)
        uid = str(event.get("uid", "")) or f"{starts.isoformat()}-{event.get('summary', '')}"
        instance = (
            f"{uid}/{starts.isoformat()}" if "rrule" in event or "recurrence-id" in event else uid
        )
        found.append(Busy(instance[:255], str(event.get("summary", "Busy"))[:200], starts, ends))
    return found


def _all_day(event: Any) -> bool:
    value = event.decoded("dtstart")
    return isinstance(value, date) and not isinstance(value, datetime)


def _instant(value: date | datetime, zone: ZoneInfo) -> datetime:
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(0))
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


async def fetch(url: str) -> bytes:
    """The calendar at ``url``: http(s) only, within ``FETCH_TIMEOUT`` and ``MAX_BYTES``."""
    if not url.startswith(("https://", "http://")):
        raise CalendarUnreadable("url", "the calendar's address must start with https://")
    try:
        async with (
            httpx.AsyncClient(timeout=FETCH_TIMEOUT, follow_redirects=True) as client,
            client.stream("GET", url, headers={"Accept": "text/calendar"}) as answer,
        ):
            if answer.status_code != 200:
                raise CalendarUnreadable("url", f"the calendar answered HTTP {answer.status_code}")
            body = b""
            async for chunk in answer.aiter_bytes():
                body += chunk
                if len(body) > MAX_BYTES:
                    raise CalendarUnreadable("url", f"the calendar is over {MAX_BYTES} bytes")
            return body
    except httpx.HTTPError as exc:
        raise CalendarUnreadable("url", f"the calendar could not be fetched ({exc!r})") from exc


# --- the imports ---------------------------------------------------------------------


async def create_import(
    session: AsyncSession,
    venue: Venue,
    actor: Actor,
    now: datetime,
    *,
    label: str,
    url: str | None,
    table_ids: list[uuid.UUID],
) -> CalendarImport:
    if url is not None and not url.startswith(("https://", "http://")):
        raise InvalidRequest("url", "the calendar's address must start with https://")
    await _tables(session, venue, table_ids)  # refuses a table not in the venue
    imp = CalendarImport(
        tenant_id=venue.tenant_id,
        venue_id=venue.id,
        label=label,
        url=url,
        table_ids=[str(t) for t in table_ids],
        created_by=str(actor),
        created_at=now,
        events=0,
    )
    session.add(imp)
    await session.flush()
    _audit(session, imp, actor, now, "created", None, import_dict(imp))
    return imp


async def imports_of(session: AsyncSession, venue: Venue) -> list[CalendarImport]:
    return list(
        await session.scalars(
            select(CalendarImport)
            .where(CalendarImport.tenant_id == venue.tenant_id, CalendarImport.venue_id == venue.id)
            .order_by(CalendarImport.created_at, CalendarImport.id)
        )
    )


async def import_of(session: AsyncSession, venue: Venue, import_id: uuid.UUID) -> CalendarImport:
    for imp in await imports_of(session, venue):
        if imp.id == import_id:
            return imp
    raise NotFound("no such calendar import")


async def remove_import(
    session: AsyncSession, venue: Venue, imp: CalendarImport, actor: Actor, now: datetime
) -> int:
    """Forget the calendar and put every table it blocked back on sale."""
    removed = await _apply(session, venue, imp, {}, actor, now, SyncResult(), everything=True)
    before = import_dict(imp)
    await session.delete(imp)
    await session.flush()
    _audit(session, imp, actor, now, "removed", before, None)
    return removed.removed


async def sync(
    session: AsyncSession,
    venue: Venue,
    imp: CalendarImport,
    body: bytes,
    actor: Actor,
    now: datetime,
) -> SyncResult:
    """Make this import's blocks match the calendar ``body``. An unreadable calendar
    raises ``CalendarUnreadable`` before anything changes."""
    events = busy_events(body, venue.timezone, now, now + AHEAD)
    nights = await _nights(session, venue, now)
    tables = await _tables(session, venue, [uuid.UUID(t) for t in imp.table_ids])
    wanted: dict[tuple[uuid.UUID, uuid.UUID], Busy] = {}
    for busy in events:
        for night in nights:
            if night.opens_at < busy.ends_at and night.closes_at > busy.starts_at:
                for table in tables:
                    wanted.setdefault((night.id, table.id), busy)
    result = await _apply(
        session, venue, imp, wanted, actor, now, SyncResult(events=len(events)), nights=nights
    )
    imp.events, imp.last_synced_at, imp.last_attempt_at, imp.last_error = (
        len(events),
        now,
        now,
        None,
    )
    await session.flush()
    _audit(session, imp, actor, now, "synced", None, {**import_dict(imp), **result.as_dict()})
    return result


async def refresh_soon(session: AsyncSession, imp: CalendarImport) -> None:
    """Put a URL import first in line for the fetch loop."""
    if imp.url is None:
        raise InvalidRequest("url", "this calendar has no address to fetch: upload it instead")
    imp.last_attempt_at = None
    await session.flush()


async def failed(session: AsyncSession, imp: CalendarImport, error: str, now: datetime) -> None:
    """Keep why the calendar could not be read; its blocks stay as they were."""
    imp.last_attempt_at, imp.last_error = now, error[:ERROR_LENGTH]
    await session.flush()


async def refresh_due(
    sessions: async_sessionmaker[AsyncSession], now: datetime, every: timedelta, limit: int = 20
) -> int:
    """One pass of the scheduled fetch (a system job over every tenant): claim the imports
    with a URL not tried for ``every`` (``SKIP LOCKED``, so processes share the work),
    fetch each with no transaction open, then sync it in its own transaction. Returns how
    many were tried."""
    async with sessions() as session, session.begin():
        due = list(
            await session.scalars(
                select(CalendarImport)
                .where(
                    CalendarImport.url.is_not(None),
                    (CalendarImport.last_attempt_at.is_(None))
                    | (CalendarImport.last_attempt_at <= now - every),
                )
                .order_by(CalendarImport.last_attempt_at.nulls_first(), CalendarImport.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        for imp in due:
            imp.last_attempt_at = now
        targets = [(imp.id, str(imp.url)) for imp in due]
    for import_id, url in targets:
        try:
            body: bytes | None = await fetch(url)
            error = None
        except CalendarUnreadable as exc:
            body, error = None, exc.message
        async with sessions() as session, session.begin():
            found = await session.get(CalendarImport, import_id, with_for_update=True)
            venue = await session.get(Venue, found.venue_id) if found is not None else None
            if found is None or venue is None:
                continue  # removed meanwhile
            if body is not None:
                try:
                    async with session.begin_nested():
                        await sync(session, venue, found, body, SYSTEM, now)
                except CalendarUnreadable as exc:
                    error = exc.message
            if error is not None:
                log.info("calendar import %s not refreshed: %s", import_id, error)
                await failed(session, found, error, now)
    return len(targets)


# --- applying the difference -----------------------------------------------------------


async def _apply(
    session: AsyncSession,
    venue: Venue,
    imp: CalendarImport,
    wanted: dict[tuple[uuid.UUID, uuid.UUID], Busy],
    actor: Actor,
    now: datetime,
    result: SyncResult,
    *,
    nights: list[Night] | None = None,
    everything: bool = False,
) -> SyncResult:
    """Block what ``wanted`` has and this import does not, unblock the reverse. ``nights``:
    the coming nights, when the caller has read them already."""
    owned = list(
        await session.scalars(
            select(TableBlock).where(
                TableBlock.tenant_id == venue.tenant_id, TableBlock.source_import_id == imp.id
            )
        )
    )
    have = {(b.night_id, b.table_id): b for b in owned}
    if nights is None:
        nights = await _nights(session, venue, now)
    by_id = {n.id: n for n in nights}
    tables = {t.id: t for t in await _tables(session, venue, [])}
    gone: dict[uuid.UUID, list[VenueTable]] = defaultdict(list)
    for night_id, table_id in have:
        if (night_id, table_id) in wanted or table_id not in tables:
            continue
        if everything or night_id in by_id:  # a past night's blocks are history
            gone[night_id].append(tables[table_id])
    for night_id, lost in gone.items():
        night = by_id.get(night_id) or await session.get(Night, night_id)
        if night is not None:
            result.removed += await closures.unblock(session, venue, night, lost, actor, now)
    new: dict[uuid.UUID, list[tuple[VenueTable, Busy]]] = defaultdict(list)
    for (night_id, table_id), busy in wanted.items():
        if (night_id, table_id) not in have and table_id in tables:
            new[night_id].append((tables[table_id], busy))
    for night_id, pairs in new.items():
        await _block_night(session, venue, imp, by_id[night_id], pairs, actor, now, result)
    return result


async def _block_night(
    session: AsyncSession,
    venue: Venue,
    imp: CalendarImport,
    night: Night,
    pairs: list[tuple[VenueTable, Busy]],
    actor: Actor,
    now: datetime,
    result: SyncResult,
) -> None:
    taken = {b.table_id for b in await closures.blocks_of(session, night)}  # a manager's own
    busy = await availability.occupying(
        session, venue.tenant_id, [t.id for t, _ in pairs], night.opens_at, night.closes_at, now
    )
    free = []
    for table, event in pairs:
        if table.id in busy:
            result.conflicts.append(
                {
                    "date": night.business_date.isoformat(),
                    "table_id": str(table.id),
                    "table": table.label,
                    "event": event.summary,
                    "reservation_id": str(busy[table.id][0]),
                }
            )
        elif table.id not in taken:
            free.append((table, event))
    for table, event in free:  # one block a table: its reason names its own event
        try:
            async with session.begin_nested():
                (made,) = await closures.block(
                    session, venue, night, [table], f"{imp.label}: {event.summary}", actor, now
                )
                made.source_import_id, made.source_uid = imp.id, event.uid
                await session.flush()
        except closures.TableHasBooking as refused:  # a booking landed since we looked
            result.conflicts.append(
                {
                    "date": night.business_date.isoformat(),
                    "table_id": str(table.id),
                    "table": table.label,
                    "event": event.summary,
                    "reservation_id": (refused.extra.get("reservation_ids") or [None])[0],
                }
            )
            continue
        result.added += 1


async def _nights(session: AsyncSession, venue: Venue, now: datetime) -> list[Night]:
    today = now.astimezone(ZoneInfo(venue.timezone)).date()
    nights = await venues.nights_between(
        session, venue, today - timedelta(days=1), (now + AHEAD).date()
    )
    return [n for n in nights if n.closes_at > now]


async def _tables(
    session: AsyncSession, venue: Venue, table_ids: list[uuid.UUID]
) -> list[VenueTable]:
    plan = await venues.active_plan(session, venue)
    every = await availability.tables_of(session, venue, plan.id)
    if not table_ids:
        return every
    known = {t.id: t for t in every}
    missing = [str(t) for t in table_ids if t not in known]
    if missing:
        raise InvalidRequest("table_ids", f"no such table in this venue: {', '.join(missing)}")
    return [known[t] for t in table_ids]


def _audit(
    session: AsyncSession,
    imp: CalendarImport,
    actor: Actor,
    now: datetime,
    what: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    record(
        session,
        tenant_id=imp.tenant_id,
        actor=str(actor),
        action=f"calendar_import.{what}",
        entity="calendar_import",
        entity_id=imp.id,
        before=before,
        after=after,
        at=now,
        topic=f"calendar_import.{what}",
        payload={"import_id": str(imp.id), "venue_id": str(imp.venue_id)},
    )
