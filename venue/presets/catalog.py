"""Presets: realistic answers per vertical, which the operator then edits in the console.

Each is the same mapping a YAML answers file holds (answers.py reads both). Amounts are
minor units of the preset's currency; a command line or YAML file may override any key."""

from __future__ import annotations

import copy
from typing import Any

WEEKDAYS = {d: "09:00-18:00" for d in ("tue", "wed", "thu", "fri")}

PRESETS: dict[str, dict[str, Any]] = {
    "nightclub": {
        "shape": "tables",
        "mode": "club",
        "name": "Club Nova",
        "slug": "club-nova",
        "timezone": "Europe/London",
        "currency": "GBP",
        "hours": {"thu": "22:00-03:00", "fri": "22:00-04:00", "sat": "22:00-04:00"},
        "tables": [
            {"tier": "standard", "count": 10, "seats": [2, 6], "minimum": 30000},
            {"tier": "premium", "count": 6, "seats": [4, 10], "minimum": 75000},
            {"tier": "vip", "count": 4, "seats": [6, 16], "minimum": 200000},
        ],
        "deposit": {"mode": "percent", "value": 25},
        "rules": {"cutoff_minutes": 60, "cancel_cutoff_minutes": 1440, "max_party": 16},
        "refunds": [
            {"hours_before": 72, "refund_percent": 100},
            {"hours_before": 24, "refund_percent": 50},
        ],
    },
    "lounge": {
        "shape": "tables",
        "mode": "club",
        "name": "The Gold Lounge",
        "slug": "gold-lounge",
        "timezone": "Europe/London",
        "currency": "GBP",
        "hours": {d: "18:00-01:00" for d in ("wed", "thu", "fri", "sat")},
        "tables": [
            {"tier": "standard", "count": 12, "seats": [2, 4], "minimum": 10000},
            {"tier": "premium", "count": 6, "seats": [4, 8], "minimum": 30000},
        ],
        "deposit": {"mode": "none"},
        "rules": {"cutoff_minutes": 30, "cancel_cutoff_minutes": 240, "max_party": 8},
        "refunds": [{"hours_before": 24, "refund_percent": 100}],
    },
    "restaurant": {
        "shape": "tables",
        "mode": "restaurant",
        "name": "Trattoria Sole",
        "slug": "trattoria-sole",
        "timezone": "Europe/London",
        "currency": "GBP",
        "hours": {d: "17:30-23:00" for d in ("tue", "wed", "thu", "fri", "sat", "sun")},
        "sittings": [
            {"name": "Early", "time": "17:30-20:00"},
            {"name": "Late", "time": "20:15-23:00"},
        ],
        "tables": [
            {"tier": "standard", "count": 12, "seats": [2, 4], "minimum": 0},
            {"tier": "premium", "count": 4, "seats": [4, 8], "minimum": 0},
        ],
        # A minimum spend of 0: a deposit would be 0 too (no more than the minimum).
        "deposit": {"mode": "none"},
        "rules": {"cutoff_minutes": 60, "cancel_cutoff_minutes": 1440, "max_party": 8},
        "refunds": [{"hours_before": 24, "refund_percent": 100}],
    },
    "salon": {
        "shape": "appointments",
        "name": "Studio Salon",
        "slug": "salon",
        "timezone": "Europe/London",
        "currency": "GBP",
        "hours": {**WEEKDAYS, "mon": "09:00-17:00", "sat": "09:00-17:00"},
        "services": [
            {"name": "Cut", "minutes": 45, "price": 4500, "buffer_after": 15},
            {"name": "Cut & blow-dry", "minutes": 60, "price": 6500, "buffer_after": 15},
            {
                "name": "Colour",
                "minutes": 90,
                "price": 9500,
                "deposit": 2000,
                "buffer_before": 15,
                "buffer_after": 15,
            },
            {
                "name": "Highlights",
                "minutes": 120,
                "price": 14000,
                "deposit": 3000,
                "buffer_after": 15,
            },
            {"name": "Beard trim", "minutes": 20, "price": 1800, "buffer_after": 10},
        ],
        "staff": [
            {
                "name": "Maya",
                "hours": {**WEEKDAYS, "sat": "09:00-17:00"},
                "lunch": "12:30-13:15",
                "max_per_day": 10,
            },
            {
                "name": "Leo",
                "services": ["Cut", "Cut & blow-dry", "Beard trim"],
                "hours": {d: "10:00-19:00" for d in ("mon", "tue", "wed", "thu", "fri")},
                "lunch": "13:30-14:15",
            },
            {
                "name": "Priya",
                "services": ["Cut", "Cut & blow-dry", "Colour", "Highlights"],
                "hours": {d: "08:00-16:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat")},
                "lunch": "12:00-12:45",
            },
            {
                "name": "Sam",
                "services": ["Cut", "Beard trim"],
                "hours": {d: "11:00-19:00" for d in ("mon", "wed", "thu", "fri", "sat", "sun")},
                "lunch": "14:00-14:30",
            },
        ],
        "rules": {
            "cutoff_minutes": 30,
            "cancel_cutoff_minutes": 1440,
            "slot_interval_minutes": 15,
            "max_party": 1,
            "per_guest_daily_cap": 2,
        },
        "refunds": [{"hours_before": 24, "refund_percent": 100}],
    },
    "clinic": {
        "shape": "appointments",
        "name": "Harbour Physio Clinic",
        "slug": "harbour-clinic",
        "timezone": "Europe/London",
        "currency": "GBP",
        "hours": {d: "08:00-18:00" for d in ("mon", "tue", "wed", "thu", "fri")},
        "services": [
            {
                "name": "First assessment",
                "minutes": 60,
                "price": 7500,
                "deposit": 2500,
                "buffer_after": 10,
                "resource": "room",
            },
            {
                "name": "Follow-up",
                "minutes": 30,
                "price": 5000,
                "buffer_after": 10,
                "resource": "room",
            },
            {
                "name": "Sports massage",
                "minutes": 45,
                "price": 6000,
                "buffer_after": 15,
                "resource": "room",
            },
        ],
        "resources": [{"name": "Room 1", "kind": "room"}, {"name": "Room 2", "kind": "room"}],
        "staff": [
            {"name": "Dr Amara Obi", "lunch": "12:30-13:30"},
            {"name": "Tom Hale", "days_off": ["fri"], "lunch": "13:00-13:45"},
            {"name": "Ines Costa", "services": ["Sports massage"], "lunch": "12:00-12:30"},
        ],
        "rules": {
            "cutoff_minutes": 120,
            "cancel_cutoff_minutes": 1440,
            "slot_interval_minutes": 15,
            "max_party": 1,
            "per_guest_daily_cap": 1,
        },
        "refunds": [{"hours_before": 24, "refund_percent": 100}],
    },
    "fitness": {
        "shape": "appointments",
        "name": "Forge Personal Training",
        "slug": "forge-fitness",
        "timezone": "Europe/London",
        "currency": "GBP",
        "hours": {
            **{d: "06:00-21:00" for d in ("mon", "tue", "wed", "thu", "fri")},
            "sat": "08:00-14:00",
        },
        "services": [
            {
                "name": "Personal training (60 min)",
                "minutes": 60,
                "price": 5500,
                "buffer_after": 15,
            },
            {
                "name": "Personal training (30 min)",
                "minutes": 30,
                "price": 3200,
                "buffer_after": 10,
            },
            {"name": "Fitness assessment", "minutes": 45, "price": 4000, "deposit": 1000},
        ],
        "staff": [
            {
                "name": "Kai",
                "hours": {d: "06:00-14:00" for d in ("mon", "tue", "wed", "thu", "fri")},
                "breaks": {d: "10:00-10:30" for d in ("mon", "tue", "wed", "thu", "fri")},
            },
            {
                "name": "Rosa",
                "hours": {
                    **{d: "13:00-21:00" for d in ("mon", "tue", "wed", "thu")},
                    "sat": "08:00-14:00",
                },
                "lunch": "16:30-17:00",
            },
        ],
        "rules": {
            "cutoff_minutes": 60,
            "cancel_cutoff_minutes": 720,
            "slot_interval_minutes": 30,
            "max_party": 1,
            "per_guest_daily_cap": 2,
        },
        "refunds": [{"hours_before": 12, "refund_percent": 100}],
    },
    "professional": {
        "shape": "appointments",
        "name": "Meridian Advisory",
        "slug": "meridian-advisory",
        "timezone": "Europe/London",
        "currency": "GBP",
        "hours": {d: "09:00-17:30" for d in ("mon", "tue", "wed", "thu", "fri")},
        "services": [
            {"name": "Initial consultation", "minutes": 30, "price": 0, "buffer_after": 15},
            {
                "name": "Advice session",
                "minutes": 60,
                "price": 15000,
                "deposit": 5000,
                "buffer_after": 15,
                "resource": "meeting room",
            },
        ],
        "resources": [{"name": "Meeting room", "kind": "meeting room"}],
        "staff": [
            {"name": "Helen Ward", "lunch": "12:30-13:30", "max_per_day": 6},
            {"name": "Omar Said", "lunch": "13:00-14:00", "max_per_day": 6},
        ],
        "rules": {
            "cutoff_minutes": 240,
            "cancel_cutoff_minutes": 1440,
            "slot_interval_minutes": 30,
            "max_party": 1,
            "per_guest_daily_cap": 1,
        },
        "refunds": [
            {"hours_before": 48, "refund_percent": 100},
            {"hours_before": 24, "refund_percent": 50},
        ],
    },
}


def preset(which: str, **overrides: Any) -> dict[str, Any]:
    """A preset's answers (a copy), with ``overrides`` on top (None values ignored)."""
    answers = copy.deepcopy(PRESETS[which])
    answers.update({k: v for k, v in overrides.items() if v is not None})
    return answers
