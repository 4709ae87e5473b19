"""Offers: a freed table that fits goes to the first matching entry as a real hold.

An offer is a hold (``booking.try_hold``, channel ``waitlist``) whose ``expires_at`` is
the offer's, so it goes through the one claim path: two offers can never hold one table,
and an offer racing a guest's booking of the same table has one winner. The entry is
claimed under its version first, so two workers never offer one entry twice (and a
partial unique index allows one open offer per entry behind that).

The link is ``HMAC(secret, "offer:<id>")``, the hold's own token as well (so Checkout
and the manage page take it); only its SHA-256 is stored. Accepting completes the hold
(deposit through Checkout where the tier takes one); declining cancels it, and the table
goes to the next matching entry when the consumer reads the cancellation. A lapse is
the hold expiring: the consumer closes the offer and hands the table on.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import combinations
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.actor import SYSTEM, Actor
from venue.core.clock import to_local
from venue.core.errors import Conflict, DomainError, Gone, InvalidRequest, NotFound
from venue.core.tokens import hash_token
from venue.floor import availability
from venue.guests.identity import GuestIdentity
from venue.models import (
    EntryStatus,
    Night,
    OfferStatus,
    Reservation,
    Sitting,
    Status,
    Venue,
    VenueRules,
    VenueTable,
    WaitlistEntry,
    WaitlistOffer,
)
from venue.reservations import booking
from venue.setup import venues

from . import entries


class OfferClosed(Conflict):
    code = "waitlist_offer_closed"


class OfferLapsed(Gone):
    code = "waitlist_offer_lapsed"


class NothingFits(Conflict):
    code = "waitlist_nothing_fits"


class _Rollback(Exception):
    """Undo one offer attempt's savepoint (a refused hold may have bumped a version)."""


def offer_token(secret: str, offer_id: uuid.UUID | str) -> str:
    mac = hmac.new(secret.encode(), f"offer:{offer_id}".encode(), hashlib.sha256)
    return mac.hexdigest()


def offer_minutes(rules: VenueRules, sitting: Sitting, now: datetime) -> int:
    """How long an offer holds its table: shorter close to service (rules as data)."""
    if sitting.starts_at - now <= timedelta(minutes=rules.waitlist_short_within_minutes):
        return rules.waitlist_short_offer_minutes
    return rules.waitlist_offer_minutes


def fitting_sets(
    entry: WaitlistEntry,
    free: list[VenueTable],
    links: set[tuple[uuid.UUID, uuid.UUID]],
) -> list[list[VenueTable]]:
    """The table sets this party may be offered, best first: one table that seats the
    party (smallest first), then two joined tables that need each other (a party that
    fits one of them is never offered both). What fits is the tables' own seating."""
    tiers = set(entry.tiers or [])
    areas = set(entry.area_ids or [])
    ok = [
        t for t in free if (not tiers or t.tier in tiers) and (not areas or str(t.area_id) in areas)
    ]
    p = entry.party_size
    singles = sorted(
        (t for t in ok if t.min_party <= p <= t.max_party), key=lambda t: (t.max_party, t.label)
    )
    sets: list[list[VenueTable]] = [[t] for t in singles]
    pairs = []
    for a, b in combinations(ok, 2):
        if (a.id, b.id) not in links and (b.id, a.id) not in links:
            continue
        if max(a.max_party, b.max_party) < p <= a.max_party + b.max_party:
            pairs.append(sorted([a, b], key=lambda t: t.id))
    pairs.sort(key=lambda ts: (sum(t.max_party for t in ts), ts[0].label))
    return sets + pairs


@dataclass(frozen=True)
class Offered:
    offer: WaitlistOffer
    token: str


async def _free_tables(
    session: AsyncSession, venue: Venue, night: Night, sitting: Sitting, now: datetime
) -> tuple[list[VenueTable], set[tuple[uuid.UUID, uuid.UUID]]]:
    plan = await venues.active_plan(session, venue)
    tables = await availability.tables_of(session, venue, plan.id)
    state = await availability.night_state(session, venue, night, sitting, tables, now)
    free = [s.table for s in state.tables if s.free]
    links = await availability.links_between(session, venue.tenant_id, [t.id for t in free])
    return free, links


async def fill_night(
    session: AsyncSession, venue: Venue, night: Night, now: datetime, secret: str
) -> list[Offered]:
    """Offer every free table that fits to the waiting entries, in queue order. Safe to
    run any number of times and in several workers: offers are holds, and entries are
    claimed under their version."""
    if night.is_closed or night.closes_at <= now:
        return []
    made: list[Offered] = []
    for entry in await entries.waiting_on(session, night):
        for sitting in await entries.sittings_for(session, night, entry):
            if sitting.ends_at <= now:
                continue
            free, links = await _free_tables(session, venue, night, sitting, now)
            offered = await _try_sets(
                session,
                venue,
                night,
                sitting,
                entry,
                fitting_sets(entry, free, links),
                now,
                secret,
                SYSTEM,
            )
            if offered is not None:
                made.append(offered)
                break
    return made


