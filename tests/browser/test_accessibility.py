"""axe-core on every screen (guest, host, console, money) at 390 and 1280 px: no serious or
critical finding, in each state a person reaches (a table's sheet open, a table held, the
list view, a staff panel). Screenshots of each state go to test-artifacts/a11y-*.png."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from .axe import describe, findings
from .conftest import SLUG

pytestmark = pytest.mark.browser
NewPage = Callable[..., Page]

PASSWORD = "velvet-demo"
MANAGER = "manager@velvet.example"
HOST = "jade@velvet.example"
PHONE_390 = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "reduced_motion": "reduce",
}
LAPTOP_1280 = {"viewport": {"width": 1280, "height": 800}, "reduced_motion": "reduce"}
WIDTHS = pytest.mark.parametrize("size", [390, 1280])


def opened(new_page: NewPage, size: int) -> Page:
    return new_page(**(PHONE_390 if size == 390 else LAPTOP_1280))


class Check:
    """Run axe and keep a screenshot of each state; report every state's findings at once."""

    def __init__(self, page: Page, artifacts: Path, screen: str, size: int) -> None:
        self.page, self.artifacts, self.screen, self.size = page, artifacts, screen, size
        self.failed: list[str] = []

    def __call__(self, state: str) -> None:
        name = f"a11y-{self.screen}-{state}-{self.size}.png"
        self.page.screenshot(path=str(self.artifacts / name), full_page=True)
        bad = findings(self.page)
        if bad:
            self.failed.append(f"{self.screen} ({state}) at {self.size} px:\n{describe(bad)}")

    def done(self) -> None:
        if self.failed:
            pytest.fail("axe found:\n" + "\n".join(self.failed), pytrace=False)


@WIDTHS
def test_guest_booking_page(
    server: str, night: dict[str, Any], new_page: NewPage, artifacts: Path, size: int
) -> None:
    page = opened(new_page, size)
    check = Check(page, artifacts, "guest", size)
    page.goto(f"{server}/v/{SLUG}")
    page.locator(f'.night[data-date="{night["date"]}"]').click()
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    check("floor")

    page.locator(".tbl.selectable.state-free").first.click()
    expect(page.locator("#sheet")).to_be_visible()
    check("sheet")

    page.locator("#hold-btn").click()
    expect(page.locator("#countdown")).to_be_visible()
    check("held")
    page.locator("#release-btn").click()
    expect(page.locator("#sheet")).to_be_hidden()

    page.locator("#show-list").click()
    expect(page.locator("#list-view")).to_be_visible()
    check("list")
    check.done()


@WIDTHS
def test_host_view(server: str, new_page: NewPage, artifacts: Path, size: int) -> None:
    page = opened(new_page, size)
    check = Check(page, artifacts, "host", size)
    page.goto(f"{server}/host")
    expect(page.locator("#signin")).to_be_visible()
    check("signin")
    page.locator("#signin-email").fill(HOST)
    page.locator("#signin-password").fill(PASSWORD)
    page.locator("#signin-submit").click()
    expect(page.locator("#signin")).to_be_hidden()
    expect(page.locator("#floor-svg .tbl").first).to_be_visible()
    check("book")
    page.locator('.h-tabbar a[data-tab="bookings"]').click()
    expect(page.locator("#tab-bookings")).to_be_visible()
    check("bookings")
    check.done()


@WIDTHS
def test_console(server: str, new_page: NewPage, artifacts: Path, size: int) -> None:
    page = opened(new_page, size)
    check = Check(page, artifacts, "console", size)
    page.goto(f"{server}/admin")
    expect(page).to_have_url(re.compile(r"/admin/login"))
    check("login")
    page.locator("#login-email").fill(MANAGER)
    page.locator("#login-password").fill(PASSWORD)
    page.locator("#login-submit").click()
    expect(page.locator("#user-role")).to_have_text("manager")
    expect(page.locator("#floor-svg .tbl").first).to_be_visible()
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    check("tonight")

    page.locator("#floor-svg .tbl").first.click()
    expect(page.locator("#side-body")).not_to_be_empty()
    check("table")

    for view in ("reservations", "series", "closures", "rules", "audit", "users"):
        page.goto(f"{server}/admin#/{view}")
        expect(page.locator(f"#view-{view}")).to_be_visible()
        expect(page.locator(f"#view-{view} > div").first).not_to_be_empty()
        check(view)
    page.goto(f"{server}/admin#/series")
    page.locator("#series-list a").first.click()
    expect(page.locator("#series-detail")).to_be_visible()
    check("series-detail")
    check.done()


@WIDTHS
def test_money_pages(server: str, new_page: NewPage, artifacts: Path, size: int) -> None:
    page = opened(new_page, size)
    check = Check(page, artifacts, "money", size)
    page.goto(f"{server}/admin/money#/commissions")
    expect(page.locator("#signin")).to_be_visible()
    check("signin")
    page.locator("#signin-email").fill(MANAGER)
    page.locator("#signin-password").fill(PASSWORD)
    page.locator("#signin-submit").click()
    expect(page.locator("#view-commissions")).to_be_visible()
    check("commissions")
    page.goto(f"{server}/admin/money#/finance")
    expect(page.locator("#view-finance")).to_be_visible()
    expect(page.locator("#forecast-chart")).not_to_be_empty()
    page.locator(".m-fc-table summary").click()
    check("finance")
    page.goto(f"{server}/admin/guests")
    expect(page.locator("#main")).to_be_visible()
    check("guests")
    check.done()
