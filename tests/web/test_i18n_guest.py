"""The guest pages speak the guest's language: every guest string is in the catalogues,
the catalogues compile, no template carries bare English, the language is negotiated in
the documented order and kept on the reservation for the guest's mail, and dates on a
page are the venue's local time in the guest's language."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from babel.messages import mofile, pofile
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request

from tests.conftest import FakeClock
from tests.factories import create_night_for, create_venue
from venue.core import i18n
from venue.core.db import session_factory
from venue.models import Notification, Reservation, WaitlistEntry
from venue.notifications import planner
from web import languages
from web.pages import templates

SECRET = "t" * 40  # the client fixture's secret_key
OTHERS = [lang for lang in i18n.LANGUAGES if lang != i18n.SOURCE]
PLACEHOLDER = re.compile(r"\{\w+\}|<[^>]+>")


# -- the catalogues ----------------------------------------------------------------------


def test_every_guest_string_is_translated() -> None:
    assert i18n.untranslated("guest") == {}


@pytest.mark.parametrize("lang", OTHERS)
def test_the_catalogue_compiles_and_keeps_placeholders(lang: str) -> None:
    with i18n.po_path(lang, "guest").open("rb") as f:
        catalog = pofile.read_po(f, locale=lang, domain="guest")
    assert [(m.id, errors) for m, errors in catalog.check()] == []
    mofile.write_mo(BytesIO(), catalog)
    for message in catalog:
        if message.id:
            wanted = sorted(PLACEHOLDER.findall(str(message.id)))
            assert sorted(PLACEHOLDER.findall(str(message.string))) == wanted, message.id


def test_every_t_call_in_the_guest_scripts_is_extracted() -> None:
    """Babel's javascript extractor misses a t() it cannot parse (inside a template
    literal): such a string would stay English with every test green."""
    written: set[str] = set()
    for script in Path("web/static").glob("*.js"):
        for found in re.finditer(r'(?<![\w.])t\("((?:[^"\\]|\\.)*)"', script.read_text()):
            written.add(found.group(1).replace('\\"', '"'))
    assert written - i18n.extracted("guest") <= {"..."}  # i18n.js's own comment


# -- no bare English on a guest page -----------------------------------------------------

# Data and proper nouns a page may show as they are in every language.
ALLOWED = {"Maitre", "404", "10:00", "2", "+", "\u2212", "⤢", "✕", "✓", "★", "1", "3", "4", "5"}


class _Visible(HTMLParser):
    """Text nodes and the attributes a person reads or hears."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ("aria-label", "title", "placeholder", "alt") and value:
                self.found.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.found.append(data.strip())


def _request(path: str) -> Request:
    scope = {"type": "http", "method": "GET", "path": path, "query_string": b"", "headers": []}
    scope.update(server=("test", 80), scheme="http", root_path="", app=None)
    return Request(scope)


def _render(template: str, lang: str, **extra: Any) -> list[str]:
    venue = SimpleNamespace(name="The Velvet Room", slug="velvet", timezone="Europe/London")
    context = {
        **languages.page_context(_request("/v/velvet"), lang, venue.timezone),
        "venue": venue,
        "brand": "#c8a24a",
        "token": "tok",
        "what": "",
        **extra,
    }
    parser = _Visible()
    parser.feed(templates.env.get_template(template).render(context))
    return parser.found


def _translations(lang: str) -> set[str]:
    with i18n.po_path(lang, "guest").open("rb") as f:
        return {str(m.string) for m in pofile.read_po(f, locale=lang) if m.id}


PAGES = [
    ("booking.html", {}),
    ("dining.html", {}),
    ("appointments.html", {}),
    ("manage.html", {}),
    ("waitlist.html", {"page": "waitlist"}),
    ("waitlist.html", {"page": "offer"}),
    ("not_found.html", {}),
]


@pytest.mark.parametrize("lang", OTHERS)
@pytest.mark.parametrize(("page", "extra"), PAGES)
def test_a_guest_page_has_no_bare_english(page: str, extra: dict[str, str], lang: str) -> None:
    shown = _translations(lang)
    rich = [s for s in shown if "<" in s]  # a {% trans %} with markup shows in pieces
    allowed = ALLOWED | set(i18n.NATIVE.values())
    bare = []
    for text in _render(page, lang, **extra):
        if text in shown:
            continue
        # "Prenota un tavolo · The Velvet Room": a message, then data.
        for piece in text.replace("The Velvet Room", "").split(" · "):
            piece = piece.strip()
            if not piece or piece in allowed or piece in shown:
                continue
            if any(piece in r for r in rich):
                continue
            bare.append(piece)
    assert bare == []


