"""Rendering a queued message: one set of templates translated into the message's
language (gettext catalogue ``mail``), dates and money formatted for that language in
the venue's timezone, a venue's own subject and text around the details where it wrote
some (``custom``), HTML with a plain-text part, an .ics for the calendar.

Pure: everything comes from the notification's stored context plus the mail config,
so the worker renders without touching the database. A venue's override that fails
here is replaced by the default text and reported in :class:`Rendered` ``failures``;
the worker tells the venue's staff (``overrides.report_failure``), the guest still gets
their mail.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from babel import dates as babel_dates
from jinja2 import Environment, PackageLoader, select_autoescape

from venue.core import i18n, ical
from venue.models import Notification
from venue.waitlist.offers import offer_token

from . import custom
from .links import link_token

ICS_KINDS = {
    "confirmation": "PUBLISH",
    "series_confirmation": "PUBLISH",
    "rescheduled": "PUBLISH",
    "reminder": "PUBLISH",
    "cancellation": "CANCEL",
}
# The day, then the time of day, in each language: "Saturday 21 November 2026, 22:00 GMT",
# "sabato 21 novembre 2026, 22:00 GMT", "samedi 21 novembre 2026, 22:00 GMT".
DAY_PATTERN = "EEEE d MMMM y"
SHORT_DAY_PATTERN = "EEEE d MMMM"


def label(text: str) -> str:
    """A plain-text details label, padded so the values line up."""
    return f"{text}:".ljust(14) + " "


@cache
def environment(lang: str) -> Environment:
    """The templates with ``lang``'s catalogue installed; one per language, built once
    (an Environment's gettext is global to it, so languages never share one)."""
    env = Environment(
        loader=PackageLoader("venue.notifications", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(i18n.translations(lang, "mail"), newstyle=True)  # type: ignore[attr-defined]
    env.globals["label"] = label
    return env


@dataclass(frozen=True)
class MailSettings:
    mail_from: str
    public_url: str
    link_secret: str


@dataclass
class Rendered:
    message: Message
    # Override fields that failed and were replaced by the default: (field, reason).
    failures: list[tuple[str, str]] = field(default_factory=list)


def language(n: Notification) -> str:
    return i18n.supported(n.language) or i18n.SOURCE


def money(minor: int, currency: str, lang: str = i18n.SOURCE) -> str:
    return i18n.format_money(minor, currency, lang)


def local(at_iso: str, tz: str) -> datetime:
    return datetime.fromisoformat(at_iso).astimezone(ZoneInfo(tz))


def zone(at: datetime, lang: str) -> str:
    """The zone's short name in ``lang`` where CLDR has one ("GMT", "BST", "CEST"), else
    the abbreviation the tz database gives (Babel would say "+0100"): the reader sees
    which side of a clock change the time is on."""
    assert at.tzinfo is not None
    name = babel_dates.format_time(at, "z", tzinfo=at.tzinfo, locale=i18n.FORMAT_LOCALE[lang])
    if name[:1] in "+-" or name.startswith(("GMT+", "GMT-", "UTC")):
        return at.tzname() or name
    return name


def long_time(at: datetime, lang: str = i18n.SOURCE) -> str:
    """ "Saturday 21 November 2026, 22:00 GMT" in ``lang`` (the zone shows DST)."""
    tz = str(at.tzinfo)
    day = i18n.format_date(at, tz, lang, DAY_PATTERN)
    return f"{day}, {clock_time(at, lang)} {zone(at, lang)}"


def clock_time(at: datetime, lang: str) -> str:
    return i18n.format_time(at, str(at.tzinfo), lang, "HH:mm")


def short_day(at: datetime, lang: str) -> str:
    return i18n.format_date(at, str(at.tzinfo), lang, SHORT_DAY_PATTERN)


def message_id(n: Notification) -> str:
    """Stable for every attempt at one message, so a receiver can drop a resend."""
    return f"<{n.id}@maitre>"


def base_url(settings: MailSettings, n: Notification) -> str:
    """The venue's own address when it has one (brand ``public_url``), else the app's."""
    own = (n.context.get("brand") or {}).get("public_url")
    return str(own or settings.public_url).rstrip("/")


def manage_url(settings: MailSettings, n: Notification, reservation_id: Any = None) -> str | None:
    """The guest's manage page of the message's reservation (or of ``reservation_id``,
    one date of a standing reservation)."""
    rid = reservation_id or n.reservation_id
    if rid is None:
        return None
    token = link_token(settings.link_secret, rid)
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
    lang = language(n)
    tz = ctx["venue"]["timezone"]
    res = ctx.get("reservation", {})
    starts = local(res["starts_at"], tz) if res else None
    ends = local(res["ends_at"], tz) if res else None
    currency = res.get("currency", "GBP")
    return {
        **ctx,
        "kind": n.kind,
        "lang": lang,
        "starts": long_time(starts, lang) if starts else "",
        "ends": clock_time(ends, lang) if ends else "",
        "day": short_day(starts, lang) if starts else "",
        "time": clock_time(starts, lang) if starts else "",
        "minimum": money(res.get("minimum", 0), currency, lang),
        "deposit": money(res.get("deposit", 0), currency, lang),
        "amount_text": money(int(ctx.get("amount", 0)), currency, lang),
        "has_deposit": res.get("deposit", 0) > 0,
        "manage_url": manage_url(settings, n) if n.audience == "guest" else None,
        "brand": mail_brand(settings, n),
        "hours_before": round(int(ctx.get("minutes_before", 0)) / 60, 1),
        **_offer_vars(n, settings, tz, lang),
        **_series_vars(n, settings, tz, lang),
    }


def _series_vars(n: Notification, settings: MailSettings, tz: str, lang: str) -> dict[str, Any]:
    """A standing reservation's dates, each in the venue's time with its own manage link
    (each date is a reservation of its own: cancelled or moved on its own)."""
    series = n.context.get("series")
    if not series:
        return {}
    dates = []
    for occ in series["occurrences"]:
        starts, ends = local(occ["starts_at"], tz), local(occ["ends_at"], tz)
        dates.append(
            {
                "when": long_time(starts, lang),
                "ends": clock_time(ends, lang),
                "tables": ", ".join(occ["tables"]),
                "manage_url": manage_url(settings, n, uuid.UUID(occ["id"]))
                if n.audience == "guest"
                else None,
            }
        )
    t = i18n.translations(lang, "mail")
    why = {
        "no_night": t.gettext("the venue is not open that day"),
        "night_closed": t.gettext("the venue is closed that night"),
        "table_taken": t.gettext("the table is already booked"),
        "table_blocked": t.gettext("the table is not available"),
        "past": t.gettext("the date has passed"),
    }
    unbooked = [
        {
            "day": i18n.format_date(date.fromisoformat(u["date"]), None, lang, DAY_PATTERN),
            "reason": why.get(u.get("reason") or "", t.gettext("not available")),
        }
        for u in series.get("unbooked") or []
    ]
    # Each date carries its own link; the policy lines name none.
    return {"dates": dates, "unbooked": unbooked, "count": len(dates), "manage_url": None}


def _offer_vars(n: Notification, settings: MailSettings, tz: str, lang: str) -> dict[str, Any]:
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
        "offer_expires": f"{clock_time(expires, lang)} {zone(expires, lang)}",
    }


def _custom(n: Notification, values: dict[str, Any], failures: list[tuple[str, str]]) -> Any:
    """The venue's own subject, intro and outro (None: the default), each rendered in the
    sandbox; one that fails is dropped for the default and reported."""
    override = n.context.get("override") or {}
    offered = custom.offered_values(values)
    out: dict[str, Any] = {}
    for part in custom.FIELDS:
        source = override.get(part)
        text = None
        if source:
            try:
                text = custom.render_field(part, source, offered)
            except custom.OverrideFailed as exc:
                failures.append((part, exc.reason))
        out[part] = text
        if part != "subject":
            out[f"{part}_html"] = custom.to_html(text) if text is not None else None
    return out


def render(n: Notification, settings: MailSettings) -> Message:
    return render_mail(n, settings).message


def render_mail(n: Notification, settings: MailSettings) -> Rendered:
    lang = language(n)
    env = environment(lang)
    values = template_vars(n, settings)
    failures: list[tuple[str, str]] = []
    values["custom"] = mine = _custom(n, values, failures)
    subject = mine["subject"] or env.get_template(f"{n.kind}.subject.txt").render(values)
    subject = " ".join(subject.split())
    text = env.get_template(f"{n.kind}.txt").render(values)
    html = env.get_template(f"{n.kind}.html").render(values)
    t = i18n.translations(lang, "mail")
    if n.context.get("test"):
        subject = t.gettext("[Test] %(subject)s") % {"subject": subject}

    venue_name = n.context["venue"]["name"]
    # Guest-facing mail speaks as the venue; venue-facing mail as Maitre for the venue.
    display = (
        venue_name
        if n.audience == "guest"
        else t.gettext("Maitre for %(venue)s") % {"venue": venue_name}
    )
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
    msg["Content-Language"] = lang
    if n.context.get("test"):
        msg["X-Maitre-Test"] = "yes"
    return Rendered(msg, failures)


def sequence(res: dict[str, Any], method: str) -> int:
    """The invite's SEQUENCE: the reservation's version when the message was planned, so
    every change (a reschedule, a cancellation) outranks the invite before it under the
    same UID, as the calendar feeds do. Messages queued before the version was kept in
    their context: 0, and 1 for a cancellation."""
    if "version" in res:
        return int(res["version"])
    return 1 if method == "CANCEL" else 0


def ics_texts(n: Notification, values: dict[str, Any], method: str) -> tuple[str, str]:
    """The invite's SUMMARY and DESCRIPTION in the message's language."""
    ctx = n.context
    t = i18n.translations(language(n), "mail")
    res = ctx["reservation"]
    venue_name = ctx["venue"]["name"]
    appointment = ctx.get("appointment")
    if appointment:
        summary = t.gettext("%(venue)s: %(service)s") % {
            "venue": venue_name,
            "service": appointment.get("service"),
        }
        description = t.gettext("%(service)s with %(staff)s. Price %(price)s.") % {
            "service": appointment.get("service"),
            "staff": appointment.get("staff"),
            "price": values["minimum"],
        }
    else:
        summary = t.gettext("%(venue)s: table for %(party)s") % {
            "venue": venue_name,
            "party": res["party_size"],
        }
        description = t.gettext("Tables %(tables)s. Minimum spend %(minimum)s.") % {
            "tables": ", ".join(res["tables"]),
            "minimum": values["minimum"],
        }
    return summary, description


def _with_link(n: Notification, description: str, url: str | None, method: str) -> str:
    if not url or method == "CANCEL":
        return description
    t = i18n.translations(language(n), "mail")
    return description + "\n" + t.gettext("Manage or cancel: %(url)s") % {"url": url}


def calendar(n: Notification, values: dict[str, Any], method: str) -> bytes:
    """An iCalendar invite in the venue's timezone (TZID plus a generated VTIMEZONE): one
    event, or one per date of a standing reservation (each under its reservation's UID,
    so cancelling one date later replaces just that event)."""
    ctx = n.context
    tz = ctx["venue"]["timezone"]
    res = ctx["reservation"]
    summary, description = ics_texts(n, values, method)
    cal = icalendar.Calendar()
    cal.add("prodid", ical.PRODID)
    cal.add("version", "2.0")
    cal.add("method", method)
    series = ctx.get("series")
    occurrences = series["occurrences"] if series else [res]
    urls = [d["manage_url"] for d in values["dates"]] if series else [values.get("manage_url")]
    for occ, url in zip(occurrences, urls, strict=True):
        event = icalendar.Event()
        event.add("uid", f"{occ['id']}@maitre")
        event.add("sequence", sequence(occ, method))
        event.add("dtstamp", n.created_at)
        event.add("dtstart", local(occ["starts_at"], tz))
        event.add("dtend", local(occ["ends_at"], tz))
        event.add("summary", summary)
        event.add("location", ctx["venue"]["name"])
        if method == "CANCEL":
            event.add("status", "CANCELLED")
        if url and method != "CANCEL":
            event.add("url", url)
        event.add("description", _with_link(n, description, url, method))
        cal.add_component(event)
    body = bytes(cal.to_ical())
    marker = b"BEGIN:VEVENT"
    year = local(res["starts_at"], tz).year
    zone_block = bytes(ical.vtimezone(tz, year - 1, year + 1).to_ical())
    return body.replace(marker, zone_block + marker, 1)
