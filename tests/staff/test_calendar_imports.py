"""Imported calendars: busy events block tables on the nights they overlap, shown with
their source; removing the event or the import puts the tables back; a table with a
booking is a conflict, never taken; a bad or unreachable calendar changes nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import FakeClock
from tests.factories import create_night_for
from venue.core.db import session_factory
from venue.floor import calendar_import

from .conftest import SAT, Tenant, base, book, sign_in


def ics(*events: str) -> str:
    body = "".join(events)
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{body}END:VCALENDAR\r\n"


def event(uid: str, summary: str, start: str, end: str, extra: str = "") -> str:
    """An event in London time (TZID), ``start``/``end`` as 20261121T200000."""
    return (
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261101T000000Z\r\nSUMMARY:{summary}\r\n"
        f"DTSTART;TZID=Europe/London:{start}\r\nDTEND;TZID=Europe/London:{end}\r\n"
        f"{extra}END:VEVENT\r\n"
    )


WEDDING = event("wedding-1", "Wedding", "20261121T200000", "20261121T233000")


def imports_url(t: Tenant) -> str:
    return base(t) + "/calendar-imports"


async def new_import(
    client: httpx.AsyncClient, t: Tenant, csrf: dict[str, str], **body: Any
) -> dict[str, Any]:
    r = await client.post(imports_url(t), json={"label": "Private hire", **body}, headers=csrf)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def upload(
    client: httpx.AsyncClient, t: Tenant, csrf: dict[str, str], imp: dict[str, Any], text: str
) -> httpx.Response:
    return await client.post(
        f"{imports_url(t)}/{imp['id']}/upload", json={"ics": text}, headers=csrf
    )


async def blocks(client: httpx.AsyncClient, t: Tenant, day: date = SAT) -> dict[str, Any]:
    r = await client.get(f"{base(t)}/nights/{day.isoformat()}/blocks")
    assert r.status_code == 200, r.text
    labels = {str(tb.id): tb.label for tb in t.world.tables}
    return {labels[b["table_id"]]: b for b in r.json()}


async def test_busy_events_block_and_unblock_with_the_calendar(
    client: httpx.AsyncClient, mine: Tenant
) -> None:
    booked = await book(client, mine, ["T3"], name="Ada")
    csrf = await sign_in(client, mine.emails["floor"])
    imp = await new_import(client, mine, csrf, table_ids=[mine.tid("T2"), mine.tid("T3")])

    r = await upload(client, mine, csrf, imp, ics(WEDDING))
    assert r.status_code == 200, r.text
    result = r.json()
    assert (result["events"], result["added"], result["removed"]) == (1, 1, 0)
    assert [(c["table"], c["event"], c["reservation_id"]) for c in result["conflicts"]] == [
        ("T3", "Wedding", booked["id"])
    ]
    now = await blocks(client, mine)
    assert set(now) == {"T2"}
    assert now["T2"]["reason"] == "Private hire: Wedding"
    assert now["T2"]["source_import_id"] == imp["id"]

    # the same calendar again changes nothing; without the event the table is back on sale
    assert (await upload(client, mine, csrf, imp, ics(WEDDING))).json()["added"] == 0
    r = await upload(client, mine, csrf, imp, ics())
    assert (r.json()["removed"], r.json()["events"]) == (1, 0)
    assert await blocks(client, mine) == {}

    # removing the import unblocks what it blocked
    await upload(client, mine, csrf, imp, ics(WEDDING))
    r = await client.delete(f"{imports_url(mine)}/{imp['id']}", headers=csrf)
    assert r.status_code == 200 and r.json() == {"unblocked": 1}
    assert await blocks(client, mine) == {}
    assert (await client.get(imports_url(mine))).json() == []


async def test_a_managers_own_block_is_never_taken_over(
    client: httpx.AsyncClient, mine: Tenant
) -> None:
    csrf = await sign_in(client, mine.emails["floor"])
    r = await client.post(
        f"{base(mine)}/nights/{SAT.isoformat()}/blocks",
        json={"table_ids": [mine.tid("T1")], "reason": "Broken leg"},
        headers=csrf,
    )
    assert r.status_code == 201, r.text
    imp = await new_import(client, mine, csrf)  # every table
    result = (await upload(client, mine, csrf, imp, ics(WEDDING))).json()
    assert (result["added"], result["conflicts"]) == (3, [])
    now = await blocks(client, mine)
    assert now["T1"]["reason"] == "Broken leg" and now["T1"]["source_import_id"] is None
    await client.delete(f"{imports_url(mine)}/{imp['id']}", headers=csrf)
    assert set(await blocks(client, mine)) == {"T1"}


async def test_free_cancelled_and_recurring_events(
    client: httpx.AsyncClient, mine: Tenant, engine: AsyncEngine, clock: FakeClock
) -> None:
    next_sat = SAT + timedelta(days=7)
    async with session_factory(engine)() as s, s.begin():
        await create_night_for(s, mine.world, next_sat, now=clock.now)
    weekly = event(
        "quiz", "Quiz league", "20261121T210000", "20261121T230000", "RRULE:FREQ=WEEKLY;COUNT=2\r\n"
    )
    free = event("free", "Maybe", "20261121T200000", "20261121T233000", "TRANSP:TRANSPARENT\r\n")
    off = event("off", "Off", "20261121T200000", "20261121T233000", "STATUS:CANCELLED\r\n")
    csrf = await sign_in(client, mine.emails["manager"])
    imp = await new_import(client, mine, csrf, table_ids=[mine.tid("T4")])
    result = (await upload(client, mine, csrf, imp, ics(weekly, free, off))).json()
    assert (result["events"], result["added"]) == (2, 2)
    assert set(await blocks(client, mine, SAT)) == {"T4"}
    assert set(await blocks(client, mine, next_sat)) == {"T4"}


async def test_an_unreadable_calendar_is_a_422_and_changes_nothing(
    client: httpx.AsyncClient, mine: Tenant, theirs: Tenant
) -> None:
    csrf = await sign_in(client, mine.emails["floor"])
    imp = await new_import(client, mine, csrf, table_ids=[mine.tid("T2")])
    await upload(client, mine, csrf, imp, ics(WEDDING))
    r = await upload(client, mine, csrf, imp, "BEGIN:VCALENDAR\r\nthis is not a calendar")
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "calendar_unreadable" and r.json()["errors"][0]["field"] == "file"
    assert set(await blocks(client, mine)) == {"T2"}

    r = await client.post(
        imports_url(mine), json={"label": "x", "url": "file:///etc/passwd"}, headers=csrf
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "url"
    r = await client.post(
        imports_url(mine), json={"label": "x", "table_ids": [theirs.tid("T1")]}, headers=csrf
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "table_ids"

    csrf = await sign_in(client, theirs.emails["manager"])
    assert (await client.get(imports_url(theirs))).json() == []
    r = await upload(client, theirs, csrf, imp, ics())
    assert r.status_code == 404
    r = await client.delete(f"{imports_url(theirs)}/{imp['id']}", headers=csrf)
    assert r.status_code == 404


class CalendarServer:
    """A real HTTP server answering every GET with ``status`` and ``body``."""

    def __init__(self) -> None:
        self.status, self.body, self.hits = 200, b"", 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        self.hits += 1
        head = f"HTTP/1.1 {self.status} X\r\nContent-Length: {len(self.body)}\r\n"
        writer.write(f"{head}Content-Type: text/calendar\r\nConnection: close\r\n\r\n".encode())
        writer.write(self.body)
        await writer.drain()
        writer.close()


@pytest.fixture
async def calendar_server() -> AsyncIterator[tuple[CalendarServer, str]]:
    served = CalendarServer()
    server = await asyncio.start_server(served.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield served, f"http://127.0.0.1:{port}/busy.ics"
    server.close()
    await server.wait_closed()


async def test_a_url_is_fetched_on_schedule_and_a_failure_keeps_the_blocks(
    client: httpx.AsyncClient,
    mine: Tenant,
    engine: AsyncEngine,
    calendar_server: tuple[CalendarServer, str],
) -> None:
    served, url = calendar_server
    served.body = ics(WEDDING).encode()
    csrf = await sign_in(client, mine.emails["floor"])
    imp = await new_import(client, mine, csrf, url=url, table_ids=[mine.tid("T1")])
    sessions = session_factory(engine)
    now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    every = timedelta(minutes=15)

    await calendar_import.refresh_due(sessions, now, every)
    assert served.hits == 1
    assert set(await blocks(client, mine)) == {"T1"}
    await calendar_import.refresh_due(sessions, now + timedelta(minutes=5), every)
    assert served.hits == 1  # not due yet

    served.status, served.body = 500, b"oops"
    await calendar_import.refresh_due(sessions, now + every, every)
    assert served.hits == 2
    listed = (await client.get(imports_url(mine))).json()
    assert "HTTP 500" in listed[0]["last_error"]
    assert set(await blocks(client, mine)) == {"T1"}  # a failed fetch unblocks nothing

    # staff ask for a refresh: first in line at the next pass; the event is gone now
    served.status, served.body = 200, ics().encode()
    r = await client.post(f"{imports_url(mine)}/{imp['id']}/refresh", headers=csrf)
    assert r.status_code == 202
    await calendar_import.refresh_due(sessions, now + every + timedelta(minutes=1), every)
    assert served.hits == 3
    assert await blocks(client, mine) == {}
    listed = (await client.get(imports_url(mine))).json()
    assert listed[0]["last_error"] is None and listed[0]["events"] == 0
