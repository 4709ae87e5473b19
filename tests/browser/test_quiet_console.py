"""The staff pages keep the browser console clean: no failing sign-in probe before anyone
signs in, no 404 for an icon, no warning when the console switches nights."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser
NewPage = Callable[..., Page]

MANAGER = ("manager@velvet.example", "velvet-demo")


def listen(page: Page) -> dict[str, list[str]]:
    """Console errors and warnings, failed responses and every request URL, as they come."""
    seen: dict[str, list[str]] = {"console": [], "failed": [], "requests": []}

    def on_console(msg: Any) -> None:
        if msg.type in ("error", "warning"):
            seen["console"].append(msg.text)

    page.on("console", on_console)
    page.on("response", lambda r: r.status >= 400 and seen["failed"].append(f"{r.status} {r.url}"))
    page.on("request", lambda r: seen["requests"].append(r.url))
    return seen


@pytest.mark.parametrize(
    ("path", "ready"),
    [
        ("/admin", "#login-form"),
        ("/admin/login", "#login-form"),
        ("/host", "#signin-form"),
        ("/admin/money", "#signin-form"),
        ("/admin/guests", "#signin-form"),
    ],
)
def test_signed_out_pages_ask_nothing_that_fails(
    server: str, new_page: NewPage, path: str, ready: str
) -> None:
    page = new_page()
    seen = listen(page)
    page.goto(f"{server}{path}")
    expect(page.locator(ready)).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert not [u for u in seen["requests"] if "/api/v1/staff/me" in u]
    assert not seen["failed"]
    assert not seen["console"]


def test_switching_nights_closes_sockets_cleanly(server: str, new_page: NewPage) -> None:
    page = new_page()
    seen = listen(page)
    page.goto(f"{server}/admin/login")
    page.locator("#login-email").fill(MANAGER[0])
    page.locator("#login-password").fill(MANAGER[1])
    page.locator("#login-submit").click()
    expect(page.locator("#user-role")).to_have_text("manager")
    expect(page.locator("#view-tonight")).to_have_attribute("data-night", re.compile(r"."))
    # Faster than a socket connects: each click drops the previous night's socket.
    for _ in range(4):
        page.locator("#night-next").click()
    for _ in range(2):
        page.locator("#night-prev").click()
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    page.wait_for_timeout(300)  # let a late open-then-close of a dropped socket happen
    assert not [m for m in seen["console"] if "WebSocket" in m], seen["console"]
    assert not seen["failed"]
