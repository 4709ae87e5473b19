"""Calendar feeds: secret iCalendar URLs of a venue's, an area's or a host's bookings,
parsed back with ``icalendar``; rotation and revocation end the old URL at once."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import httpx
import icalendar
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import FakeClock
from tests.factories import create_night_for
from tests.money.conftest import host_book
from venue.core.db import session_factory
from venue.models import Area, AuditEntry, FloorPlan, VenueTable

from .conftest import SAT, Tenant, base, book, sign_in

LONDON = ZoneInfo("Europe/London")


def feeds_url(t: Tenant) -> str:
    return base(t) + "/calendar-feeds"


async def new_feed(
    client: httpx.AsyncClient, t: Tenant, csrf: dict[str, str], **body: Any
) -> dict[str, Any]:
    r = await client.post(feeds_url(t), json={"label": "Tonight", **body}, headers=csrf)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def fetch(client: httpx.AsyncClient, url: str) -> httpx.Response:
    client.cookies.clear()  # a calendar application has no staff cookie
    return await client.get(urlsplit(url).path)


async def events(client: httpx.AsyncClient, url: str) -> list[icalendar.Event]:
    r = await fetch(client, url)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(r.content)
    return list(cal.walk("VEVENT"))


async def test_the_feed_lists_bookings_in_venue_time_and_drops_cancelled_ones(
    client: httpx.AsyncClient, mine: Tenant
) -> None:
    csrf = await sign_in(client, mine.emails["manager"])
    feed = await new_feed(client, mine, csrf)
    assert feed["scope"] == "venue" and feed["url"].endswith(".ics")
    ada = await book(client, mine, ["T1"], party=3, name="Ada")
    bob = await book(client, mine, ["T3"], name="Bob")

    found = {str(e["uid"]): e for e in await events(client, feed["url"])}
    assert set(found) == {f"{ada['id']}@maitre", f"{bob['id']}@maitre"}
    event = found[f"{ada['id']}@maitre"]
    start = event.decoded("dtstart")
    assert start.tzinfo is not None and event["dtstart"].params["TZID"] == "Europe/London"
    assert start.replace(tzinfo=None) == datetime.combine(SAT, time(22, 0))
    assert "Ada" in str(event["summary"]) and "T1" in str(event["summary"])
    assert "Party of 3" in str(event["description"])

    csrf = await sign_in(client, mine.emails["manager"])
    r = await client.post(
        f"{base(mine)}/reservations/{bob['id']}/cancel", json={"reason": "ill"}, headers=csrf
    )
    assert r.status_code == 200, r.text
    assert [str(e["uid"]) for e in await events(client, feed["url"])] == [f"{ada['id']}@maitre"]


async def test_rotating_ends_the_old_url_and_revoking_ends_the_feed(
    client: httpx.AsyncClient, mine: Tenant, engine: AsyncEngine
) -> None:
    csrf = await sign_in(client, mine.emails["floor"])
    feed = await new_feed(client, mine, csrf)
    r = await client.post(f"{feeds_url(mine)}/{feed['id']}/rotate", headers=csrf)
    assert r.status_code == 200, r.text
    rotated = r.json()
    assert rotated["id"] == feed["id"] and rotated["url"] != feed["url"]
    assert (await fetch(client, feed["url"])).status_code == 404
    assert (await fetch(client, rotated["url"])).status_code == 200

    csrf = await sign_in(client, mine.emails["floor"])
    listed = (await client.get(feeds_url(mine))).json()
    assert [f["id"] for f in listed] == [feed["id"]] and "url" not in listed[0]
    r = await client.delete(f"{feeds_url(mine)}/{feed['id']}", headers=csrf)
    assert r.status_code == 204
    assert (await fetch(client, rotated["url"])).status_code == 404
    csrf = await sign_in(client, mine.emails["floor"])
    assert (await client.get(feeds_url(mine))).json() == []

    async with session_factory(engine)() as s:
        actions = await s.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.entity_id == feed["id"])
            .order_by(AuditEntry.id)
        )
        assert list(actions) == [
            "calendar_feed.created",
            "calendar_feed.rotated",
            "calendar_feed.revoked",
        ]


async def test_a_host_feed_shows_only_that_hosts_clients(
    client: httpx.AsyncClient, mine: Tenant
) -> None:
    await book(client, mine, ["T1"], name="Walkup")
    csrf = await sign_in(client, mine.emails["host"])
    mine_booked = await host_book(client, mine, csrf, "T3", name="Client")
    hosts_url = f"/api/v1/host/venues/{mine.slug}/calendar-feeds"
    r = await client.post(hosts_url, json={"label": "Mine"}, headers=csrf)
    assert r.status_code == 201, r.text
    feed = r.json()
    assert feed["scope"] == "host" and feed["host_id"] == str(mine.host_id)
    uids = [str(e["uid"]) for e in await events(client, feed["url"])]
    assert uids == [f"{mine_booked['id']}@maitre"]

    # the host is the session's, never the body's; the venue's feeds are not theirs
    csrf = await sign_in(client, mine.emails["host"])
    r = await client.post(
        hosts_url, json={"label": "x", "host_id": str(uuid.uuid4())}, headers=csrf
    )
    assert r.status_code == 422
    assert (await client.get(feeds_url(mine))).status_code == 403
    csrf = await sign_in(client, mine.emails["manager"])
    venue_feed = await new_feed(client, mine, csrf)
    csrf = await sign_in(client, mine.emails["host"])
    r = await client.post(f"{hosts_url}/{venue_feed['id']}/rotate", headers=csrf)
    assert r.status_code == 404


async def test_an_area_feed_shows_only_bookings_in_that_area(
    client: httpx.AsyncClient, mine: Tenant, theirs: Tenant, engine: AsyncEngine
) -> None:
    async with session_factory(engine)() as s, s.begin():
        plan = await s.scalar(select(FloorPlan).where(FloorPlan.venue_id == mine.world.venue.id))
        assert plan is not None
        area = Area(tenant_id=plan.tenant_id, floor_plan_id=plan.id, name="Terrace")
        s.add(area)
        await s.flush()
        table = await s.get(VenueTable, mine.world.table("T4").id)
        assert table is not None
        table.area_id = area.id
        area_id = str(area.id)
    inside = await book(client, mine, ["T4"], name="Terrace")
    await book(client, mine, ["T1"], name="Inside")

    csrf = await sign_in(client, mine.emails["manager"])
    feed = await new_feed(client, mine, csrf, area_id=area_id)
    assert feed["scope"] == "area"
    assert [str(e["uid"]) for e in await events(client, feed["url"])] == [f"{inside['id']}@maitre"]

    # another tenant cannot aim a feed at this area, nor see or rotate this feed
    csrf = await sign_in(client, theirs.emails["manager"])
    r = await client.post(feeds_url(theirs), json={"label": "x", "area_id": area_id}, headers=csrf)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "area_id"
    assert (await client.get(feeds_url(theirs))).json() == []
    r = await client.post(f"{feeds_url(theirs)}/{feed['id']}/rotate", headers=csrf)
    assert r.status_code == 404
    assert (await client.get(feeds_url(mine))).status_code == 404


async def test_a_night_across_the_spring_change_keeps_its_local_hours(
    client: httpx.AsyncClient, mine: Tenant, engine: AsyncEngine, clock: FakeClock
) -> None:
    """27 March 2027, Europe/London: the night opens 22:00 GMT and closes 04:00 BST, which
    is five hours, not six; the feed says 22:00 to 04:00 local with the zone's rules."""
    night = date(2027, 3, 27)
    async with session_factory(engine)() as s, s.begin():
        await create_night_for(s, mine.world, night, now=clock.now)
    clock.now = datetime(2027, 3, 20, 12, 0, tzinfo=UTC)
    body = {"date": night.isoformat(), "table_ids": [mine.tid("T1")], "party_size": 2}
    held = await client.post(f"/api/v1/venues/{mine.slug}/holds", json=body)
    assert held.status_code == 201, held.text
    hold = held.json()
    done = await client.post(
        f"/api/v1/venues/{mine.slug}/holds/{hold['reservation']['id']}/complete",
        json={"token": hold["token"], "guest": {"name": "Spring", "email": "s@example.com"}},
    )
    assert done.status_code == 200, done.text

    csrf = await sign_in(client, mine.emails["manager"])
    feed = await new_feed(client, mine, csrf)
    r = await fetch(client, feed["url"])
    cal = icalendar.Calendar.from_ical(r.content)
    assert [str(z["tzid"]) for z in cal.walk("VTIMEZONE")] == ["Europe/London"]
    (event,) = cal.walk("VEVENT")
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert (start.hour, end.hour) == (22, 4)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=5)  # wall clock: 6
    assert start.utcoffset() == timedelta(0) and end.utcoffset() == timedelta(hours=1)


async def test_unknown_tokens_are_404_problems(client: httpx.AsyncClient) -> None:
    r = await client.get("/calendar/" + "x" * 43 + ".ics")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
