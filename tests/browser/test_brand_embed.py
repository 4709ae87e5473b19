"""The venue's brand and its embed in a real browser: the console's phone-framed live
preview (a passing draft shows, a failing one is refused with its ratio), and the booking
flow embedded in a plain HTML page served from another origin, on a phone, taking a
booking and handing the guest to the TEST MODE checkout and back; a site the venue did
not allow cannot frame it."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Frame, Page, expect

from .axe import describe, findings
from .conftest import SLUG, _free_port
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


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return None


@pytest.fixture
def host_site(tmp_path: Path, server: str) -> Iterator[str]:
    """A venue's own plain HTML page with the one script tag, on another port."""
    (tmp_path / "index.html").write_text(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<title>The Velvet Room · London</title></head>"
        "<body style='margin:0;font-family:Georgia,serif;background:#f4efe6;color:#222'>"
        "<header style='padding:16px'><h1 style='margin:0'>The Velvet Room</h1>"
        "<p>Soho's late-night velvet lounge. Book below.</p></header>"
        f"<script src='{server}/embed.js' async></script>"
        f"<maitre-booking venue='{SLUG}'></maitre-booking>"
        "<footer style='padding:16px'>12 Greek Street, London</footer>"
        "<script>window.seen=[];addEventListener('message',e=>seen.push(JSON.stringify(e.data)))"
        "</script></body></html>"
    )
    # The same site's Italian page: the booking flow follows the page's language.
    (tmp_path / "it.html").write_text(
        "<!doctype html><html lang='it'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<title>The Velvet Room · Londra</title></head><body>"
        f"<script src='{server}/embed.js' async></script>"
        f"<maitre-booking venue='{SLUG}'></maitre-booking></body></html>"
    )
    port = _free_port()
    httpd = ThreadingHTTPServer(("127.0.0.1", port), partial(_Quiet, directory=str(tmp_path)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def allow_embedding(server: str, origins: list[str]) -> None:
    """As the manager in the console: the venue's sites that may frame its pages."""
    with httpx.Client(base_url=server, timeout=10) as http:
        login = http.post("/api/v1/staff/login", json={"email": MANAGER[0], "password": MANAGER[1]})
        login.raise_for_status()
        csrf = {"X-CSRF-Token": login.json()["csrf_token"]}
        current = http.get(f"/api/v1/staff/venues/{SLUG}/brand").json()
        http.put(
            f"/api/v1/staff/venues/{SLUG}/brand",
            json={"version": current["version"], "embed_origins": origins},
            headers=csrf,
        ).raise_for_status()
        http.post("/api/v1/staff/logout", headers=csrf).raise_for_status()


def booking_frame(page: Page, timeout: float = 10.0) -> Frame:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for frame in page.frames:
            if "/v/velvet?embed=1" in frame.url and frame.locator("#booking").count():
                return frame
        page.wait_for_timeout(100)
    raise AssertionError(f"no booking frame in {[f.url for f in page.frames]}")


def fits(page: Page, frame: Frame) -> None:
    """The frame is as tall as the page inside it (and as wide as the phone)."""
    element = frame.frame_element()
    deadline = time.monotonic() + 5
    while True:
        box = element.bounding_box() or {"height": 0, "width": 0}
        inner = frame.evaluate("Math.ceil(document.body.getBoundingClientRect().height)")
        if abs(box["height"] - inner) <= 1 and box["height"] != 640:
            break
        assert time.monotonic() < deadline, (box, inner)
        page.wait_for_timeout(100)
    assert box["width"] == 390


@pytest.mark.parametrize("size", ["390", "1280"])
def test_the_console_previews_a_draft_on_a_phone_and_refuses_poor_contrast(
    server: str, new_page: NewPage, artifacts: Path, size: str
) -> None:
    page = new_page(**(PHONE if size == "390" else LAPTOP))
    sign_in(page, server, *MANAGER, "manager")
    page.goto(f"{server}/admin#/brand")
    expect(page.locator("#brand-status")).to_have_text("Every colour passes WCAG AA contrast.")
    found = findings(page)
    assert not found, describe(found)
    preview = page.locator("#brand-preview")
    box = preview.bounding_box()
    assert box is not None and box["width"] == 390 * (0.8 if size == "1280" else 0.7)

    page.locator("select[name=base]").select_option("light")
    page.locator("#brand-defaults").click()
    expect(preview).to_have_attribute("src", re.compile("brand_preview="))
    frame = page.frame_locator("#brand-preview")
    expect(frame.locator("body")).to_have_css("background-color", "rgb(246, 243, 238)")
    expect(frame.locator(".logo")).to_be_visible()
    page.screenshot(path=str(artifacts / f"brand-console-preview-{size}.png"), full_page=True)

    page.locator("input[name=text]").fill("#9a9a9a")
    status = page.locator("#brand-status")
    expect(status).to_contain_text("Not saved")
    expect(page.locator('[data-error-for="text"]')).to_contain_text("WCAG AA needs 4.5:1")
    expect(page.locator("input[name=text]")).to_have_attribute("aria-invalid", "true")
    # The preview keeps the last passing draft.
    expect(frame.locator("body")).to_have_css("color", "rgb(29, 26, 34)")
    page.screenshot(path=str(artifacts / f"brand-console-refused-{size}.png"))
    # Nothing was saved: the guest page still wears the Velvet Room's own colours.
    css = httpx.get(f"{server}/v/{SLUG}/brand.css").text
    assert "--bg: #140a1c;" in css


def test_a_venue_site_on_another_origin_embeds_the_booking_flow_on_a_phone(
    server: str,
    host_site: str,
    night: dict[str, Any],
    new_page: NewPage,
    artifacts: Path,
) -> None:
    allow_embedding(server, ["http://localhost:8765", host_site])
    page = new_page(**PHONE)
    page.goto(host_site)
    frame = booking_frame(page)
    # The frame takes its content's height through postMessage (it starts at 640 px).
    expect(frame.locator(".night").first).to_be_visible()
    fits(page, frame)
    # The venue's look rides into the frame, and the framed page stays accessible.
    expect(frame.locator("body")).to_have_css("background-color", "rgb(20, 10, 28)")
    found = findings(frame)  # type: ignore[arg-type]
    assert not found, describe(found)
    page.screenshot(path=str(artifacts / "embed-1-host-page-390.png"), full_page=True)

    frame.locator(f'.night[data-date="{night["date"]}"]').tap()
    expect(frame.locator(".tbl.selectable").first).to_be_visible()
    expect(frame.locator("#live-status")).to_have_attribute("data-state", "live")
    fits(page, frame)
    target = frame.locator(".tbl.selectable.state-free.tier-standard").first
    target.tap()
    expect(frame.locator("#sheet")).to_be_visible()
    frame.locator("#hold-btn").tap()
    expect(frame.locator("#countdown")).to_be_visible()
    frame.locator("#g-name").fill("Embed Guest")
    frame.locator("#g-email").fill("embed.guest@example.com")
    frame.locator("#complete-btn").tap()
    expect(frame.locator("#done-title")).to_have_text("You're booked")
    frame.locator("#done").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "embed-2-booked-390.png"), full_page=True)
    page.screenshot(path=str(artifacts / "embed-2-booked-viewport-390.png"))

    # Nothing of the guest reaches the host page: the frame sits in a closed shadow root,
    # on another origin, and its messages carry sizes only.
    assert page.evaluate("document.querySelector('maitre-booking').shadowRoot") is None
    assert page.evaluate("document.querySelectorAll('iframe').length") == 0
    seen = " ".join(page.evaluate("window.seen"))
    assert "maitre:height" in seen
    assert "Embed Guest" not in seen and "embed.guest" not in seen


