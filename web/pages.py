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
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from venue.core import i18n
from venue.core.errors import NotFound
from venue.models import Venue
from venue.notifications import links
from venue.setup import venues

from . import branding, languages
from .assets import StaticAssets
from .deps import SessionDep
from .languages import _g

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")
# Read, hashed and compressed once, when the app starts; templates link the versioned URLs.
assets = StaticAssets(STATIC_DIR)
templates.env.globals["static_url"] = assets.url
# Guest pages pass per-request `gettext`/`ngettext` (web/languages.py) in their context,
# staff pages the `staff` domain's (render_staff); these English defaults are a fallback.
templates.env.add_extension("jinja2.ext.i18n")
templates.env.globals["gettext"] = lambda message: message
templates.env.globals["ngettext"] = lambda one, many, n: one if n == 1 else many
router = APIRouter(include_in_schema=False)

Slug = Annotated[str, PathParam(max_length=80)]
# Only a plain hex colour reaches the page: it ends up in a CSS custom property.
_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")
DEFAULT_BRAND = "#c8a24a"
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def brand_of(venue: Venue) -> str:
    colour = venue.brand_color or ""
    return colour if _HEX.match(colour) else DEFAULT_BRAND


async def _venue_or_none(session: SessionDep, slug: str) -> Venue | None:
    try:
        return await venues.venue_by_slug(session, slug)
    except NotFound:
        return None


def render(
    request: Request,
    lang: str,
    timezone: str | None,
    template: str,
    context: Mapping[str, object],
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """A guest page in ``lang`` (and the cookie that keeps a ``?lang=`` choice)."""
    response = templates.TemplateResponse(
        request,
        template,
        {**languages.page_context(request, lang, timezone), **context},
        status_code=status_code,
        headers=headers,
    )
    languages.remember(request, response)
    return response


def render_staff(
    request: Request,
    template: str,
    context: Mapping[str, object],
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """A staff page (console, money, guests, host): the ``staff`` catalogue, in English."""
    return templates.TemplateResponse(
        request,
        template,
        {**languages.staff_context(), **context},
        status_code=status_code,
        headers=headers,
    )


def _not_found(request: Request) -> HTMLResponse:
    lang = languages.of_request(request)
    what = languages.gettext(lang, _g("We couldn't find that venue."))
    return render(request, lang, None, "not_found.html", {"what": what}, status_code=404)


async def _guest_page(
    request: Request,
    session: SessionDep,
    venue: Venue,
    template: str,
    extra: Mapping[str, object],
    headers: dict[str, str],
    lang: str | None = None,
) -> HTMLResponse:
    look, csp = await branding.page(request, session, venue)
    lang = lang or await languages.of_page(request, session, venue)
    context = {"venue": venue, "brand": brand_of(venue), **look, **extra}
    return render(request, lang, venue.timezone, template, context, headers={**headers, **csp})


@router.get("/v/{slug}", response_class=HTMLResponse)
async def booking_page(request: Request, slug: Slug, session: SessionDep) -> HTMLResponse:
    """The guest's booking page: night, party size, live floor map, hold, details (in
    appointments mode: service, staff or anyone, day, time, details)."""
    venue = await _venue_or_none(session, slug)
    if venue is None:
        return _not_found(request)
    # A club's guests pick a table on the floor map; a restaurant's choose a date, a party
    # size and a time and the venue seats them; a salon's choose a service and a time.
    page = {"restaurant": "dining.html", "appointments": "appointments.html"}.get(
        venue.mode, "booking.html"
    )
    return await _guest_page(request, session, venue, page, {}, {"Cache-Control": "no-store"})


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
        return _not_found(request)
    # The token is a bearer secret: keep it out of caches and referrers.
    lang = await languages.of_page(request, session, venue)
    extra = {"token": token, "when": await _when(session, venue, token, lang)}
    return await _guest_page(request, session, venue, "manage.html", extra, PRIVATE, lang)


async def _when(session: SessionDep, venue: Venue, token: str, lang: str) -> str | None:
    """The booking's day and time for the first paint, in the venue's timezone and the
    guest's language (the script fills in the rest from the API)."""
    try:
        res = await links.reservation_by_token(session, venue, token)
    except NotFound:
        return None
    day = i18n.format_date(res.starts_at, venue.timezone, lang)
    return f"{day} · {i18n.format_time(res.starts_at, venue.timezone, lang)}"


async def _token_page(
    request: Request, slug: str, token: str, session: SessionDep, page: str
) -> HTMLResponse:
    venue = await _venue_or_none(session, slug)
    if venue is None:
        return _not_found(request)
    extra = {"token": token, "page": page}
    return await _guest_page(request, session, venue, "waitlist.html", extra, PRIVATE)


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
