"""A standing reservation is confirmed in one message: every booked date in the venue's
time (across the October DST change), each with its own manage link, the dates it could
not book with their reason, and one invite holding an event per date under each date's
own UID. The dates keep their own reminders; no per-date confirmation goes out."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage

import icalendar
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import World
from tests.reservations.test_series import CLOSED, NOW, STAFF, TAKEN, make_world, weekly
from venue.core.db import session_factory
from venue.models import Notification, Reservation
from venue.notifications import planner
from venue.notifications.render import MailSettings, render
from venue.reservations import series

from .test_delivery import ics_of, text_of

SETTINGS = MailSettings("m@example.com", "http://test", "k" * 40)


async def _standing(engine: AsyncEngine, lang: str) -> tuple[World, list[Notification]]:
    world = await make_world(engine)
    async with session_factory(engine)() as s, s.begin():
        planned = await series.plan(s, world.venue, weekly(world), NOW)
        by_date = {o.date: o for o in planned.occurrences}
        accept = {
            d: (alt.business_date, [t.id for t in alt.tables])
            for d in (CLOSED, TAKEN)
            if (alt := by_date[d].alternative) is not None
        }
        done = await series.create(s, world.venue, weekly(world, accept=accept), STAFF, NOW)
        ids = [o.reservation.id for o in done.occurrences if o.reservation is not None]
        await s.execute(update(Reservation).where(Reservation.id.in_(ids)).values(language=lang))
    async with session_factory(engine)() as s, s.begin():
        while await planner.plan_once(s, NOW, SETTINGS.link_secret, limit=1000):
            pass
    async with session_factory(engine)() as s, s.begin():
        rows = list(
            await s.scalars(
                select(Notification)
                .where(Notification.reservation_id.in_(ids))
                .order_by(Notification.created_at, Notification.kind)
            )
        )
        # Read, then taken off the shared queue: other tests' workers deliver what is due.
        await s.execute(delete(Notification).where(Notification.venue_id == world.venue.id))
        return world, rows


async def test_one_confirmation_for_the_series_and_reminders_per_date(
    engine: AsyncEngine,
) -> None:
    _, mail = await _standing(engine, "en")
    guest = [n for n in mail if n.audience == "guest"]
    kinds = sorted(n.kind for n in guest)
    assert kinds.count("series_confirmation") == 1
    assert "confirmation" not in kinds
    assert kinds.count("reminder") == 3 * 2  # three dates, two reminders each
    assert not [n for n in mail if n.kind == "venue_booking"]


async def test_the_series_confirmation_in_italian_lists_every_date_in_london_time(
    engine: AsyncEngine,
) -> None:
    _, mail = await _standing(engine, "it")
    digest = next(n for n in mail if n.kind == "series_confirmation")
    assert digest.language == "it"
    parsed = message_from_bytes(render(digest, SETTINGS).as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    assert str(parsed["Subject"]).endswith(": 3 date")
    text = text_of(parsed)
    # 22:00 in London each week, BST then GMT after the clocks go back (25 October).
    assert "giovedì 15 ottobre 2026, 22:00 BST" in text
    assert "venerdì 23 ottobre 2026, 22:00 BST" in text  # the alternative night
    assert "giovedì 29 ottobre 2026, 22:00 GMT" in text
    assert text.count("/v/") == 3  # one manage link per date
    assert "Non è stato possibile prenotare queste date:" in text
    assert "il locale non è aperto quel giorno" in text  # 5 November: no night
    cal = icalendar.Calendar.from_ical(ics_of(parsed))
    events = [c for c in cal.walk("VEVENT")]
    dates = digest.context["series"]["occurrences"]
    assert [str(e["uid"]) for e in events] == [f"{d['id']}@maitre" for d in dates]
    assert [e.decoded("dtstart").hour for e in events] == [22, 22, 22]
    assert str(events[0].decoded("dtstart").tzinfo) == "Europe/London"
