"""A venue's brand: colours, font, corners, logo, its own address and who may embed it.

Every value is validated here before it is stored or turned into CSS: colours are plain
``#rrggbb``, the font is a key of a safe list mapped to a system font stack (no request
leaves the guest's browser), corners are one of three styles. Contrast follows WCAG 2.x
(relative luminance): text on the background and on the surface at least 4.5:1, the
accent (links, focus rings, the chosen table) at least 4.5:1 on both, and each table
state colour of the floor map at least 3:1 on both (non-text contrast). A failing choice
is refused with the field and the ratio measured. Colours that are derived (the text on
the accent or on a table, muted text, state labels) are chosen to pass, never asked for.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.actor import Actor
from venue.core.errors import Conflict, DomainError, InvalidRequest
from venue.journal.audit import record
from venue.models import Venue, VenueBrand

# --- the safe lists ----------------------------------------------------------------------

FONTS: dict[str, tuple[str, str]] = {
    "system": (
        "System UI",
        'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
    ),
    "humanist": (
        "Humanist sans",
        'Seravek, "Gill Sans Nova", Ubuntu, Calibri, "DejaVu Sans", source-sans-pro, sans-serif',
    ),
    "geometric": (
        "Geometric sans",
        'Avenir, Montserrat, Corbel, "URW Gothic", source-sans-pro, sans-serif',
    ),
    "transitional": (
        "Transitional serif",
        'Charter, "Bitstream Charter", "Sitka Text", Cambria, serif',
    ),
    "old-style": (
        "Old-style serif",
        '"Iowan Old Style", "Palatino Linotype", "URW Palladio L", P052, serif',
    ),
    "didone": (
        "Didone",
        'Didot, "Bodoni MT", "Noto Serif Display", "URW Palladio L", P052, Sylfaen, serif',
    ),
    "rounded": (
        "Rounded sans",
        'ui-rounded, "Hiragino Maru Gothic ProN", Quicksand, Comfortaa, Manjari, '
        '"Arial Rounded MT", Calibri, source-sans-pro, sans-serif',
    ),
    "monospace": (
        "Monospace",
        'ui-monospace, "Cascadia Code", "Source Code Pro", Menlo, Consolas, '
        '"DejaVu Sans Mono", monospace',
    ),
}
# The venue's own font file (uploaded, served from this site): its key and its stack.
CUSTOM_FONT = "custom"
CUSTOM_STACK = '"Venue Font", system-ui, -apple-system, "Segoe UI", Roboto, sans-serif'
FONT_TYPES = {b"wOF2": "font/woff2", b"wOFF": "font/woff"}
FONT_MAX_BYTES = 200_000
# corner style -> (cards and panels, buttons)
CORNERS: dict[str, tuple[str, str]] = {
    "square": ("2px", "2px"),
    "soft": ("14px", "12px"),
    "round": ("24px", "999px"),
}
BASES = ("dark", "light")
COLOURS = ("background", "surface", "text", "accent", "free", "held", "booked", "blocked")
STATES = ("free", "held", "booked", "blocked")
TEXT_RATIO = 4.5  # WCAG 2.x AA, normal text
UI_RATIO = 3.0  # WCAG 2.x AA, non-text contrast (1.4.11)
LOGO_TYPES = {"image/png", "image/jpeg", "image/webp", "image/svg+xml"}
LOGO_MAX_BYTES = 200_000
MAX_EMBED_ORIGINS = 10

_HEX = re.compile(r"^#[0-9a-f]{6}$")
_SHORT_HEX = re.compile(r"^#[0-9a-f]{3}$")
_HOST = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9-]{1,63}(?::\d{1,5})?$")
# Characters a logo address may carry: no quotes, spaces, brackets or separators that could
# end an attribute or a CSP source list.
_URL_CHARS = re.compile(r"^[A-Za-z0-9\-._~:/?#@!$&+=%]+$")


class BrandInvalid(DomainError):
    """A brand value that is malformed or fails contrast; ``errors`` names each field."""

    status = 422
    code = "brand_invalid"


class BrandChanged(Conflict):
    code = "brand_changed"


@dataclass(frozen=True)
class Look:
    """The validated visual part of a brand (what the stylesheet is made from)."""

    base: str
    background: str
    surface: str
    text: str
    accent: str
    free: str
    held: str
    booked: str
    blocked: str
    font: str
    corners: str


DARK = Look(
    base="dark",
    background="#0f0d12",
    surface="#18151d",
    text="#f3eff7",
    accent="#c8a24a",
    free="#2fae6f",
    held="#e2a336",
    booked="#c0607e",
    blocked="#77718a",
    font="system",
    corners="soft",
)
LIGHT = Look(
    base="light",
    background="#f6f3ee",
    surface="#ffffff",
    text="#1d1a22",
    accent="#7a4e00",
    free="#1f8a52",
    held="#b86e00",
    booked="#a23b5a",
    blocked="#767080",
    font="system",
    corners="soft",
)
LOOK_FIELDS = tuple(f.name for f in fields(Look))


# --- colour arithmetic (WCAG 2.x) ---------------------------------------------------------


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in rgb)


def luminance(colour: str) -> float:
    """Relative luminance of an sRGB colour, as WCAG 2.x defines it."""

    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def mix(a: str, b: str, weight: float) -> str:
    """``weight`` of ``a`` and the rest of ``b``, in sRGB (as CSS color-mix)."""
    ra, rb = _rgb(a), _rgb(b)
    mixed = tuple(x * weight + y * (1 - weight) for x, y in zip(ra, rb, strict=True))
    return _hex((mixed[0], mixed[1], mixed[2]))


def readable_on(colour: str) -> str:
    """Black or white, whichever reads better on ``colour``: one of them always reaches
    4.58:1 (the square root of 21), so the text on a colour never fails AA."""
    dark, light = "#000000", "#ffffff"
    return dark if contrast(dark, colour) >= contrast(light, colour) else light


def _toward(colour: str, target: str, grounds: tuple[str, ...], ratio: float) -> str:
    """``colour`` moved toward ``target`` just far enough to reach ``ratio`` on every
    ground (``target`` itself passes: it is the validated text colour)."""
    for step in range(21):
        candidate = mix(target, colour, step / 20)
        if all(contrast(candidate, g) >= ratio for g in grounds):
            return candidate
    return target


def derived(look: Look) -> dict[str, str]:
    """Every custom property of the guest pages, from a validated look."""
    grounds = (look.background, look.surface)
    panel_2 = mix(look.text, look.surface, 0.06)
    out = {
        "--bg": look.background,
        "--panel": look.surface,
        "--panel-2": panel_2,
        "--line": mix(look.text, look.surface, 0.2),
        "--text": look.text,
        "--muted": _toward(mix(look.surface, look.text, 0.4), look.text, (*grounds, panel_2), 4.6),
        "--brand": look.accent,
        "--on-brand": readable_on(look.accent),
        "--free": look.free,
        "--free-deep": look.free,
        "--held": look.held,
        "--pending": look.held,
        "--booked": look.booked,
        "--blocked": look.blocked,
        "--radius": CORNERS[look.corners][0],
        "--btn-radius": CORNERS[look.corners][1],
        "--font": CUSTOM_STACK if look.font == CUSTOM_FONT else FONTS[look.font][1],
    }
    for state in STATES:
        value = getattr(look, state)
        out[f"--on-{state}"] = readable_on(value)
        out[f"--{state}-text"] = _toward(value, look.text, (*grounds, panel_2), 4.6)
    return out


# --- validation -----------------------------------------------------------------------------


def _colour(field: str, value: Any, errors: list[dict[str, Any]]) -> str:
    text = value.strip().lower() if isinstance(value, str) else ""
    if _SHORT_HEX.match(text):
        text = "#" + "".join(c * 2 for c in text[1:])
    if not _HEX.match(text):
        errors.append({"field": field, "message": "must be a colour written #rrggbb"})
        return "#000000"
    return text


def _need(errors: list[dict[str, Any]], field: str, a: str, b: str, what: str, need: float):
    ratio = contrast(a, b)
    if ratio < need:
        errors.append(
            {
                "field": field,
                "message": f"{what}: contrast {ratio:.2f}:1, WCAG AA needs {need:g}:1",
                "ratio": round(ratio, 2),
                "required": need,
            }
        )


def check_look(values: dict[str, Any], *, custom_font: bool = False) -> Look:
    """A complete look from ``values`` (every field of ``Look``), or ``BrandInvalid``
    naming each bad field, contrasts with the ratio measured. ``custom_font``: the venue
    has uploaded a font, so "custom" is a font it may choose."""
    errors: list[dict[str, Any]] = []
    base = values.get("base")
    if base not in BASES:
        errors.append({"field": "base", "message": "must be 'dark' or 'light'"})
        base = "dark"
    font = values.get("font")
    if font not in FONTS and not (font == CUSTOM_FONT and custom_font):
        keys = ", ".join(FONTS)
        errors.append(
            {
                "field": "font",
                "message": f"must be one of {keys}, or custom once a font is uploaded",
            }
        )
        font = "system"
    corners = values.get("corners")
    if corners not in CORNERS:
        errors.append({"field": "corners", "message": "must be one of " + ", ".join(CORNERS)})
        corners = "soft"
    colours = {name: _colour(name, values.get(name), errors) for name in COLOURS}
    if errors:
        raise _invalid(errors)
    look = Look(base=str(base), font=str(font), corners=str(corners), **colours)
    for ground in ("background", "surface"):
        _need(errors, "text", look.text, getattr(look, ground), f"text on the {ground}", 4.5)
    for ground in ("background", "surface"):
        what = f"accent (links, focus, your pick) on the {ground}"
        _need(errors, "accent", look.accent, getattr(look, ground), what, TEXT_RATIO)
    for state in STATES:
        for ground in ("background", "surface"):
            what = f"'{state}' tables on the {ground}"
            _need(errors, state, getattr(look, state), getattr(look, ground), what, UI_RATIO)
    if errors:
        raise _invalid(errors)
    return look


def _invalid(errors: list[dict[str, Any]]) -> BrandInvalid:
    return BrandInvalid(
        "; ".join(f"{e['field']}: {e['message']}" for e in errors[:4]), errors=errors
    )


def check_logo_url(value: str | None) -> str | None:
    """An https address or a same-origin path, or None; nothing that could break out of
    an attribute or a CSP source list."""
    if value is None or value == "":
        return None
    if len(value) > 500 or not _URL_CHARS.match(value):
        raise InvalidRequest("logo_url", "must be an https address or a path on this site")
    if value.startswith("/") and not value.startswith("//"):
        return value
    parts = urlsplit(value)
    if parts.scheme != "https" or not _HOST.match(parts.netloc.lower()):
        raise InvalidRequest("logo_url", "must be an https address or a path on this site")
    return value


def _local(host: str) -> bool:
    name = host.split(":")[0]
    return name in ("localhost", "127.0.0.1") or name.endswith(".localhost")


def check_origin(field: str, value: Any) -> str:
    """``https://host[:port]`` (``http`` only for localhost), lower-cased, no path."""
    text = value.strip().lower().rstrip("/") if isinstance(value, str) else ""
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        parts = urlsplit("")
    ok = (
        parts.scheme in ("https", "http")
        and _HOST.match(parts.netloc or "-")
        and not (parts.path or parts.query or parts.fragment)
        and (parts.scheme == "https" or _local(parts.netloc))
    )
    if not ok:
        raise InvalidRequest(
            field, "must be an origin such as https://www.example.com (http only for localhost)"
        )
    return f"{parts.scheme}://{parts.netloc}"


