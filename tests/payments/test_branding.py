"""The venue's brand reaches Stripe Checkout (its own ``branding_settings``: name, colours,
corners, font, an https logo) and the TEST MODE page; the guest comes back to the venue's
own address when it has one."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from payments.testmode import FakeStripe
from tests.api.conftest import NOW
from tests.factories import World
from tests.payments.conftest import book, checkout
from venue.core.actor import SYSTEM
from venue.core.db import session_factory
from venue.setup import brand

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
    "font": "old-style",
    "corners": "round",
}


async def branded(engine: AsyncEngine, world: World, **more: object) -> None:
    async with session_factory(engine)() as s, s.begin():
        await brand.update_brand(s, world.venue, {**LOOK, **more}, 0, SYSTEM, NOW)


async def test_checkout_carries_the_venues_brand_and_returns_to_its_address(
    pay: httpx.AsyncClient, world: World, engine: AsyncEngine, fake: FakeStripe
) -> None:
    await branded(
        engine,
        world,
        public_url="https://book.velvet.example",
        logo_url="https://cdn.velvet.example/logo.png",
    )
    _, token = await book(pay, world)
    started = await checkout(pay, world, token)
    sent = fake.sessions[started["session_id"]]
    assert sent["_branding"] == {
        "[display_name]": world.venue.name,
        "[background_color]": "#f6f3ee",
        "[button_color]": "#0057b8",
        "[border_style]": "pill",
        "[font_family]": "lora",
        "[logo][type]": "url",
        "[logo][url]": "https://cdn.velvet.example/logo.png",
    }
    assert sent["success_url"] == (
        f"https://book.velvet.example/v/{world.venue.slug}/r/{token}?payment=done"
    )


async def test_an_unbranded_venue_sends_maitres_look_without_a_logo(
    pay: httpx.AsyncClient, world: World, fake: FakeStripe
) -> None:
    _, token = await book(pay, world)
    sent = fake.sessions[(await checkout(pay, world, token))["session_id"]]
    assert sent["_branding"]["[display_name]"] == world.venue.name
    assert "[logo][url]" not in sent["_branding"]
    assert sent["success_url"].startswith("http://127.0.0.1:8000/")


async def test_the_test_mode_page_wears_what_stripe_was_asked_for(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    await branded(engine, world)
    _, token = await book(client, world)
    path = httpx.URL((await checkout(client, world, token))["checkout_url"]).path
    page = await client.get(path)
    assert f"<span class='business-name'>{world.venue.name}</span>" in page.text
    assert "style=" not in page.text and "<script" not in page.text
    css = await client.get(f"{path}/brand.css")
    assert css.headers["content-type"].startswith("text/css")
    assert "--co-bg: #f6f3ee;" in css.text and "--co-button: #0057b8;" in css.text
    assert "--co-on-button: #ffffff;" in css.text and "--co-radius: 999px;" in css.text


def test_only_plain_colours_reach_the_test_page_stylesheet() -> None:
    css = brand.checkout_stylesheet("red;}body{x:y", "#0057b8", "weird")
    assert "red" not in css and "--co-button: #0057b8;" in css and "radius" not in css
