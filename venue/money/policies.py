"""Managers edit the cancellation refund policy and the reminder schedule as data."""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core import i18n
from venue.core.actor import Actor
from venue.core.errors import DomainError
from venue.journal.audit import record
from venue.models import NotificationSettings, Venue
from venue.money import ledger
from venue.notifications.planner import reminder_offsets

# The refund policy of a venue that has not written its own rows: (hours before the start,
# share refunded in basis points), latest first: all 48 h ahead, half 24 h ahead.
DEFAULT_REFUND_RULES: tuple[tuple[int, int], ...] = ((48, 10000), (24, 5000))

LANGUAGES = list(i18n.LANGUAGES)


class InvalidPolicy(DomainError):
    status = 422
    code = "policy_invalid"


def _refuse(problems: list[dict[str, str]]) -> None:
    if problems:
        message = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
        raise InvalidPolicy(message, errors=problems)


async def refund_policy(session: AsyncSession, venue: Venue) -> dict[str, Any]:
    rules = await ledger.refund_rules(session, venue)
    return {
        "custom": rules is not None,
        "rules": [
            {"hours_before_start": h, "refund_bp": bp} for h, bp in rules or DEFAULT_REFUND_RULES
        ],
    }


async def set_refund_policy(
    session: AsyncSession, venue: Venue, rules: list[tuple[int, int]], actor: Actor, now: datetime
) -> dict[str, Any]:
    """Each rule: cancel at least H hours before the start, get B basis points back. A
    later cancellation never gets more back than an earlier one."""
    problems = []
    ordered = sorted(rules, reverse=True)
    for i, (hours, bp) in enumerate(rules):
        if not 0 <= hours <= 8760:
            problems.append({"field": f"rules[{i}].hours_before_start", "message": "0 to 8760"})
        if not 0 <= bp <= 10000:
            problems.append({"field": f"rules[{i}].refund_bp", "message": "0 to 10000"})
    if len({h for h, _ in rules}) != len(rules):
        problems.append({"field": "rules", "message": "two rules for the same hour"})
    if any(later[1] > earlier[1] for earlier, later in pairwise(ordered)):
        problems.append({"field": "rules", "message": "a later cancel may not refund more"})
    _refuse(problems)
    before = await refund_policy(session, venue)
    await ledger.set_refund_rules(session, venue, ordered)
    after = await refund_policy(session, venue)
    record(
        session,
        tenant_id=venue.tenant_id,
        actor=str(actor),
        action="refund_policy.replaced",
        entity="venue",
        entity_id=venue.id,
        before=before,
        after=after,
        at=now,
    )
    return after


async def mail_settings(session: AsyncSession, venue: Venue) -> dict[str, Any]:
    row = await _settings_row(session, venue)
    return {
        "reminder_minutes": await reminder_offsets(session, venue),
        "language": row.language if row else "en",
        "languages": LANGUAGES,
    }


async def set_mail_settings(
    session: AsyncSession,
    venue: Venue,
    reminder_minutes: list[int],
    language: str,
    actor: Actor,
    now: datetime,
) -> dict[str, Any]:
    """Applies to reminders planned from now on; ones already queued keep their time."""
    problems = [
        {"field": f"reminder_minutes[{i}]", "message": "between 15 minutes and 14 days"}
        for i, m in enumerate(reminder_minutes)
        if not 15 <= m <= 20160
    ]
    if len(set(reminder_minutes)) != len(reminder_minutes):
        problems.append({"field": "reminder_minutes", "message": "the same reminder twice"})
    if language not in LANGUAGES:
        problems.append({"field": "language", "message": f"one of {', '.join(LANGUAGES)}"})
    _refuse(problems)
    before = await mail_settings(session, venue)
    row = await _settings_row(session, venue)
    if row is None:
        row = NotificationSettings(tenant_id=venue.tenant_id, venue_id=venue.id)
        session.add(row)
    row.reminder_minutes = sorted(reminder_minutes, reverse=True)
    row.language = language
    await session.flush()
    after = await mail_settings(session, venue)
    record(
        session,
        tenant_id=venue.tenant_id,
        actor=str(actor),
        action="mail_settings.replaced",
        entity="venue",
        entity_id=venue.id,
        before=before,
        after=after,
        at=now,
    )
    return after


async def _settings_row(session: AsyncSession, venue: Venue) -> NotificationSettings | None:
    return await session.scalar(
        select(NotificationSettings).where(
            NotificationSettings.tenant_id == venue.tenant_id,
            NotificationSettings.venue_id == venue.id,
        )
    )


async def default_language(session: AsyncSession, venue: Venue) -> str | None:
    """The venue's default language for guests (its mail language), None if never set."""
    row = await _settings_row(session, venue)
    return row.language if row else None