def check_public_url(value: str | None) -> str | None:
    """The origin this venue's guests reach Maitre at (its own domain pointed at this
    deployment), e.g. ``https://book.velvetroom.example``; None: the app's PUBLIC_URL."""
    if value is None or value == "":
        return None
    return check_origin("public_url", value)


# --- reading ------------------------------------------------------------------------------


async def brand_row(session: AsyncSession, venue: Venue) -> VenueBrand | None:
    return await session.scalar(
        select(VenueBrand).where(
            VenueBrand.tenant_id == venue.tenant_id, VenueBrand.venue_id == venue.id
        )
    )


def look_of(row: VenueBrand | None, venue: Venue | None = None) -> Look:
    """The stored look, or Maitre's dark theme (in the venue's older brand colour) when
    the venue has none."""
    if row is None:
        colour = (venue.brand_color or "").lower() if venue is not None else ""
        return replace(DARK, accent=colour) if _HEX.match(colour) else DARK
    return Look(**{f: getattr(row, f) for f in LOOK_FIELDS})


def logo_src(venue: Venue, row: VenueBrand | None) -> str | None:
    if row is not None and row.logo_data is not None:
        return f"/v/{venue.slug}/logo?v={row.version}"
    return row.logo_url if row is not None else venue.logo_url


def brand_dict(venue: Venue, row: VenueBrand | None) -> dict[str, Any]:
    look = look_of(row, venue)
    return {
        **asdict(look),
        "logo_url": row.logo_url if row else None,
        "logo_uploaded": bool(row and row.logo_data),
        "font_uploaded": bool(row and row.font_data),
        "logo_src": logo_src(venue, row),
        "public_url": row.public_url if row else None,
        "embed_origins": list(row.embed_origins) if row else [],
        "version": row.version if row else 0,
        "derived": {k: v for k, v in derived(look).items() if k.startswith("--on-")},
    }


