"""A venue's brand: WCAG contrast refusals that name the field and the ratio, the
stylesheet guest pages link (validated values only, cached by ETag), the logo, the signed
preview of a draft, and the per-venue CSP that lets only the venue's own sites frame it."""

from __future__ import annotations

import base64
import re
from dataclasses import asdict, replace
from typing import Any

import httpx
import pytest

from venue.setup import brand

from .conftest import Tenant, base, sign_in

LIGHT = asdict(brand.LIGHT)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10"/></svg>'


# --- the arithmetic and the refusals, without a database ----------------------------------


def test_contrast_matches_wcag_reference_values() -> None:
    assert brand.contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert brand.contrast("#ffffff", "#ffffff") == pytest.approx(1.0)
    # #767676 on white is the palest grey that passes AA; #777777 just fails.
    assert brand.contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert brand.contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_both_starting_looks_pass() -> None:
    assert brand.check_look(asdict(brand.DARK)) == brand.DARK
    assert brand.check_look(LIGHT) == brand.LIGHT


def refusal(values: dict[str, Any]) -> list[dict[str, Any]]:
    with pytest.raises(brand.BrandInvalid) as caught:
        brand.check_look(values)
    assert caught.value.code == "brand_invalid" and caught.value.status == 422
    return list(caught.value.extra["errors"])


def test_pale_text_on_a_light_background_is_refused_with_its_ratio() -> None:
    errors = refusal({**LIGHT, "text": "#777777"})
    fields = {e["field"] for e in errors}
    assert fields == {"text"}
    on_surface = next(e for e in errors if "surface" in e["message"])
    assert on_surface["ratio"] == 4.48 and on_surface["required"] == 4.5
    assert "4.48:1" in on_surface["message"]


def test_a_table_state_too_close_to_the_surface_is_refused_at_three_to_one() -> None:
    errors = refusal({**LIGHT, "held": "#f0c890"})
    assert {e["field"] for e in errors} == {"held"}
    assert all(e["required"] == 3.0 and e["ratio"] < 3 for e in errors)
    # A state at 3:1 passes: non-text contrast needs 3, not 4.5.
    assert brand.contrast("#949494", "#ffffff") >= 3.0
    brand.check_look({**LIGHT, "held": "#8a8a8a"})


def test_an_accent_that_links_cannot_be_read_in_is_refused() -> None:
    errors = refusal({**asdict(brand.DARK), "accent": "#3a2a10"})
    assert {e["field"] for e in errors} == {"accent"}


def test_malformed_values_are_named_not_crashed_on() -> None:
    errors = refusal({**LIGHT, "background": "red;}", "font": "Comic Sans", "corners": "x"})
    assert {e["field"] for e in errors} == {"background", "font", "corners"}


def test_derived_colours_always_pass() -> None:
    for look in (brand.DARK, brand.LIGHT, replace(brand.LIGHT, accent="#0057b8")):
        d = brand.derived(look)
        assert brand.contrast(d["--on-brand"], look.accent) >= 4.5
        for ground in (look.background, look.surface, d["--panel-2"]):
            assert brand.contrast(d["--muted"], ground) >= 4.5
            for state in brand.STATES:
                assert brand.contrast(d[f"--{state}-text"], ground) >= 4.5
        for state in brand.STATES:
            assert brand.contrast(d[f"--on-{state}"], getattr(look, state)) >= 4.5


def test_the_stylesheet_carries_only_validated_values() -> None:
    css = brand.stylesheet(brand.LIGHT)
    assert "--bg: #f6f3ee;" in css and "color-scheme: light" in css
    assert "url(" not in css and "@import" not in css


def test_a_preview_token_is_bound_to_its_venue_and_secret() -> None:
    token = brand.preview_token("s" * 40, "velvet", brand.LIGHT)
    assert brand.preview_look("s" * 40, "velvet", token) == brand.LIGHT
    assert brand.preview_look("s" * 40, "other", token) is None
    assert brand.preview_look("x" * 40, "velvet", token) is None
    assert brand.preview_look("s" * 40, "velvet", token[:-1] + "0") is None


# --- the API and the pages ----------------------------------------------------------------


