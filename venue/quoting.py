"""Prices for a night's tables: the venue's pricing rows fed to the pure engine."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pricing import (
    Adjustment,
    DepositPolicy,
    PricingRules,
    Quote,
    QuoteContext,
    TableOverride,
    TierPrice,
    quote_many,
)

from .availability import NightState
from .models import (
    DepositRuleRow,
    Night,
    PriceAdjustmentRow,
    Reservation,
    Status,
    TierPriceRow,
    Venue,
    VenueRules,
    VenueTable,
)


async def pricing_rules(
    session: AsyncSession, venue: Venue, rules: VenueRules, tables: list[VenueTable]
) -> PricingRules:
    scope = {"tenant_id": venue.tenant_id, "venue_id": venue.id}
    tiers = await session.scalars(
        select(TierPriceRow).filter_by(**scope).order_by(TierPriceRow.position, TierPriceRow.tier)
    )
    adjustments = await session.scalars(
        select(PriceAdjustmentRow).filter_by(**scope).order_by(PriceAdjustmentRow.position)
    )
    deposits = await session.scalars(select(DepositRuleRow).filter_by(**scope))
    return PricingRules(
        currency=venue.currency,
        rounding_step=rules.price_rounding_step,
        tiers=tuple(TierPrice(t.tier, t.base_minimum, t.floor, t.ceiling) for t in tiers),
        table_overrides=tuple(
            TableOverride(str(t.id), t.base_minimum) for t in tables if t.base_minimum is not None
        ),
        adjustments=tuple(
            Adjustment(
                kind=a.kind,
                mode=a.mode,
                value=a.value,
                tier=a.tier,
                weekdays=frozenset(a.criteria.get("weekdays", ())),
                event_types=frozenset(a.criteria.get("event_types", ())),
                threshold_bp=int(a.criteria.get("threshold_bp", 0)),
                scope=str(a.criteria.get("scope", "tier")),
                within_hours=int(a.criteria.get("within_hours", 0)),
                label=a.label,
                position=a.position,
            )
            for a in adjustments
        ),
        deposits=tuple(DepositPolicy(d.mode, d.value, d.tier) for d in deposits),
    )


PACE_HISTORY_WEEKS = 4
BOOKED = (Status.PENDING_PAYMENT, Status.CONFIRMED, Status.SEATED, Status.COMPLETED, Status.NO_SHOW)


async def pace_of(session: AsyncSession, venue: Venue, night: Night, now: datetime) -> int | None:
    """This night's bookings so far against the same weekday's recent nights at the same
    lead time, in basis points (None without history: pace rules then stay off)."""
    lead = night.opens_at - now
    days = [night.business_date - timedelta(weeks=k) for k in range(1, PACE_HISTORY_WEEKS + 1)]
    rows = await session.execute(
        select(Night.id, Night.opens_at, Reservation.created_at)
        .outerjoin(
            Reservation,
            (Reservation.night_id == Night.id) & Reservation.status.in_([s.value for s in BOOKED]),
        )
        .where(
            Night.tenant_id == venue.tenant_id,
            Night.venue_id == venue.id,
            Night.business_date.in_(days),
            Night.is_closed.is_(False),
        )
    )
    nights: set[uuid.UUID] = set()
    booked = 0
    for night_id, opens_at, created_at in rows:
        nights.add(night_id)
        if created_at is not None and created_at <= opens_at - lead:
            booked += 1
    if not nights or booked == 0:
        return None
    current = await session.scalar(
        select(func.count(Reservation.id)).where(
            Reservation.tenant_id == venue.tenant_id,
            Reservation.night_id == night.id,
            Reservation.status.in_([s.value for s in BOOKED]),
        )
    )
    return int(current or 0) * 10000 * len(nights) // booked


def quote_night(
    rules: PricingRules, state: NightState, now: datetime, pace_bp: int | None = None
) -> dict[uuid.UUID, Quote]:
    """The current quote of every table of the sitting, priced against how full it is."""
    taken, totals = state.taken_by_tier(), state.total_by_tier()
    night_taken, night_total = sum(taken.values()), len(state.tables)
    contexts = [
        QuoteContext(
            tier=t.table.tier,
            table_key=str(t.table.id),
            business_date=state.night.business_date,
            event_type=state.night.event_type,
            starts_at=state.sitting.starts_at,
            tier_taken=taken[t.table.tier],
            tier_total=totals[t.table.tier],
            night_taken=night_taken,
            night_total=night_total,
            pace_bp=pace_bp,
        )
        for t in state.tables
    ]
    quotes = quote_many(rules, contexts, now)
    return {t.table.id: q for t, q in zip(state.tables, quotes, strict=True)}
