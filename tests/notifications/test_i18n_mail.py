"""Mail in the guest's language: complete catalogues that compile, dates and times in the
venue's timezone either side of a clock change, and an Italian guest's mail over SMTP."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from io import BytesIO
from typing import Any

import httpx
import pytest
from babel.messages import mofile, pofile
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import FakeClock
from tests.factories import World
from venue.core import i18n
from venue.core.db import session_factory
from venue.models import Notification, Reservation, WaitlistEntry
from venue.notifications.render import MailSettings, render

from .conftest import Inbox, book, make_loop
from .test_delivery import ics_of, text_of

SETTINGS = MailSettings("m@example.com", "http://test", "k" * 40)
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s")


def test_every_mail_string_is_translated_in_every_language() -> None:
    assert i18n.extracted("mail"), "the extraction found nothing: is mail.cfg right?"
    assert i18n.untranslated("mail") == {}


@pytest.mark.parametrize("lang", [lang for lang in i18n.LANGUAGES if lang != i18n.SOURCE])
def test_each_mail_catalogue_compiles_and_keeps_its_placeholders(lang: str) -> None:
    with i18n.po_path(lang, "mail").open("rb") as f:
        catalog = pofile.read_po(f, locale=lang, domain="mail")
    assert [(m.id, errors) for m, errors in catalog.check()] == []
    buf = BytesIO()
    mofile.write_mo(buf, catalog)
    assert buf.getvalue()
    for message in catalog:
        if message.id:
            ids = [message.id] if isinstance(message.id, str) else list(message.id)
            strings = [message.string] if isinstance(message.string, str) else message.string
            want = sorted(PLACEHOLDER.findall(ids[0]))
            for string in strings:
                assert sorted(PLACEHOLDER.findall(string)) == want, (lang, message.id)


def notification(kind: str, lang: str, starts_at: datetime) -> Notification:
    return Notification(
        id=uuid.uuid4(),
        kind=kind,
        audience="guest",
        reservation_id=uuid.uuid4(),
        to_addr="guest@example.com",
        reply_to=None,
        language=lang,
        created_at=datetime(2026, 10, 1, tzinfo=UTC),
        context={
            "venue": {
                "name": "Velvet",
                "slug": "velvet",
                "phone": "020 7946 0000",
                "email": "v@example.com",
                "timezone": "Europe/London",
                "brand_color": "#c8a24a",
            },
            "reservation": {
                "id": str(uuid.uuid4()),
                "status": "confirmed",
                "party_size": 2,
                "tables": ["T1"],
                "starts_at": starts_at.isoformat(),
                "ends_at": (starts_at + timedelta(hours=6)).isoformat(),
                "currency": "GBP",
                "minimum": 40000,
                "deposit": 5000,
                "notes": None,
                "version": 1,
            },
            "guest": {"name": "Ada", "email": "guest@example.com", "phone": None},
            "policy": {"cancel_cutoff_minutes": 60},
            "appointment": None,
            "minutes_before": 1440,
        },
    )


def parts(msg: Any) -> tuple[str, str, str, str]:
    parsed = message_from_bytes(msg.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    html = parsed.get_body(("html",))
    assert html is not None
    invites = [a for a in parsed.iter_attachments() if a.get_content_type() == "text/calendar"]
    ics = ics_of(parsed) if invites else ""
    return str(parsed["Subject"]), text_of(parsed), str(html.get_content()), ics


# Saturday 24 October 2026 is the last night of BST in London (the clocks go back on the
# Sunday); Saturday 31 October is the first on GMT. Both start at 22:00 local time.
SUMMER = datetime(2026, 10, 24, 21, 0, tzinfo=UTC)
WINTER = datetime(2026, 10, 31, 22, 0, tzinfo=UTC)
EXPECTED = {
    "en": {
        SUMMER: ("Saturday 24 October 2026, 22:00 BST", "Saturday 24 October"),
        WINTER: ("Saturday 31 October 2026, 22:00 GMT", "Saturday 31 October"),
    },
    "it": {
        SUMMER: ("sabato 24 ottobre 2026, 22:00 BST", "sabato 24 ottobre"),
        WINTER: ("sabato 31 ottobre 2026, 22:00 GMT", "sabato 31 ottobre"),
    },
    "fr": {
        SUMMER: ("samedi 24 octobre 2026, 22:00 BST", "samedi 24 octobre"),
        WINTER: ("samedi 31 octobre 2026, 22:00 GMT", "samedi 31 octobre"),
    },
}
WORDS = {
    "en": ("Hello Ada,", "Your table at Velvet is booked.", "Reminder: your table at Velvet"),
    "it": ("Gentile Ada,", "Il tuo tavolo da Velvet è prenotato.", "Promemoria: il tuo tavolo"),
    "fr": ("Bonjour Ada,", "Votre table chez Velvet est réservée.", "Rappel : votre table"),
}
MONEY = {"en": "£400.00", "it": "400,00\xa0£", "fr": "400,00\xa0£GB"}
SUMMARY = {"en": "Velvet: table for 2", "it": "Velvet: tavolo per 2", "fr": "Velvet : table pour 2"}


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
@pytest.mark.parametrize("starts_at", [SUMMER, WINTER], ids=["bst", "gmt"])
def test_confirmation_and_reminder_in_each_language_either_side_of_the_clock_change(
    lang: str, starts_at: datetime
) -> None:
    long_day, short_day = EXPECTED[lang][starts_at]
    hello, booked, reminder_subject = WORDS[lang]

    subject, text, html, ics = parts(
        render(notification("confirmation", lang, starts_at), SETTINGS)
    )
    assert subject.endswith(short_day)
    assert hello in text and booked in text and booked in html
    assert long_day in text and long_day in html
    assert MONEY[lang] in text
    assert f'<html lang="{lang}">' in html
    assert f"SUMMARY:{SUMMARY[lang]}" in ics
    assert "DTSTART;TZID=Europe/London:202610" in ics and "T220000" in ics

    subject, text, html, _ = parts(render(notification("reminder", lang, starts_at), SETTINGS))
    assert subject.startswith(reminder_subject) and subject.endswith(long_day)
    assert hello in text and long_day in text and long_day in html


def test_a_language_we_do_not_offer_falls_back_to_english() -> None:
    subject, text, _, _ = parts(render(notification("confirmation", "de", SUMMER), SETTINGS))
    assert subject == "Your table at Velvet: Saturday 24 October" and "Hello Ada," in text


async def test_an_italian_guest_gets_the_confirmation_and_the_reminder_in_italian(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    world: World,
    clock: FakeClock,
    smtp: tuple[Inbox, int],
) -> None:
    inbox, port = smtp
    res = await book(client, world, email="ada+it@example.com")
    async with session_factory(engine)() as s, s.begin():  # chosen on the guest's page
        await s.execute(
            update(Reservation).where(Reservation.id == uuid.UUID(res["id"])).values(language="it")
        )
    loop = make_loop(session_factory(engine), port, clock)
    await loop.run_until_idle()

    [confirmation] = inbox.to("ada+it@example.com")
    assert confirmation["Subject"] == f"Il tuo tavolo da {world.venue.name}: sabato 21 novembre"
    assert confirmation["Content-Language"] == "it"
    text = text_of(confirmation)
    assert "Gentile Ada Lovelace," in text
    assert "sabato 21 novembre 2026, 22:00 GMT fino alle 04:00" in text
    assert "Puoi annullare online" in text
    # The venue's own copy stays in the venue's language.
    [to_venue] = inbox.to(world.venue.email or "")
    assert to_venue["Subject"].startswith("New booking: Ada Lovelace")

    async with session_factory(engine)() as s:
        languages = set(
            await s.scalars(
                select(Notification.language).where(
                    Notification.reservation_id == uuid.UUID(res["id"]),
                    Notification.audience == "guest",
                )
            )
        )
    assert languages == {"it"}

    clock.now = datetime(2026, 11, 20, 22, 0, tzinfo=UTC)  # 24 hours before, Friday 22:00
    await loop.run_until_idle()
    [_, reminder] = inbox.to("ada+it@example.com")
    assert reminder["Subject"] == (
        f"Promemoria: il tuo tavolo da {world.venue.name}, sabato 21 novembre 2026, 22:00 GMT"
    )
    assert "Ti ricordiamo il tuo tavolo" in text_of(reminder)
    assert "SUMMARY:" + f"{world.venue.name}: tavolo per 2" in ics_of(reminder).replace("\r\n ", "")


async def test_a_waitlist_offer_goes_out_in_the_language_the_guest_joined_in(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    from tests.staff.conftest import base as staff_base
    from tests.staff.conftest import sign_in
    from tests.waitlist.test_api import SAT as DAY
    from tests.waitlist.test_api import SECRET, full, offer_mail, pub

    t, booked = await full(client, engine)
    joined = await client.post(
        f"{pub(t)}/waitlist",
        json={"date": DAY.isoformat(), "party_size": 2, "name": "Odile", "email": "o@example.com"},
    )
    assert joined.status_code == 201, joined.text
    async with session_factory(engine)() as s, s.begin():  # chosen on the guest's page
        await s.execute(
            update(WaitlistEntry)
            .where(
                WaitlistEntry.email == "o@example.com", WaitlistEntry.venue_id == t.world.venue.id
            )
            .values(language="fr")
        )
    csrf = await sign_in(client, t.emails["floor"])
    cancel = await client.post(
        f"{staff_base(t)}/reservations/{booked[2]['id']}/cancel",
        json={"reason": "rang"},
        headers=csrf,
    )
    assert cancel.status_code == 200, cancel.text
    client.cookies.clear()
    await client.app.state.waitlist_loop.run_once()  # type: ignore[attr-defined]

    mail = await offer_mail(engine, client.app.state.clock(), t.world.venue.tenant_id)  # type: ignore[attr-defined]
    assert mail.language == "fr"
    subject, text, _, _ = parts(render(mail, MailSettings("m@example.com", "http://test", SECRET)))
    assert subject == f"Une table est libre pour vous chez {t.world.venue.name}, samedi 21 novembre"
    assert "Bonjour Odile," in text and "Une table s'est libérée" in text
    async with session_factory(engine)() as s:  # accepted, its confirmation follows suit
        held = await s.get(Reservation, mail.reservation_id)
        assert held is not None and held.language == "fr"
