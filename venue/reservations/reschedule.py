"""The guest moves their own booking to another night, sitting or table, in one step.

Inside the venue's rules, as data in ``VenueRules``: the booking being moved must be
outside the cancel cutoff (``cancel_cutoff_minutes``; moving it is cancelling it where
it was), and the new sitting inside the online booking window (``cutoff_minutes``,
``booking_window_days``), on an open night, for a party its tables seat, within the
guest's daily cap.

One transaction, both or neither: the new tables are claimed through ``claim.tables``
(the one entry point, as a hold and a staff move claim), lapsed holds on them expired,
then the old allocations deleted, the reservation rewritten under its version and the
new allocations inserted inside ``claim.refused_as_taken`` (the exclusion constraint is
the last wall). Any refusal rolls the whole request back, so the original booking and
its tables stay as they were.

Money: the deposit already taken carries over (a confirmed booking's ``quoted_deposit``
is its credit). The new tables are priced now, and the guest pays what was quoted at
the moment of the reschedule: the quote is stored on the reservation with the
settlement under ``quote["rescheduled"]``. A higher deposit puts the booking in
``pending_payment`` for the difference (``amount_due``, which Checkout charges); a lower
one leaves ``refund_due``, which the web layer refunds by the venue's policy after the
commit (venue/ never calls Stripe). A different minimum spend is simply the new quote.

Every write is audited; the ``reservation.rescheduled`` outbox event names the new
night's channel and a ``reservation.rescheduled_from`` event the old night's, so both
floors update live. The mail planner reacts to the first (new confirmation with the
same calendar UID and a higher SEQUENCE, reminders moved). Services flush, never commit.

Lifecycle: only a ``confirmed`` booking can be rescheduled::

    confirmed --(same or lower deposit)--> confirmed   (new night/sitting/tables)
    confirmed --(higher deposit)--> pending_payment --(top-up paid)--> confirmed
                                                   \\--(not paid in time)--> expired
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from pricing import Quote, booking_deposit
from venue.core.actor import Actor
from venue.core.channels import night_channel
from venue.core.errors import (
    Conflict,
    GuestDailyCap,
    InvalidRequest,
    InvalidTransition,
    NightClosed,
    NotFound,
    StaleReservation,
    TableUnavailable,
)
from venue.floor import availability, claim
from venue.guests import records as guests
from venue.journal.audit import emit, record
from venue.models import (
    Night,
    Reservation,
    ReservationTable,
    Sitting,
    Status,
    Venue,
    VenueRules,
    VenueTable,
)
from venue.reservations import booking
from venue.setup import venues

TOPIC = "reservation.rescheduled"
TOPIC_FROM = "reservation.rescheduled_from"


class RescheduleCutoff(Conflict):
    """Too close to the booked night to move it online: the guest has to call."""

    code = "reschedule_cutoff"


@dataclass(frozen=True)
class Change:
    """Where the guest wants to be: a night, optionally a sitting, and the tables."""

    business_date: date
    table_ids: list[uuid.UUID]
    sitting_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Settlement:
    """What changes in money, in minor units of ``currency``."""

    currency: str
    minimum_before: int
    minimum_after: int
    deposit_before: int
    deposit_after: int

    @property
    def top_up(self) -> int:
        return max(0, self.deposit_after - self.deposit_before)

    @property
    def refund_due(self) -> int:
        return max(0, self.deposit_before - self.deposit_after)

    def view(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "minimum_before": self.minimum_before,
            "minimum_after": self.minimum_after,
            "minimum_difference": self.minimum_after - self.minimum_before,
            "deposit_before": self.deposit_before,
            "deposit_after": self.deposit_after,
            "deposit_difference": self.deposit_after - self.deposit_before,
            "top_up": self.top_up,
            "refund_due": self.refund_due,
        }


@dataclass(frozen=True)
class Plan:
    """The new place and its price, as quoted now."""

    rules: VenueRules
    night: Night
    sitting: Sitting
    tables: list[VenueTable]
    quotes: list[Quote]
    settlement: Settlement


@dataclass(frozen=True)
class Rescheduled:
    reservation: Reservation
    tables: list[VenueTable]
    business_date: date
    settlement: Settlement
    starts_before: datetime  # the refund policy counts from the booking as it was


def amount_due(res: Reservation) -> int:
    """What Checkout charges a reservation awaiting payment: the top-up quoted at its
    reschedule, or the whole deposit."""
    moved = (res.quote or {}).get("rescheduled") or {}
    top_up = int(moved.get("top_up") or 0)
    return top_up if top_up > 0 else res.quoted_deposit


def check_allowed(res: Reservation, rules: VenueRules, venue: Venue, now: datetime) -> None:
    """Only a confirmed booking moves, and not inside the venue's cancel cutoff."""
    if res.status != Status.CONFIRMED:
        raise InvalidTransition(f"a {res.status} reservation cannot be rescheduled online")
    if venue.mode == "restaurant":  # a party's time and tables: the venue re-seats it
        phone = f" on {venue.phone}" if venue.phone else ""
        raise InvalidTransition(f"to change a restaurant booking, call us{phone} or rebook")
    cutoff = res.starts_at - timedelta(minutes=rules.cancel_cutoff_minutes)
    if now >= cutoff:
        phone = f" on {venue.phone}" if venue.phone else ""
        raise RescheduleCutoff(
            f"online changes close {rules.cancel_cutoff_minutes} minutes before the "
            f"booking; please call {venue.name}{phone}",
            phone=venue.phone,
            cutoff_minutes=rules.cancel_cutoff_minutes,
        )