def choices() -> dict[str, Any]:
    """What the editor offers: fonts, corner styles, bases and the two starting looks."""
    return {
        "fonts": [{"key": k, "label": label} for k, (label, _) in FONTS.items()],
        "corners": list(CORNERS),
        "bases": list(BASES),
        "defaults": {"dark": asdict(DARK), "light": asdict(LIGHT)},
        "ratios": {"text": TEXT_RATIO, "states": UI_RATIO},
        "logo": {"types": sorted(LOGO_TYPES), "max_bytes": LOGO_MAX_BYTES},
        "font": {"types": sorted(FONT_TYPES.values()), "max_bytes": FONT_MAX_BYTES},
    }


def frame_ancestors(row: VenueBrand | None) -> list[str]:
    return list(row.embed_origins) if row is not None else []


# --- writing ------------------------------------------------------------------------------


async def _ensure(session: AsyncSession, venue: Venue, now: datetime) -> VenueBrand:
    row = await brand_row(session, venue)
    if row is None:
        row = VenueBrand(
            tenant_id=venue.tenant_id,
            venue_id=venue.id,
            **asdict(replace(DARK, accent=venue.brand_color or DARK.accent)),
            logo_url=venue.logo_url,
            embed_origins=[],
            version=0,
            updated_at=now,
        )
        session.add(row)
    return row


