from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Tenanted, utcnow


class VenueBrand(Tenanted, Base):
    """How a venue's guest pages, checkout and mail look, and where they may be embedded.

    One row per venue; a venue without one shows Maitre's dark theme. Every value is
    checked by ``venue/setup/brand.py`` before it is stored (hex colours that pass WCAG AA,
    a font key from a safe list or the venue's own uploaded font, a corner style), so the
    generated stylesheet only ever carries validated values. The accent and the logo's
    address are also copied to ``venues.brand_color`` and ``venues.logo_url``, which the
    public API and mail read.
    ``embed_origins`` are the sites allowed to frame the guest pages (CSP
    ``frame-ancestors``); ``public_url`` is the origin its guests reach
    Maitre at (its own domain), used in links.
    """

    __tablename__ = "venue_brands"
    __table_args__ = (
        UniqueConstraint("venue_id"),
        CheckConstraint("base IN ('dark', 'light')", name="base_known"),
        CheckConstraint("corners IN ('square', 'soft', 'round')", name="corners_known"),
    )

    venue_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"))
    base: Mapped[str] = mapped_column(String(8), default="dark")
    background: Mapped[str] = mapped_column(String(7))
    surface: Mapped[str] = mapped_column(String(7))
    text: Mapped[str] = mapped_column(String(7))
    accent: Mapped[str] = mapped_column(String(7))
    free: Mapped[str] = mapped_column(String(7))
    held: Mapped[str] = mapped_column(String(7))
    booked: Mapped[str] = mapped_column(String(7))
    blocked: Mapped[str] = mapped_column(String(7))
    font: Mapped[str] = mapped_column(String(20), default="system")
    corners: Mapped[str] = mapped_column(String(8), default="soft")
    # An https address or a same-origin path; or an uploaded file kept here.
    logo_url: Mapped[str | None] = mapped_column(String(500))
    logo_data: Mapped[bytes | None] = mapped_column(LargeBinary)
    logo_type: Mapped[str | None] = mapped_column(String(40))
    # A self-hosted font (WOFF2 or WOFF), used when ``font`` is "custom".
    font_data: Mapped[bytes | None] = mapped_column(LargeBinary)
    font_type: Mapped[str | None] = mapped_column(String(20))
    public_url: Mapped[str | None] = mapped_column(String(500))
    embed_origins: Mapped[list[Any]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
