"""The answers a venue is set up from, read and checked (a bad answer names its field).

The same shape comes from ``maitre venue create``'s questions, a ``--preset`` (catalog.py)
or a YAML file; see docs/presets.md for every key."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from venue.core.errors import InvalidRequest

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SHAPES = {"tables", "appointments"}
MODES = {"club", "restaurant", "appointments"}
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,78}[a-z0-9]$")
Span = tuple[time, time]


@dataclass
class TableGroup:
    tier: str
    count: int
    seats: tuple[int, int]
    minimum: int


@dataclass
class ServiceAnswer:
    name: str
    minutes: int
    price: int
    deposit: int = 0
    before: int = 0
    after: int = 0
    resource: str | None = None


@dataclass
class StaffAnswer:
    name: str
    services: list[str]
    hours: dict[int, list[Span]]
    breaks: dict[int, list[Span]]
    max_per_day: int | None = None


@dataclass
class Answers:
    shape: str
    mode: str
    name: str
    slug: str
    timezone: str
    currency: str
    country: str = "GB"
    email: str | None = None
    phone: str | None = None
    hours: dict[int, list[Span]] = field(default_factory=dict)
    sittings: list[tuple[str, time, time]] = field(default_factory=list)
    tables: list[TableGroup] = field(default_factory=list)
    deposit: tuple[str, int] = ("none", 0)
    services: list[ServiceAnswer] = field(default_factory=list)
    resources: list[tuple[str, str]] = field(default_factory=list)
    staff: list[StaffAnswer] = field(default_factory=list)
    rules: dict[str, int] = field(default_factory=dict)
    refunds: list[tuple[int, int]] = field(default_factory=list)  # (hours before, basis points)
    nights_ahead: int = 42


RULE_KEYS = {
    "hold_minutes",
    "payment_hold_minutes",
    "cutoff_minutes",
    "cancel_cutoff_minutes",
    "booking_window_days",
    "min_party",
    "max_party",
    "per_guest_daily_cap",
    "slot_interval_minutes",
    "service_opens_minutes",
}


def _need(data: dict[str, Any], key: str, where: str = "") -> Any:
    if key not in data or data[key] in (None, ""):
        raise InvalidRequest(where + key, "this answer is required")
    return data[key]


def _int(value: Any, where: str, lo: int = 0, hi: int = 2**31 - 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise InvalidRequest(where, f"a whole number from {lo} to {hi}")
    return value


def _time(text: Any, where: str) -> time:
    try:
        return time.fromisoformat(str(text).strip())
    except ValueError:
        raise InvalidRequest(where, "a time like 09:30") from None


def span(text: Any, where: str) -> Span:
    """'09:00-17:30' -> (09:00, 17:30)."""
    parts = str(text).split("-")
    if len(parts) != 2:
        raise InvalidRequest(where, "a range like 09:00-17:30")
    return _time(parts[0], where), _time(parts[1], where)


def week(data: Any, where: str, *, overnight: bool = False) -> dict[int, list[Span]]:
    """{mon: '09:00-17:00', sat: ['10:00-13:00', '14:00-18:00'], sun: closed}."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InvalidRequest(where, "days (mon..sun) with their hours")
    out: dict[int, list[Span]] = {}
    for key, value in data.items():
        day = str(key)[:3].lower()
        if day not in DAYS:
            raise InvalidRequest(f"{where}.{key}", "a day: mon, tue, wed, thu, fri, sat or sun")
        if value in (None, "closed", "off", False):
            continue
        spans = [span(v, f"{where}.{key}") for v in (value if isinstance(value, list) else [value])]
        for a, b in spans:
            if b <= a and not overnight:
                raise InvalidRequest(f"{where}.{key}", "ends after it starts")
        out[DAYS.index(day)] = spans
    return out


def parse(data: Any) -> Answers:
    if not isinstance(data, dict):
        raise InvalidRequest("answers", "a mapping of answers")
    shape = _need(data, "shape")
    if shape not in SHAPES:
        raise InvalidRequest("shape", "tables or appointments")
    mode = data.get("mode") or ("appointments" if shape == "appointments" else "club")
    if mode not in MODES or (shape == "appointments") != (mode == "appointments"):
        raise InvalidRequest("mode", "club or restaurant for tables; appointments for services")
    slug = str(_need(data, "slug"))
    if not _SLUG.match(slug):
        raise InvalidRequest("slug", "3 to 80 lowercase letters, digits and dashes")
    tz = str(_need(data, "timezone"))
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidRequest("timezone", "an IANA timezone such as Europe/London") from None
    currency = str(_need(data, "currency")).upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise InvalidRequest("currency", "a three-letter ISO code such as GBP")
    answers = Answers(
        shape=shape,
        mode=mode,
        name=str(_need(data, "name"))[:200],
        slug=slug,
        timezone=tz,
        currency=currency,
        country=str(data.get("country") or "GB").upper()[:2],
        email=data.get("email"),
        phone=data.get("phone"),
        hours=week(data.get("hours"), "hours", overnight=shape == "tables"),
        nights_ahead=_int(data.get("nights_ahead", 42), "nights_ahead", 1, 366),
    )
    rules = data.get("rules") or {}
    for key, value in rules.items():
        if key not in RULE_KEYS:
            raise InvalidRequest(f"rules.{key}", f"one of {', '.join(sorted(RULE_KEYS))}")
        answers.rules[key] = _int(value, f"rules.{key}", 0, 525600)
    for i, r in enumerate(data.get("refunds") or []):
        where = f"refunds.{i}"
        hours = _int(_need(r, "hours_before", where + "."), where + ".hours_before", 0, 8760)
        pct = _int(_need(r, "refund_percent", where + "."), where + ".refund_percent", 0, 100)
        answers.refunds.append((hours, pct * 100))
    if shape == "tables":
        _tables(data, answers)
    else:
        _appointments(data, answers)
    return answers