def _audit_view(row: VenueBrand) -> dict[str, Any]:
    return {
        **{f: getattr(row, f) for f in LOOK_FIELDS},
        "logo_url": row.logo_url,
        "logo": f"{row.logo_type}, {len(row.logo_data)} bytes" if row.logo_data else None,
        "font_file": f"{row.font_type}, {len(row.font_data)} bytes" if row.font_data else None,
        "public_url": row.public_url,
        "embed_origins": list(row.embed_origins or []),
        "version": row.version,
    }


async def update_brand(
    session: AsyncSession,
    venue: Venue,
    changes: dict[str, Any],
    version: int,
    actor: Actor,
    now: datetime,
) -> VenueBrand:
    """Validate the whole brand as it would be (422 naming each field and ratio), then
    save it under its version (409 when someone saved in between)."""
    row = await _ensure(session, venue, now)
    if version != row.version:
        raise BrandChanged(
            "someone else saved the brand meanwhile; reload and try again", version=row.version
        )
    merged = {f: changes.get(f, getattr(row, f)) for f in LOOK_FIELDS}
    look = check_look(merged, custom_font=row.font_data is not None)
    values: dict[str, Any] = asdict(look)
    if "logo_url" in changes:
        # An address replaces an uploaded file; "" removes the logo altogether; null only
        # clears the address (an uploaded file stays).
        values["logo_url"] = check_logo_url(changes["logo_url"])
        if values["logo_url"] is not None or changes["logo_url"] == "":
            values["logo_data"] = values["logo_type"] = None
    if "public_url" in changes:
        values["public_url"] = check_public_url(changes["public_url"])
    if "embed_origins" in changes:
        origins = changes["embed_origins"] or []
        if len(origins) > MAX_EMBED_ORIGINS:
            raise InvalidRequest("embed_origins", f"at most {MAX_EMBED_ORIGINS} sites")
        checked = [check_origin(f"embed_origins[{i}]", o) for i, o in enumerate(origins)]
        values["embed_origins"] = list(dict.fromkeys(checked))
    before = _audit_view(row) if row.version else None
    for key, value in values.items():
        setattr(row, key, value)
    return await _saved(session, venue, row, before, "brand.updated", actor, now)


