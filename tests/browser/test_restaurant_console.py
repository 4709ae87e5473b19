"""The restaurant in the staff console: each sitting's covers and tables, which move live
when a guest books, and the turn-away report with its sentence and chart."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from .test_console import sign_in
from .test_restaurant_page import SLUG, next_saturday

pytestmark = pytest.mark.browser
NewPage = Callable[..., Page]


def book_online(server: str, day: str, party: int) -> list[str]:
    base = f"{server}/api/v1/venues/{SLUG}"
    starts = httpx.get(f"{base}/nights/{day}/sittings", params={"party_size": party}).json()
    start = next(s for s in starts["starts"] if s["bookable"])
    held = httpx.post(
        f"{base}/holds", json={"date": day, "party_size": party, "starts_at": start["starts_at"]}
    )
    held.raise_for_status()
    hold = held.json()
    done = httpx.post(
        f"{base}/holds/{hold['reservation']['id']}/complete",
        json={"token": hold["token"], "guest": {"name": "Live Test", "email": "live@example.com"}},
    )
    done.raise_for_status()
    return list(done.json()["tables"])


def test_counters_move_live_and_the_report_reads_well(
    server: str, new_page: NewPage, artifacts: Path
) -> None:
    day = next_saturday(server)
    page = new_page()
    sign_in(page, server, "manager@trattoria.example", "velvet-demo", "manager")
    page.goto(f"{server}/admin#/tonight/{day}")
    expect(page.locator("#view-tonight")).to_have_attribute("data-night", day)
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    covers = page.locator("#service .svc-covers").first
    expect(covers).to_have_text(re.compile(r"^\d+/80 guests$"))
    expect(page.locator("#service .svc-tables").first).to_have_text(re.compile(r"^\d+/20 tables$"))
    before = int(covers.inner_text().split("/")[0])
    tables = book_online(server, day, 4)
    expect(covers).to_have_text(f"{before + 4}/80 guests")
    page.locator("#service .svc-parties summary").first.click()
    expect(page.locator("#service .svc-parties")).to_contain_text(
        f"Live Test · 4 · {' + '.join(tables)}"
    )
    page.screenshot(path=str(artifacts / "restaurant-console-1280.png"), full_page=True)

    page.goto(f"{server}/admin#/turnaways")
    expect(page.locator("#ta-sentence")).to_have_text(
        re.compile(r"^\d+ parties tried to book \w+days that you couldn't seat; \d+ of them at")
    )
    expect(page.locator(".ta-chart rect").first).to_be_visible()
    page.screenshot(path=str(artifacts / "restaurant-turnaways-1280.png"), full_page=True)

    page.goto(f"{server}/admin#/rules")
    periods = page.locator("#dining-panel .dining-periods tbody tr")
    expect(periods).to_have_count(11)  # two sittings Monday to Thursday, rolling Fri-Sun
    expect(page.locator("#dining-panel .dining-turns tbody tr")).to_have_count(4)
    page.locator("#dining-panel button", has_text="Save service and turn times").click()
    expect(page.locator("#toast")).to_contain_text("Service periods and turn times saved")
    page.locator("#dining-panel").screenshot(path=str(artifacts / "restaurant-rules-1280.png"))
