"""Layout the issue's screenshots caught, measured in the page: the whole floor on first
view with nothing drawn over a table, area names clear of other areas, the chosen table in
sight above the sheet on a phone, and the console's menu whole at laptop widths."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from .conftest import SLUG
from .test_accessibility import LAPTOP_1280, PHONE_390

pytestmark = pytest.mark.browser
NewPage = Callable[..., Page]

MANAGER = ("manager@velvet.example", "velvet-demo")
Box = dict[str, float]


def boxes(page: Page, selector: str) -> list[Box]:
    return list(
        page.locator(selector).evaluate_all(
            "nodes => nodes.map(n => { const r = n.getBoundingClientRect();"
            " return {x0: r.left, y0: r.top, x1: r.right, y1: r.bottom}; })"
        )
    )


def overlap(a: Box, b: Box) -> bool:
    return a["x0"] < b["x1"] and b["x0"] < a["x1"] and a["y0"] < b["y1"] and b["y0"] < a["y1"]


def inside(a: Box, b: Box, slack: float = 1) -> bool:
    return (
        a["x0"] >= b["x0"] - slack
        and a["y0"] >= b["y0"] - slack
        and a["x1"] <= b["x1"] + slack
        and a["y1"] <= b["y1"] + slack
    )


def open_guest_floor(page: Page, server: str, night: dict[str, Any]) -> None:
    page.goto(f"{server}/v/{SLUG}")
    page.locator(f'.night[data-date="{night["date"]}"]').click()
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")


@pytest.mark.parametrize("size", [390, 1280])
def test_the_whole_floor_shows_first_and_nothing_covers_a_table(
    server: str, night: dict[str, Any], new_page: NewPage, size: int
) -> None:
    page = new_page(**(PHONE_390 if size == 390 else LAPTOP_1280))
    open_guest_floor(page, server, night)
    [svg] = boxes(page, "#floor-svg")
    tables = boxes(page, "#floor-svg .tbl .shape")
    assert tables
    assert all(inside(t, svg) for t in tables), "part of the floor is off the map"
    for button in boxes(page, ".zoom-controls button"):
        assert not any(overlap(button, t) for t in tables), "a zoom button covers a table"
    areas = boxes(page, "#floor-svg .area")
    for label in boxes(page, "#floor-svg .area-label"):
        assert not any(overlap(label, a) for a in areas), "an area name sits on an area"
        assert not any(overlap(label, t) for t in tables), "an area name sits on a table"


def test_the_chosen_table_stays_in_sight_above_the_sheet_on_a_phone(
    server: str, night: dict[str, Any], new_page: NewPage
) -> None:
    page = new_page(**PHONE_390)
    open_guest_floor(page, server, night)
    for _ in range(4):
        page.locator("#party-plus").click()  # a party of 6: the VIP tables fit
    vip = page.locator(".tbl.selectable.state-free.tier-vip")
    target = vip.nth(vip.count() - 1)  # bottom right of the demo floor
    target.click()
    expect(page.locator("#sheet")).to_be_visible()

    def in_sight() -> bool:
        [table] = boxes(page, ".tbl.selected .shape")
        [sheet] = boxes(page, "#sheet")
        [bar] = boxes(page, ".topbar")
        return bool(table["y0"] >= bar["y1"] and table["y1"] <= sheet["y0"])

    page.wait_for_function("() => document.documentElement.style.getPropertyValue('--sheet-h')")
    assert in_sight()
    page.locator("#hold-btn").click()
    expect(page.locator("#countdown")).to_be_visible()
    page.wait_for_timeout(100)  # the taller sheet's resize callback, then one frame
    assert in_sight()
    page.locator("#release-btn").click()
    expect(page.locator("#sheet")).to_be_hidden()


@pytest.mark.parametrize("width", [1280, 1440])
def test_the_console_menu_is_whole_at_laptop_widths(
    server: str, new_page: NewPage, width: int
) -> None:
    page = new_page(viewport={"width": width, "height": 800})
    page.goto(f"{server}/admin/login")
    page.locator("#login-email").fill(MANAGER[0])
    page.locator("#login-password").fill(MANAGER[1])
    page.locator("#login-submit").click()
    expect(page.locator("#user-role")).to_have_text("manager")
    links = page.locator("#c-nav a:visible")
    expect(links.filter(has_text="Guests")).to_be_visible()
    assert {"Commissions", "Finance", "Guests"} <= set(links.all_inner_texts())
    nav = page.locator("#c-nav").evaluate("n => [n.scrollWidth, n.clientWidth]")
    assert nav[0] <= nav[1], "the menu scrolls sideways"
    for link in boxes(page, "#c-nav a:visible"):
        assert link["x0"] >= 0 and link["x1"] <= width


def test_the_console_map_on_a_phone_has_no_dead_band(server: str, new_page: NewPage) -> None:
    page = new_page(**PHONE_390)
    page.goto(f"{server}/admin/login")
    page.locator("#login-email").fill(MANAGER[0])
    page.locator("#login-password").fill(MANAGER[1])
    page.locator("#login-submit").click()
    expect(page.locator("#view-tonight")).to_have_attribute("data-night", re.compile(r"."))
    expect(page.locator("#floor-svg .tbl").first).to_be_visible()
    [svg] = boxes(page, "#floor-svg")
    tables = boxes(page, "#floor-svg .tbl .shape")
    assert all(inside(t, svg) for t in tables)
    drawn = max(t["y1"] for t in tables) - min(t["y0"] for t in tables)
    assert drawn >= 0.7 * (svg["y1"] - svg["y0"]), "the floor is small in a tall box"