async def _saved(
    session: AsyncSession,
    venue: Venue,
    row: VenueBrand,
    before: dict[str, Any] | None,
    action: str,
    actor: Actor,
    now: datetime,
) -> VenueBrand:
    """Bump the brand's version, mirror it onto the venue, and audit the change (with
    its ``venue.brand_changed`` outbox event)."""
    row.version += 1
    row.updated_at = now
    # The public API, the mail and the first paint read these two.
    venue.brand_color = row.accent
    venue.logo_url = logo_src(venue, row)
    await session.flush()
    record(
        session,
        tenant_id=venue.tenant_id,
        actor=str(actor),
        action=action,
        entity="venue",
        entity_id=venue.id,
        before=before,
        after=_audit_view(row),
        at=now,
        topic="venue.brand_changed",
        channel=None,
        payload={"venue": str(venue.id), "version": row.version},
    )
    return row


def sniff_logo(data: bytes, declared: str) -> str:
    """The logo's type from its first bytes (the declared type must agree)."""
    kind = None
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = "image/png"
    elif data.startswith(b"\xff\xd8\xff"):
        kind = "image/jpeg"
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        kind = "image/webp"
    elif b"<svg" in data[:1000].lower():
        kind = "image/svg+xml"
    if kind is None or kind != declared.split(";")[0].strip().lower():
        raise InvalidRequest("file", "must be a PNG, JPEG, WebP or SVG image of that type")
    return kind


async def set_logo(
    session: AsyncSession, venue: Venue, data: bytes, declared: str, actor: Actor, now: datetime
) -> VenueBrand:
    """Store an uploaded logo (size and type checked) in place of any logo address."""
    if not data:
        raise InvalidRequest("file", "the file is empty")
    if len(data) > LOGO_MAX_BYTES:
        raise InvalidRequest("file", f"the logo must be at most {LOGO_MAX_BYTES} bytes")
    kind = sniff_logo(data, declared)
    row = await _ensure(session, venue, now)
    before = _audit_view(row) if row.version else None
    row.logo_data, row.logo_type, row.logo_url = data, kind, None
    return await _saved(session, venue, row, before, "brand.logo_uploaded", actor, now)


async def set_font(
    session: AsyncSession, venue: Venue, data: bytes, actor: Actor, now: datetime
) -> VenueBrand:
    """Store the venue's own font (WOFF2 or WOFF, sniffed from its first bytes); it is
    used once the brand's font is "custom"."""
    if len(data) > FONT_MAX_BYTES:
        raise InvalidRequest("data", f"the font must be at most {FONT_MAX_BYTES} bytes")
    kind = FONT_TYPES.get(data[:4])
    if kind is None:
        raise InvalidRequest("data", "must be a WOFF2 or WOFF font file")
    row = await _ensure(session, venue, now)
    before = _audit_view(row) if row.version else None
    row.font_data, row.font_type = data, kind
    return await _saved(session, venue, row, before, "brand.font_uploaded", actor, now)


# --- the stylesheet and its preview ---------------------------------------------------------


def stylesheet(look: Look, font_src: str | None = None) -> str:
    """The guest pages' brand stylesheet: custom properties from validated values, and
    fixed rules that make the pages read them (table states, labels, fonts, corners).
    ``font_src``: this site's address of the venue's uploaded font (``font_src_of``)."""
    props = "\n".join(f"  {k}: {v};" for k, v in derived(look).items())
    scheme = "light" if look.base == "light" else "dark"
    light = _LIGHT_RULES if look.base == "light" else ""
    face = ""
    if look.font == CUSTOM_FONT and font_src:
        face = (
            f'@font-face {{ font-family: "Venue Font"; src: url("{font_src}"); '
            "font-display: swap; }\n"
        )
    return f"{face}:root {{\n{props}\n  color-scheme: {scheme};\n}}\n{_RULES}{light}"


