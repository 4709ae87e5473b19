"""Calendars both ways: feeds of the venue's bookings out, busy calendars in.

* ``/api/v1/staff/venues/{slug}/calendar-feeds``: owner, manager and floor staff create,
  list, rotate and revoke feeds of the whole venue or one area.
* ``/api/v1/host/venues/{slug}/calendar-feeds``: a host does the same for a feed of their
  own clients' bookings (the host comes from the session, never the body).
* ``/calendar/{token}.ics``: the feed itself, for calendar applications (no cookie: the
  token is the key). The URL is in the answer to create and rotate only.
* ``/api/v1/staff/venues/{slug}/calendar-imports``: floor staff and up add an external
  calendar (a URL fetched every ``CALENDAR_REFRESH_SECONDS``, or ``.ics`` text uploaded)
  whose busy events block tables; removing it, or the event, puts the tables back.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from pydantic import Field

from venue.core.errors import NotFound
from venue.floor import calendar_import
from venue.reservations import feeds

from ..deps import CurrentHost, Floor, FloorVenue, HostUser, HostVenue, NowDep, SessionDep
from ..schemas import Strict

V = "/api/v1/staff/venues/{slug}/calendar-feeds"
H = "/api/v1/host/venues/{slug}/calendar-feeds"
IMPORTS = "/api/v1/staff/venues/{slug}/calendar-imports"
router = APIRouter(tags=["calendars"])


class FeedIn(Strict):
    label: str = Field(min_length=1, max_length=120, examples=["Tonight's book"])
    area_id: uuid.UUID | None = Field(default=None, description="only this area's bookings")


class HostFeedIn(Strict):
    label: str = Field(min_length=1, max_length=120, examples=["My clients"])


class ImportIn(Strict):
    label: str = Field(min_length=1, max_length=120, examples=["Private hire"])
    url: str | None = Field(
        default=None,
        max_length=2000,
        description="an https:// iCalendar address, fetched on a schedule; or none, to upload",
    )
    table_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=500, description="tables a busy event takes; none: all"
    )


class UploadIn(Strict):
    ics: str = Field(min_length=1, description="the calendar, as the text of an .ics file")


class CalendarResponse(Response):
    media_type = "text/calendar"


def _issued(request: Request, issued: feeds.IssuedFeed) -> dict[str, Any]:
    base = request.app.state.settings.public_url.rstrip("/")
    return {**feeds.feed_dict(issued.feed), "url": f"{base}/calendar/{issued.token}.ics"}


@router.get(V)
async def list_feeds(venue: FloorVenue, session: SessionDep) -> list[dict[str, Any]]:
    """The venue's live calendar feeds (their URLs are not shown again: rotate for one)."""
    return [feeds.feed_dict(f) for f in await feeds.feeds_of(session, venue)]


