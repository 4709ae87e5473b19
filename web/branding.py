"""What a guest page of a venue needs from its brand: the stylesheet to link, the logo,
the embedded (``?embed=1``) layout, and the page's own Content-Security-Policy.

The page CSP is the app's (web/security.py) with two per-venue differences, both from
validated rows: ``img-src`` admits the origin of an https logo, and ``frame-ancestors``
lists this site (the console's live preview) and the sites the venue allows to embed it.
A page that may be framed sends no ``X-Frame-Options`` (the middleware leaves it out when the route
set its own CSP with ``frame-ancestors`` other than ``'none'``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from venue.models import Venue, VenueBrand
from venue.setup import brand


def csp(row: VenueBrand | None) -> str:
    images = ["'self'", "data:"]
    logo = row.logo_url if row is not None and row.logo_data is None else None
    if logo and logo.startswith("https://"):
        parts = urlsplit(logo)
        images.append(f"{parts.scheme}://{parts.netloc}")
    # 'self': the console's live preview frames the guest page.
    frame = " ".join(["'self'", *brand.frame_ancestors(row)])
    return (
        f"default-src 'self'; img-src {' '.join(images)}; style-src 'self'; "
        f"script-src 'self'; connect-src 'self' ws: wss:; frame-ancestors {frame}"
    )


async def page(
    request: Request, session: AsyncSession, venue: Venue
) -> tuple[dict[str, Any], dict[str, str]]:
    """Template values and response headers for a guest page of ``venue``."""
    row = await brand.brand_row(session, venue)
    # A venue that never saved a brand keeps Maitre's own look (maitre.css alone).
    css = f"/v/{venue.slug}/brand.css" if row is not None else None
    token = request.query_params.get("brand_preview")
    secret = request.app.state.settings.secret_key
    if token and brand.preview_look(secret, venue.slug, token) is not None:
        css = f"/v/{venue.slug}/brand.css?preview=" + quote(token, safe="")
    embed = request.query_params.get("embed") == "1"
    context = {
        "brand_css": css,
        "logo_src": brand.logo_src(venue, row),
        "embed": embed,
        "public_url": row.public_url if row is not None else None,
    }
    return context, {"Content-Security-Policy": csp(row)}
