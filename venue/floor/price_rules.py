"""Managers edit a venue's pricing as data; staff preview what any night would cost."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from pricing import (
    PricingRuleError,
    PricingRules,
    Quote,
    QuoteContext,
    quote_many,
    rules_from_dict,
    rules_to_dict,
    validate_rules,
)
from venue.core.actor import Actor
from venue.core.channels import night_channel
from venue.core.errors import DomainError, InvalidRequest
from venue.floor import availability, quoting
from venue.journal.audit import record
from venue.models import DepositRuleRow, Night, PriceAdjustmentRow, TierPriceRow, Venue, VenueTable
from venue.setup import venues


class InvalidRules(DomainError):
    status = 422
    code = "pricing_rules_invalid"


async def current(session: AsyncSession, venue: Venue) -> PricingRules:
    plan = await venues.active_plan(session, venue)
    tables = await availability.tables_of(session, venue, plan.id)
    return await quoting.pricing_rules(
        session, venue, await venues.rules_of(session, venue), tables
    )


async def replace(
    session: AsyncSession, venue: Venue, data: object, actor: Actor, now: datetime
) -> PricingRules:
    """Validate the whole rule set against the venue's tables (every tier that has tables
    needs a price), then swap it in; every change is audited and pushed."""
    plan = await venues.active_plan(session, venue)
    tables = await availability.tables_of(session, venue, plan.id)
    tiers = {t.tier for t in tables}
    try:
        rules = rules_from_dict(data)
        validate_rules(
            rules,
            known_tiers=tiers,
            known_event_types=await _event_types(session, venue),
            required_tiers=tiers,
        )
    except PricingRuleError as exc:
        problems = [p.to_dict() for p in exc.errors]
        raise InvalidRules(
            "; ".join(f"{p['field']}: {p['message']}" for p in problems[:5]), errors=problems
        ) from exc
    if rules.currency != venue.currency:
        raise InvalidRequest("currency", f"this venue charges in {venue.currency}")
    by_key = {str(t.id): t for t in tables}
    unknown = [o.table_key for o in rules.table_overrides if o.table_key not in by_key]
    if unknown:
        raise InvalidRequest("table_overrides", f"no such table: {', '.join(unknown)}")

    before = rules_to_dict(
        await quoting.pricing_rules(session, venue, await venues.rules_of(session, venue), tables)
    )
    await _store(session, venue, rules, tables)
    after = rules_to_dict(rules)
    record(
        session,
        tenant_id=venue.tenant_id,
        actor=str(actor),
        action="pricing.replaced",
        entity="venue",
        entity_id=venue.id,
        before=before,
        after=after,
        at=now,
    )
    for night in await venues.nights_between(
        session, venue, (now - timedelta(days=1)).date(), (now + timedelta(days=120)).date()
    ):
        # One event per upcoming night: the relay re-prices each connected floor.
        record(
            session,
            tenant_id=venue.tenant_id,
            actor=str(actor),
            action="pricing.changed",
            entity="night",
            entity_id=night.id,
            before=None,
            after={"night": str(night.id)},
            at=now,
            topic="pricing.changed",
            channel=night_channel(night.id),
        )
    return rules


async def preview(
    session: AsyncSession, venue: Venue, day: date, taken_bp: int, now: datetime
) -> list[dict[str, Any]]:
    """Every table's quote on that night as if ``taken_bp`` of each tier were taken."""
    night = await venues.night_on(session, venue, day)
    sitting = await venues.sitting_of(session, night, None)
    rules = await current(session, venue)
    plan = await venues.active_plan(session, venue)
    tables = await availability.tables_of(session, venue, plan.id)
    totals: dict[str, int] = {}
    for t in tables:
        totals[t.tier] = totals.get(t.tier, 0) + 1
    unpriced = quoting.unpriceable(rules, tables)
    priced = [t for t in tables if t.id not in unpriced]
    contexts = [
        QuoteContext(
            tier=t.tier,
            table_key=str(t.id),
            business_date=night.business_date,
            event_type=night.event_type,
            starts_at=sitting.starts_at,
            tier_taken=totals[t.tier] * taken_bp // 10000,
            tier_total=totals[t.tier],
            night_taken=len(tables) * taken_bp // 10000,
            night_total=len(tables),
        )
        for t in priced
    ]
    quotes = dict(
        zip(
            [t.id for t in priced],
            quote_many(rules, contexts, now) if contexts else [],
            strict=True,
        )
    )
    return [
        {
            "table_id": str(t.id),
            "label": t.label,
            "tier": t.tier,
            **_preview_of(t, quotes, unpriced),
        }
        for t in tables
    ]


def _preview_of(
    table: VenueTable, quotes: dict[uuid.UUID, Quote], unpriced: dict[uuid.UUID, str]
) -> dict[str, Any]:
    if table.id in unpriced:
        return {"minimum": None, "deposit": None, "unavailable_reason": unpriced[table.id]}
    return quotes[table.id].to_dict()


async def _event_types(session: AsyncSession, venue: Venue) -> set[str]:
    rows = await session.scalars(
        select(Night.event_type)
        .where(Night.tenant_id == venue.tenant_id, Night.venue_id == venue.id)
        .distinct()
    )
    return set(rows) | {"regular"}


async def _store(
    session: AsyncSession, venue: Venue, rules: PricingRules, tables: list[VenueTable]
) -> None:
    scope = {"tenant_id": venue.tenant_id, "venue_id": venue.id}
    for model in (TierPriceRow, PriceAdjustmentRow, DepositRuleRow):
        await session.execute(delete(model).filter_by(**scope))
    session.add_all(
        TierPriceRow(
            **scope,
            tier=t.tier,
            base_minimum=t.base_minimum,
            floor=t.floor,
            ceiling=t.ceiling,
            position=i,
        )
        for i, t in enumerate(rules.tiers)
    )
    session.add_all(
        PriceAdjustmentRow(
            **scope,
            kind=a.kind,
            mode=a.mode,
            value=a.value,
            tier=a.tier,
            label=a.label,
            position=a.position,
            criteria=_criteria(a.kind, a),
        )
        for a in rules.adjustments
    )
    session.add_all(
        DepositRuleRow(**scope, tier=d.tier, mode=d.mode, value=d.value) for d in rules.deposits
    )
    overrides = {uuid.UUID(o.table_key): o.base_minimum for o in rules.table_overrides}
    for table in tables:
        table.base_minimum = overrides.get(table.id)
    (await venues.ensure_rules(session, venue)).price_rounding_step = rules.rounding_step
    await session.flush()


def _criteria(kind: str, adjustment: Any) -> dict[str, Any]:
    relevant = {
        "weekday": ("weekdays",),
        "event_type": ("event_types",),
        "demand": ("threshold_bp", "scope"),
        "pace": ("threshold_bp",),
        "lead_time": ("within_hours",),
    }[kind]
    out: dict[str, Any] = {}
    for name in relevant:
        value = getattr(adjustment, name)
        out[name] = sorted(value) if isinstance(value, frozenset) else value
    return out