async def offer_to(
    session: AsyncSession,
    venue: Venue,
    entry: WaitlistEntry,
    now: datetime,
    secret: str,
    actor: Actor,
    table_ids: list[uuid.UUID] | None = None,
) -> Offered:
    """Staff's manual offer: the named tables, or the best that fits now (409 if none)."""
    if entry.status != EntryStatus.WAITING:
        raise entries.EntryClosed(f"this waitlist entry is {entry.status}")
    night = await venues.night_on_id(session, venue, entry.night_id)
    for sitting in await entries.sittings_for(session, night, entry):
        if table_ids:
            wanted = await availability.tables_by_ids(session, venue, table_ids)
            if len(wanted) != len(set(table_ids)):
                raise InvalidRequest("table_ids", "no such table at this venue")
            sets = [wanted]
        else:
            free, links = await _free_tables(session, venue, night, sitting, now)
            sets = fitting_sets(entry, free, links)
        offered = await _try_sets(
            session,
            venue,
            night,
            sitting,
            entry,
            sets,
            now,
            secret,
            actor,
            raise_last=bool(table_ids),
        )
        if offered is not None:
            return offered
    raise NothingFits("no free table fits this party now")


async def _try_sets(
    session: AsyncSession,
    venue: Venue,
    night: Night,
    sitting: Sitting,
    entry: WaitlistEntry,
    sets: list[list[VenueTable]],
    now: datetime,
    secret: str,
    actor: Actor,
    *,
    raise_last: bool = False,
) -> Offered | None:
    refusal: DomainError | None = None
    for tables in sets[:5]:
        try:
            async with session.begin_nested():
                return await _offer(
                    session, venue, night, sitting, entry, tables, now, secret, actor
                )
        except _Rollback as exc:
            refusal = exc.args[0] if exc.args else None
        except DomainError as exc:
            refusal = exc
        if entry.status != EntryStatus.WAITING:
            await session.refresh(entry)
            if entry.status != EntryStatus.WAITING:
                return None
    if raise_last and refusal is not None:
        raise refusal
    return None


async def _offer(
    session: AsyncSession,
    venue: Venue,
    night: Night,
    sitting: Sitting,
    entry: WaitlistEntry,
    tables: list[VenueTable],
    now: datetime,
    secret: str,
    actor: Actor,
) -> Offered:
    rules = await venues.rules_of(session, venue)
    offer_id = uuid.uuid4()
    token = offer_token(secret, offer_id)
    await entries.move(
        session, entry, EntryStatus.OFFERED, actor, now, allowed=(EntryStatus.WAITING.value,)
    )
    req = booking.HoldRequest(
        night.business_date,
        [t.id for t in tables],
        entry.party_size,
        sitting_id=sitting.id,
        channel="waitlist",
        bypass_rules=True,
        notes=entry.notes,
        hold_minutes=offer_minutes(rules, sitting, now),
        token=token,
    )
    outcome = await booking.try_hold(session, venue, req, actor, now)
    if isinstance(outcome, booking.Refused):
        raise _Rollback(outcome.error)
    res = outcome.reservation
    res.language = entry.language  # its offer and, once accepted, its mail in their language
    assert res.expires_at is not None
    offer = WaitlistOffer(
        id=offer_id,
        tenant_id=venue.tenant_id,
        venue_id=venue.id,
        entry_id=entry.id,
        night_id=night.id,
        reservation_id=res.id,
        table_ids=[str(t.id) for t in tables],
        status=OfferStatus.OPEN.value,
        expires_at=res.expires_at,
        token_hash=hash_token(token),
        made_by=str(actor),
        created_at=now,
        decided_at=None,
        value=res.quoted_minimum,
        currency=res.currency,
        detail={"labels": [t.label for t in tables], "sitting_id": str(sitting.id)},
    )
    session.add(offer)
    await session.flush()
    _journal(session, offer, actor, "waitlist.offered", None, now)
    return Offered(offer, token)


def offer_view(offer: WaitlistOffer) -> dict[str, Any]:
    return {
        "id": str(offer.id),
        "entry_id": str(offer.entry_id),
        "reservation_id": str(offer.reservation_id),
        "night_id": str(offer.night_id),
        "table_ids": list(offer.table_ids),
        "tables": list((offer.detail or {}).get("labels", [])),
        "status": offer.status,
        "expires_at": offer.expires_at.isoformat(),
        "value": offer.value,
        "currency": offer.currency,
        "made_by": offer.made_by,
    }


