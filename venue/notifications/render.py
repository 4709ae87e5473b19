"""Rendering a queued message: templates per language (venue overrides later), local
times in the venue's timezone, HTML with a plain-text part, an .ics for the calendar.

Pure: everything comes from the notification's stored context plus the mail config,
so the worker renders without touching the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from jinja2 import Environment, PackageLoader, TemplateNotFound, select_autoescape

from venue.core import ical
from venue.models import Notification
from venue.waitlist.offers import offer_token

from .links import link_token

SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}
ICS_KINDS = {
    "confirmation": "PUBLISH",
    "rescheduled": "PUBLISH",
    "reminder": "PUBLISH",
    "cancellation": "CANCEL",
}

_env = Environment(
    loader=PackageLoader("venue.notifications", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default=False),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class MailSettings:
    mail_from: str
    public_url: str
    link_secret: str


def money(minor: int, currency: str) -> str:
    symbol = SYMBOLS.get(currency)
    amount = f"{minor / 100:,.2f}"
    return f"{symbol}{amount}" if symbol else f"{amount} {currency}"


def local(at_iso: str, tz: str) -> datetime:
    return datetime.fromisoformat(at_iso).astimezone(ZoneInfo(tz))


def long_time(at: datetime) -> str:
    """ "Saturday 21 November 2026, 22:00 GMT" (the zone abbreviation shows DST)."""
    return f"{at:%A} {at.day} {at:%B %Y, %H:%M} {at.tzname()}"


def message_id(n: Notification) -> str:
    """Stable for every attempt at one message, so a receiver can drop a resend."""
    return f"<{n.id}@maitre>"


def base_url(settings: MailSettings, n: Notification) -> str:
    """The venue's own address when it has one (brand ``public_url``), else the app's."""
    own = (n.context.get("brand") or {}).get("public_url")
    return str(own or settings.public_url).rstrip("/")


def manage_url(settings: MailSettings, n: Notification) -> str | None:
    if n.reservation_id is None:
        return None
    token = link_token(settings.link_secret, n.reservation_id)
    slug = n.context["venue"]["slug"]
    return f"{base_url(settings, n)}/v/{slug}/r/{token}"


# Maitre's own mail colours, for messages planned before the venue had a brand.
MAIL_DEFAULTS = {
    "background": "#111111",
    "surface": "#1b1b1b",
    "text": "#eeeeee",
    "muted": "#999999",
    "accent": None,
    "logo": None,
}


def mail_brand(settings: MailSettings, n: Notification) -> dict[str, Any]:
    """The brand the message was planned with; the logo as an absolute address."""
    planned = n.context.get("brand") or {}
    out = {k: planned.get(k) or v for k, v in MAIL_DEFAULTS.items()}
    out["accent"] = out["accent"] or n.context["venue"].get("brand_color") or "#c8a24a"
    if isinstance(out["logo"], str) and out["logo"].startswith("/"):
        out["logo"] = base_url(settings, n) + out["logo"]
    return out


def template_vars(n: Notification, settings: MailSettings) -> dict[str, Any]:
    ctx = n.context
    tz = ctx["venue"]["timezone"]
    res = ctx.get("reservation", {})
    starts = local(res["starts_at"], tz) if res else None
    ends = local(res["ends_at"], tz) if res else None
    currency = res.get("currency", "GBP")
    return {
        **ctx,
        "kind": n.kind,
        "starts": long_time(starts) if starts else "",
        "ends": f"{ends:%H:%M}" if ends else "",
        "day": f"{starts:%A} {starts.day} {starts:%B}" if starts else "",
        "minimum": money(res.get("minimum", 0), currency),
        "deposit": money(res.get("deposit", 0), currency),
        "amount_text": money(int(ctx.get("amount", 0)), currency),
        "has_deposit": res.get("deposit", 0) > 0,
        "manage_url": manage_url(settings, n) if n.audience == "guest" else None,
        "brand": mail_brand(settings, n),
        "hours_before": round(int(ctx.get("minutes_before", 0)) / 60, 1),
        **_offer_vars(n, settings, tz),
    }


def _offer_vars(n: Notification, settings: MailSettings, tz: str) -> dict[str, Any]:
    """A waitlist offer's link (``HMAC(secret, offer id)``, never stored) and its expiry
    in the venue's time."""
    offer = n.context.get("offer")
    if not offer:
        return {}
    token = offer_token(settings.link_secret, offer["id"])
    slug = n.context["venue"]["slug"]
    expires = local(offer["expires_at"], tz)
    return {
        "offer_url": f"{settings.public_url.rstrip('/')}/v/{slug}/offer/{token}",
        "offer_expires": f"{expires:%H:%M} {expires.tzname()}",
    }