async def plan(
    session: AsyncSession, venue: Venue, res: Reservation, change: Change, now: datetime
) -> Plan:
    """Check the change against the venue's rules and price it (writes nothing)."""
    rules = await venues.rules_of(session, venue)
    check_allowed(res, rules, venue, now)
    if not change.table_ids:
        raise InvalidRequest("table_ids", "choose at least one table")
    try:
        night = await venues.night_on(session, venue, change.business_date)
    except NotFound as exc:
        raise InvalidRequest("date", exc.message) from exc
    try:
        sitting = await venues.sitting_of(session, night, change.sitting_id)
    except NotFound as exc:
        raise InvalidRequest("sitting_id", exc.message) from exc
    if night.is_closed:
        raise NightClosed(night.closed_reason or "the venue is closed that night")
    current = await booking.tables_of(session, res)
    if sitting.id == res.sitting_id and set(change.table_ids) == {t.id for t in current}:
        raise InvalidRequest(
            "table_ids", "that is the booking you have; choose another night, sitting or table"
        )
    booking.check_window(rules, sitting.starts_at, now)
    wanted = await availability.tables_by_ids(session, venue, list(set(change.table_ids)))
    missing = set(change.table_ids) - {t.id for t in wanted}
    if missing:
        raise InvalidRequest("table_ids", "no such table at this venue")
    await booking.check_seating(session, venue, wanted, res.party_size)
    if night.id != res.night_id and res.guest_id is not None:
        count = await guests.bookings_on(
            session, venue.tenant_id, venue.id, res.guest_id, night.business_date
        )
        if count >= rules.per_guest_daily_cap:
            raise GuestDailyCap(f"at most {rules.per_guest_daily_cap} bookings per guest per night")
    await _check_free(session, venue, res, night, sitting, wanted, now)
    prices = await booking.quote_night(session, venue, rules, night, sitting, wanted, now)
    quotes = prices.of(wanted)  # a table the rules cannot price: TableNotPriced (409)
    settlement = Settlement(
        currency=res.currency,
        minimum_before=res.quoted_minimum,
        minimum_after=sum(q.minimum.amount for q in quotes),
        deposit_before=res.quoted_deposit,
        deposit_after=booking_deposit(quotes, res.party_size),
    )
    return Plan(rules, night, sitting, wanted, quotes, settlement)