async def test_a_manager_saves_a_brand_and_guest_pages_wear_it(
    client: httpx.AsyncClient, mine: Tenant
) -> None:
    csrf = await sign_in(client, mine.emails["manager"])
    got = await client.get(f"{base(mine)}/brand")
    assert got.status_code == 200 and got.json()["version"] == 0
    assert got.json()["base"] == "dark"
    body = {**LIGHT, "accent": "#0057b8", "font": "old-style", "corners": "round", "version": 0}
    saved = await client.put(f"{base(mine)}/brand", json=body, headers=csrf)
    assert saved.status_code == 200, saved.text
    assert saved.json()["version"] == 1 and saved.json()["accent"] == "#0057b8"

    css = await client.get(f"/v/{mine.slug}/brand.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "--brand: #0057b8;" in css.text and "--radius: 24px;" in css.text
    assert "Iowan Old Style" in css.text
    again = await client.get(
        f"/v/{mine.slug}/brand.css", headers={"If-None-Match": css.headers["etag"]}
    )
    assert again.status_code == 304

    page = await client.get(f"/v/{mine.slug}")
    assert f'href="/v/{mine.slug}/brand.css" id="brand-css"' in page.text
    venue = (await client.get(f"/api/v1/venues/{mine.slug}")).json()
    assert venue["brand_color"] == "#0057b8"
    audit = await client.get("/api/v1/staff/audit", params={"action": "brand.updated"})
    assert audit.status_code == 200
    assert any(e["action"] == "brand.updated" for e in audit.json())


async def test_a_failing_contrast_is_refused_and_nothing_changes(
    client: httpx.AsyncClient, mine: Tenant
) -> None:
    csrf = await sign_in(client, mine.emails["manager"])
    body = {**LIGHT, "text": "#9a9a9a", "version": 0}
    refused = await client.put(f"{base(mine)}/brand", json=body, headers=csrf)
    assert refused.status_code == 422
    problem = refused.json()
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert problem["code"] == "brand_invalid"
    assert problem["errors"][0]["field"] == "text"
    assert re.search(r"contrast \d\.\d\d:1, WCAG AA needs 4\.5:1", problem["detail"])
    assert (await client.get(f"{base(mine)}/brand")).json()["version"] == 0
    css = await client.get(f"/v/{mine.slug}/brand.css")
    assert "--text: #9a9a9a" not in css.text


async def test_a_stale_version_conflicts(client: httpx.AsyncClient, mine: Tenant) -> None:
    csrf = await sign_in(client, mine.emails["manager"])
    first = await client.put(f"{base(mine)}/brand", json={**LIGHT, "version": 0}, headers=csrf)
    assert first.status_code == 200
    second = await client.put(f"{base(mine)}/brand", json={"version": 0}, headers=csrf)
    assert second.status_code == 409 and second.json()["code"] == "brand_changed"


async def test_only_managers_of_the_venue_may_change_it(
    client: httpx.AsyncClient, mine: Tenant, theirs: Tenant
) -> None:
    csrf = await sign_in(client, mine.emails["floor"])
    r = await client.put(f"{base(mine)}/brand", json={"version": 0}, headers=csrf)
    assert r.status_code == 403
    csrf = await sign_in(client, mine.emails["manager"])
    r = await client.put(f"{base(theirs)}/brand", json={**LIGHT, "version": 0}, headers=csrf)
    assert r.status_code == 404


async def test_the_logo_is_stored_checked_and_served_sandboxed(
    client: httpx.AsyncClient, mine: Tenant
) -> None:
    csrf = await sign_in(client, mine.emails["manager"])
    url = f"{base(mine)}/brand/logo"
    data = base64.b64encode(SVG).decode()
    wrong = await client.put(url, json={"content_type": "image/png", "data": data}, headers=csrf)
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "file"
    big = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"0" * 200_001).decode()
    too_big = await client.put(url, json={"content_type": "image/png", "data": big}, headers=csrf)
    assert too_big.status_code == 422
    ok = await client.put(url, json={"content_type": "image/svg+xml", "data": data}, headers=csrf)
    assert ok.status_code == 200, ok.text
    src = ok.json()["logo_src"]
    assert src.startswith(f"/v/{mine.slug}/logo?v=")
    logo = await client.get(src)
    assert logo.status_code == 200 and logo.content == SVG
    assert logo.headers["content-type"] == "image/svg+xml"
    assert "sandbox" in logo.headers["content-security-policy"]
    page = await client.get(f"/v/{mine.slug}")
    assert f'class="logo" alt="" src="{src}"'.replace("&", "&amp;") in page.text
    version = ok.json()["version"]
    kept = await client.put(
        f"{base(mine)}/brand", json={"version": version, "logo_url": None}, headers=csrf
    )
    assert kept.json()["logo_uploaded"] is True
    gone = await client.put(
        f"{base(mine)}/brand", json={"version": version + 1, "logo_url": ""}, headers=csrf
    )
    assert gone.json()["logo_src"] is None and gone.json()["logo_uploaded"] is False
    assert (await client.get(src)).status_code == 404