@router.post(V, status_code=201)
async def create_feed(
    body: FeedIn, request: Request, who: Floor, venue: FloorVenue, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """A new feed of the whole venue or one area; the answer holds its secret URL."""
    issued = await feeds.create_feed(
        session, venue, who.actor, now, label=body.label, area_id=body.area_id
    )
    return _issued(request, issued)


@router.post(V + "/{feed_id}/rotate")
async def rotate_feed(
    feed_id: uuid.UUID,
    request: Request,
    who: Floor,
    venue: FloorVenue,
    session: SessionDep,
    now: NowDep,
) -> dict[str, Any]:
    """A new secret URL for the feed; the old URL stops working."""
    feed = await feeds.feed_of(session, venue, feed_id)
    return _issued(request, await feeds.rotate(session, feed, who.actor, now))


@router.delete(V + "/{feed_id}", status_code=204)
async def revoke_feed(
    feed_id: uuid.UUID, who: Floor, venue: FloorVenue, session: SessionDep, now: NowDep
) -> None:
    """End the feed: its URL answers 404 from now on."""
    await feeds.revoke(session, await feeds.feed_of(session, venue, feed_id), who.actor, now)


@router.get(H)
async def list_host_feeds(
    host: CurrentHost, venue: HostVenue, session: SessionDep
) -> list[dict[str, Any]]:
    """The signed-in host's live feeds of their clients' bookings."""
    return [feeds.feed_dict(f) for f in await feeds.feeds_of(session, venue, host.id)]


@router.post(H, status_code=201)
async def create_host_feed(
    body: HostFeedIn,
    request: Request,
    who: HostUser,
    host: CurrentHost,
    venue: HostVenue,
    session: SessionDep,
    now: NowDep,
) -> dict[str, Any]:
    """A new feed of the signed-in host's own clients' bookings, with its secret URL."""
    issued = await feeds.create_feed(
        session, venue, who.actor, now, label=body.label, host_id=host.id
    )
    return _issued(request, issued)


@router.post(H + "/{feed_id}/rotate")
async def rotate_host_feed(
    feed_id: uuid.UUID,
    request: Request,
    who: HostUser,
    host: CurrentHost,
    venue: HostVenue,
    session: SessionDep,
    now: NowDep,
) -> dict[str, Any]:
    """A new secret URL for one of the host's feeds; the old URL stops working."""
    feed = await feeds.feed_of(session, venue, feed_id, host.id)
    return _issued(request, await feeds.rotate(session, feed, who.actor, now))


@router.delete(H + "/{feed_id}", status_code=204)
async def revoke_host_feed(
    feed_id: uuid.UUID,
    who: HostUser,
    host: CurrentHost,
    venue: HostVenue,
    session: SessionDep,
    now: NowDep,
) -> None:
    """End one of the host's feeds."""
    feed = await feeds.feed_of(session, venue, feed_id, host.id)
    await feeds.revoke(session, feed, who.actor, now)


@router.get("/calendar/{token}.ics", response_class=CalendarResponse)
async def calendar(
    token: Annotated[str, Path(min_length=20, max_length=100)],
    session: SessionDep,
    now: NowDep,
) -> Response:
    """The feed for a calendar application: venue-local times, one stable UID a booking."""
    found = await feeds.by_token(session, token)
    if found is None:
        raise NotFound("no such calendar feed (it may have been rotated or revoked)")
    body = await feeds.ics(session, *found, now)
    return CalendarResponse(
        body,
        headers={
            "Cache-Control": "private, max-age=300",
            "Content-Disposition": 'inline; filename="maitre.ics"',
        },
    )


@router.get(IMPORTS)
async def list_imports(venue: FloorVenue, session: SessionDep) -> list[dict[str, Any]]:
    """The venue's imported calendars, with when each was last read and any error."""
    return [
        calendar_import.import_dict(i) for i in await calendar_import.imports_of(session, venue)
    ]


@router.post(IMPORTS, status_code=201)
async def create_import(
    body: ImportIn, who: Floor, venue: FloorVenue, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Add a calendar whose busy events block tables. One with a URL is fetched by the
    background loop within a minute, then every ``CALENDAR_REFRESH_SECONDS``."""
    imp = await calendar_import.create_import(
        session, venue, who.actor, now, label=body.label, url=body.url, table_ids=body.table_ids
    )
    return calendar_import.import_dict(imp)


@router.post(IMPORTS + "/{import_id}/upload")
async def upload_calendar(
    import_id: uuid.UUID,
    body: UploadIn,
    who: Floor,
    venue: FloorVenue,
    session: SessionDep,
    now: NowDep,
) -> dict[str, Any]:
    """Read the uploaded calendar now: block what its busy events cover, unblock what it
    no longer has; tables with a booking are listed as conflicts, never taken."""
    imp = await calendar_import.import_of(session, venue, import_id)
    result = await calendar_import.sync(session, venue, imp, body.ics.encode(), who.actor, now)
    return {**calendar_import.import_dict(imp), **result.as_dict()}


@router.post(IMPORTS + "/{import_id}/refresh", status_code=202)
async def refresh_import(
    import_id: uuid.UUID, venue: FloorVenue, session: SessionDep
) -> dict[str, Any]:
    """Fetch the calendar's URL again on the loop's next pass (within a minute)."""
    imp = await calendar_import.import_of(session, venue, import_id)
    await calendar_import.refresh_soon(session, imp)
    return calendar_import.import_dict(imp)


@router.delete(IMPORTS + "/{import_id}")
async def remove_import(
    import_id: uuid.UUID, who: Floor, venue: FloorVenue, session: SessionDep, now: NowDep
) -> dict[str, int]:
    """Forget the calendar and put back on sale every table it blocked."""
    imp = await calendar_import.import_of(session, venue, import_id)
    return {"unblocked": await calendar_import.remove_import(session, venue, imp, who.actor, now)}
