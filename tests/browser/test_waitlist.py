"""The demo's waitlist path on a phone (390 px), against a real ``maitre serve``: a guest
finds the full Saturday, joins the waitlist, someone cancels, the offer email arrives and
the guest takes the table from it."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from .axe import describe, findings
from .conftest import PHONE, SLUG

pytestmark = pytest.mark.browser
NewPage = Callable[..., Page]
PHONE_390 = {**PHONE, "viewport": {"width": 390, "height": 844}}


def accessible(page: Page) -> None:
    bad = findings(page)
    assert not bad, describe(bad)


def full_saturday(base: str) -> str:
    nights = httpx.get(f"{base}/api/v1/venues/{SLUG}/nights?days=28").json()
    full = [n for n in nights if n["sold_out"] and date.fromisoformat(n["date"]).weekday() == 5]
    assert full, "the demo has a full Saturday"
    return str(full[0]["date"])


def manager(base: str) -> tuple[httpx.Client, dict[str, str]]:
    http = httpx.Client(base_url=base, timeout=10)
    login = http.post(
        "/api/v1/staff/login", json={"email": "manager@velvet.example", "password": "velvet-demo"}
    )
    login.raise_for_status()
    return http, {"X-CSRF-Token": login.json()["csrf_token"]}


def cancel_a_standard_table(base: str, day: str) -> None:
    """Another guest gives up a table for two to six (what the party of two can take)."""
    http, csrf = manager(base)
    try:
        found = http.get(
            f"/api/v1/staff/venues/{SLUG}/reservations",
            params={"date": day, "status": "confirmed", "per_page": 200},
        ).json()["items"]
        standard = next(r for r in found if str(r["tables"][0]).startswith("S"))
        http.post(
            f"/api/v1/staff/venues/{SLUG}/reservations/{standard['id']}/cancel",
            json={"reason": "guest rang to cancel"},
            headers=csrf,
        ).raise_for_status()
    finally:
        http.close()


def offer_link(base: str, email: str) -> str:
    """The offer email in the local outbox (the demo sends none out), and its link's path."""
    http, _ = manager(base)
    try:
        for _ in range(60):  # the waitlist and mail loops run every second or so
            for m in http.get(f"/api/v1/staff/venues/{SLUG}/mail").json():
                if m["to"] == email and "table is free" in m["subject"]:
                    text = http.get(f"/api/v1/staff/venues/{SLUG}/mail/{m['id']}").json()["text"]
                    found = re.search(r"https?://[^/\s]+(/v/[^/\s]+/offer/[0-9a-f]{64})", text)
                    assert found, text
                    return found.group(1)
            time.sleep(0.5)
    finally:
        http.close()
    pytest.fail("no offer email arrived")


def test_join_the_waitlist_and_take_the_offer_on_a_phone(
    server: str, new_page: NewPage, artifacts: Path
) -> None:
    day = full_saturday(server)
    page = new_page(**PHONE_390)
    page.goto(f"{server}/v/{SLUG}")
    page.locator(f'.night[data-date="{day}"]').click()
    join = page.locator("#waitlist-join")
    expect(join).to_be_visible()
    expect(page.locator("#waitlist-lead")).to_contain_text("Nothing is free for a party of 2")
    page.locator("#waitlist-start").click()
    page.locator("#w-name").fill("Rosa Parks")
    page.locator("#w-email").fill("rosa.parks@example.com")
    page.screenshot(path=str(artifacts / "waitlist-join-390.png"), full_page=True)
    accessible(page)
    page.locator("#waitlist-submit").click()

    expect(page.locator("#wl-status")).to_have_text("Waiting")
    expect(page.locator("#wl-place")).to_have_text("#3")  # behind the demo's two parties
    page.screenshot(path=str(artifacts / "waitlist-status-390.png"), full_page=True)
    accessible(page)

    cancel_a_standard_table(server, day)
    path = offer_link(server, "rosa.parks@example.com")
    page.reload()
    expect(page.locator("#wl-status")).to_have_text("Table offered")

    offer = new_page(**PHONE_390)
    offer.goto(f"{server}{path}")
    expect(offer.locator("#wl-status")).to_have_text("Held for you")
    expect(offer.locator("#wl-lead")).to_contain_text("Rosa Parks, a table for 2")
    offer.screenshot(path=str(artifacts / "waitlist-offer-390.png"), full_page=True)
    accessible(offer)
    offer.get_by_role("button", name=re.compile("^Take the table")).click()
    expect(offer.locator("#wl-title")).to_have_text("You're booked")
    expect(offer.locator("#wl-status")).to_have_text("Booked")
    offer.screenshot(path=str(artifacts / "waitlist-booked-390.png"), full_page=True)

    token = path.rsplit("/", 1)[1]
    booked: dict[str, Any] = httpx.get(f"{server}/api/v1/venues/{SLUG}/reservations/{token}").json()
    assert booked["status"] == "confirmed" and booked["guest_name"] == "Rosa Parks"
    again = httpx.post(f"{server}/api/v1/venues/{SLUG}/offers/{token}/accept")
    assert again.status_code == 409  # single use


def test_staff_see_the_night_s_waitlist_and_add_a_phone_party(
    server: str, new_page: NewPage, artifacts: Path
) -> None:
    day = full_saturday(server)
    page = new_page()
    page.goto(f"{server}/admin")
    page.locator("#login-email").fill("manager@velvet.example")
    page.locator("#login-password").fill("velvet-demo")
    page.locator("#login-submit").click()
    expect(page.locator("#user-role")).to_have_text("manager", timeout=30_000)
    page.goto(f"{server}/admin#/waitlist/{day}")
    rows = page.locator("#wl-table tbody tr")
    expect(rows.first).to_contain_text("Nia Adeyemi · 12")
    expect(page.locator("#wl-count")).to_contain_text("waiting")
    form = page.locator("#wl-add")
    form.get_by_label("Name").fill("Phone Caller")
    form.get_by_label("Party size").fill("4")
    form.get_by_label("Phone").fill("07911 123456")
    form.get_by_role("button", name="Add to the waitlist").click()
    expect(page.locator("#wl-table tbody")).to_contain_text("Phone Caller · 4")
    page.evaluate("window.scrollTo(0, 0)")  # the sticky header over a scrolled page
    page.screenshot(path=str(artifacts / "waitlist-console-1280.png"), full_page=True)
    accessible(page)
    page.set_viewport_size({"width": 390, "height": 844})
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(artifacts / "waitlist-console-390.png"), full_page=True)
