"""The staff console (/admin) in a real browser against a real server (see conftest)."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from .conftest import SLUG

pytestmark = pytest.mark.browser
NewPage = Callable[..., Page]

MANAGER = ("manager@velvet.example", "velvet-demo")
TABLET = {"viewport": {"width": 1024, "height": 768}, "has_touch": True, "reduced_motion": "reduce"}
LAPTOP = {"viewport": {"width": 1366, "height": 768}, "reduced_motion": "reduce"}
PHONE_390 = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "reduced_motion": "reduce",
}


def sign_in(
    page: Page, base: str, email: str, password: str, role: str, shot: Path | None = None
) -> None:
    page.goto(f"{base}/admin")
    expect(page).to_have_url(re.compile(r"/admin/login"))
    if shot:
        page.screenshot(path=str(shot))
    page.locator("#login-email").fill(email)
    page.locator("#login-password").fill(password)
    page.locator("#login-submit").click()
    expect(page.locator("#user-role")).to_have_text(role)


def open_night(page: Page, date: str) -> None:
    expect(page.locator("#view-tonight")).to_have_attribute("data-night", re.compile(r"."))
    page.locator("#night-select").select_option(date)
    expect(page.locator("#view-tonight")).to_have_attribute("data-night", date)
    expect(page.locator("#floor-svg .tbl").first).to_be_visible()
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")


def table(page: Page, table_id: str) -> Locator:
    return page.locator(f'#floor-svg .tbl[data-table-id="{table_id}"]')


def free_tables(page: Page, tier: str = "standard") -> list[str]:
    ids = page.locator(f"#floor-svg .tbl.state-free.tier-{tier}").evaluate_all(
        "nodes => nodes.map(n => n.dataset.tableId)"
    )
    return [str(i) for i in ids]


def create_user(base: str, role: str) -> tuple[str, str]:
    """A fresh account made through the API by the demo manager."""
    email = f"{role}-{uuid.uuid4().hex[:8]}@velvet.example"
    password = "correct horse battery staple"
    with httpx.Client(base_url=base) as http:
        login = http.post("/api/v1/staff/login", json={"email": MANAGER[0], "password": MANAGER[1]})
        login.raise_for_status()
        made = http.post(
            "/api/v1/staff/users",
            json={"email": email, "name": f"Test {role}", "role": role, "password": password},
            headers={"X-CSRF-Token": login.json()["csrf_token"]},
        )
        made.raise_for_status()
    return email, password


# Another group (its own tenant and venue) with an account under the given email.
OTHER_GROUP = """
import asyncio, sys
from datetime import UTC, datetime
from tests.factories import create_venue
from venue.core.db import create_engine, session_factory
from venue.models import StaffUser
from venue.staff.sessions import HASHER
from web.settings import Settings

async def main(email, password):
    engine = create_engine(Settings().database_url)
    async with session_factory(engine)() as s, s.begin():
        w = await create_venue(s)
        s.add(StaffUser(tenant_id=w.venue.tenant_id, email=email, name="Elsewhere",
                        role="manager", password_hash=HASHER.hash(password),
                        created_at=datetime.now(UTC)))
    await engine.dispose()