def font_src_of(venue: Venue, row: VenueBrand | None) -> str | None:
    """The uploaded font's address, for a CSS ``url()``: only a plain slug goes in."""
    if row is None or row.font_data is None or not re.fullmatch(r"[A-Za-z0-9._-]+", venue.slug):
        return None
    return f"/v/{venue.slug}/font?v={row.version}"


def etag(css: str) -> str:
    return '"' + hashlib.sha256(css.encode()).hexdigest()[:20] + '"'


def _sign(secret: str, slug: str, payload: str) -> str:
    mac = hmac.new(secret.encode(), f"brand-preview:{slug}:{payload}".encode(), hashlib.sha256)
    return mac.hexdigest()[:32]


def preview_token(secret: str, slug: str, look: Look) -> str:
    """A signed draft look, for the console's live preview of the guest page."""
    raw = json.dumps(asdict(look), separators=(",", ":"), sort_keys=True).encode()
    payload = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return f"{payload}.{_sign(secret, slug, payload)}"


def preview_look(secret: str, slug: str, token: str | None) -> Look | None:
    """The draft look of a preview token signed for this venue, else None."""
    if not token or len(token) > 2000 or token.count(".") != 1:
        return None
    payload, mac = token.split(".")
    if not hmac.compare_digest(mac, _sign(secret, slug, payload)):
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return check_look(values, custom_font=True)
    except (ValueError, DomainError):
        return None


_RULES = """
body, button, input, select, textarea { font-family: var(--font); }
.map-wrap { background: var(--bg); }
.btn, .btn.btn-small, .chip, .seg span, .view-toggle, .view-toggle button {
  border-radius: var(--btn-radius);
}
.night, .map-wrap, .list-view, .facts.compact > div, .error-box, .note {
  border-radius: var(--radius);
}
.sheet { border-radius: var(--radius) var(--radius) 0 0; }
.topbar::before { background: var(--brand); }
.area { fill: color-mix(in srgb, var(--text) 3%, transparent);
  stroke: color-mix(in srgb, var(--text) 14%, transparent); }
.tbl .shape { stroke: color-mix(in srgb, var(--text) 45%, transparent); }
.tbl text { stroke: none; }
.state-free .shape { fill: var(--free); stroke: var(--free-text); }
.state-held .shape, .state-pending .shape { fill: var(--held); stroke: var(--held-text); }
.state-booked .shape, .state-seated .shape { fill: var(--booked); stroke: var(--booked-text); }
.state-blocked .shape, .state-unavailable .shape {
  fill: var(--blocked); stroke: var(--blocked-text);
}
.state-mine .shape { fill: var(--brand); stroke: var(--text); }
.tbl.state-free text { fill: var(--on-free); }
.tbl.state-held text, .tbl.state-pending text { fill: var(--on-held); }
.tbl.state-booked text, .tbl.state-seated text { fill: var(--on-booked); }
.tbl.state-blocked text, .tbl.state-unavailable text { fill: var(--on-blocked); }
.tbl.state-mine text { fill: var(--on-brand); }
.tbl .t-star { stroke: var(--bg); }
.tbl:focus-visible .ring { stroke: var(--text); }
.s-free { background: var(--free); border-color: var(--free-text); }
.s-held { background: var(--held); border-color: var(--held-text); }
.s-booked { background: var(--booked); border-color: var(--booked-text); }
.s-blocked { background: var(--blocked); border-color: var(--blocked-text); }
.s-nofit { background: repeating-linear-gradient(45deg, var(--text) 0 2px, transparent 2px 6px),
  var(--free); border-color: var(--free-text); }
.s-selected { border-color: var(--text); }
.tier-key { border-color: var(--muted); }
.tier-chip { border-color: var(--muted); color: var(--text); }
.night .n-status, .night[aria-pressed="true"] .n-status,
.l-state.st-free, .state-pill.st-free, dd.st-free { color: var(--free-text); }
.night.few .n-status, .night[aria-pressed="true"].few .n-status,
.l-state.st-held, .l-state.st-pending, .state-pill.st-held, .state-pill.st-pending,
dd.st-held, dd.st-pending, dd.st-pending_payment { color: var(--held-text); }
.l-state.st-booked, .l-state.st-seated, .l-state.st-unavailable,
.state-pill.st-booked, .state-pill.st-seated, .state-pill.st-blocked,
.state-pill.st-unavailable, dd.st-booked, dd.st-seated, dd.st-blocked { color: var(--booked-text); }
.night[aria-pressed="true"] { background: var(--panel-2); }
.seg input:checked + span { background: var(--panel-2); }
.tables-list tr.selected { background: var(--panel-2); }
.topbar { background: var(--bg); }
.logo { max-width: 160px; object-fit: contain; }
"""

