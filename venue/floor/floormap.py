"""The floor map of a sitting and the summary of nights, as JSON-ready dicts.

Shared by the JSON API and the realtime snapshot so both show the same thing.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.clock import to_local
from venue.floor import availability, quoting
from venue.models import (
    Night,
    Reservation,
    ReservationTable,
    Sitting,
    TableBlock,
    Venue,
    VenueRules,
)
from venue.setup import venues


def local(at: datetime, venue: Venue) -> str:
    return to_local(at, venue.timezone).isoformat(timespec="minutes")


def sitting_dict(sitting: Sitting, venue: Venue) -> dict[str, Any]:
    return {
        "id": str(sitting.id),
        "name": sitting.name,
        "starts_at": sitting.starts_at.isoformat(),
        "ends_at": sitting.ends_at.isoformat(),
        "starts_local": local(sitting.starts_at, venue),
        "ends_local": local(sitting.ends_at, venue),
    }


def booking_window(
    night: Night, sittings: list[Sitting], rules: VenueRules, now: datetime
) -> tuple[datetime, datetime, bool]:
    """When online booking opens and closes for the night (by its last sitting) and
    whether it is open now; staff bookings ignore this."""
    last = max((s.starts_at for s in sittings), default=night.opens_at)
    first = min((s.starts_at for s in sittings), default=night.opens_at)
    opens = first - timedelta(days=rules.booking_window_days)
    closes = last - timedelta(minutes=rules.cutoff_minutes)
    return opens, closes, opens <= now < closes and not night.is_closed


def night_dict(
    night: Night,
    venue: Venue,
    sittings: list[Sitting],
    total: int,
    free: int,
    rules: VenueRules,
    now: datetime,
) -> dict[str, Any]:
    opens, closes, bookable = booking_window(night, sittings, rules, now)
    return {
        "date": night.business_date.isoformat(),
        "title": night.title,
        "event_type": night.event_type,
        "opens_at": night.opens_at.isoformat(),
        "closes_at": night.closes_at.isoformat(),
        "opens_local": local(night.opens_at, venue),
        "closes_local": local(night.closes_at, venue),
        "closed": night.is_closed,
        "closed_reason": night.closed_reason,
        "tables_total": total,
        "tables_free": 0 if night.is_closed else free,
        "sold_out": not night.is_closed and total > 0 and free == 0,
        "bookable": bookable and free > 0,
        "booking_opens_at": opens.isoformat(),
        "booking_closes_at": closes.isoformat(),
        "sittings": [sitting_dict(s, venue) for s in sittings],
    }


async def nights_summary(
    session: AsyncSession, venue: Venue, nights: list[Night], now: datetime
) -> list[dict[str, Any]]:
    """Every night with its sittings and how many tables are still free. A table the
    pricing rules cannot price is never free (it cannot be booked), on any night."""
    if not nights:
        return []
    ids = [n.id for n in nights]
    plan = await venues.active_plan(session, venue)
    tables = await availability.tables_of(session, venue, plan.id)
    rules = await venues.rules_of(session, venue)
    unpriced = list(
        quoting.unpriceable(await quoting.pricing_rules(session, venue, rules, tables), tables)
    )
    total = len(tables)
    taken_rows = await session.execute(
        select(Reservation.night_id, func.count(func.distinct(ReservationTable.table_id)))
        .join(ReservationTable, ReservationTable.reservation_id == Reservation.id)
        .where(
            Reservation.tenant_id == venue.tenant_id,
            Reservation.night_id.in_(ids),
            ReservationTable.table_id.not_in(unpriced),
            availability.live_allocation(now),  # type: ignore[arg-type]
        )
        .group_by(Reservation.night_id)
    )
    taken: Counter[uuid.UUID] = Counter({night_id: n for night_id, n in taken_rows})
    block_rows = await session.execute(
        select(TableBlock.night_id, func.count())
        .where(
            TableBlock.tenant_id == venue.tenant_id,
            TableBlock.night_id.in_(ids),
            TableBlock.table_id.not_in(unpriced),
        )
        .group_by(TableBlock.night_id)
    )
    taken.update({night_id: n for night_id, n in block_rows})
    sitting_rows = await session.scalars(
        select(Sitting)
        .where(Sitting.tenant_id == venue.tenant_id, Sitting.night_id.in_(ids))
        .order_by(Sitting.starts_at)
    )
    by_night: dict[uuid.UUID, list[Sitting]] = {}
    for s in sitting_rows:
        by_night.setdefault(s.night_id, []).append(s)
    bookable = total - len(unpriced)
    return [
        night_dict(
            n, venue, by_night.get(n.id, []), total, max(bookable - taken[n.id], 0), rules, now
        )
        for n in nights
    ]


def _price_view(t: availability.TableState, prices: quoting.Prices) -> dict[str, Any]:
    """State, minimum and deposit; a free table the rules cannot price is "unavailable"
    (no minimum, no deposit) and says why."""
    quote = prices.quotes.get(t.table.id)
    reason = prices.unpriced.get(t.table.id)
    return {
        "state": "unavailable" if reason and t.free else t.state,
        "minimum": quote.minimum.amount if quote else None,
        "deposit": quote.deposit.amount if quote else None,
        "unavailable_reason": reason,
    }


async def floor_map(
    session: AsyncSession,
    venue: Venue,
    night: Night,
    sitting_id: uuid.UUID | None,
    now: datetime,
    *,
    sittings: list[Sitting] | None = None,
) -> dict[str, Any]:
    """Every table of the sitting with its state and current minimum and deposit (none,
    with ``unavailable_reason``, for a table the venue's rules cannot price). ``sittings``:
    the night's sittings when the caller has read them already (the relay)."""
    if sittings is None:
        sittings = await venues.sittings_of(session, night)
    sitting = venues.pick_sitting(night, sittings, sitting_id)
    plan, areas = await venues.plan_and_areas(session, venue)
    tables = await availability.tables_of(session, venue, plan.id)
    state = await availability.night_state(session, venue, night, sitting, tables, now)
    rules = await venues.rules_of(session, venue)
    price_rules = await quoting.pricing_rules(session, venue, rules, tables)
    pace = None  # a query or two, only worth it when a pace rule can use it
    if quoting.uses(price_rules, "pace"):
        pace = await quoting.pace_of(session, venue, night, now)
    prices = quoting.quote_night(price_rules, state, now, pace)
    free = sum(1 for t in state.tables if t.free and t.table.id not in prices.unpriced)
    return {
        "venue": venue.slug,
        "night": night_dict(night, venue, sittings, len(tables), free, rules, now),
        "sitting": sitting_dict(sitting, venue),
        "currency": venue.currency,
        "width": plan.width,
        "height": plan.height,
        "areas": [{"id": str(a.id), "name": a.name} for a in areas],
        "tables": [
            {
                "id": str(t.table.id),
                "label": t.table.label,
                "tier": t.table.tier,
                "area_id": str(t.table.area_id) if t.table.area_id else None,
                "min_party": t.table.min_party,
                "max_party": t.table.max_party,
                "shape": t.table.shape,
                "x": t.table.x,
                "y": t.table.y,
                "width": t.table.width,
                "height": t.table.height,
                "rotation": t.table.rotation,
                **_price_view(t, prices),
            }
            for t in state.tables
        ],
        "generated_at": now.isoformat(),
    }
