"""The manage page's "Change date or table" on a phone, against a real server (the
browser fixtures of tests/browser: ``maitre serve`` on the demo, system Chromium)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from .conftest import PHONE, SLUG

pytestmark = pytest.mark.browser
NewPage = Callable[..., Page]


def book(base: str, day: str, avoid: set[str]) -> tuple[str, dict[str, Any]]:
    """A confirmed booking for two, on a table needing no deposit if there is one."""
    api = f"{base}/api/v1/venues/{SLUG}"
    floor = httpx.get(f"{api}/nights/{day}/floor").json()
    free = [
        t
        for t in floor["tables"]
        if t["state"] == "free" and t["min_party"] <= 2 <= t["max_party"] and t["id"] not in avoid
    ]
    free.sort(key=lambda t: (t["deposit"] or 0, t["label"]))
    table = free[0]
    held = httpx.post(
        f"{api}/holds", json={"date": day, "table_ids": [table["id"]], "party_size": 2}
    ).json()
    token = held["token"]
    guest = {"name": "Grace Hopper", "email": "grace@example.com", "phone": "07911 123456"}
    done = httpx.post(
        f"{api}/holds/{held['reservation']['id']}/complete", json={"token": token, "guest": guest}
    ).json()
    assert done["status"] in ("confirmed", "pending_payment"), done
    if done["status"] == "pending_payment":
        path = httpx.URL(httpx.post(f"{api}/reservations/{token}/checkout").json()["checkout_url"])
        httpx.post(f"{base}{path.path}/pay")
    view = httpx.get(f"{api}/reservations/{token}").json()
    assert view["status"] == "confirmed", view
    return token, view


def test_a_guest_moves_their_booking_on_a_phone(
    server: str,
    night: dict[str, Any],
    new_page: NewPage,
    artifacts: Path,
) -> None:
    token, booked = book(server, night["date"], set())
    page = new_page(**{**PHONE, "viewport": {"width": 390, "height": 844}})
    page.goto(f"{server}/v/{SLUG}/r/{token}")
    expect(page.locator("#manage-status")).to_have_text("Confirmed")
    page.locator("#resched-start").click()
    nights = page.locator("#resched-nights .night:not([disabled])")
    expect(nights.first).to_be_visible()
    other = page.locator(
        f'#resched-nights .night:not([disabled]):not([data-date="{night["date"]}"])'
    ).first
    new_day = other.get_attribute("data-date")
    other.click()
    expect(other).to_have_attribute("aria-pressed", "true")
    first_table = page.locator("#resched-tables .alt").first
    expect(first_table).to_be_visible()
    label = first_table.locator(".alt-label").inner_text()
    first_table.click()
    expect(page.locator("#resched-confirm")).to_be_visible()
    expect(page.locator("#resched-diff")).to_contain_text(label)
    expect(page.locator("#resched-diff")).to_contain_text("Minimum spend")
    expect(page.locator("#resched-money")).not_to_be_empty()
    # Nothing moved before the guest confirms.
    still = httpx.get(f"{server}/api/v1/venues/{SLUG}/reservations/{token}").json()
    assert still["date"] == booked["date"] and still["tables"] == booked["tables"]
    page.screenshot(path=str(artifacts / "reschedule-phone-confirm.png"), full_page=True)
    page.locator("#resched-yes").click()
    expect(page.locator("#manage-facts")).to_contain_text(label)
    expect(page.locator("#resched")).to_be_hidden()
    moved = httpx.get(f"{server}/api/v1/venues/{SLUG}/reservations/{token}").json()
    assert moved["date"] == new_day and moved["tables"] == [label]
    assert moved["status"] in ("confirmed", "pending_payment")
    if moved["status"] == "pending_payment":
        expect(page.locator("#manage-pay")).to_be_visible()
    else:
        expect(page.locator("#manage-note")).to_contain_text("moved")
    # The old table went back to other guests.
    old = httpx.get(f"{server}/api/v1/venues/{SLUG}/nights/{booked['date']}/floor").json()
    states = {t["label"]: t["state"] for t in old["tables"]}
    assert states[booked["tables"][0]] == "free"
    page.screenshot(path=str(artifacts / "reschedule-phone-done.png"), full_page=True)
