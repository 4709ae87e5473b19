"""A venue's brand: managers read and change it (colours, font, corners, logo, its own
address, the sites that may embed the booking page) and ask for a signed preview of a
draft; guest pages link the stylesheet made from it (``/v/{slug}/brand.css``) and its
uploaded logo (``/v/{slug}/logo``)."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import Field

from venue.core.errors import InvalidRequest
from venue.setup import brand

from ..deps import Manager, ManagerVenue, NowDep, PublicVenue, SessionDep
from ..schemas import Int, Strict

router = APIRouter(prefix="/api/v1/staff/venues/{slug}/brand", tags=["staff: console"])
assets_router = APIRouter(include_in_schema=False)

Colour = Annotated[str, Field(max_length=7, description="#rrggbb")]


class LookIn(Strict):
    base: Literal["dark", "light"]
    background: Colour
    surface: Colour
    text: Colour
    accent: Colour
    free: Colour
    held: Colour
    booked: Colour
    blocked: Colour
    font: str = Field(max_length=20, description="a key of `choices.fonts`")
    corners: Literal["square", "soft", "round"]


class BrandIn(Strict):
    version: Int = Field(ge=0, description="the version read; 0 when the venue has no brand")
    base: Literal["dark", "light"] | None = None
    background: Colour | None = None
    surface: Colour | None = None
    text: Colour | None = None
    accent: Colour | None = None
    free: Colour | None = None
    held: Colour | None = None
    booked: Colour | None = None
    blocked: Colour | None = None
    font: str | None = Field(default=None, max_length=20)
    corners: Literal["square", "soft", "round"] | None = None
    logo_url: str | None = Field(
        default=None,
        max_length=500,
        description="https address or path; null: no address (an upload stays); '': no logo",
    )
    public_url: str | None = Field(
        default=None, max_length=500, description="the origin guests reach this venue at"
    )
    embed_origins: list[Annotated[str, Field(max_length=200)]] | None = Field(
        default=None, max_length=brand.MAX_EMBED_ORIGINS
    )


class LogoIn(Strict):
    content_type: str = Field(max_length=40, description="image/png, jpeg, webp or svg+xml")
    data: str = Field(max_length=300_000, description="the file, base64")


def _answer(request: Request, venue: Any, row: Any) -> dict[str, Any]:
    return {
        **brand.brand_dict(venue, row),
        "choices": brand.choices(),
        "embed_script": f"{request.app.state.settings.public_url.rstrip('/')}/embed.js",
    }


@router.get("")
async def get_brand(request: Request, venue: ManagerVenue, session: SessionDep) -> dict[str, Any]:
    """The venue's brand (Maitre's dark theme if it has none) and what the editor offers."""
    return _answer(request, venue, await brand.brand_row(session, venue))


@router.put("")
async def put_brand(
    request: Request,
    body: BrandIn,
    who: Manager,
    venue: ManagerVenue,
    session: SessionDep,
    now: NowDep,
) -> dict[str, Any]:
    """Save the brand; a colour that fails WCAG AA contrast is refused naming the field and
    the ratio measured (422 ``brand_invalid``)."""
    changes = body.model_dump(exclude_unset=True)
    version = changes.pop("version")
    for key, value in changes.items():
        if value is None and key not in ("logo_url", "public_url", "embed_origins"):
            raise InvalidRequest(key, "cannot be null")
    row = await brand.update_brand(session, venue, changes, version, who.actor, now)
    return _answer(request, venue, row)


@router.post("/preview")
async def preview_brand(
    request: Request, body: LookIn, venue: ManagerVenue, session: SessionDep
) -> dict[str, Any]:
    """Check a draft look as saving would, and sign it for the guest page's live preview."""
    row = await brand.brand_row(session, venue)
    look = brand.check_look(body.model_dump(), custom_font=bool(row and row.font_data))
    token = brand.preview_token(request.app.state.settings.secret_key, venue.slug, look)
    return {"token": token, "page_url": f"/v/{venue.slug}?brand_preview={token}"}


@router.put("/logo")
async def put_logo(
    request: Request,
    body: LogoIn,
    who: Manager,
    venue: ManagerVenue,
    session: SessionDep,
    now: NowDep,
) -> dict[str, Any]:
    """Upload the logo (PNG, JPEG, WebP or SVG, at most 200 kB), shown in the guest pages'
    header, checkout and mail."""
    try:
        data = base64.b64decode(body.data, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidRequest("data", "must be base64") from None
    row = await brand.set_logo(session, venue, data, body.content_type, who.actor, now)
    return _answer(request, venue, row)


class FontIn(Strict):
    data: str = Field(max_length=300_000, description="a WOFF2 or WOFF file, base64")


@router.put("/font")
async def put_font(
    request: Request,
    body: FontIn,
    who: Manager,
    venue: ManagerVenue,
    session: SessionDep,
    now: NowDep,
) -> dict[str, Any]:
    """Upload the venue's own font (WOFF2 or WOFF, at most 200 kB), served from this site;
    choose it with font "custom"."""
    try:
        data = base64.b64decode(body.data, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidRequest("data", "must be base64") from None
    row = await brand.set_font(session, venue, data, who.actor, now)
    return _answer(request, venue, row)


# --- what guest pages link ------------------------------------------------------------------


@assets_router.get("/v/{slug}/brand.css")
async def brand_css(
    request: Request,
    venue: PublicVenue,
    session: SessionDep,
    preview: Annotated[str | None, Query(max_length=2000)] = None,
) -> Response:
    """The venue's brand as a stylesheet (revalidated with its ETag), or a signed draft's."""
    secret = request.app.state.settings.secret_key
    look = brand.preview_look(secret, venue.slug, preview) if preview else None
    row = await brand.brand_row(session, venue)
    if look is None:
        look = brand.look_of(row, venue)
    css = brand.stylesheet(look, brand.font_src_of(venue, row))
    tag = brand.etag(css)
    headers = {"ETag": tag, "Cache-Control": "no-cache"}
    if request.headers.get("if-none-match") == tag:
        return Response(status_code=304, headers=headers)
    return Response(css, media_type="text/css", headers=headers)


@assets_router.get("/v/{slug}/font")
async def brand_font(venue: PublicVenue, session: SessionDep) -> Response:
    """The venue's uploaded font."""
    row = await brand.brand_row(session, venue)
    if row is None or row.font_data is None or row.font_type is None:
        return Response(status_code=404)
    return Response(
        row.font_data, media_type=row.font_type, headers={"Cache-Control": "public, max-age=300"}
    )


@assets_router.get("/v/{slug}/logo")
async def brand_logo(venue: PublicVenue, session: SessionDep) -> Response:
    """The uploaded logo, sandboxed (an SVG's scripts never run, even opened directly)."""
    row = await brand.brand_row(session, venue)
    if row is None or row.logo_data is None or row.logo_type is None:
        return Response(status_code=404)
    return Response(
        row.logo_data,
        media_type=row.logo_type,
        headers={
            "Cache-Control": "public, max-age=300",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
            "Cross-Origin-Resource-Policy": "cross-origin",
        },
    )
