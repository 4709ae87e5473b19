"""The restaurant's guest path on a phone: date, party size, a time with what is left,
details, booked on the tables the venue assigned, which staff then see on the night."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from .axe import describe, findings
from .conftest import PHONE

pytestmark = pytest.mark.browser
NewPage = Callable[..., Page]
SLUG = "trattoria"


def next_saturday(server: str) -> str:
    nights = httpx.get(f"{server}/api/v1/venues/{SLUG}/nights?days=28").json()
    soon = (datetime.now(UTC) + timedelta(days=1)).date()
    for n in nights:
        day = date.fromisoformat(n["date"])
        if day.weekday() == 5 and day > soon and not n["closed"]:
            return str(n["date"])
    pytest.fail("the demo restaurant has no Saturday open")


def test_a_party_of_five_books_a_saturday_on_a_phone(
    server: str, new_page: NewPage, artifacts: Path
) -> None:
    day = next_saturday(server)
    page = new_page(**{**PHONE, "viewport": {"width": 390, "height": 844}})
    page.goto(f"{server}/v/{SLUG}")
    expect(page.locator("h1.page-title")).to_have_text("Book a table")
    page.locator(f'.night[data-date="{day}"]').click()
    for _ in range(3):
        page.locator("#party-plus").click()
    expect(page.locator("#party-size")).to_have_text("5")
    times = page.locator(".time-btn")
    expect(times.first).to_be_visible()
    page.screenshot(path=str(artifacts / "restaurant-times-390.png"), full_page=True)
    assert not (bad := findings(page)), describe(bad)
    chosen = times.first.locator(".t-time").inner_text()
    times.first.click()
    expect(page.locator("#details")).to_be_visible()
    expect(page.locator("#held-summary")).to_contain_text(f"at {chosen}, 5 guests")
    expect(page.locator("#countdown-time")).to_have_text(re.compile(r"^\d+:\d\d$"))
    page.locator("#g-name").fill("Lena Rossi")
    page.locator("#g-email").fill("lena.rossi@example.com")
    page.screenshot(path=str(artifacts / "restaurant-details-390.png"), full_page=True)
    assert not (bad := findings(page)), describe(bad)
    page.locator("#complete-btn").click()
    expect(page.locator("#done")).to_be_visible()
    expect(page.locator("#done-title")).to_have_text("You're booked")
    facts = page.locator("#done-facts")
    expect(facts).to_contain_text(chosen)
    expect(facts).to_contain_text(re.compile(r"Tables?"))
    page.screenshot(path=str(artifacts / "restaurant-done-390.png"), full_page=True)
    assert not (bad := findings(page)), describe(bad)
    tables = facts.locator("dd.strong").inner_text()
    assert " + " in tables  # no single table takes five at trattoria: they are joined

    with httpx.Client(base_url=server, timeout=10) as http:
        login = http.post(
            "/api/v1/staff/login",
            json={"email": "floor@trattoria.example", "password": "velvet-demo"},
        )
        login.raise_for_status()
        service = http.get(f"/api/v1/staff/venues/{SLUG}/dining/{day}/service").json()
    parties = [p for s in service["sittings"] for p in s["parties"]]
    mine = [p for p in parties if p["guest_name"] == "Lena Rossi"]
    assert len(mine) == 1 and mine[0]["party_size"] == 5
    assert " + ".join(mine[0]["tables"]) == tables


def test_a_party_too_large_is_asked_to_call(
    server: str, new_page: NewPage, artifacts: Path
) -> None:
    day = next_saturday(server)
    page = new_page()
    page.goto(f"{server}/v/{SLUG}")
    page.locator(f'.night[data-date="{day}"]').click()
    expect(page.locator(".time-btn").first).to_be_visible()
    page.screenshot(path=str(artifacts / "restaurant-times-1280.png"), full_page=True)
    for _ in range(11):  # the largest joined tables seat 12; online takes up to 14
        page.locator("#party-plus").click()
    expect(page.locator("#party-size")).to_have_text("13")
    expect(page.locator(".call-us")).to_contain_text("please call us")
    expect(page.locator(".call-us a")).to_have_attribute("href", re.compile(r"^tel:\+44"))
