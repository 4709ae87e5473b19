"""The guest booking page in a real browser against a real server (see conftest)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, WebSocketRoute, expect

from .conftest import PHONE, SLUG

pytestmark = pytest.mark.browser
NewPage = Callable[..., Page]


def open_night(page: Page, base: str, night: dict[str, Any], query: str = "") -> None:
    page.goto(f"{base}/v/{SLUG}{query}")
    page.locator(f'.night[data-date="{night["date"]}"]').click()
    expect(page.locator(".tbl.selectable").first).to_be_visible()
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")


def first_free(page: Page, tier: str | None = None) -> str:
    """The id of a free table that fits the chosen party (optionally of one tier)."""
    selector = ".tbl.selectable.state-free" + (f".tier-{tier}" if tier else "")
    table_id = page.locator(selector).first.get_attribute("data-table-id")
    assert table_id
    return table_id


def table(page: Page, table_id: str) -> Any:
    return page.locator(f'.tbl[data-table-id="{table_id}"]')


def hold_from_sheet(page: Page) -> None:
    page.locator("#hold-btn").click()
    expect(page.locator("#countdown")).to_be_visible()
    expect(page.locator("#countdown-time")).to_have_text(re.compile(r"^\d+:\d\d$"))


def fill_details(page: Page, name: str, email: str, phone: str = "") -> None:
    page.locator("#g-name").fill(name)
    page.locator("#g-email").fill(email)
    if phone:
        page.locator("#g-phone").fill(phone)


def test_a_hold_and_booking_show_live_in_another_browser(
    server: str, night: dict[str, Any], new_page: NewPage, artifacts: Path
) -> None:
    alice, bob = new_page(), new_page()
    open_night(alice, server, night)
    open_night(bob, server, night)
    target = (
        first_free(alice, "premium")
        if alice.locator(".tier-premium.selectable").count()
        else first_free(alice)
    )
    expect(table(bob, target)).to_have_attribute("data-state", "free")

    table(alice, target).click()
    hold_from_sheet(alice)
    # Bob never reloads: the hold reaches him over the WebSocket.
    expect(table(bob, target)).to_have_attribute("data-state", "held", timeout=5000)
    expect(table(bob, target)).to_have_attribute("aria-disabled", "true")
    expect(bob.locator(f'#list-body tr[data-table-id="{target}"] button')).to_be_disabled()

    fill_details(alice, "Alice Example", "alice@example.com")
    alice.locator("#complete-btn").click()
    expect(alice.locator("#done")).to_be_visible()
    expect(table(bob, target)).to_have_attribute("data-state", "booked", timeout=5000)
    alice.screenshot(path=str(artifacts / "desktop-confirmation.png"))
    bob.screenshot(path=str(artifacts / "desktop-floor-after-other-booking.png"))


def test_b_phone_books_end_to_end_then_cancels(
    server: str, night: dict[str, Any], new_page: NewPage, artifacts: Path
) -> None:
    page = new_page(**PHONE)
    page.goto(f"{server}/v/{SLUG}?host=JADE")
    expect(page.locator(".venue-name")).to_have_text("Velvet Room")
    page.screenshot(path=str(artifacts / "phone-1-nights.png"))

    page.locator(f'.night[data-date="{night["date"]}"]').tap()
    expect(page.locator(".tbl.selectable").first).to_be_visible()
    for _ in range(2):
        page.locator("#party-plus").tap()
    expect(page.locator("#party-size")).to_have_text("4")
    page.screenshot(path=str(artifacts / "phone-2-floor.png"), full_page=True)

    target = first_free(page, "standard")
    table(page, target).tap()
    sheet = page.locator("#sheet")
    expect(sheet).to_be_visible()
    label = table(page, target).get_attribute("data-label")
    expect(page.locator("#sheet-title")).to_have_text(f"Table {label}")
    # The price explains itself: the quote's steps, starting from the tier's base.
    why = page.locator("#why-price")
    expect(why).to_be_visible()
    why.locator("summary").tap()
    expect(page.locator("#why-lines li").first).to_contain_text("£")
    page.screenshot(path=str(artifacts / "phone-3-details.png"))

    hold_from_sheet(page)
    page.screenshot(path=str(artifacts / "phone-4-held.png"))
    # A bad email comes back as a 422 on guest.email and is shown next to the field.
    fill_details(page, "Grace Hopper", "grace@@example", "07911 123456")
    page.locator("#complete-btn").tap()
    expect(page.locator('[id="err-guest.email"]')).to_be_visible()
    expect(page.locator("#g-email")).to_have_attribute("aria-invalid", "true")
    page.screenshot(path=str(artifacts / "phone-5-field-error.png"))

    page.locator("#g-email").fill("grace@example.com")
    page.locator("#complete-btn").tap()
    done = page.locator("#done")
    expect(done).to_be_visible()
    expect(page.locator("#done-title")).to_have_text("You're booked")
    expect(done).to_contain_text(label or "")
    expect(done).to_contain_text("22:00")
    page.screenshot(path=str(artifacts / "phone-6-confirmation.png"), full_page=True)

    page.locator("#done-manage").tap()
    expect(page.locator("#manage-status")).to_have_text("Confirmed")
    page.screenshot(path=str(artifacts / "phone-7-manage.png"), full_page=True)
    page.locator("#cancel-start").tap()
    page.locator("#cancel-yes").tap()
    expect(page.locator("#manage-status")).to_have_text("Cancelled")
    expect(page.locator("#manage-title")).to_have_text("Booking cancelled")
    expect(page.locator("#manage-actions")).to_be_hidden()
    page.reload()
    expect(page.locator("#manage-status")).to_have_text("Cancelled")
    page.screenshot(path=str(artifacts / "phone-8-cancelled.png"), full_page=True)


def test_c_keyboard_and_list_view(
    server: str, night: dict[str, Any], new_page: NewPage, artifacts: Path
) -> None:
    page = new_page()
    open_night(page, server, night)
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('tbl')"):
            break
    else:
        pytest.fail("Tab never reached a table")
    label = page.evaluate("document.activeElement.dataset.label")
    page.screenshot(path=str(artifacts / "desktop-keyboard-focus.png"))
    page.keyboard.press("Enter")
    expect(page.locator("#sheet")).to_be_visible()
    expect(page.locator("#sheet-title")).to_have_text(f"Table {label}")
    expect(page.locator("#hold-btn")).to_be_focused()
    page.screenshot(path=str(artifacts / "desktop-details.png"))
    page.keyboard.press("Escape")
    expect(page.locator("#sheet")).to_be_hidden()

    floor = page.request.get(f"{server}/api/v1/venues/{SLUG}/nights/{night['date']}/floor").json()
    page.locator("#show-list").click()
    expect(page.locator("#map-view")).to_be_hidden()
    rows = page.locator("#list-body tr")
    expect(rows).to_have_count(len(floor["tables"]))
    labels = set(rows.locator("th").all_inner_texts())
    assert labels == {t["label"] for t in floor["tables"]}
    page.screenshot(path=str(artifacts / "desktop-list-view.png"), full_page=True)
    page.locator("#list-body button:enabled").first.click()
    expect(page.locator("#sheet")).to_be_visible()


def stale_socket(page: Page) -> dict[str, bool]:
    """Route the floor socket through the test so deltas can be held back (a slow phone)."""
    gate = {"open": True}

    def handler(ws: WebSocketRoute) -> None:
        upstream = ws.connect_to_server()
        upstream.on_message(lambda m: ws.send(m) if gate["open"] else None)
        ws.on_message(lambda m: upstream.send(m))

    page.route_web_socket("**/ws/venues/**", handler)
    return gate


def test_d_just_taken_offers_alternatives(
    server: str, night: dict[str, Any], new_page: NewPage, artifacts: Path
) -> None:
    alice, bob = new_page(**PHONE), new_page()
    gate = stale_socket(alice)
    open_night(alice, server, night)
    open_night(bob, server, night)
    target = first_free(alice, "standard")
    table(alice, target).tap()
    expect(alice.locator("#hold-btn")).to_be_enabled()

    gate["open"] = False  # Alice's map falls behind, so she can still press "Hold"
    table(bob, target).click()
    hold_from_sheet(bob)

    alice.locator("#hold-btn").tap()
    taken = alice.locator("#sheet-taken")
    expect(taken).to_be_visible()
    expect(taken).to_contain_text("Just taken — someone else got there first")
    alternatives = alice.locator("#alternatives button")
    expect(alternatives.first).to_be_visible()
    alice.screenshot(path=str(artifacts / "phone-just-taken.png"))
    alt_id = alternatives.first.get_attribute("data-table-id")
    assert alt_id and alt_id != target
    alternatives.first.tap()
    expect(alice.locator("#countdown")).to_be_visible()
    expect(table(alice, alt_id)).to_have_class(re.compile(r"\bstate-mine\b"))
    gate["open"] = True


def test_d_taken_while_looking_says_so(
    server: str, night: dict[str, Any], new_page: NewPage, artifacts: Path
) -> None:
    alice, bob = new_page(), new_page()
    open_night(alice, server, night)
    open_night(bob, server, night)
    target = first_free(alice, "standard")
    table(alice, target).click()
    expect(alice.locator("#hold-btn")).to_be_enabled()

    table(bob, target).click()
    hold_from_sheet(bob)

    # No click from Alice: the open sheet learns it over the socket.
    expect(alice.locator("#sheet-taken")).to_be_visible(timeout=5000)
    expect(alice.locator("#hold-btn")).to_be_disabled()
    expect(alice.locator("#alternatives button").first).to_be_visible()
    alice.screenshot(path=str(artifacts / "desktop-taken-while-looking.png"))


def test_unknown_venue_is_a_404_page(server: str, new_page: NewPage) -> None:
    page = new_page()
    response = page.goto(f"{server}/v/no-such-venue")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("Nothing here")


def test_hold_survives_a_reload(server: str, night: dict[str, Any], new_page: NewPage) -> None:
    page = new_page()
    open_night(page, server, night)
    target = first_free(page)
    table(page, target).click()
    hold_from_sheet(page)
    page.reload()
    expect(page.locator("#countdown")).to_be_visible()
    expect(table(page, target)).to_have_class(re.compile(r"\bstate-mine\b"))
    page.locator("#release-btn").click()
    expect(page.locator("#sheet")).to_be_hidden()
    expect(table(page, target)).to_have_attribute("data-state", "free", timeout=5000)


def test_e_deposit_paid_through_the_test_checkout_confirms_the_booking(
    server: str, night: dict[str, Any], new_page: NewPage, artifacts: Path
) -> None:
    """A premium table needs a deposit: pay it on the TEST MODE page, come back confirmed."""
    page = new_page(**PHONE)
    missing: list[str] = []  # e.g. the checkout page's /favicon.ico, once not there
    page.on("response", lambda r: r.status == 404 and missing.append(r.url))
    open_night(page, server, night)
    for _ in range(2):
        page.locator("#party-plus").tap()
    target = first_free(page, "premium")
    table(page, target).tap()
    hold_from_sheet(page)
    fill_details(page, "Ada Deposit", "ada.deposit@example.com")
    page.locator("#complete-btn").tap()
    expect(page.locator("#done-title")).to_have_text("Almost there — deposit due")
    page.screenshot(path=str(artifacts / "phone-9-deposit-due.png"), full_page=True)

    page.locator("#done-pay").tap()
    expect(page.locator("body")).to_contain_text("TEST MODE")
    page.screenshot(path=str(artifacts / "phone-10-test-checkout.png"), full_page=True)
    page.locator("button.pay").tap()
    # Back on the manage page; the signed webhook has confirmed the booking.
    expect(page.locator("#manage-status")).to_have_text("Confirmed", timeout=15000)
    page.screenshot(path=str(artifacts / "phone-11-deposit-paid.png"), full_page=True)
    assert not missing, f"not found: {missing}"
