"""An Italian guest books on the Velvet Room's page in Italian, with Italian dates in the
venue's timezone, and the booking keeps Italian for the guest's mail."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from babel.dates import format_date
from playwright.sync_api import Page, expect

from .conftest import PHONE, SLUG

pytestmark = pytest.mark.browser
NewPage = Callable[..., Page]
SHOTS = Path("/work/tmp/shots")


def _shot(page: Page, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / name), full_page=True)
    if SHOTS.parent.is_dir():  # a developer's look at it, beside the CI artifacts
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / name), full_page=True)


def test_an_italian_guest_books_in_italian_on_a_phone(
    server: str, night: dict[str, Any], new_page: NewPage, artifacts: Path, server_db: Path
) -> None:
    phone = {**PHONE, "viewport": {"width": 390, "height": 844}}
    page = new_page(**phone, locale="it-IT")  # Accept-Language: it-IT
    page.goto(f"{server}/v/{SLUG}")
    expect(page.locator("html")).to_have_attribute("lang", "it")
    expect(page.locator("h1.page-title")).to_have_text("Prenota un tavolo")
    expect(page.locator('.lang-picker a[aria-current="true"]')).to_have_text("Italiano")

    day = date.fromisoformat(night["date"])
    card = page.locator(f'.night[data-date="{night["date"]}"]')
    expect(card.locator(".n-wd")).to_have_text(format_date(day, "EEE", locale="it_IT"))
    card.tap()
    expect(page.locator(".tbl.selectable").first).to_be_visible()
    expect(page.locator("#floor-hint")).to_contain_text(
        format_date(day, "EEEE d MMMM", locale="it_IT")
    )
    _shot(page, artifacts, "it-390-floor.png")

    target = page.locator(".tbl.selectable.state-free").first
    label = target.get_attribute("data-label")
    target.tap()
    expect(page.locator("#sheet-title")).to_have_text(f"Tavolo {label}")
    expect(page.locator("#hold-btn")).to_have_text("Riserva questo tavolo")
    page.locator("#hold-btn").tap()
    expect(page.locator("#countdown-time")).to_have_text(re.compile(r"^\d+:\d\d$"))
    page.locator("#g-name").fill("Giulia Bianchi")
    page.locator("#g-email").fill("giulia@example.it")
    page.locator("#complete-btn").tap()

    done = page.locator("#done")
    expect(done).to_be_visible()
    expect(page.locator("#done-title")).to_have_text("Prenotazione confermata")
    expect(done).to_contain_text(format_date(day, "EEEE d MMMM", locale="it_IT"))
    expect(done).to_contain_text("22:00")  # the demo's nights open at 22:00, London time
    expect(page.locator("#done-facts")).to_contain_text("Confermata")
    _shot(page, artifacts, "it-390-booked.png")

    with sqlite3.connect(server_db) as db:
        (language,) = db.execute(
            "SELECT r.language FROM reservations r JOIN guests g ON g.id = r.guest_id"
            " WHERE g.name = 'Giulia Bianchi' ORDER BY r.created_at DESC"
        ).fetchone()
    assert language == "it"

    page.set_viewport_size({"width": 1280, "height": 860})
    page.locator("#done-manage").click()
    expect(page.locator("#manage-status")).to_have_text("Confermata")
    expect(page.locator("#manage-when")).to_contain_text(
        format_date(day, "full", locale="it_IT") + " · 22:00"
    )
    _shot(page, artifacts, "it-1280-manage.png")