_LIGHT_RULES = """
:root { --danger: #b3261e; }
.error-box { color: #8c1d18; background: #fdeceb; }
.field-error { color: #a4221c; }
.btn-danger { color: #ffffff; }
.status-pill.st-cancelled, .status-pill.st-expired, .status-pill.st-no_show { color: #8c1d18; }
.taken-title { color: var(--held-text); }
.sheet { box-shadow: 0 -12px 40px rgb(0 0 0 / 0.18); }
"""


# --- beyond the guest pages: Stripe Checkout, mail, links ------------------------------------

# Stripe Checkout's own font list: the nearest of each safe stack.
STRIPE_FONTS = {
    "system": "default",
    "humanist": "open_sans",
    "geometric": "montserrat",
    "transitional": "pt_serif",
    "old-style": "lora",
    "didone": "noto_serif",
    "rounded": "nunito",
    "monospace": "ubuntu_mono",
}
STRIPE_BORDERS = {"square": "rectangular", "soft": "rounded", "round": "pill"}


def base_url(row: VenueBrand | None, default: str) -> str:
    """Where this venue's guests reach Maitre: its own address, else the app's."""
    return (row.public_url if row is not None and row.public_url else default).rstrip("/")


def absolute_logo(venue: Venue, row: VenueBrand | None, default_base: str) -> str | None:
    src = logo_src(venue, row)
    if src and src.startswith("/"):
        return base_url(row, default_base) + src
    return src


def checkout_branding(venue: Venue, row: VenueBrand | None, default_base: str) -> dict[str, Any]:
    """``branding_settings`` for a Stripe Checkout Session: the venue's name, colours,
    corners, nearest font and (when Stripe can fetch it over https) its logo."""
    look = look_of(row, venue)
    out: dict[str, Any] = {
        "display_name": venue.name[:100],
        "background_color": look.background,
        "button_color": look.accent,
        "border_style": STRIPE_BORDERS[look.corners],
        "font_family": STRIPE_FONTS.get(look.font, "default"),
    }
    logo = absolute_logo(venue, row, default_base)
    if logo and logo.startswith("https://"):
        out["logo"] = {"type": "url", "url": logo}
    return out


def mail_brand(venue: Venue, row: VenueBrand | None) -> dict[str, Any]:
    """What a planned message keeps of the brand (the mail renders it later); a venue
    without a brand keeps Maitre's own mail colours, in its accent."""
    if row is None:
        return {"accent": venue.brand_color, "logo": venue.logo_url, "public_url": None}
    look = look_of(row, venue)
    return {
        "background": look.background,
        "surface": look.surface,
        "text": look.text,
        "muted": derived(look)["--muted"],
        "accent": look.accent,
        "logo": logo_src(venue, row),
        "public_url": row.public_url if row is not None else None,
    }


def checkout_stylesheet(background: str | None, button: str | None, border: str | None) -> str:
    """The TEST MODE checkout page in the colours a session asked Stripe for (only plain
    hex colours and a known border style get through)."""
    props = []
    if background and _HEX.match(background):
        props += [f"--co-bg: {background};", f"--co-on-bg: {readable_on(background)};"]
    if button and _HEX.match(button):
        props += [f"--co-button: {button};", f"--co-on-button: {readable_on(button)};"]
    radius = {"rectangular": "2px", "rounded": "8px", "pill": "999px"}.get(border or "")
    if radius:
        props.append(f"--co-radius: {radius};")
    return ":root { " + " ".join(props) + " }\n"