def _tables(data: dict[str, Any], answers: Answers) -> None:
    if not answers.hours:
        raise InvalidRequest("hours", "at least one opening day")
    for i, s in enumerate(data.get("sittings") or []):
        a, b = span(_need(s, "time", f"sittings.{i}."), f"sittings.{i}.time")
        answers.sittings.append((str(_need(s, "name", f"sittings.{i}."))[:60], a, b))
    groups = _need(data, "tables")
    for i, g in enumerate(groups):
        where = f"tables.{i}"
        seats = _need(g, "seats", where + ".")
        if not (isinstance(seats, list) and len(seats) == 2):
            raise InvalidRequest(where + ".seats", "[fewest, most]")
        lo, hi = (_int(s, where + ".seats", 1, 500) for s in seats)
        if hi < lo:
            raise InvalidRequest(where + ".seats", "[fewest, most]")
        answers.tables.append(
            TableGroup(
                str(_need(g, "tier", where + "."))[:40],
                _int(_need(g, "count", where + "."), where + ".count", 1, 500),
                (lo, hi),
                _int(g.get("minimum", 0), where + ".minimum"),
            )
        )
    deposit = data.get("deposit") or {"mode": "none"}
    mode = deposit.get("mode", "none")
    if mode not in ("none", "percent", "fixed", "per_cover"):
        raise InvalidRequest("deposit.mode", "none, percent, fixed or per_cover")
    value = deposit.get("value", 0)
    if mode == "percent":
        answers.deposit = ("percent", _int(value, "deposit.value", 0, 100) * 100)
    else:
        answers.deposit = (mode, _int(value, "deposit.value"))


def _appointments(data: dict[str, Any], answers: Answers) -> None:
    for i, s in enumerate(_need(data, "services")):
        where = f"services.{i}"
        price = _int(s.get("price", 0), where + ".price")
        deposit = _int(s.get("deposit", 0), where + ".deposit")
        if deposit > price:
            raise InvalidRequest(where + ".deposit", "no more than the price")
        answers.services.append(
            ServiceAnswer(
                str(_need(s, "name", where + "."))[:120],
                _int(_need(s, "minutes", where + "."), where + ".minutes", 5, 1440),
                price,
                deposit,
                _int(s.get("buffer_before", 0), where + ".buffer_before", 0, 240),
                _int(s.get("buffer_after", 0), where + ".buffer_after", 0, 240),
                s.get("resource"),
            )
        )
    names = [s.name for s in answers.services]
    for i, r in enumerate(data.get("resources") or []):
        answers.resources.append(
            (str(_need(r, "name", f"resources.{i}.")), str(_need(r, "kind", f"resources.{i}.")))
        )
    for i, m in enumerate(_need(data, "staff")):
        where = f"staff.{i}"
        services = m.get("services", "all")
        services = names if services == "all" else list(services)
        for name in services:
            if name not in names:
                raise InvalidRequest(where + ".services", f"no service named '{name}'")
        hours = week(m["hours"], where + ".hours") if "hours" in m else dict(answers.hours)
        for off in m.get("days_off") or []:
            name = str(off)[:3].lower()
            if name not in DAYS:
                raise InvalidRequest(where + ".days_off", "days: mon..sun")
            hours.pop(DAYS.index(name), None)
        breaks = week(m.get("breaks"), where + ".breaks")
        if m.get("lunch"):
            lunch = span(m["lunch"], where + ".lunch")
            for weekday in hours:
                breaks.setdefault(weekday, []).append(lunch)
        max_per_day = m.get("max_per_day")
        answers.staff.append(
            StaffAnswer(
                str(_need(m, "name", where + "."))[:120],
                services,
                hours,
                breaks,
                None if max_per_day is None else _int(max_per_day, where + ".max_per_day", 1, 500),
            )
        )
    if not answers.staff:
        raise InvalidRequest("staff", "at least one staff member")
