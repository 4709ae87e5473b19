"""The console's Email templates view in a real browser: a draft in Italian shows in the
live preview (the real email, its styles allowed in the frame), a refused draft says why
and keeps the last good preview, saving and a test send."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .axe import describe, findings
from .test_console import LAPTOP, MANAGER, sign_in

pytestmark = pytest.mark.browser
NewPage = Callable[..., Page]


def test_a_manager_rewords_the_italian_confirmation_with_a_live_preview(
    server: str, new_page: NewPage, artifacts: Path
) -> None:
    page = new_page(**LAPTOP)
    sign_in(page, server, *MANAGER, "manager")
    page.goto(f"{server}/admin#/mail-templates")
    page.locator("select[name=language]").select_option("it")
    frame = page.frame_locator("#mt-preview")
    expect(frame.locator("body")).to_contain_text("Gentile Ada Lovelace,")  # the default
    expect(page.locator("#mt-form")).not_to_contain_text("null")
    found = findings(page)
    assert not found, describe(found)

    page.locator("textarea[name=intro]").fill("Ciao {{ guest_name }}, a presto!")
    expect(frame.locator("body")).to_contain_text("Ciao Ada Lovelace, a presto!")
    expect(frame.locator("body")).to_contain_text("Quando")  # the details stay generated
    # The email's own inline styles apply inside the frame.
    expect(frame.locator("h1")).to_have_css("font-size", "20px")
    page.screenshot(path=str(artifacts / "mail-templates-preview.png"), full_page=True)

    page.locator("input[name=subject]").fill("{{ config }}")
    expect(page.locator("#mt-status")).to_contain_text("unknown variable 'config'")
    page.locator("#mt-save").click()
    expect(page.locator('[data-error-for="subject"]')).to_contain_text("unknown variable")
    expect(frame.locator("body")).to_contain_text("Ciao Ada Lovelace")  # the last good draft

    page.locator("input[name=subject]").fill("Il tuo tavolo, {{ guest_name }}")
    page.locator("#mt-save").click()
    expect(page.locator("#toast")).to_have_text("Email template saved")
    expect(page.locator("#mt-reset")).to_be_visible()
    page.locator("#mt-test").click()
    expect(page.locator("#toast")).to_contain_text("Test queued to manager@velvet.example")
    page.locator("#mt-reset").click()
    expect(page.locator("#toast")).to_have_text("Back to the default text")
