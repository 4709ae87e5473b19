"""The salon's guest page (appointments mode) on a phone, against the running demo:
a cut with 'anyone available', booked, then cancelled from the manage page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from .axe import describe, findings
from .conftest import PHONE

pytestmark = pytest.mark.browser
NewPage = Callable[..., Page]
SALON = "salon"
PHONE_390 = {**PHONE, "viewport": {"width": 390, "height": 844}}


def bookable_day(server: str, service_id: str) -> str:
    """The first day in the coming week with a start time for the service."""
    today = date.today()
    for offset in range(1, 8):
        day = (today + timedelta(days=offset)).isoformat()
        found = httpx.get(
            f"{server}/api/v1/venues/{SALON}/services/{service_id}/slots", params={"date": day}
        ).json()
        if found["slots"]:
            return day
    pytest.fail("the demo salon has nothing bookable this week")


def test_a_guest_books_a_cut_with_anyone_available_on_a_phone(
    server: str, new_page: NewPage, artifacts: Path
) -> None:
    services = httpx.get(f"{server}/api/v1/venues/{SALON}/services").json()
    cut = next(s for s in services if s["name"] == "Cut")
    day = bookable_day(server, cut["id"])
    page = new_page(**PHONE_390)
    page.goto(f"{server}/v/{SALON}")
    expect(page.locator(".svc")).to_have_count(5)
    page.screenshot(path=str(artifacts / "appointments-phone-1-services.png"), full_page=True)
    page.locator(f'.svc[data-id="{cut["id"]}"]').click()
    anyone = page.locator(".who.anyone")
    expect(anyone).to_have_attribute("aria-checked", "true")
    page.locator(f'.dchip[data-id="{day}"]').click()
    first = page.locator(".tslot").first
    expect(first).to_be_visible()
    page.screenshot(path=str(artifacts / "appointments-phone-2-times.png"), full_page=True)
    assert not findings(page), describe(findings(page))
    first.click()
    expect(page.locator("#details-step")).to_be_visible()
    expect(page.locator("#summary")).to_contain_text("Cut")
    page.locator("#g-name").fill("Robin Phone")
    page.locator("#g-email").fill("robin.phone@example.com")
    page.screenshot(path=str(artifacts / "appointments-phone-3-details.png"), full_page=True)
    page.locator("#complete-btn").click()
    expect(page.locator("#done")).to_be_visible()
    expect(page.locator("#done-facts")).to_contain_text("Confirmed")
    page.screenshot(path=str(artifacts / "appointments-phone-4-booked.png"), full_page=True)
    assert not findings(page), describe(findings(page))
    # No horizontal scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.locator("#done-manage").click()
    facts = page.locator("#manage-facts")
    expect(facts).to_contain_text("Cut")
    before = facts.inner_text()
    page.locator("#resched-start").click()
    later = page.locator("#appt-move-times .tslot").last
    expect(later).to_be_visible()
    page.screenshot(path=str(artifacts / "appointments-phone-5-manage-move.png"), full_page=True)
    later.click()
    page.locator("#appt-move-yes").click()
    expect(facts).not_to_have_text(before)
    expect(page.locator("#manage-status")).to_have_text("Confirmed")
    assert not findings(page), describe(findings(page))
    page.locator("#cancel-start").click()
    page.locator("#cancel-yes").click()
    expect(page.locator("#manage-title")).to_have_text("Booking cancelled")


def test_the_taken_time_is_gone_for_the_next_guest(server: str, new_page: NewPage) -> None:
    services = httpx.get(f"{server}/api/v1/venues/{SALON}/services").json()
    colour = next(s for s in services if s["name"] == "Colour")
    day = bookable_day(server, colour["id"])
    page = new_page(**PHONE_390)
    page.goto(f"{server}/v/{SALON}")
    page.locator(f'.svc[data-id="{colour["id"]}"]').click()
    page.locator(f'.dchip[data-id="{day}"]').click()
    expect(page.locator(".tslot").first).to_be_visible()
    # A time both the page and the API offer now (not the very first: it may pass its
    # cutoff while the test runs; other tests of the session book this salon too).
    api_at = {
        datetime.fromisoformat(x["starts_at"].replace("Z", "+00:00"))
        for x in httpx.get(
            f"{server}/api/v1/venues/{SALON}/services/{colour['id']}/slots", params={"date": day}
        ).json()["slots"]
    }
    shown = [
        str(a)
        for a in page.locator(".tslot").evaluate_all("els => els.map(e => e.dataset.at)")
        if datetime.fromisoformat(str(a).replace("Z", "+00:00")) in api_at
    ]
    assert shown, "no time offered by both the page and the API"
    at = shown[min(3, len(shown) - 1)]
    first = page.locator(f'.tslot[data-at="{at}"]')
    # Meanwhile the desk books every Colour-capable person at that time (walk-ins: the
    # guests' hold throttle, shared by the whole browser session, does not apply).
    with httpx.Client(base_url=server, timeout=10) as desk:
        login = desk.post(
            "/api/v1/staff/login", json={"email": "desk@salon.example", "password": "velvet-demo"}
        )
        csrf = {"X-CSRF-Token": login.json()["csrf_token"]}
        offered = httpx.get(
            f"{server}/api/v1/venues/{SALON}/services/{colour['id']}/slots", params={"date": day}
        ).json()["slots"]
        when = datetime.fromisoformat(at.replace("Z", "+00:00"))
        free = next(
            x["staff_ids"]
            for x in offered
            if datetime.fromisoformat(x["starts_at"].replace("Z", "+00:00")) == when
        )
        for i, staff_id in enumerate(free):
            taken = desk.post(
                f"/api/v1/staff/venues/{SALON}/appointments/walk-ins",
                headers=csrf,
                json={
                    "service_id": colour["id"],
                    "starts_at": at,
                    "staff_id": staff_id,
                    "guest": {"name": f"Desk {i}", "phone": f"07700 90012{i}"},
                },
            )
            assert taken.status_code == 201, taken.text
    first.click()
    expect(page.locator("#toast")).to_contain_text("Just taken")
    expect(page.locator(f'.tslot[data-at="{at}"]')).to_have_count(0)


def test_the_salon_desk_sees_the_booking_in_the_day_view_and_drags_it(
    server: str, new_page: NewPage, artifacts: Path
) -> None:
    services = httpx.get(f"{server}/api/v1/venues/{SALON}/services").json()
    staff = {m["name"]: m["id"] for m in httpx.get(f"{server}/api/v1/venues/{SALON}/staff").json()}
    cut = next(s for s in services if s["name"] == "Cut")
    day = bookable_day(server, cut["id"])
    slots = httpx.get(
        f"{server}/api/v1/venues/{SALON}/services/{cut['id']}/slots",
        params={"date": day, "staff_id": staff["Priya"]},
    ).json()["slots"]
    held = httpx.post(
        f"{server}/api/v1/venues/{SALON}/appointments/holds",
        json={
            "service_id": cut["id"],
            "starts_at": slots[0]["starts_at"],
            "staff_id": staff["Priya"],
        },
    ).json()
    done = httpx.post(
        f"{server}/api/v1/venues/{SALON}/holds/{held['reservation']['id']}/complete",
        json={"token": held["token"], "guest": {"name": "Drag Me", "email": "drag.me@example.com"}},
    )
    assert done.status_code == 200, done.text
    rid = held["reservation"]["id"]

    page = new_page()
    page.goto(f"{server}/admin")
    page.locator("#login-email").fill("desk@salon.example")
    page.locator("#login-password").fill("velvet-demo")
    page.locator("#login-submit").click()
    expect(page.locator("#user-role")).to_have_text("floor")
    page.goto(f"{server}/admin#/day/{day}")
    block = page.locator(f'.day-block[data-rid="{rid}"]')
    expect(block).to_contain_text("Drag Me")
    expect(page.locator(".day-head")).to_have_count(4)
    page.screenshot(path=str(artifacts / "appointments-desktop-day-view.png"), full_page=True)
    assert not findings(page), describe(findings(page))
    target = page.locator(f'.day-col[data-staff="{staff["Leo"]}"]')
    box = target.bounding_box()
    assert box is not None
    # Leo starts at 10:00: drop the block at his 14:30 (1.3 px a minute from the top).
    first_hour = int(page.locator(".day-hours span").first.inner_text()[:2])
    y = (14 * 60 + 30 - first_hour * 60) * 1.3 + 5
    block.drag_to(target, target_position={"x": 40, "y": y}, source_position={"x": 10, "y": 5})
    expect(
        page.locator(f'.day-col[data-staff="{staff["Leo"]}"] .day-block[data-rid="{rid}"]')
    ).to_be_visible()
    moved = page.locator(f'.day-block[data-rid="{rid}"] .b-time')
    expect(moved).to_have_text("14:30\u201315:15")
    page.screenshot(path=str(artifacts / "appointments-desktop-day-view-moved.png"), full_page=True)

    phone = new_page(**PHONE_390)
    phone.goto(f"{server}/admin")
    phone.locator("#login-email").fill("desk@salon.example")
    phone.locator("#login-password").fill("velvet-demo")
    phone.locator("#login-submit").click()
    expect(phone.locator("#user-role")).to_have_text("floor")
    phone.goto(f"{server}/admin#/day/{day}")
    expect(phone.locator(f'.day-block[data-rid="{rid}"]')).to_be_visible()
    phone.screenshot(path=str(artifacts / "appointments-phone-day-view.png"))