def _journal(
    session: AsyncSession,
    offer: WaitlistOffer,
    actor: Actor,
    action: str,
    before: dict[str, Any] | None,
    now: datetime,
) -> None:
    entries.journal_row(
        session, "waitlist_offer", offer, offer_view(offer), actor, action, before, now
    )


async def by_token(session: AsyncSession, venue: Venue, token: str) -> WaitlistOffer:
    offer = await session.scalar(
        select(WaitlistOffer).where(
            WaitlistOffer.tenant_id == venue.tenant_id,
            WaitlistOffer.venue_id == venue.id,
            WaitlistOffer.token_hash == hash_token(token),
        )
    )
    if offer is None:
        raise NotFound("no such offer")
    return offer


async def open_offer_of(session: AsyncSession, entry: WaitlistEntry) -> WaitlistOffer | None:
    return await session.scalar(
        select(WaitlistOffer).where(
            WaitlistOffer.tenant_id == entry.tenant_id,
            WaitlistOffer.entry_id == entry.id,
            WaitlistOffer.status == OfferStatus.OPEN.value,
        )
    )


async def _close(
    session: AsyncSession, offer: WaitlistOffer, to: OfferStatus, actor: Actor, now: datetime
) -> None:
    before = offer_view(offer)
    offer.status = to.value
    offer.decided_at = now
    await session.flush()
    _journal(session, offer, actor, f"waitlist.offer_{to.value}", before, now)


@dataclass(frozen=True)
class Accepted:
    offer: WaitlistOffer
    reservation: Reservation
    needs_payment: bool


async def accept(
    session: AsyncSession, venue: Venue, token: str, actor: Actor, now: datetime
) -> Accepted:
    """Complete the offer's hold for the entry's guest: confirmed, or waiting for the
    deposit (the caller sends the guest to Checkout with the same token). Single use."""
    offer = await by_token(session, venue, token)
    if offer.status != OfferStatus.OPEN:
        raise OfferClosed(f"this offer was already {offer.status}")
    if offer.expires_at <= now:
        raise OfferLapsed("this offer has lapsed; the table went to the next party")
    entry = await session.get_one(WaitlistEntry, offer.entry_id)
    res = await session.get_one(Reservation, offer.reservation_id)
    who = GuestIdentity(entry.name, entry.email, entry.phone)
    done = await booking.complete_hold(session, venue, res, who, actor, now)
    await _close(session, offer, OfferStatus.ACCEPTED, actor, now)
    await entries.move(
        session,
        entry,
        EntryStatus.BOOKED,
        actor,
        now,
        allowed=(EntryStatus.OFFERED.value,),
        reservation_id=res.id,
    )
    return Accepted(offer, done.reservation, done.reservation.status == Status.PENDING_PAYMENT)


async def decline(
    session: AsyncSession, venue: Venue, token: str, actor: Actor, now: datetime
) -> WaitlistOffer:
    """The guest says no: the hold is cancelled and the entry leaves the queue; the
    table goes to the next matching entry when the consumer reads the cancellation."""
    offer = await by_token(session, venue, token)
    if offer.status != OfferStatus.OPEN:
        raise OfferClosed(f"this offer was already {offer.status}")
    entry = await session.get_one(WaitlistEntry, offer.entry_id)
    await withdraw(session, offer, actor, now, OfferStatus.DECLINED)
    await entries.move(
        session, entry, EntryStatus.DECLINED, actor, now, allowed=(EntryStatus.OFFERED.value,)
    )
    return offer


async def withdraw(
    session: AsyncSession,
    offer: WaitlistOffer,
    actor: Actor,
    now: datetime,
    to: OfferStatus = OfferStatus.WITHDRAWN,
) -> None:
    """Close an open offer and give its table back (cancel the hold)."""
    res = await session.get_one(Reservation, offer.reservation_id)
    if res.status == Status.HOLD:
        await booking.cancel(session, res, actor, now, f"waitlist offer {to.value}")
    await _close(session, offer, to, actor, now)


async def settle_lapsed(session: AsyncSession, res: Reservation, now: datetime) -> bool:
    """The offer whose hold just expired lapses, and its entry leaves the queue."""
    offer = await session.scalar(
        select(WaitlistOffer).where(
            WaitlistOffer.tenant_id == res.tenant_id,
            WaitlistOffer.reservation_id == res.id,
            WaitlistOffer.status == OfferStatus.OPEN.value,
        )
    )
    if offer is None:
        return False
    await _close(session, offer, OfferStatus.LAPSED, SYSTEM, now)
    entry = await session.get_one(WaitlistEntry, offer.entry_id)
    if entry.status == EntryStatus.OFFERED:
        await entries.move(
            session, entry, EntryStatus.LAPSED, SYSTEM, now, allowed=(EntryStatus.OFFERED.value,)
        )
    return True


