"""Money views for finance: tonight's guaranteed and expected revenue, the 30-night forecast.

Definitions (integer minor units, the venue's currency):

* **deposit collected**: payments that bought the booking (``confirmed``/``reseated``)
  less live refunds.
* **guaranteed**, per booked reservation: the money the venue gets whatever happens,
  ``max(minimum, deposit)`` for a confirmed or seated table (a deposit counts towards the
  minimum, it is not added to it); the actual spend (or the minimum) for a completed one;
  the kept deposit for a no-show. So guaranteed = deposits collected + confirmed
  minimums not already covered by those deposits.
* **expected**: deposit + show rate x the part of the minimum the deposit does not cover
  for confirmed tables (seated and completed ones have shown). The show rate is the
  venue's (seated + completed) / (seated + completed + no-show) over the last 90 days
  before the night; 1.0 without history (``show_rate_sample`` says how many it rests on).
* **pace** (forecast): for each coming night, the same weekday's nights of the last
  ``weeks`` weeks, counting only what had been booked at the same lead time (the time
  left until doors open), like ``quoting.pace_of``. **expected final** = booked now +
  the average pickup those nights had from that lead time to their end.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from venue.models import (
    Host,
    Night,
    Payment,
    Refund,
    Reservation,
    ReservationSpend,
    ReservationTable,
    Status,
    Turnaway,
    Venue,
    VenueTable,
)
from venue.setup import venues

SHOW_RATE_DAYS = 90
LIVE_REFUND = ("pending", "succeeded", "requires_action")
BOOKED = (Status.CONFIRMED, Status.SEATED, Status.COMPLETED, Status.NO_SHOW)
# What counts towards a night's bookings in the forecast (pending payments included:
# they occupy the table; history has none left, they became confirmed or expired).
FORECAST_LIVE = (Status.PENDING_PAYMENT, Status.CONFIRMED, Status.SEATED, Status.COMPLETED)
FORECAST_FINAL = (Status.CONFIRMED, Status.SEATED, Status.COMPLETED, Status.NO_SHOW)
DIRECT = "Direct (no host)"


@dataclass
class Money:
    reservations: int = 0
    covers: int = 0
    deposits_collected: int = 0
    confirmed_minimums: int = 0
    guaranteed: int = 0
    expected: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def add(self, other: Money) -> None:
        self.reservations += other.reservations
        self.covers += other.covers
        self.deposits_collected += other.deposits_collected
        self.confirmed_minimums += other.confirmed_minimums
        self.guaranteed += other.guaranteed
        self.expected += other.expected

    def out(self) -> dict[str, Any]:
        return {
            **self.extra,
            "reservations": self.reservations,
            "covers": self.covers,
            "deposits_collected": self.deposits_collected,
            "confirmed_minimums": self.confirmed_minimums,
            "guaranteed": self.guaranteed,
            "expected": round(self.expected),
        }


def reservation_money(
    status: str, minimum: int, deposit: int, spend: int | None, party: int, show_rate: float
) -> Money:
    """One reservation's part of tonight's figures (see the module docstring)."""
    m = Money(reservations=1, covers=party, deposits_collected=deposit)
    if status in (Status.CONFIRMED, Status.SEATED):
        m.confirmed_minimums = minimum
        m.guaranteed = max(minimum, deposit)
        if status == Status.SEATED:
            m.expected = m.guaranteed
        else:
            m.expected = deposit + show_rate * max(0, minimum - deposit)
    elif status == Status.COMPLETED:
        m.confirmed_minimums = minimum
        m.guaranteed = spend if spend is not None else max(minimum, deposit)
        m.expected = m.guaranteed
    else:  # no-show: the kept deposit
        m.guaranteed = deposit
        m.expected = deposit
    return m


async def show_rate(session: AsyncSession, venue: Venue, before: date) -> tuple[float, int]:
    """(rate, how many past reservations it rests on)."""
    rows = await session.execute(
        select(Reservation.status, func.count())
        .join(Night, Night.id == Reservation.night_id)
        .where(
            Reservation.tenant_id == venue.tenant_id,
            Reservation.venue_id == venue.id,
            Night.business_date < before,
            Night.business_date >= before - timedelta(days=SHOW_RATE_DAYS),
            Reservation.status.in_([Status.SEATED, Status.COMPLETED, Status.NO_SHOW]),
        )
        .group_by(Reservation.status)
    )
    counts = {status: int(n) for status, n in rows}
    total = sum(counts.values())
    if not total:
        return 1.0, 0
    return (total - counts.get(Status.NO_SHOW, 0)) / total, total


async def tonight(session: AsyncSession, venue: Venue, day: date) -> dict[str, Any]:
    """Guaranteed and expected revenue of one night, in total, by tier and by host."""
    night = await venues.night_on(session, venue, day)
    rate, sample = await show_rate(session, venue, day)
    rows = (
        await session.execute(
            select(Reservation, ReservationSpend.amount, Host.name)
            .outerjoin(ReservationSpend, ReservationSpend.reservation_id == Reservation.id)
            .outerjoin(Host, Host.id == Reservation.host_id)
            .where(
                Reservation.tenant_id == venue.tenant_id,
                Reservation.night_id == night.id,
                Reservation.status.in_(list(BOOKED)),
            )
        )
    ).all()
    ids = [r[0].id for r in rows]
    deposits = await deposits_of(session, ids)
    tiers = await tiers_of(session, [r[0] for r in rows])
    total = Money()
    by_tier: dict[str, Money] = {}
    by_host: dict[str | None, Money] = {}
    for res, spend, host_name in rows:
        m = reservation_money(
            res.status, res.quoted_minimum, deposits.get(res.id, 0), spend, res.party_size, rate
        )
        total.add(m)
        tier = tiers.get(res.id, "unknown")
        by_tier.setdefault(tier, Money(extra={"tier": tier})).add(m)
        hid = str(res.host_id) if res.host_id else None
        by_host.setdefault(
            hid, Money(extra={"host_id": hid, "host_name": host_name or DIRECT})
        ).add(m)
    return {
        "date": day.isoformat(),
        "night": {"title": night.title, "is_closed": night.is_closed},
        "currency": venue.currency,
        "show_rate": round(rate, 4),
        "show_rate_sample": sample,
        "totals": total.out(),
        "by_tier": [m.out() for _, m in sorted(by_tier.items())],
        "by_host": sorted((m.out() for m in by_host.values()), key=lambda h: -h["guaranteed"]),
    }


async def deposits_of(session: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    if not ids:
        return {}
    paid = await session.execute(
        select(Payment.reservation_id, func.sum(Payment.amount))
        .where(Payment.reservation_id.in_(ids), Payment.outcome.in_(["confirmed", "reseated"]))
        .group_by(Payment.reservation_id)
    )
    out = {rid: int(n or 0) for rid, n in paid}
    refunded = await session.execute(
        select(Refund.reservation_id, func.sum(Refund.amount))
        .join(Payment, Payment.id == Refund.payment_id)
        .where(
            Refund.reservation_id.in_(ids),
            Refund.status.in_(LIVE_REFUND),
            Payment.outcome.in_(["confirmed", "reseated"]),
        )
        .group_by(Refund.reservation_id)
    )
    for rid, n in refunded:
        out[rid] = max(0, out.get(rid, 0) - int(n or 0))
    return out


async def tiers_of(session: AsyncSession, reservations: list[Reservation]) -> dict[uuid.UUID, str]:
    """Each reservation's tier: that of its most expensive table (joined tables may differ)."""
    if not reservations:
        return {}
    rows = await session.execute(
        select(ReservationTable.reservation_id, VenueTable.id, VenueTable.tier)
        .join(VenueTable, VenueTable.id == ReservationTable.table_id)
        .where(ReservationTable.reservation_id.in_([r.id for r in reservations]))
    )
    prices = {
        (r.id, t.get("table_id")): _amount(t.get("minimum"))
        for r in reservations
        for t in (r.quote or {}).get("tables", [])
    }
    best: dict[uuid.UUID, tuple[int, str]] = {}
    for rid, tid, tier in rows:
        price = prices.get((rid, str(tid)), 0)
        if rid not in best or (price, tier) > best[rid]:
            best[rid] = (price, tier)
    return {rid: tier for rid, (_, tier) in best.items()}