def test_the_embed_speaks_the_language_of_the_page_it_is_on(
    server: str, host_site: str, new_page: NewPage
) -> None:
    allow_embedding(server, [host_site])
    page = new_page(**PHONE)
    page.goto(f"{host_site}/it.html")
    frame = booking_frame(page)
    assert "lang=it" in frame.url
    expect(frame.locator("h1.page-title")).to_have_text("Prenota un tavolo")
    expect(frame.locator("html")).to_have_attribute("lang", "it")
    assert frame.frame_element().get_attribute("title") == "Prenota un tavolo"


def test_the_embed_hands_the_guest_to_checkout_and_back(
    server: str,
    host_site: str,
    night: dict[str, Any],
    new_page: NewPage,
    artifacts: Path,
) -> None:
    allow_embedding(server, ["http://localhost:8765", host_site])
    page = new_page(**PHONE)
    page.goto(host_site)
    frame = booking_frame(page)
    frame.locator(f'.night[data-date="{night["date"]}"]').tap()
    for _ in range(2):
        frame.locator("#party-plus").tap()
    frame.locator(".tbl.selectable.state-free.tier-premium").first.tap()
    frame.locator("#hold-btn").tap()
    frame.locator("#g-name").fill("Embed Deposit")
    frame.locator("#g-email").fill("embed.deposit@example.com")
    frame.locator("#complete-btn").tap()
    expect(frame.locator("#done-title")).to_have_text("Almost there — deposit due")
    frame.locator("#done-pay").tap()
    # The whole tab goes to the payment page (Checkout never runs inside a frame)...
    expect(page.locator("body")).to_contain_text("TEST MODE")
    assert page.url.startswith(server)
    page.screenshot(path=str(artifacts / "embed-3-checkout-390.png"), full_page=True)
    page.locator("button.pay").tap()
    # ...and comes back to the venue's branded manage page, confirmed.
    expect(page.locator("#manage-status")).to_have_text("Confirmed", timeout=15000)
    expect(page.locator("body")).to_have_css("background-color", "rgb(20, 10, 28)")
    page.screenshot(path=str(artifacts / "embed-4-paid-390.png"), full_page=True)


def test_a_site_the_venue_did_not_allow_cannot_frame_it(
    server: str, host_site: str, new_page: NewPage
) -> None:
    allow_embedding(server, ["http://localhost:8765"])
    page = new_page(**PHONE)
    blocked: list[str] = []
    page.on("console", lambda m: "frame-ancestors" in m.text and blocked.append(m.text))
    page.goto(host_site)
    page.wait_for_timeout(1500)
    with pytest.raises(AssertionError):
        booking_frame(page, timeout=2)
    assert blocked, "Chromium did not report the frame-ancestors refusal"