async def reschedule(
    session: AsyncSession,
    venue: Venue,
    res: Reservation,
    change: Change,
    actor: Actor,
    now: datetime,
    version: int | None = None,
) -> Rescheduled:
    """Move the booking: claim the new tables, release the old, in this transaction."""
    if version is not None and version != res.version:
        raise StaleReservation(
            "the reservation changed meanwhile; reload and try again", version=res.version
        )
    p = await plan(session, venue, res, change, now)
    ids = [t.id for t in p.tables]

    async def check(_: claim.Versions) -> None:
        await _check_free(session, venue, res, p.night, p.sitting, p.tables, now)

    await claim.tables(session, venue.tenant_id, ids, check)
    await booking.expire_lapsed(session, venue.tenant_id, ids, p.sitting, actor, now)

    current = await booking.tables_of(session, res)
    before_night = await venues.night_on_id(session, venue, res.night_id)
    before = {
        **booking.snapshot(res),
        "date": before_night.business_date.isoformat(),
        "tables": [t.label for t in current],
    }
    starts_before = res.starts_at
    await session.execute(
        delete(ReservationTable).where(
            ReservationTable.tenant_id == venue.tenant_id,
            ReservationTable.reservation_id == res.id,
        )
    )
    claim.forget(t.id for t in current)  # this process's markers must not refuse them
    s = p.settlement
    waits = s.top_up > 0
    await booking.write_versioned(
        session,
        res,
        {
            "night_id": p.night.id,
            "sitting_id": p.sitting.id,
            "starts_at": p.sitting.starts_at,
            "ends_at": p.sitting.ends_at,
            "status": (Status.PENDING_PAYMENT if waits else Status.CONFIRMED).value,
            "expires_at": now + timedelta(minutes=p.rules.payment_hold_minutes) if waits else None,
            "quoted_minimum": s.minimum_after,
            "quoted_deposit": s.deposit_after,
            "quote": _quote(p, before, now),
            "updated_at": now,
        },
        Reservation.status == Status.CONFIRMED.value,
    )
    session.add_all(
        ReservationTable(
            tenant_id=venue.tenant_id,
            reservation_id=res.id,
            table_id=t.id,
            status=res.status,
            starts_at=res.starts_at,
            ends_at=res.ends_at,
        )
        for t in p.tables
    )
    async with claim.refused_as_taken():  # an overlap that slipped past the claim
        await session.flush()
    _journal(session, res, actor, before, current, p, now)
    tables = sorted(p.tables, key=lambda t: t.label)
    return Rescheduled(res, tables, p.night.business_date, s, starts_before)


async def _check_free(
    session: AsyncSession,
    venue: Venue,
    res: Reservation,
    night: Night,
    sitting: Sitting,
    wanted: list[VenueTable],
    now: datetime,
) -> None:
    """Every wanted table is free in the sitting, or already this booking's."""
    state = await availability.night_state(session, venue, night, sitting, wanted, now)
    taken = [s.table for s in state.tables if not s.free and s.reservation_id != res.id]
    if taken:
        labels = ", ".join(t.label for t in taken)
        raise TableUnavailable(f"not free: {labels}", table_ids=[str(t.id) for t in taken])


def _quote(p: Plan, before: dict[str, Any], now: datetime) -> dict[str, Any]:
    s = p.settlement
    return {
        "tables": [
            {"table_id": str(t.id), "label": t.label, **q.to_dict()}
            for t, q in zip(p.tables, p.quotes, strict=True)
        ],
        "rescheduled": {
            "at": now.isoformat(),
            "from": {
                "date": before["date"],
                "sitting_id": before["sitting_id"],
                "tables": before["tables"],
                "minimum": before["quoted_minimum"],
                "deposit": before["quoted_deposit"],
            },
            "credit": s.deposit_before,
            "top_up": s.top_up,
            "refund_due": s.refund_due,
        },
    }


def _journal(
    session: AsyncSession,
    res: Reservation,
    actor: Actor,
    before: dict[str, Any],
    old_tables: list[VenueTable],
    p: Plan,
    now: datetime,
) -> None:
    tables = sorted(p.tables, key=lambda t: t.label)
    after = {
        **booking.snapshot(res),
        "date": p.night.business_date.isoformat(),
        "tables": [t.label for t in tables],
    }
    payload = {
        **after,
        "table_ids": [str(t.id) for t in tables],
        "from_night_id": before["night_id"],
        "from_sitting_id": before["sitting_id"],
        "from_table_ids": [str(t.id) for t in old_tables],
        **p.settlement.view(),
    }
    record(
        session,
        tenant_id=res.tenant_id,
        actor=str(actor),
        action=TOPIC,
        entity="reservation",
        entity_id=res.id,
        before=before,
        after=after,
        at=now,
        topic=TOPIC,
        channel=night_channel(res.night_id),
        payload=payload,
    )
    if before["night_id"] != str(res.night_id):  # the old night's floor changed too
        emit(
            session,
            tenant_id=res.tenant_id,
            topic=TOPIC_FROM,
            channel=night_channel(uuid.UUID(before["night_id"])),
            payload=payload,
            at=now,
        )
