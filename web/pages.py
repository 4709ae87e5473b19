"""Guest-facing HTML pages: the booking page, the manage-my-booking page, and the
waitlist's status and offer pages.

The pages are shells. Everything dynamic is fetched by the ES modules in ``web/static`` from
the public JSON API and the floor WebSocket, so the HTML carries no inline script or style
(the app will send ``Content-Security-Policy: default-src 'self'``). The little the server
knows up front (slug, name, brand colour) rides on ``data-`` attributes for a branded first
paint.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from venue.core.errors import NotFound
from venue.models import Venue
from venue.setup import venues

from . import branding
from .assets import StaticAssets
from .deps import SessionDep

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")
# Read, hashed and compressed once, when the app starts; templates link the versioned URLs.
assets = StaticAssets(STATIC_DIR)
templates.env.globals["static_url"] = assets.url
router = APIRouter(include_in_schema=False)

Slug = Annotated[str, PathParam(max_length=80)]
# Only a plain hex colour reaches the page: it ends up in a CSS custom property.
_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")
DEFAULT_BRAND = "#c8a24a"


def brand_of(venue: Venue) -> str:
    colour = venue.brand_color or ""
    return colour if _HEX.match(colour) else DEFAULT_BRAND


async def _venue_or_none(session: SessionDep, slug: str) -> Venue | None:
    try:
        return await venues.venue_by_slug(session, slug)
    except NotFound:
        return None


def _not_found(request: Request, what: str) -> HTMLResponse:
    return templates.TemplateResponse(request, "not_found.html", {"what": what}, status_code=404)


@router.get("/v/{slug}", response_class=HTMLResponse)
async def booking_page(request: Request, slug: Slug, session: SessionDep) -> HTMLResponse:
    """The guest's booking page: night, party size, live floor map, hold, details (in
    appointments mode: service, staff or anyone, day, time, details)."""
    venue = await _venue_or_none(session, slug)
    if venue is None:
        return _not_found(request, "We couldn't find that venue.")
    look, headers = await branding.page(request, session, venue)
    # A club's guests pick a table on the floor map; a restaurant's choose a date, a party
    # size and a time and the venue seats them; a salon's choose a service and a time.
    page = {"restaurant": "dining.html", "appointments": "appointments.html"}.get(
        venue.mode, "booking.html"
    )
    return templates.TemplateResponse(
        request,
        page,
        {"venue": venue, "brand": brand_of(venue), **look},
        headers={"Cache-Control": "no-store", **headers},
    )


@router.get("/v/{slug}/r/{token}", response_class=HTMLResponse)
async def manage_page(
    request: Request,
    slug: Slug,
    token: Annotated[str, PathParam(max_length=200)],
    session: SessionDep,
) -> HTMLResponse:
    """Manage one booking by its token: the script looks it up and offers to cancel."""
    venue = await _venue_or_none(session, slug)
    if venue is None:
        return _not_found(request, "We couldn't find that venue.")
    look, headers = await branding.page(request, session, venue)
    # The token is a bearer secret: keep it out of caches and referrers.
    return templates.TemplateResponse(
        request,
        "manage.html",
        {"venue": venue, "brand": brand_of(venue), "token": token, **look},
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", **headers},
    )


async def _token_page(
    request: Request, slug: str, token: str, session: SessionDep, page: str
) -> HTMLResponse:
    venue = await _venue_or_none(session, slug)
    if venue is None:
        return _not_found(request, "We couldn't find that venue.")
    look, headers = await branding.page(request, session, venue)
    return templates.TemplateResponse(
        request,
        "waitlist.html",
        {"venue": venue, "brand": brand_of(venue), "token": token, "page": page, **look},
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", **headers},
    )


@router.get("/v/{slug}/w/{token}", response_class=HTMLResponse)
async def waitlist_page(
    request: Request,
    slug: Slug,
    token: Annotated[str, PathParam(max_length=200)],
    session: SessionDep,
) -> HTMLResponse:
    """The guest's place on the waitlist, by its token: position, any offer, leave."""
    return await _token_page(request, slug, token, session, "waitlist")


@router.get("/v/{slug}/offer/{token}", response_class=HTMLResponse)
async def offer_page(
    request: Request,
    slug: Slug,
    token: Annotated[str, PathParam(max_length=200)],
    session: SessionDep,
) -> HTMLResponse:
    """A waitlist offer from its email link: accept (then pay a deposit if due) or decline."""
    return await _token_page(request, slug, token, session, "offer")