async def leave(
    session: AsyncSession,
    venue: Venue,
    entry: WaitlistEntry,
    actor: Actor,
    now: datetime,
    to: EntryStatus = EntryStatus.LEFT,
) -> None:
    """The guest leaves (or staff skip): any open offer is withdrawn, its table handed on."""
    offer = await open_offer_of(session, entry)
    if offer is not None:
        await withdraw(session, offer, actor, now)
    await entries.move(session, entry, to, actor, now, allowed=entries.QUEUED)


async def book_directly(
    session: AsyncSession,
    venue: Venue,
    entry: WaitlistEntry,
    table_ids: list[uuid.UUID],
    actor: Actor,
    now: datetime,
) -> Reservation:
    """Staff seat the party on named tables at once: a staff booking (no cap, no window),
    the entry booked, any open offer withdrawn first."""
    if entry.status not in entries.QUEUED:
        raise entries.EntryClosed(f"this waitlist entry is {entry.status}")
    offer = await open_offer_of(session, entry)
    if offer is not None:
        await withdraw(session, offer, actor, now)
    req = booking.HoldRequest(
        entry.business_date,
        table_ids,
        entry.party_size,
        sitting_id=entry.sitting_id,
        channel="waitlist",
        bypass_rules=True,
        notes=entry.notes,
    )
    hold = await booking.place_hold(session, venue, req, actor, now)
    hold.reservation.language = entry.language
    who = GuestIdentity(entry.name, entry.email, entry.phone)
    done = await booking.complete_hold(
        session, venue, hold.reservation, who, actor, now, enforce_cap=False
    )
    await session.refresh(entry)
    await entries.move(
        session,
        entry,
        EntryStatus.BOOKED,
        actor,
        now,
        allowed=entries.QUEUED,
        reservation_id=done.reservation.id,
    )
    return done.reservation


async def details(session: AsyncSession, venue: Venue, offer: WaitlistOffer) -> dict[str, Any]:
    """The guest's view of an offer: the table, the night, the price and the deadline."""
    res = await session.get_one(Reservation, offer.reservation_id)
    entry = await session.get_one(WaitlistEntry, offer.entry_id)
    tables = await booking.tables_of(session, res)
    return {
        **offer_view(offer),
        "date": entry.business_date.isoformat(),
        "name": entry.name,
        "party_size": res.party_size,
        "tables": [t.label for t in tables],
        "starts_local": to_local(res.starts_at, venue.timezone).isoformat(timespec="minutes"),
        "expires_local": to_local(offer.expires_at, venue.timezone).isoformat(timespec="minutes"),
        "minimum": res.quoted_minimum,
        "deposit": res.quoted_deposit,
        "reservation_status": res.status,
    }


async def recovered(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    venue_ids: list[uuid.UUID],
    start: datetime,
    end: datetime,
) -> dict[str, Any]:
    """Bookings the waitlist recovered: accepted offers in [start, end) whose booking
    stands (confirmed, seated or completed), with their quoted minimum spend."""
    rows = await session.execute(
        select(
            WaitlistOffer.currency,
            func.count(WaitlistOffer.id),
            func.sum(Reservation.quoted_minimum),
        )
        .join(Reservation, Reservation.id == WaitlistOffer.reservation_id)
        .where(
            WaitlistOffer.tenant_id == tenant_id,
            WaitlistOffer.venue_id.in_(venue_ids),
            WaitlistOffer.status == OfferStatus.ACCEPTED.value,
            WaitlistOffer.decided_at >= start,
            WaitlistOffer.decided_at < end,
            Reservation.status.in_(
                [Status.CONFIRMED.value, Status.SEATED.value, Status.COMPLETED.value]
            ),
        )
        .group_by(WaitlistOffer.currency)
    )
    by_currency = {cur: {"bookings": int(n), "value": int(v or 0)} for cur, n, v in rows}
    made = await session.execute(
        select(WaitlistOffer.status, func.count(WaitlistOffer.id))
        .where(
            WaitlistOffer.tenant_id == tenant_id,
            WaitlistOffer.venue_id.in_(venue_ids),
            WaitlistOffer.created_at >= start,
            WaitlistOffer.created_at < end,
        )
        .group_by(WaitlistOffer.status)
    )
    return {
        "bookings": sum(x["bookings"] for x in by_currency.values()),
        "by_currency": by_currency,
        "offers": {status: int(n) for status, n in made},
    }
