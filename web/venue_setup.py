"""``maitre venue create``: a venue from a preset, a YAML file of answers, or a short set
of questions, written as rows (venue/presets); then its guest page address."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from venue.core.actor import SYSTEM
from venue.core.db import create_engine, session_factory
from venue.core.migrate import upgrade
from venue.presets.answers import parse
from venue.presets.catalog import PRESETS, preset
from venue.presets.create import create_venue
from venue.staff import users

from .settings import Settings

Ask = Callable[[str], str]


def _ask(ask: Ask, question: str, default: str | None = None) -> str:
    shown = f"{question} [{default}]: " if default else f"{question}: "
    while True:
        answer = ask(shown).strip()
        if answer or default is not None:
            return answer or str(default)


def questions(ask: Ask) -> dict[str, Any]:
    """The short set of questions, answered one by one (``ask`` is ``input`` at a terminal)."""
    shape = _ask(ask, "Shape: tables (club, lounge, restaurant) or appointments", "appointments")
    kind = "appointments" if shape.startswith("a") else "tables"
    base = preset("salon" if kind == "appointments" else "restaurant")
    answers: dict[str, Any] = {"shape": kind}
    if kind == "tables":
        answers["mode"] = _ask(ask, "Guests book: club (pick a table) or restaurant", "club")
    answers["name"] = _ask(ask, "Venue name", base["name"])
    answers["slug"] = _ask(ask, "Address (slug, /v/<slug>)", base["slug"])
    answers["timezone"] = _ask(ask, "Timezone", "Europe/London")
    answers["currency"] = _ask(ask, "Currency", "GBP")
    days = _ask(ask, "Open days (mon,tue,...)", "tue,wed,thu,fri,sat")
    hours = _ask(
        ask,
        "Opening hours (e.g. 09:00-17:30)",
        "09:00-17:30" if kind == "appointments" else "18:00-23:00",
    )
    answers["hours"] = {d.strip(): hours for d in days.split(",") if d.strip()}
    if kind == "tables":
        sittings = _ask(ask, "Sittings (name=18:00-20:00, ...; empty for one)", "-")
        if sittings != "-":
            answers["sittings"] = [
                {"name": n.strip(), "time": t.strip()}
                for n, t in (p.split("=") for p in sittings.split(",") if "=" in p)
            ]
        tables = _ask(ask, "Tables (count x fewest-most seats, ...)", "10x2-4,4x4-8")
        answers["tables"] = []
        for i, group in enumerate(t for t in tables.split(",") if t.strip()):
            count, seats = group.strip().split("x")
            lo, hi = seats.split("-")
            answers["tables"].append(
                {
                    "tier": ("standard", "premium", "vip")[min(i, 2)],
                    "count": int(count),
                    "seats": [int(lo), int(hi)],
                    "minimum": 0,
                }
            )
        deposit = _ask(ask, "Deposit: none, N%, a fixed amount in minor units, or N/cover", "none")
        if deposit.endswith("%"):
            answers["deposit"] = {"mode": "percent", "value": int(deposit[:-1])}
        elif deposit.endswith("/cover") and deposit[: -len("/cover")].isdigit():
            answers["deposit"] = {"mode": "per_cover", "value": int(deposit[: -len("/cover")])}
        elif deposit.isdigit():
            answers["deposit"] = {"mode": "fixed", "value": int(deposit)}
    else:
        services = _ask(
            ask,
            "Services (name:minutes:price in minor units[:deposit], ...)",
            "Cut:45:4500,Colour:90:9500:2000",
        )
        answers["services"] = []
        for item in services.split(","):
            bits = item.strip().split(":")
            answers["services"].append(
                {
                    "name": bits[0],
                    "minutes": int(bits[1]),
                    "price": int(bits[2]),
                    "deposit": int(bits[3]) if len(bits) > 3 else 0,
                    "buffer_after": 10,
                }
            )
        staff = _ask(ask, "Staff (names, comma-separated; everyone does every service)", "Alex,Sam")
        lunch = _ask(ask, "Lunch break (e.g. 12:30-13:15; - for none)", "12:30-13:15")
        answers["staff"] = [
            {"name": n.strip(), **({"lunch": lunch} if lunch != "-" else {})}
            for n in staff.split(",")
            if n.strip()
        ]
    cutoff = _ask(ask, "Online booking closes how many minutes before?", "60")
    cancel = _ask(ask, "Guests may cancel online until how many hours before?", "24")
    refund = _ask(ask, "Deposit refunded in full when cancelled in time? (y/n)", "y")
    answers["rules"] = {"cutoff_minutes": int(cutoff), "cancel_cutoff_minutes": int(cancel) * 60}
    answers["refunds"] = [
        {
            "hours_before": int(cancel),
            "refund_percent": 100 if refund.lower().startswith("y") else 0,
        }
    ]
    return answers


def gather(
    preset_name: str | None, answers_file: str | None, overrides: dict[str, Any], ask: Ask | None
) -> dict[str, Any]:
    """Answers from a preset, then a YAML file over it, then the command line's flags; the
    questions only when neither a preset nor a file was given."""
    data: dict[str, Any] = preset(preset_name) if preset_name else {}
    if answers_file:
        loaded = yaml.safe_load(Path(answers_file).read_text(encoding="utf-8")) or {}
        if not isinstance(loaded, dict):
            raise SystemExit(f"error: {answers_file} is not a mapping of answers")
        if "preset" in loaded and not preset_name:
            data = preset(str(loaded.pop("preset")))
        data.update(loaded)
    if not data:
        if ask is None:
            raise SystemExit("error: give --preset or --answers (no terminal to ask questions at)")
        data = questions(ask)
    data.update({k: v for k, v in overrides.items() if v is not None})
    return data


async def create(
    settings: Settings,
    data: dict[str, Any],
    *,
    manager_email: str | None = None,
    manager_password: str | None = None,
) -> tuple[str, str]:
    """Write the venue; returns (slug, mode)."""
    answers = parse(data)
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        async with session_factory(engine)() as session, session.begin():
            now = datetime.now(UTC)
            venue = await create_venue(session, answers, SYSTEM, now)
            if manager_email and manager_password:
                await users.create_user(
                    session,
                    venue.tenant_id,
                    email=manager_email,
                    name="Manager",
                    role="manager",
                    password=manager_password,
                    actor=SYSTEM,
                    now=now,
                )
            return venue.slug, venue.mode
    finally:
        await engine.dispose()


def interactive() -> Ask | None:
    return input if sys.stdin.isatty() else None


PRESET_NAMES = sorted(PRESETS)