asyncio.run(main(*sys.argv[1:]))
"""


def test_one_email_at_two_venues_signs_in_after_naming_the_venue(
    server: str, server_env: dict[str, str], new_page: NewPage, artifacts: Path
) -> None:
    email, password = create_user(server, "floor")
    subprocess.run(
        [sys.executable, "-c", OTHER_GROUP, email, password],
        env=server_env,
        cwd=Path(__file__).resolve().parents[2],
        check=True,
        capture_output=True,
    )
    page = new_page(**LAPTOP)
    page.goto(f"{server}/admin")
    expect(page).to_have_url(re.compile(r"/admin/login"))
    expect(page.locator("#login-venue")).to_be_hidden()
    page.locator("#login-email").fill(email)
    page.locator("#login-password").fill(password)
    page.locator("#login-submit").click()
    expect(page.locator("#login-error")).to_contain_text("several venues")
    expect(page.locator("#login-venue")).to_be_focused()
    page.screenshot(path=str(artifacts / "console-login-venue.png"))
    page.locator("#login-venue").fill(SLUG)
    page.locator("#login-submit").click()
    expect(page.locator("#user-role")).to_have_text("floor")


def test_manager_books_seats_moves_and_completes_on_the_live_floor(
    server: str, night: dict[str, Any], new_page: NewPage, artifacts: Path
) -> None:
    page = new_page(**LAPTOP)
    sign_in(page, server, *MANAGER, "manager", shot=artifacts / "console-login.png")
    expect(page.locator("#h-tonight")).to_be_visible()
    expect(page.locator("#floor-svg .tbl").first).to_be_visible()
    open_night(page, night["date"])
    source, target = free_tables(page)[:2]

    # A phone booking on a free table.
    table(page, source).click()
    expect(page.locator("#book-form")).to_be_visible()
    page.locator("#bk-name").fill("Console Tester")
    # Unique contact details: guests are one profile per email/phone across bookings.
    page.locator("#bk-email").fill(f"console-{uuid.uuid4().hex[:8]}@example.com")
    page.locator("#bk-party").fill("3")
    page.screenshot(path=str(artifacts / "console-phone-booking.png"))
    page.locator("#book-submit").click()
    expect(page.locator("#book-form")).to_be_hidden()  # replaced by the booking's panel
    expect(table(page, source)).to_have_attribute("data-state", "booked")
    expect(table(page, source).locator(".t-note")).to_have_text("Console · 3")
    expect(page.locator("#side-state")).to_have_text("Booked")
    # Two prices on one panel, each saying which it is: the table's now, the booking's own.
    expect(page.locator("#side .side-meta")).to_contain_text("price now: minimum")
    expect(page.locator("#side dt", has_text="Minimum (as booked)")).to_be_visible()

    # Seat it.
    page.locator('#side [data-action="seat"]').click()
    expect(table(page, source)).to_have_attribute("data-state", "seated")
    expect(page.locator("#side-state")).to_have_text("Seated")

    # Move it: pick the target table on the map, confirm.
    page.locator('#side [data-action="move"]').click()
    expect(page.locator("#move-bar")).to_be_visible()
    table(page, target).click()
    expect(table(page, target)).to_have_class(re.compile(r"\bmarked\b"))
    page.screenshot(path=str(artifacts / "console-move.png"))
    page.locator("#move-confirm").click()
    expect(page.locator("#move-bar")).to_be_hidden()
    expect(table(page, target)).to_have_attribute("data-state", "seated")
    expect(table(page, source)).to_have_attribute("data-state", "free")
    expect(table(page, target).locator(".t-note")).to_have_text("Console · 3")

    # Complete it: the table is free again.
    expect(page.locator("#side-title")).to_have_text(re.compile(r"Table "))
    page.locator('#side [data-action="complete"]').click()
    expect(table(page, target)).to_have_attribute("data-state", "free")
    page.screenshot(path=str(artifacts / "console-tonight-desktop.png"))

    # The reservation's history tells the whole story.
    page.goto(f"{server}/admin#/reservations")
    page.locator("#rf-q").fill("Console Tester")
    page.locator("#res-filters button[type=submit]").click()
    page.locator("#res-list tbody tr", has_text="Console Tester").first.click()
    history = page.locator("#res-details .history")
    for step in ("confirmed", "seated", "moved", "completed"):
        expect(history).to_contain_text(step)
    page.screenshot(path=str(artifacts / "console-reservations.png"))


def test_a_guest_booking_appears_on_the_console_without_reload(
    server: str, night: dict[str, Any], new_page: NewPage, artifacts: Path
) -> None:
    staff = new_page(**LAPTOP)
    sign_in(staff, server, *MANAGER, "manager")
    open_night(staff, night["date"])

    guest = new_page()
    guest.goto(f"{server}/v/{SLUG}")
    guest.locator(f'.night[data-date="{night["date"]}"]').click()
    expect(guest.locator("#live-status")).to_have_attribute("data-state", "live")
    target = guest.locator(".tbl.selectable.state-free").first.get_attribute("data-table-id")
    assert target
    expect(table(staff, target)).to_have_attribute("data-state", "free")

    guest.locator(f'.tbl[data-table-id="{target}"]').click()
    guest.locator("#hold-btn").click()
    expect(guest.locator("#countdown")).to_be_visible()
    expect(table(staff, target)).to_have_attribute("data-state", "held", timeout=5000)
    guest.locator("#g-name").fill("Grace Guest")
    guest.locator("#g-email").fill(f"grace-{uuid.uuid4().hex[:8]}@example.com")
    guest.locator("#complete-btn").click()
    expect(guest.locator("#done")).to_be_visible()

    # The console never reloads: the name and party arrive over the live floor.
    expect(table(staff, target)).to_have_attribute("data-state", "booked", timeout=5000)
    expect(table(staff, target).locator(".t-note")).to_have_text(re.compile(r"^Grace · \d+$"))
    expect(staff.locator(f'#side .ov-row[data-table-id="{target}"]')).to_contain_text("Grace")
    staff.screenshot(path=str(artifacts / "console-live-guest-booking.png"))

    # On a tablet the same floor works by touch: open the booking from the map.
    tablet = new_page(**TABLET)
    sign_in(tablet, server, *MANAGER, "manager")
    open_night(tablet, night["date"])
    table(tablet, target).tap()
    expect(tablet.locator("#side-title")).to_have_text(re.compile(r"^Table "))
    expect(tablet.locator("#side")).to_contain_text("Grace Guest")
    tablet.screenshot(path=str(artifacts / "console-tablet.png"), full_page=True)


def test_floor_plan_drag_is_saved(server: str, new_page: NewPage, artifacts: Path) -> None:
    page = new_page(**LAPTOP)
    sign_in(page, server, *MANAGER, "manager")
    page.goto(f"{server}/admin#/plan")
    node = page.locator('#plan-svg .ed-tbl[data-label="S14"]')
    expect(node).to_be_visible()
    y0 = int(node.get_attribute("data-y") or 0)
    box = node.bounding_box()
    assert box
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx, cy)
    page.mouse.down()
    page.mouse.move(cx, cy + 20, steps=5)
    page.mouse.move(cx, cy + 45, steps=5)
    page.mouse.up()
    expect(page.locator("#plan-status")).to_have_text("Saved S14")
    y1 = int(page.locator('#plan-svg .ed-tbl[data-label="S14"]').get_attribute("data-y") or 0)
    assert y1 > y0 and y1 % 10 == 0, (y0, y1)  # moved down, snapped to the grid
    page.screenshot(path=str(artifacts / "console-plan-editor.png"))

    page.reload()
    moved = page.locator('#plan-svg .ed-tbl[data-label="S14"]')
    expect(moved).to_have_attribute("data-y", str(y1))
    # The edit panel opens on a click; the table's form shows the saved geometry.
    moved.click()
    expect(page.locator("#plan-form")).to_be_visible()
    expect(page.locator("#pt-label")).to_have_value("S14")
    page.screenshot(path=str(artifacts / "console-plan-table.png"))


def test_rules_editor_shows_validation_errors(
    server: str, new_page: NewPage, artifacts: Path
) -> None:
    page = new_page(**LAPTOP)
    sign_in(page, server, *MANAGER, "manager")
    page.goto(f"{server}/admin#/rules")
    hold = page.locator("#rule-hold_minutes")
    expect(hold).to_be_visible()

    # Out of the API's own bounds: caught at the field before anything is sent.
    hold.fill("0")
    page.locator("#rules-save").click()
    error = page.locator('[data-error-for="hold_minutes"]')
    expect(error).to_be_visible()
    expect(error).to_contain_text("between 1 and 120")
    expect(hold).to_have_attribute("aria-invalid", "true")

    # Each value in range but inconsistent together: the server's 422 lands on the field.
    hold.fill("10")
    page.locator("#rule-min_party").fill("30")
    page.locator("#rule-max_party").fill("20")
    page.locator("#rules-save").click()
    server_error = page.locator('[data-error-for="max_party"]')
    expect(server_error).to_be_visible()
    expect(server_error).to_contain_text("below min_party")
    page.screenshot(path=str(artifacts / "console-rules-error.png"), full_page=True)

    # Pricing: a floor above its ceiling comes back against that cell.
    page.locator('[data-path="tiers[0].floor"]').fill("999999")
    page.locator("#pricing-save").click()
    expect(page.locator('[data-error-for="tiers[0].floor"]')).to_be_visible()
    expect(page.locator("#pricing-error")).to_be_visible()


@pytest.mark.parametrize("role", ["floor", "finance"])
def test_non_managers_do_not_see_manager_pages(
    server: str, role: str, new_page: NewPage, artifacts: Path
) -> None:
    email, password = create_user(server, role)
    page = new_page(**LAPTOP)
    sign_in(page, server, email, password, role)
    nav = page.locator("#c-nav")
    expect(nav.get_by_role("link", name="Tonight")).to_be_visible()
    expect(nav.get_by_role("link", name="Reservations")).to_be_visible()
    for hidden in ("Floor plan", "Users", "Audit"):
        expect(nav.get_by_role("link", name=hidden)).to_be_hidden()
    page.goto(f"{server}/admin#/users")
    expect(page.locator("#view-denied")).to_be_visible()
    expect(page.locator("#view-denied")).to_contain_text("Not allowed for your role")
    page.goto(f"{server}/admin#/plan")
    expect(page.locator("#view-denied")).to_be_visible()
    rules = nav.get_by_role("link", name="Rules & pricing")
    if role == "finance":
        # Finance reads the rules but cannot change them, nor act on the floor.
        rules.click()
        expect(page.locator("#rule-hold_minutes")).to_be_disabled()
        expect(page.locator("#rules-save")).to_have_count(0)
        page.goto(f"{server}/admin#/tonight")
        page.locator("#floor-svg .tbl.state-free").first.click()
        expect(page.locator("#side")).to_contain_text("Read-only")
        expect(page.locator("#book-form")).to_have_count(0)
    else:
        expect(rules).to_be_hidden()
        page.goto(f"{server}/admin#/tonight")
        page.locator("#floor-svg .tbl.state-free").first.click()
        expect(page.locator("#book-form")).to_be_visible()
    page.screenshot(path=str(artifacts / f"console-{role}.png"))


def test_live_updates_the_relay_set_aside_are_shown_and_retried(
    server: str, server_db: Path, new_page: NewPage, artifacts: Path
) -> None:
    """What the relay leaves after retrying one night's update in vain (no API makes it)."""
    at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    with sqlite3.connect(server_db) as db:
        tenant_id, night_id = db.execute(
            "SELECT n.tenant_id, n.id FROM nights n JOIN venues v ON v.id = n.venue_id "
            "WHERE v.slug = ? ORDER BY n.business_date LIMIT 1",
            (SLUG,),
        ).fetchone()
        db.execute(
            "INSERT INTO outbox_events (tenant_id, at, topic, channel, payload, attempts, "
            "last_error, set_aside_at) VALUES (?, ?, 'reservation.held', ?, '{}', 8, ?, ?)",
            (tenant_id, at, f"night:{uuid.UUID(night_id)}", "RuntimeError: floor exploded", at),
        )
    page = new_page(**LAPTOP)
    sign_in(page, server, *MANAGER, "manager")
    notice = page.locator("#set-aside")
    expect(notice).to_contain_text("1 live update could not be sent")
    expect(notice).to_contain_text("RuntimeError: floor exploded")
    page.screenshot(path=str(artifacts / "console-set-aside.png"))
    notice.get_by_role("button", name="Retry").click()
    expect(notice).to_be_hidden()


def test_a_deposit_per_cover_is_offered_and_checked_in_the_pricing_panel(
    server: str, new_page: NewPage, artifacts: Path
) -> None:
    """The console offers ``per_cover`` as a deposit mode; a bad amount comes back against
    its cell (nothing is saved: the session's demo rules stay as they are)."""
    for name, options in (("laptop", LAPTOP), ("phone", PHONE_390)):
        page = new_page(**options)
        sign_in(page, server, *MANAGER, "manager")
        page.goto(f"{server}/admin#/rules")
        mode = page.locator('[data-path="deposits[0].mode"]')
        expect(mode).to_be_visible()
        mode.select_option("per_cover")
        page.locator('[data-path="deposits[0].value"]').fill("-5")
        page.locator("#pricing-save").click()
        expect(page.locator('[data-error-for="deposits[0].value"]')).to_be_visible()
        expect(page.locator("#pricing-panel")).to_contain_text("per guest, once per booking")
        mode.scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / f"console-deposit-per-cover-{name}.png"))