def test_the_english_page_is_english_and_says_so() -> None:
    assert "Book a table" in _render("booking.html", "en")
    html = templates.env.get_template("booking.html").render(
        {
            **languages.page_context(_request("/v/velvet"), "it", "Europe/London"),
            "venue": SimpleNamespace(name="V", slug="velvet", timezone="Europe/London"),
        }
    )
    assert '<html lang="it">' in html and "Prenota un tavolo" in html
    assert 'data-locale="it-IT"' in html and 'data-timezone="Europe/London"' in html


# -- negotiation -------------------------------------------------------------------------


def _asking(query: str = "", cookie: str | None = None, accept: str | None = None) -> Request:
    headers = []
    if cookie:
        headers.append((b"cookie", f"{languages.COOKIE}={cookie}".encode()))
    if accept:
        headers.append((b"accept-language", accept.encode()))
    scope = {"type": "http", "method": "GET", "path": "/v/x", "query_string": query.encode()}
    scope["headers"] = headers
    return Request(scope)


@pytest.mark.parametrize(
    ("query", "cookie", "accept", "default", "expected"),
    [
        ("lang=fr", "it", "de-DE,it;q=0.8", "en", "fr"),  # the choice on the page
        ("", "it", "fr-FR", "en", "it"),  # ... kept in the cookie
        ("lang=xx", None, "de-DE,fr;q=0.9,it;q=0.8", "it", "fr"),  # then Accept-Language
        ("", None, "de-DE", "it", "it"),  # then the venue's default
        ("", None, None, None, "en"),  # then English
    ],
)
def test_the_language_is_negotiated_in_order(
    query: str, cookie: str | None, accept: str | None, default: str | None, expected: str
) -> None:
    assert languages.of_request(_asking(query, cookie, accept), default) == expected


def test_only_the_guests_own_language_is_kept() -> None:
    assert languages.of_guest(_asking(accept="it-IT,it;q=0.9")) == "it"
    assert languages.of_guest(_asking(accept="de-DE")) is None  # the venue's default applies


# -- through the app ---------------------------------------------------------------------

SUMMER = date(2026, 6, 20)  # British Summer Time: 22:00 in London is 21:00 UTC


async def _club(engine: AsyncEngine, clock: FakeClock) -> Any:
    clock.now = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
    async with session_factory(engine)() as s, s.begin():
        world = await create_venue(s, tables=2)
        await create_night_for(s, world, SUMMER, now=clock.now)
        return world


async def _hold(client: httpx.AsyncClient, world: Any, accept: str) -> dict[str, Any]:
    body = {"date": SUMMER.isoformat(), "table_ids": [str(world.table("T1").id)], "party_size": 2}
    placed = await client.post(
        f"/api/v1/venues/{world.venue.slug}/holds",
        json=body,
        headers={"Accept-Language": accept},
    )
    assert placed.status_code == 201, placed.text
    data: dict[str, Any] = placed.json()
    return data


async def test_an_italian_hold_keeps_italian_for_the_guests_mail(
    client: httpx.AsyncClient, engine: AsyncEngine, clock: FakeClock
) -> None:
    world = await _club(engine, clock)
    placed = await _hold(client, world, "it-IT,it;q=0.9,en;q=0.5")
    res_id = uuid.UUID(placed["reservation"]["id"])
    done = await client.post(
        f"/api/v1/venues/{world.venue.slug}/holds/{res_id}/complete",
        json={"token": placed["token"], "guest": {"name": "Lena Rossi", "email": "l@example.it"}},
        headers={"Accept-Language": "it"},
    )
    assert done.status_code == 200, done.text
    async with session_factory(engine)() as s, s.begin():
        while await planner.plan_once(s, clock.now, SECRET, limit=200) == 200:
            pass
    async with session_factory(engine)() as s:
        res = await s.get(Reservation, res_id)
        assert res is not None and res.language == "it"
        mail = await s.scalar(
            select(Notification).where(
                Notification.reservation_id == res_id, Notification.kind == "confirmation"
            )
        )
    assert mail is not None and mail.language == "it"