def _amount(value: Any) -> int:
    if isinstance(value, dict):
        return int(value.get("amount", 0))
    return int(value or 0)


# --- forecast ------------------------------------------------------------------------


async def forecast(
    session: AsyncSession, venue: Venue, start: date, days: int, now: datetime, *, weeks: int = 8
) -> dict[str, Any]:
    """One point per night and one series per metric, ready for a chart."""
    end = start + timedelta(days=days - 1)
    coming = await venues.nights_between(session, venue, start, end)
    past = list(
        await session.scalars(
            select(Night).where(
                Night.tenant_id == venue.tenant_id,
                Night.venue_id == venue.id,
                Night.business_date >= start - timedelta(weeks=weeks),
                Night.business_date < start,
                Night.is_closed.is_(False),
            )
        )
    )
    # History ends where today begins: a past night is one whose doors have opened.
    past = [n for n in past if n.opens_at <= now]
    rows = await session.execute(
        select(
            Reservation.night_id,
            Reservation.status,
            Reservation.created_at,
            Reservation.quoted_minimum,
        ).where(
            Reservation.tenant_id == venue.tenant_id,
            Reservation.night_id.in_([n.id for n in coming + past]),
            Reservation.status.in_([s.value for s in set(FORECAST_LIVE) | set(FORECAST_FINAL)]),
        )
    )
    by_night: dict[uuid.UUID, list[tuple[str, datetime, int]]] = defaultdict(list)
    for night_id, status, created_at, minimum in rows:
        by_night[night_id].append((status, created_at, minimum))
    turned = await session.execute(
        select(
            Turnaway.business_date, func.count(), func.coalesce(func.sum(Turnaway.party_size), 0)
        )
        .where(
            Turnaway.venue_id == venue.id,
            Turnaway.business_date >= start,
            Turnaway.business_date <= end,
        )
        .group_by(Turnaway.business_date)
    )
    turnaways = {d: (int(n), int(p or 0)) for d, n, p in turned}
    history: dict[int, list[Night]] = defaultdict(list)
    for n in past:
        history[n.business_date.weekday()].append(n)

    nights_out = []
    series: dict[str, list[dict[str, Any]]] = {k: [] for k in SERIES}
    for night in sorted(coming, key=lambda n: n.business_date):
        day = night.business_date.isoformat()
        live = [(s, c, m) for s, c, m in by_night[night.id] if s in FORECAST_LIVE]
        booked = sum(m for _, _, m in live)
        lead = max(night.opens_at - now, timedelta(0))
        same = history[night.business_date.weekday()]
        at_lead, final = [], []
        for old in same:
            done = [(s, c, m) for s, c, m in by_night[old.id] if s in FORECAST_FINAL]
            final.append(sum(m for _, _, m in done))
            at_lead.append(sum(m for _, c, m in done if c <= old.opens_at - lead))
        pace = round(sum(at_lead) / len(same)) if same else None
        pickup = max(0, round((sum(final) - sum(at_lead)) / len(same))) if same else 0
        expected = None if night.is_closed else booked + pickup
        count, parties = turnaways.get(night.business_date, (0, 0))
        values = {
            "booked_minimums": booked,
            "pace_minimums": None if night.is_closed else pace,
            "expected_final_minimums": expected,
            "history_final_minimums": round(sum(final) / len(same)) if same else None,
            "booked_reservations": len(live),
            "turnaways": count,
        }
        for key, value in values.items():
            series[key].append({"date": day, "value": value})
        nights_out.append(
            {
                "date": day,
                "weekday": night.business_date.strftime("%a"),
                "is_closed": night.is_closed,
                "title": night.title,
                "event_type": night.event_type,
                "history_nights": len(same),
                "turnaway_covers": parties,
                "pace_bp": booked * 10000 // pace if pace else None,
            }
        )
    return {
        "venue": venue.slug,
        "currency": venue.currency,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "days": days,  # the span from..to; nights not set up in it have no point
        "as_of": now.isoformat(),
        "history_weeks": weeks,
        "nights": nights_out,
        "series": [
            {"key": key, "label": label, "unit": unit, "axis": axis, "points": series[key]}
            for key, (label, unit, axis) in SERIES.items()
        ],
    }


SERIES = {
    "booked_minimums": ("Booked so far", "money", "left"),
    "pace_minimums": ("Same weekdays at this point", "money", "left"),
    "expected_final_minimums": ("Expected final", "money", "left"),
    "history_final_minimums": ("Same weekdays, final", "money", "left"),
    "booked_reservations": ("Reservations booked", "count", "right"),
    "turnaways": ("Turned away", "count", "right"),
}