def _template(lang: str, name: str) -> Any:
    try:
        return _env.get_template(f"{lang}/{name}")
    except TemplateNotFound:
        return _env.get_template(f"en/{name}")


def render(n: Notification, settings: MailSettings) -> Message:
    values = template_vars(n, settings)
    subject = _template(n.language, f"{n.kind}.subject.txt").render(values).strip()
    text = _template(n.language, f"{n.kind}.txt").render(values)
    html = _template(n.language, f"{n.kind}.html").render(values)

    venue_name = n.context["venue"]["name"]
    # Guest-facing mail speaks as the venue; venue-facing mail as Maitre for the venue.
    display = venue_name if n.audience == "guest" else f"Maitre for {venue_name}"
    # The compat32 MIME classes: several times faster than EmailMessage's header objects,
    # which matters at hundreds of messages a second.
    body = MIMEMultipart("alternative")
    body.attach(MIMEText(text, "plain", "utf-8"))
    body.attach(MIMEText(html, "html", "utf-8"))
    msg: Message = body
    method = ICS_KINDS.get(n.kind)
    if method and n.audience == "guest":
        msg = MIMEMultipart("mixed")
        msg.attach(body)
        ics = MIMEText(calendar(n, values, method).decode(), "calendar", "utf-8")
        ics.set_param("method", method)
        ics.add_header("Content-Disposition", "attachment", filename="booking.ics")
        msg.attach(ics)
    msg["From"] = formataddr((display, settings.mail_from))
    msg["To"] = n.to_addr
    if n.reply_to:
        msg["Reply-To"] = n.reply_to
    msg["Subject"] = subject if subject.isascii() else Header(subject, "utf-8").encode()
    msg["Message-ID"] = message_id(n)
    msg["Date"] = format_datetime(n.created_at)
    msg["X-Maitre-Kind"] = n.kind
    return msg


def sequence(res: dict[str, Any], method: str) -> int:
    """The invite's SEQUENCE: the reservation's version when the message was planned, so
    every change (a reschedule, a cancellation) outranks the invite before it under the
    same UID, as the calendar feeds do. Messages queued before the version was kept in
    their context: 0, and 1 for a cancellation."""
    if "version" in res:
        return int(res["version"])
    return 1 if method == "CANCEL" else 0


def calendar(n: Notification, values: dict[str, Any], method: str) -> bytes:
    """An iCalendar invite in the venue's timezone (TZID plus a generated VTIMEZONE)."""
    ctx = n.context
    tz = ctx["venue"]["timezone"]
    res = ctx["reservation"]
    cal = icalendar.Calendar()
    cal.add("prodid", ical.PRODID)
    cal.add("version", "2.0")
    cal.add("method", method)
    event = icalendar.Event()
    event.add("uid", f"{res['id']}@maitre")
    event.add("sequence", sequence(res, method))
    event.add("dtstamp", n.created_at)
    event.add("dtstart", local(res["starts_at"], tz))
    event.add("dtend", local(res["ends_at"], tz))
    event.add("summary", f"{ctx['venue']['name']}: table for {res['party_size']}")
    event.add("location", ctx["venue"]["name"])
    if method == "CANCEL":
        event.add("status", "CANCELLED")
    description = f"Tables {', '.join(res['tables'])}. Minimum spend {values['minimum']}."
    if values.get("manage_url") and method != "CANCEL":
        description += f"\nManage or cancel: {values['manage_url']}"
        event.add("url", values["manage_url"])
    event.add("description", description)
    cal.add_component(event)
    body = bytes(cal.to_ical())
    marker = b"BEGIN:VEVENT"
    year = local(res["starts_at"], tz).year
    zone = bytes(ical.vtimezone(tz, year - 1, year + 1).to_ical())
    return body.replace(marker, zone + marker, 1)
