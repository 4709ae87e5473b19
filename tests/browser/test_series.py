"""Standing reservations in the console at 1280 px: the demo's regular Thursday booth on
the floor and in the series view, and a new weekly series made from the phone booking
form (Repeat, a preview of each date, then the series), cancelled from its view."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from .test_console import MANAGER, free_tables, open_night, sign_in, table

pytestmark = pytest.mark.browser
NewPage = Callable[..., Page]


def test_a_weekly_series_is_previewed_booked_and_cancelled_in_the_console(
    server: str, night: dict[str, Any], new_page: NewPage, artifacts: Path
) -> None:
    page = new_page()  # 1280 px
    sign_in(page, server, *MANAGER, "manager")

    # The demo's standing reservation: the regular's booth, on the floor every Thursday.
    page.goto(f"{server}/admin#/series")
    expect(page.locator("#series-list")).to_contain_text("Inès Moreau")
    expect(page.locator("#series-list")).to_contain_text("Every Thursday at")
    page.locator("#series-list a", has_text="Inès Moreau").click()
    rows = page.locator("#series-detail tbody tr")
    expect(rows.first).to_be_visible()
    booked = rows.filter(has=page.locator(".st-confirmed"))
    expect(booked.first).to_be_visible()
    page.screenshot(path=str(artifacts / "console-series-demo.png"), full_page=True)
    first_thursday = str(booked.first.get_attribute("data-date"))
    page.goto(f"{server}/admin#/tonight")
    open_night(page, first_thursday)
    expect(page.locator("#floor-svg .tbl .t-note", has_text="Inès · 6 ↻")).to_be_visible()

    # A new weekly series from the phone booking form.
    open_night(page, night["date"])
    source = free_tables(page)[0]
    table(page, source).click()
    expect(page.locator("#book-form")).to_be_visible()
    page.locator("#bk-name").fill("Series Tester")
    page.locator("#bk-email").fill(f"series-{uuid.uuid4().hex[:8]}@example.com")
    page.locator("#bk-party").fill("2")
    page.locator("#bk-repeat").select_option("weekly")
    page.locator("#bk-times").fill("4")
    expect(page.locator("#book-submit")).to_have_text("Preview dates")
    page.locator("#book-submit").click()
    items = page.locator("#series-preview .sr-list li")
    expect(items).to_have_count(4)
    expect(page.locator("#series-preview")).to_contain_text("dates can be booked at")
    page.locator("#series-submit").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "console-series-preview.png"))
    page.locator("#series-preview").screenshot(path=str(artifacts / "console-series-dates.png"))
    page.locator("#series-submit").click()
    expect(table(page, source)).to_have_attribute("data-state", "booked")
    expect(table(page, source).locator(".t-note")).to_have_text("Series · 2 ↻")
    expect(page.locator("#side dd", has_text="Part of a standing reservation")).to_be_visible()

    # Its view: each date; cancel the first date alone, then the whole series.
    page.locator("#series-link").click()
    expect(page.locator("#series-detail")).to_contain_text("Series Tester")
    expect(page.locator("#series-detail tbody tr")).to_have_count(4)
    page.screenshot(path=str(artifacts / "console-series-view.png"), full_page=True)
    page.locator("#series-detail tbody tr .sr-res").first.click()
    expect(page.locator("#res-details")).to_contain_text("Part of a standing reservation")
    page.locator("#res-details a", has_text="The standing reservation").click()
    first = page.locator("#series-detail tbody tr").first
    expect(first).to_have_attribute("data-date", night["date"])
    page.locator("#series-reason").fill("Away that week")
    first.locator('[data-scope="one"]').click()
    expect(first.locator(".st-cancelled")).to_be_visible()
    expect(page.locator("#series-detail tbody tr.sr-ended")).to_have_count(0)
    page.locator("#series-reason").fill("Moving abroad")
    page.locator("#series-cancel-all").click()
    expect(page.locator("#series-detail")).to_contain_text(re.compile(r"cancelled"))
    expect(page.locator("#series-cancel-all")).to_have_count(0)
    page.screenshot(path=str(artifacts / "console-series-cancelled.png"), full_page=True)
