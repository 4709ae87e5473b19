"""Editing a venue's booking rules with validation that explains every bad field at once."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.actor import Actor
from venue.core.channels import night_channel
from venue.core.errors import (
    Conflict,
    DomainError,
)
from venue.journal.audit import record
from venue.models import (
    OutboxEvent,
    Venue,
    VenueRules,
)
from venue.setup import venues


class RulesChanged(Conflict):
    code = "rules_changed"


class InvalidRules(DomainError):
    status = 422
    code = "rules_invalid"


# --- rules -----------------------------------------------------------------------------

# field -> (lowest, highest, what it means); bounds are explained in every refusal.
RULE_LIMITS: dict[str, tuple[int, int, str]] = {
    "hold_minutes": (1, 120, "minutes a table is held while the guest enters details"),
    "payment_hold_minutes": (30, 1440, "minutes a hold waits for the deposit (Stripe: 30+)"),
    "cutoff_minutes": (0, 10080, "online booking closes this many minutes before start"),
    "booking_window_days": (1, 730, "how many days ahead bookings open"),
    "min_party": (1, 500, "smallest party accepted online"),
    "max_party": (1, 500, "largest party accepted online"),
    "per_guest_daily_cap": (1, 50, "bookings one guest may hold per night"),
    "price_rounding_step": (1, 100000, "minimums are rounded to this many minor units"),
    "cancel_cutoff_minutes": (0, 10080, "guests' cancel links stop this long before start"),
    "guests_choose_tables": (0, 1, "restaurants: 1 lets guests choose their own table"),
    "service_opens_minutes": (
        0,
        10080,
        "staff can seat, complete or mark a no-show from this long before the sitting starts",
    ),
    "waitlist_offer_minutes": (1, 1440, "minutes a waitlist offer holds its table"),
    "waitlist_short_offer_minutes": (
        1,
        1440,
        "minutes a waitlist offer holds its table close to service",
    ),
    "waitlist_short_within_minutes": (
        0,
        10080,
        "offers made this close to the sitting's start use the shorter offer time",
    ),
}


def rule_fields() -> list[str]:
    return [f for f in RULE_LIMITS if hasattr(VenueRules, f)]


def rules_dict(rules: VenueRules) -> dict[str, Any]:
    return {
        # a yes/no rule reads as 0/1, as the console edits every rule as a number
        **{f: int(v) if isinstance(v := getattr(rules, f), bool) else v for f in rule_fields()},
        "version": rules.version,
        "updated_at": rules.updated_at.isoformat() if rules.updated_at else None,
    }


def rules_help() -> dict[str, dict[str, Any]]:
    return {
        f: {"min": lo, "max": hi, "help": text}
        for f, (lo, hi, text) in RULE_LIMITS.items()
        if f in rule_fields()
    }


async def update_rules(
    session: AsyncSession,
    venue: Venue,
    changes: dict[str, int],
    version: int,
    actor: Actor,
    now: datetime,
) -> VenueRules:
    """Validate every change at once (422 listing each field), then apply it under the
    rules' version (409 when someone saved in between)."""
    rules = await venues.ensure_rules(session, venue)
    merged = {f: changes.get(f, getattr(rules, f)) for f in rule_fields()}
    errors = []
    for name in changes:
        if name not in RULE_LIMITS or name not in merged:
            errors.append({"field": name, "message": "not a rule that can be edited"})
    for name, value in merged.items():
        lo, hi, text = RULE_LIMITS[name]
        if name in changes and not (isinstance(value, int) and lo <= value <= hi):
            errors.append(
                {"field": name, "message": f"must be a whole number from {lo} to {hi} ({text})"}
            )
    if merged["max_party"] < merged["min_party"]:
        errors.append(
            {
                "field": "max_party",
                "message": f"max_party ({merged['max_party']}) is below "
                f"min_party ({merged['min_party']})",
            }
        )
    if merged["payment_hold_minutes"] < merged["hold_minutes"]:
        errors.append(
            {
                "field": "payment_hold_minutes",
                "message": "a hold waiting for payment must last at least as long as a "
                f"plain hold ({merged['hold_minutes']} minutes)",
            }
        )
    if errors:
        raise InvalidRules(
            "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5]), errors=errors
        )
    if version != rules.version:
        raise RulesChanged(
            "someone else saved the rules meanwhile; reload and try again",
            version=rules.version,
        )
    before = rules_dict(rules)
    values = {
        k: bool(v) if isinstance(getattr(rules, k), bool) else v
        for k, v in changes.items()
        if getattr(rules, k) != v
    }
    result = await session.execute(
        update(VenueRules)
        .where(VenueRules.id == rules.id, VenueRules.version == version)
        .values(**values, version=version + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise RulesChanged("someone else saved the rules meanwhile; reload and try again")
    await session.refresh(rules)
    record(
        session,
        tenant_id=venue.tenant_id,
        actor=str(actor),
        action="rules.updated",
        entity="venue",
        entity_id=venue.id,
        before=before,
        after=rules_dict(rules),
        at=now,
    )
    if "price_rounding_step" in values:
        for night in await venues.nights_between(
            session, venue, (now - timedelta(days=1)).date(), (now + timedelta(days=120)).date()
        ):
            session.add(
                OutboxEvent(
                    tenant_id=venue.tenant_id,
                    at=now,
                    topic="pricing.changed",
                    channel=night_channel(night.id),
                    payload={"night": str(night.id)},
                )
            )
    return rules
