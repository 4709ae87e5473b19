"""Prices for a night's tables: the venue's pricing rows fed to the pure engine.

A table the rules cannot price (its tier has no price row, or the stored rules are
invalid) is never a 500 for the whole floor: it is set apart with the reason, shown as
unavailable, and refused by a hold (``TableNotPriced``). Saving rules checks this up front,
but a table's tier can still change under saved rules (a floor-plan edit racing a rules
edit, data from before the check), so quoting has to cope too.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from pricing import (
    Adjustment,
    DepositPolicy,
    PricingRuleError,
    PricingRules,
    Quote,
    QuoteContext,
    TableOverride,
    TierPrice,
    priced_tiers,
    quote_many,
)
from venue.core.errors import TableNotPriced
from venue.floor.availability import NightState
from venue.models import (
    DepositRuleRow,
    Night,
    PriceAdjustmentRow,
    Reservation,
    Sitting,
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


def uses(rules: PricingRules, kind: str) -> bool:
    """Whether any adjustment of this kind exists (else its inputs need not be read)."""
    return any(a.kind == kind for a in rules.adjustments)


PACE_HISTORY_WEEKS = 4
BOOKED = (Status.PENDING_PAYMENT, Status.CONFIRMED, Status.SEATED, Status.COMPLETED, Status.NO_SHOW)


async def pace_of(session: AsyncSession, venue: Venue, night: Night, now: datetime) -> int | None:
    """This night's bookings so far against the same weekday's recent nights at the same
    lead time, in basis points (None without history: pace rules then stay off)."""
    lead = night.opens_at - now
    days = [night.business_date - timedelta(weeks=k) for k in range(1, PACE_HISTORY_WEEKS + 1)]
    history = list(
        await session.execute(
            select(Night.id, Night.opens_at).where(
                Night.tenant_id == venue.tenant_id,
                Night.venue_id == venue.id,
                Night.business_date.in_(days),
                Night.is_closed.is_(False),
            )
        )
    )
    if not history:
        return None
    counted = or_(
        Reservation.night_id == night.id,
        *(
            and_(Reservation.night_id == nid, Reservation.created_at <= opens_at - lead)
            for nid, opens_at in history
        ),
    )
    rows = await session.execute(
        select(Reservation.night_id, func.count(Reservation.id))
        .where(
            Reservation.tenant_id == venue.tenant_id,
            Reservation.status.in_([s.value for s in BOOKED]),
            counted,
        )
        .group_by(Reservation.night_id)
    )
    counts = {nid: int(n) for nid, n in rows}
    current = counts.pop(night.id, 0)
    booked = sum(counts.values())
    return current * 10000 * len(history) // booked if booked else None


@dataclass(frozen=True)
class Prices:
    """The quotes of the tables that could be priced, and why the others could not."""

    quotes: dict[uuid.UUID, Quote]
    unpriced: dict[uuid.UUID, str]

    def of(self, tables: list[VenueTable]) -> list[Quote]:
        """The tables' quotes in order, or TableNotPriced naming those without one."""
        missing = [t for t in tables if t.id in self.unpriced]
        if missing:
            labels = ", ".join(t.label for t in missing)
            raise TableNotPriced(
                f"{labels} cannot be booked right now: {self.unpriced[missing[0].id]}",
                table_ids=[str(t.id) for t in missing],
            )
        return [self.quotes[t.id] for t in tables]


def unpriceable(rules: PricingRules, tables: Iterable[VenueTable]) -> dict[uuid.UUID, str]:
    """table id -> why no quote can be computed for it (empty when every table can be)."""
    try:
        tiers = priced_tiers(rules)
    except PricingRuleError as exc:
        first = exc.errors[0]
        reason = f"the venue's pricing rules are invalid ({first.field}: {first.message})"
        return {t.id: reason for t in tables}
    return {t.id: f"no price is set for the {t.tier} tier" for t in tables if t.tier not in tiers}


def quote_night(
    rules: PricingRules, state: NightState, now: datetime, pace_bp: int | None = None
) -> Prices:
    """The current quote of every table of the sitting, priced against how full it is."""
    taken, totals = state.taken_by_tier(), state.total_by_tier()
    counts = {tier: (taken[tier], totals[tier]) for tier in totals}
    tables = [t.table for t in state.tables]
    return quote_tables(rules, state.night, state.sitting, tables, counts, now, pace_bp)


def quote_tables(
    rules: PricingRules,
    night: Night,
    sitting: Sitting,
    tables: list[VenueTable],
    counts: dict[str, tuple[int, int]],
    now: datetime,
    pace_bp: int | None = None,
) -> Prices:
    """Quotes for some tables, given how many of each tier are taken (tier -> taken, total).

    A table's key only matters to the engine through a per-table override, so the tables
    of a tier without one share one context and one (immutable) quote: a 200-table floor
    is priced once per tier, not 200 times."""
    unpriced = unpriceable(rules, tables)
    night_taken = sum(taken for taken, _ in counts.values())
    night_total = sum(total for _, total in counts.values())
    overridden = {o.table_key for o in rules.table_overrides}
    groups: dict[tuple[str, str | None], list[VenueTable]] = {}
    for t in tables:
        if t.id in unpriced:
            continue
        key = str(t.id)
        groups.setdefault((t.tier, key if key in overridden else None), []).append(t)
    contexts = [
        QuoteContext(
            tier=tier,
            table_key=str(members[0].id),
            business_date=night.business_date,
            event_type=night.event_type,
            starts_at=sitting.starts_at,
            tier_taken=counts.get(tier, (0, 0))[0],
            tier_total=counts.get(tier, (0, 0))[1],
            night_taken=night_taken,
            night_total=night_total,
            pace_bp=pace_bp,
        )
        for (tier, _), members in groups.items()
    ]
    quotes = quote_many(rules, contexts, now) if contexts else []
    return Prices(
        {t.id: q for members, q in zip(groups.values(), quotes, strict=True) for t in members},
        unpriced,
    )
