"""The console's Calendars view in a real browser: a manager makes a feed URL that a
calendar client then reads, and uploads a busy calendar that blocks a table."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import icalendar
import pytest
from playwright.sync_api import Page, expect

from .conftest import SLUG
from .test_console import MANAGER, sign_in

pytestmark = pytest.mark.browser
NewPage = Callable[..., Page]

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "reduced_motion": "reduce",
}
LAPTOP = {"viewport": {"width": 1280, "height": 860}, "reduced_motion": "reduce"}


def busy_ics(day: date, uid: str) -> str:
    stamp = day.strftime("%Y%m%d")
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20261101T000000Z\r\nSUMMARY:Private party\r\n"
        f"DTSTART;TZID=Europe/London:{stamp}T230000\r\n"
        f"DTEND;TZID=Europe/London:{stamp}T235900\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


@pytest.mark.parametrize("size", ["390", "1280"])
def test_a_feed_url_and_an_imported_calendar_from_the_console(
    server: str,
    new_page: NewPage,
    artifacts: Path,
    night: dict[str, Any],
    tmp_path: Path,
    size: str,
) -> None:
    page = new_page(**(PHONE if size == "390" else LAPTOP))
    sign_in(page, server, *MANAGER, "manager")
    page.goto(f"{server}/admin#/calendars")
    expect(page.locator("#cal-feeds-h")).to_be_visible()

    # a feed: its address is shown once and a calendar client can read it
    page.locator("#calendars-root form").first.locator("input[name=label]").fill(f"Book {size}")
    page.locator("#cal-feed-add").click()
    url_box = page.locator("#cal-url")
    expect(url_box).to_be_visible()
    url = url_box.input_value()
    assert url.endswith(".ics")
    path = url.split("://", 1)[1].split("/", 1)[1]
    answer = httpx.get(f"{server}/{path}")
    assert answer.status_code == 200
    cal = icalendar.Calendar.from_ical(answer.content)
    assert str(cal["x-wr-calname"]).endswith(f"Book {size}")
    expect(page.locator(f'#cal-feed-list li:has-text("Book {size}")')).to_be_visible()
    page.screenshot(path=str(artifacts / f"console-calendars-feed-{size}.png"), full_page=True)

    # an uploaded calendar blocks the ticked table on the night its event overlaps
    forms = page.locator("#calendars-root form")
    imports = forms.nth(1)
    imports.locator("input[name=label]").fill(f"Hire {size}")
    floor = httpx.get(f"{server}/api/v1/venues/{SLUG}/nights/{night['date']}/floor").json()
    free = sorted(t["label"] for t in floor["tables"] if t["state"] == "free")
    label = free[0] if size == "390" else free[1]
    imports.locator(f'label.chip-check:has-text("{label}")').first.click()
    page.locator("#cal-imp-add").click()
    row = page.locator(f'#cal-imp-list li:has-text("Hire {size}")')
    expect(row).to_be_visible()
    day = date.fromisoformat(night["date"])
    ics_file = tmp_path / "busy.ics"
    ics_file.write_text(busy_ics(day, f"party-{size}"))
    row.locator("input[type=file]").set_input_files(str(ics_file))
    row = page.locator(f'#cal-imp-list li:has-text("Hire {size}")')
    expect(row.locator(".cal-result")).to_contain_text("1 block added")
    expect(row).to_contain_text("1 busy event")
    page.screenshot(path=str(artifacts / f"console-calendars-import-{size}.png"), full_page=True)

    # removing it puts the table back
    row.get_by_role("button", name=f"Remove: Hire {size}").click()
    expect(page.locator(f'#cal-imp-list li:has-text("Hire {size}")')).to_have_count(0)
