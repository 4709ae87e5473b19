"""End to end: book through the API, the worker mails a real SMTP server."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import FakeClock
from tests.factories import World
from venue.core.db import session_factory
from venue.models import Notification

from .conftest import GUEST, Inbox, base, book, make_loop


def text_of(msg: EmailMessage) -> str:
    body = msg.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def ics_of(msg: EmailMessage) -> str:
    parts = [a for a in msg.iter_attachments() if a.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return str(parts[0].get_content())


async def test_confirmation_headers_local_times_ics_and_cancel_link(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    world: World,
    clock: FakeClock,
    smtp: tuple[Inbox, int],
) -> None:
    inbox, port = smtp
    res = await book(client, world, email="ada+confirm@example.com")
    loop = make_loop(session_factory(engine), port, clock)
    await loop.run_until_idle()

    venue = world.venue
    [confirmation] = inbox.to("ada+confirm@example.com")
    assert confirmation["From"].addresses[0].display_name == venue.name
    assert confirmation["From"].addresses[0].addr_spec == "bookings@maitre.test"
    assert confirmation["Reply-To"] == venue.email
    assert confirmation["Message-ID"].endswith("@maitre>")
    text = text_of(confirmation)
    assert "Saturday 21 November 2026, 22:00 GMT" in text
    assert "+44 20 7946 0000" in text  # the venue's number as people write it
    html = confirmation.get_body(("html",))
    assert html is not None and "Saturday 21 November 2026, 22:00 GMT" in html.get_content()
    ics = ics_of(confirmation)
    assert "DTSTART;TZID=Europe/London:20261121T220000" in ics
    assert "DTEND;TZID=Europe/London:20261122T040000" in ics
    assert "BEGIN:VTIMEZONE" in ics and "TZID:Europe/London" in ics

    [to_venue] = inbox.to(venue.email or "")
    assert to_venue["Reply-To"] == "ada+confirm@example.com"
    assert "Ada Lovelace" in text_of(to_venue)

    link = re.search(r"http://test/v/[^/]+/r/(\w+)", text)
    assert link is not None
    token = link.group(1)
    assert token != res["token"]
    looked_up = await client.get(f"{base(world)}/reservations/{token}")
    assert looked_up.status_code == 200 and looked_up.json()["id"] == res["id"]

    # Two clicks, one cancellation, one email each way.
    first = await client.post(f"{base(world)}/reservations/{token}/cancel")
    second = await client.post(f"{base(world)}/reservations/{token}/cancel")
    assert first.status_code == second.status_code == 200
    assert first.json()["status"] == "cancelled"
    await loop.run_until_idle()
    to_guest = inbox.to("ada+confirm@example.com")
    assert [m["X-Maitre-Kind"] for m in to_guest] == ["confirmation", "cancellation"]
    assert "METHOD:CANCEL" in ics_of(to_guest[1])
    assert [m["X-Maitre-Kind"] for m in inbox.to(venue.email or "")] == [
        "venue_booking",
        "venue_cancellation",
    ]
    async with session_factory(engine)() as s:
        reminders = list(
            await s.scalars(
                select(Notification.status).where(
                    Notification.reservation_id == uuid.UUID(res["id"]),
                    Notification.kind == "reminder",
                )
            )
        )
    assert reminders == ["cancelled", "cancelled"]


async def test_cancel_link_refuses_inside_the_cutoff(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    world: World,
    clock: FakeClock,
    smtp: tuple[Inbox, int],
) -> None:
    inbox, port = smtp
    await book(client, world, email="ada+cutoff@example.com")
    await make_loop(session_factory(engine), port, clock).run_until_idle()
    [confirmation] = inbox.to("ada+cutoff@example.com")
    match = re.search(r"/r/(\w+)", text_of(confirmation))
    assert match is not None
    assert "120 minutes before" in text_of(confirmation)
    clock.now = datetime(2026, 11, 21, 20, 1, tzinfo=UTC)  # 1 h 59 before 22:00
    refused = await client.post(f"{base(world)}/reservations/{match.group(1)}/cancel")
    assert refused.status_code == 409
    body = refused.json()
    assert body["code"] == "cancel_cutoff" and body["phone"] == world.venue.phone
    assert world.venue.phone in body["detail"]
    still = await client.get(f"{base(world)}/reservations/{match.group(1)}")
    assert still.json()["status"] == "confirmed"


async def test_guest_without_email_gets_nothing_but_venue_does(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    world: World,
    clock: FakeClock,
    smtp: tuple[Inbox, int],
) -> None:
    inbox, port = smtp
    guest = {**GUEST, "email": None}
    placed = await client.post(
        f"{base(world)}/holds",
        json={"date": "2026-11-21", "table_ids": [str(world.table("T2").id)], "party_size": 2},
    )
    rid, token = placed.json()["reservation"]["id"], placed.json()["token"]
    done = await client.post(
        f"{base(world)}/holds/{rid}/complete", json={"token": token, "guest": guest}
    )
    assert done.status_code == 200, done.text
    await make_loop(session_factory(engine), port, clock).run_until_idle()
    kinds = [m["X-Maitre-Kind"] for m in inbox.to(world.venue.email or "")]
    assert kinds == ["venue_booking"]
    assert inbox.to(GUEST["email"]) == []
