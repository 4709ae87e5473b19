"""The venue's brand in its mail: colours and logo in the HTML, and every link (the
manage link, the invite's URL) at the venue's own address when it has one."""

from __future__ import annotations

import re

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import FakeClock
from tests.factories import World
from venue.core.actor import SYSTEM
from venue.core.db import session_factory
from venue.setup import brand

from .conftest import NOW, Inbox, book, make_loop
from .test_delivery import ics_of, text_of

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><rect width="4"/></svg>'
LOOK = {
    "base": "light",
    "background": "#f6f3ee",
    "surface": "#ffffff",
    "text": "#1d1a22",
    "accent": "#0057b8",
    "free": "#1f8a52",
    "held": "#b86e00",
    "booked": "#a23b5a",
    "blocked": "#767080",
    "font": "system",
    "corners": "soft",
}


async def test_a_branded_venues_mail_wears_its_brand_and_links_to_its_address(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    world: World,
    clock: FakeClock,
    smtp: tuple[Inbox, int],
) -> None:
    async with session_factory(engine)() as s, s.begin():
        await brand.update_brand(
            s, world.venue, {**LOOK, "public_url": "https://book.velvet.example"}, 0, SYSTEM, NOW
        )
        await brand.set_logo(s, world.venue, SVG, "image/svg+xml", SYSTEM, NOW)
    inbox, port = smtp
    await book(client, world, email="ada+brand@example.com")
    await make_loop(session_factory(engine), port, clock).run_until_idle()

    [mail] = inbox.to("ada+brand@example.com")
    html_part = mail.get_body(("html",))
    assert html_part is not None
    html = html_part.get_content()
    assert "background:#f6f3ee" in html and "background:#ffffff" in html
    assert "border-top:4px solid #0057b8" in html and "color:#1d1a22" in html
    slug = world.venue.slug
    logo = re.search(r'<img src="([^"]+)"', html)
    assert logo is not None
    assert logo.group(1).startswith(f"https://book.velvet.example/v/{slug}/logo?v=")
    # Pale grey labels would fail on white: they take the brand's checked muted colour.
    assert "color:#999" not in html

    link = f"https://book.velvet.example/v/{slug}/r/"
    assert link in text_of(mail) and link in html
    ics = ics_of(mail).replace("\r\n ", "")
    assert f"URL:{link}" in ics and "http://test/" not in ics


async def test_an_unbranded_venues_mail_keeps_maitres_look(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    world: World,
    clock: FakeClock,
    smtp: tuple[Inbox, int],
) -> None:
    inbox, port = smtp
    await book(client, world, email="ada+plain@example.com")
    await make_loop(session_factory(engine), port, clock).run_until_idle()
    [mail] = inbox.to("ada+plain@example.com")
    html_part = mail.get_body(("html",))
    assert html_part is not None
    html = html_part.get_content()
    assert "background:#111111" in html and "<img" not in html
    assert f"border-top:4px solid {world.venue.brand_color}" in html
    assert f"http://test/v/{world.venue.slug}/r/" in text_of(mail)
