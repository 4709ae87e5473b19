"""After a reschedule the guest gets the new details with a calendar invite of the same
UID and a higher SEQUENCE, and the reminders follow the booking to its new time."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from email.message import EmailMessage

import httpx
import icalendar
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import FakeClock
from tests.factories import World
from tests.notifications.conftest import Inbox, make_loop, smtp  # noqa: F401 (fixture)
from venue.core.db import session_factory
from venue.models import Notification

from .conftest import FRI, SAT, book, move, pay


def invite(msg: EmailMessage) -> icalendar.Event:
    [part] = [a for a in msg.iter_attachments() if a.get_content_type() == "text/calendar"]
    cal = icalendar.Calendar.from_ical(part.get_content())
    [event] = cal.walk("VEVENT")
    return event


async def reminders(engine: AsyncEngine, rid: str) -> list[tuple[str, datetime]]:
    async with session_factory(engine)() as s:
        rows = await s.execute(
            select(Notification.status, Notification.due_at)
            .where(Notification.reservation_id == uuid.UUID(rid), Notification.kind == "reminder")
            .order_by(Notification.due_at)
        )
        return [(status, due.replace(tzinfo=UTC)) for status, due in rows]


async def test_new_invite_same_uid_higher_sequence_and_reminders_moved(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    world: World,
    clock: FakeClock,
    smtp: tuple[Inbox, int],  # noqa: F811
) -> None:
    inbox, port = smtp
    loop = make_loop(session_factory(engine), port, clock)
    booked = await book(client, world, SAT, "T1", email="ada+move@example.com")
    await loop.run_until_idle()
    sat = [
        ("pending", datetime(2026, 11, 27, 22, 0, tzinfo=UTC)),
        ("pending", datetime(2026, 11, 28, 20, 0, tzinfo=UTC)),
    ]
    assert await reminders(engine, booked["id"]) == sat

    moved = await move(client, world, booked["token"], FRI, "T3")
    assert moved.status_code == 200, moved.text
    await loop.run_until_idle()

    mails = inbox.to("ada+move@example.com")
    assert [m["X-Maitre-Kind"] for m in mails] == ["confirmation", "rescheduled"]
    first, second = invite(mails[0]), invite(mails[1])
    assert str(second["uid"]) == str(first["uid"]) == f"{booked['id']}@maitre"
    assert int(second["sequence"]) > int(first["sequence"])
    assert second.decoded("dtstart").replace(tzinfo=None) == datetime(2026, 11, 27, 22, 0)
    assert "T3" in str(second["description"])
    text = mails[1].get_body(("plain",))
    assert text is not None and "Friday 27 November 2026, 22:00 GMT" in text.get_content()
    assert "It was: 2026-11-28, table T1." in text.get_content()
    venue_mails = [m["X-Maitre-Kind"] for m in inbox.to(world.venue.email or "")]
    assert venue_mails == ["venue_booking", "venue_rescheduled"]

    # The Saturday reminders are dropped, the Friday ones planned.
    assert await reminders(engine, booked["id"]) == [
        ("pending", datetime(2026, 11, 26, 22, 0, tzinfo=UTC)),
        ("pending", datetime(2026, 11, 27, 20, 0, tzinfo=UTC)),
        ("cancelled", datetime(2026, 11, 27, 22, 0, tzinfo=UTC)),
        ("cancelled", datetime(2026, 11, 28, 20, 0, tzinfo=UTC)),
    ]

    # A later cancellation outranks the new invite too.
    assert (
        await client.post(
            f"/api/v1/venues/{world.venue.slug}/reservations/{booked['token']}/cancel"
        )
    ).is_success
    await loop.run_until_idle()
    cancelled = inbox.to("ada+move@example.com")[-1]
    assert cancelled["X-Maitre-Kind"] == "cancellation"
    assert int(invite(cancelled)["sequence"]) > int(second["sequence"])


async def test_a_top_up_is_asked_for_and_the_invite_follows_the_payment(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    paid_world: World,
    clock: FakeClock,
    smtp: tuple[Inbox, int],  # noqa: F811
) -> None:
    world = paid_world
    inbox, port = smtp
    loop = make_loop(session_factory(engine), port, clock)
    booked = await book(client, world, SAT, "T1", email="ada+topup@example.com")
    await loop.run_until_idle()
    moved = await move(client, world, booked["token"], FRI, "T2")
    assert moved.json()["status"] == "pending_payment"
    await loop.run_until_idle()
    kinds = [m["X-Maitre-Kind"] for m in inbox.to("ada+topup@example.com")]
    assert sorted(kinds[:2]) == ["confirmation", "receipt"] and kinds[2:] == ["reschedule_due"]
    due = inbox.to("ada+topup@example.com")[-1].get_body(("plain",))
    assert due is not None and "£100.00 is still to pay" in due.get_content()
    assert [s for s, _ in await reminders(engine, booked["id"])] == ["cancelled", "cancelled"]

    await pay(client, world, booked["token"])
    await loop.run_until_idle()
    last = inbox.to("ada+topup@example.com")[-1]
    assert last["X-Maitre-Kind"] == "rescheduled"
    assert invite(last).decoded("dtstart").replace(tzinfo=None) == datetime(2026, 11, 27, 22, 0)
    assert [s for s, _ in await reminders(engine, booked["id"])].count("pending") == 2