async def test_a_french_guest_joins_the_waitlist_in_french(
    client: httpx.AsyncClient, engine: AsyncEngine, clock: FakeClock
) -> None:
    world = await _club(engine, clock)
    for label in ("T1", "T2"):  # the night is full
        body = {"date": SUMMER.isoformat(), "table_ids": [str(world.table(label).id)]}
        held = await client.post(
            f"/api/v1/venues/{world.venue.slug}/holds", json={**body, "party_size": 2}
        )
        assert held.status_code == 201, held.text
    joined = await client.post(
        f"/api/v1/venues/{world.venue.slug}/waitlist",
        json={"date": SUMMER.isoformat(), "party_size": 2, "name": "Amélie", "email": "a@x.fr"},
        headers={"Accept-Language": "fr-FR,fr;q=0.9"},
    )
    assert joined.status_code == 201, joined.text
    async with session_factory(engine)() as s:
        entry = await s.scalar(
            select(WaitlistEntry).where(WaitlistEntry.venue_id == world.venue.id)
        )
    assert entry is not None and entry.language == "fr"


async def test_the_price_explains_itself_in_the_guests_language(
    client: httpx.AsyncClient, engine: AsyncEngine, clock: FakeClock
) -> None:
    world = await _club(engine, clock)
    table = world.table("T1")
    url = f"/api/v1/venues/{world.venue.slug}/nights/{SUMMER}/tables/{table.id}/quote"
    english = (await client.get(url)).json()["lines"][0]
    italian = (await client.get(url, headers={"Accept-Language": "it"})).json()["lines"][0]
    assert english["label"] == "Standard table minimum spend"
    assert italian["label"] == "Spesa minima tavolo Standard"
    assert italian["delta"] == english["delta"]


async def test_a_refusal_is_worded_in_the_guests_language(
    client: httpx.AsyncClient, engine: AsyncEngine, clock: FakeClock
) -> None:
    world = await _club(engine, clock)
    await _hold(client, world, "en")
    body = {"date": SUMMER.isoformat(), "table_ids": [str(world.table("T1").id)], "party_size": 2}
    url = f"/api/v1/venues/{world.venue.slug}/holds"
    taken = await client.post(url, json=body, headers={"Accept-Language": "it"})
    assert taken.status_code == 409 and taken.json()["code"] == "table_unavailable"
    assert taken.json()["detail"] == "Appena preso: qualcuno è arrivato prima."
    bad = await client.post(url, json={**body, "party_size": "many"}, headers={"Cookie": "x=1"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "party_size"
    french = await client.post(
        url, json={**body, "party_size": "many"}, headers={"Accept-Language": "fr"}
    )
    assert french.json()["errors"][0]["field"] == "party_size"  # field names stay as they are
    assert french.json()["detail"] == "Vérifiez les informations signalées."
    assert bad.json()["detail"] != french.json()["detail"]


@pytest.mark.parametrize(
    ("lang", "day"), [("it", "sabato 20 giugno 2026"), ("fr", "samedi 20 juin 2026")]
)
async def test_the_manage_page_shows_the_local_time_in_the_guests_language(
    client: httpx.AsyncClient, engine: AsyncEngine, clock: FakeClock, lang: str, day: str
) -> None:
    world = await _club(engine, clock)
    placed = await _hold(client, world, lang)
    async with session_factory(engine)() as s:
        res = await s.get(Reservation, uuid.UUID(placed["reservation"]["id"]))
        assert res is not None and res.starts_at.replace(tzinfo=UTC).hour == 21  # UTC
    page = await client.get(
        f"/v/{world.venue.slug}/r/{placed['token']}", headers={"Accept-Language": lang}
    )
    assert f'<html lang="{lang}">' in page.text
    assert f'<p id="manage-when" class="lead">{day} · 22:00</p>' in page.text


async def test_a_choice_on_the_page_wins_and_is_remembered(
    client: httpx.AsyncClient, engine: AsyncEngine, clock: FakeClock
) -> None:
    world = await _club(engine, clock)
    url = f"/v/{world.venue.slug}"
    italian = await client.get(url, headers={"Accept-Language": "it-IT"})
    assert '<html lang="it">' in italian.text and "Prenota un tavolo" in italian.text
    assert languages.COOKIE not in italian.cookies
    chosen = await client.get(f"{url}?lang=fr", headers={"Accept-Language": "it-IT"})
    assert '<html lang="fr">' in chosen.text and "Réserver une table" in chosen.text
    assert chosen.cookies[languages.COOKIE] == "fr"
    assert 'hreflang="it"' in chosen.text and 'aria-current="true">Français<' in chosen.text
