"""The Velvet Room's own look: aubergine and velvet pink, a Didone face, round corners,
its logo (an SVG kept in the database like any upload), and the local page that may embed
its booking flow (docs/embed-example.html served on port 8765)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.actor import Actor
from venue.models import Venue
from venue.setup import brand

DEMO_EMBED_ORIGINS = ["http://localhost:8765", "http://127.0.0.1:8765"]
LOOK = {
    "base": "dark",
    "background": "#140a1c",
    "surface": "#21122d",
    "text": "#f8eefb",
    "accent": "#ff7eb0",
    "free": "#35c98a",
    "held": "#f5b54a",
    "booked": "#b27cff",
    "blocked": "#8d7f9d",
    "font": "didone",
    "corners": "round",
}
LOGO = b"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 168 40" width="168" height="40">
  <defs>
    <linearGradient id="v" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#ff9cc4"/><stop offset="1" stop-color="#c2185b"/>
    </linearGradient>
  </defs>
  <circle cx="20" cy="20" r="18" fill="#2d1640" stroke="url(#v)" stroke-width="3"/>
  <path d="M10 11 L20 31 L30 11 L25.5 11 L20 23 L14.5 11 Z" fill="url(#v)"/>
  <text x="46" y="19" font-family="Didot, 'Bodoni MT', Georgia, serif" font-size="15"
        letter-spacing="3" fill="#f8eefb">VELVET</text>
  <text x="46" y="34" font-family="Didot, 'Bodoni MT', Georgia, serif" font-size="11"
        letter-spacing="6.5" fill="#ff7eb0">ROOM</text>
</svg>
"""


async def apply(session: AsyncSession, venue: Venue, actor: Actor, now: datetime) -> None:
    """Save the look and the embed origins through the brand service, then the logo."""
    await brand.update_brand(
        session, venue, {**LOOK, "embed_origins": DEMO_EMBED_ORIGINS}, 0, actor, now
    )
    await brand.set_logo(session, venue, LOGO, "image/svg+xml", actor, now)