async def test_a_self_hosted_font_is_uploaded_then_chosen(
    client: httpx.AsyncClient, mine: Tenant
) -> None:
    csrf = await sign_in(client, mine.emails["manager"])
    early = await client.put(
        f"{base(mine)}/brand", json={**LIGHT, "font": "custom", "version": 0}, headers=csrf
    )
    assert early.status_code == 422 and early.json()["errors"][0]["field"] == "font"
    not_a_font = base64.b64encode(b"<html>").decode()
    bad = await client.put(f"{base(mine)}/brand/font", json={"data": not_a_font}, headers=csrf)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "data"
    woff2 = b"wOF2" + bytes(60)
    up = await client.put(
        f"{base(mine)}/brand/font", json={"data": base64.b64encode(woff2).decode()}, headers=csrf
    )
    assert up.status_code == 200 and up.json()["font_uploaded"] is True
    chosen = await client.put(
        f"{base(mine)}/brand",
        json={**LIGHT, "font": "custom", "version": up.json()["version"]},
        headers=csrf,
    )
    assert chosen.status_code == 200, chosen.text
    css = (await client.get(f"/v/{mine.slug}/brand.css")).text
    face = re.search(r'@font-face \{ font-family: "Venue Font"; src: url\("([^"]+)"\)', css)
    assert face is not None and '--font: "Venue Font"' in css
    font = await client.get(face.group(1))
    assert font.status_code == 200 and font.content == woff2
    assert font.headers["content-type"] == "font/woff2"


async def test_a_logo_address_must_be_https_or_a_path(
    client: httpx.AsyncClient, mine: Tenant
) -> None:
    csrf = await sign_in(client, mine.emails["manager"])
    for bad in ("javascript:alert(1)", "http://evil.example/x.png", "https://a b/x", "//x.y/z"):
        r = await client.put(
            f"{base(mine)}/brand", json={"version": 0, "logo_url": bad}, headers=csrf
        )
        assert r.status_code == 422, bad
        assert r.json()["errors"][0]["field"] == "logo_url"
    ok = await client.put(
        f"{base(mine)}/brand",
        json={"version": 0, "logo_url": "https://cdn.example.com/logo.png"},
        headers=csrf,
    )
    assert ok.status_code == 200
    page = await client.get(f"/v/{mine.slug}")
    assert (
        "img-src 'self' data: https://cdn.example.com;" in page.headers["content-security-policy"]
    )


async def test_guest_pages_may_be_framed_only_by_the_venues_own_sites(
    client: httpx.AsyncClient, mine: Tenant
) -> None:
    page = await client.get(f"/v/{mine.slug}?embed=1")
    assert page.headers["content-security-policy"].endswith("frame-ancestors 'self'")

    csrf = await sign_in(client, mine.emails["manager"])
    bad = await client.put(
        f"{base(mine)}/brand",
        json={"version": 0, "embed_origins": ["https://ok.example", "https://x.example/path"]},
        headers=csrf,
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "embed_origins[1]"
    plain_http = await client.put(
        f"{base(mine)}/brand",
        json={"version": 0, "embed_origins": ["http://velvet.example"]},
        headers=csrf,
    )
    assert plain_http.status_code == 422
    bracket = await client.put(
        f"{base(mine)}/brand", json={"version": 0, "embed_origins": ["http://[::1"]}, headers=csrf
    )
    assert bracket.status_code == 422
    ok = await client.put(
        f"{base(mine)}/brand",
        json={
            "version": 0,
            "embed_origins": ["https://www.Velvet.example/", "http://localhost:8765"],
        },
        headers=csrf,
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["embed_origins"] == ["https://www.velvet.example", "http://localhost:8765"]
    for path in (f"/v/{mine.slug}?embed=1", f"/v/{mine.slug}/r/sometoken"):
        framed = await client.get(path)
        policy = framed.headers["content-security-policy"]
        assert policy.endswith(
            "frame-ancestors 'self' https://www.velvet.example http://localhost:8765"
        )
        assert "x-frame-options" not in framed.headers
    embedded = await client.get(f"/v/{mine.slug}?embed=1")
    assert "embed-frame" in embedded.text
    # Pages of other venues and the console are still never framed.
    assert (await client.get("/admin/login")).headers["x-frame-options"] == "DENY"


async def test_the_preview_shows_a_signed_draft_without_saving_it(
    client: httpx.AsyncClient, mine: Tenant
) -> None:
    csrf = await sign_in(client, mine.emails["manager"])
    draft = {**LIGHT, "accent": "#8a1538"}
    r = await client.post(f"{base(mine)}/brand/preview", json=draft, headers=csrf)
    assert r.status_code == 200, r.text
    token = r.json()["token"]
    page = await client.get(r.json()["page_url"])
    assert f"/v/{mine.slug}/brand.css?preview=" in page.text
    css = await client.get(f"/v/{mine.slug}/brand.css", params={"preview": token})
    assert "--brand: #8a1538;" in css.text
    forged = await client.get(f"/v/{mine.slug}/brand.css", params={"preview": token + "0"})
    assert "--brand: #8a1538;" not in forged.text
    assert (await client.get(f"{base(mine)}/brand")).json()["version"] == 0
    failing = await client.post(
        f"{base(mine)}/brand/preview", json={**draft, "accent": "#f0f0f0"}, headers=csrf
    )
    assert failing.status_code == 422 and failing.json()["errors"][0]["field"] == "accent"


async def test_the_embed_script_is_served(client: httpx.AsyncClient) -> None:
    r = await client.get("/embed.js")
    assert r.status_code == 200 and "maitre-booking" in r.text
    assert "javascript" in r.headers["content-type"]
