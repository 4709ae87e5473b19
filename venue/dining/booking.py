"""A party's hold at a sitting or start time: covers, pacing and tables checked and the
tables assigned inside the booking transaction, under the same guarantees as a guest's
own choice of table.

The race for the last covers has no row to lock when a sitting is empty (there is no
reservation yet to conflict with, and two parties may be seated on different tables), so
the transaction locks the row that stands for the sitting's capacity, the sitting itself
(``SELECT ... FOR UPDATE``; on SQLite every transaction is ``BEGIN IMMEDIATE``), and only
then counts covers and pacing and picks tables: two parties going for the last covers are
answered one after the other, and the second sees the first's commit (READ COMMITTED
reads afresh per statement). The tables are then claimed through ``claim.tables`` and the
exclusion constraint still stands behind every allocation.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.actor import Actor
from venue.core.errors import (
    BookingCutoff,
    DomainError,
    InvalidRequest,
    NightClosed,
    NotYetOpen,
    PartySizeNotAllowed,
    PartyTooLarge,
    SittingFullCovers,
    SittingFullPacing,
    SittingFullTables,
    TableUnavailable,
)
from venue.floor import availability, claim
from venue.journal import turnaways
from venue.models import Night, Sitting, Venue, VenueRules
from venue.reservations import booking
from venue.reservations.booking import Hold, HoldRequest, Refused
from venue.setup import venues

from . import assign, capacity


@dataclass(frozen=True)
class PartyRequest:
    """A party of ``party_size`` at ``starts_at`` (a start time of the night; None: the
    sitting's first) in ``sitting_id`` (None: the sitting that has that start).
    ``table_ids``: the guest's own choice where the venue allows it, or staff's override;
    empty, the venue assigns."""

    business_date: date
    party_size: int
    sitting_id: uuid.UUID | None = None
    starts_at: datetime | None = None
    table_ids: tuple[uuid.UUID, ...] = ()
    channel: str = "online"
    host_id: uuid.UUID | None = None
    bypass_rules: bool = False
    notes: str | None = None


REFUSALS: dict[str, type[DomainError]] = {
    "night_closed": NightClosed,
    "party_size_not_allowed": PartySizeNotAllowed,
    "party_too_large": PartyTooLarge,
    "booking_cutoff": BookingCutoff,
    "booking_not_open": NotYetOpen,
    "sitting_full_covers": SittingFullCovers,
    "sitting_full_pacing": SittingFullPacing,
    "sitting_full_tables": SittingFullTables,
}

WORDS = {
    "night_closed": "the restaurant is closed that day",
    "party_size_not_allowed": "online bookings are not taken for a party of that size",
    "party_too_large": "we cannot seat a party that large online; please call us",
    "booking_cutoff": "online booking for that time has closed",
    "booking_not_open": "bookings for that date are not open yet",
    "sitting_full_covers": "this sitting just filled up",
    "sitting_full_pacing": "that time just filled up; try another time",
    "sitting_full_tables": "there is no table for your party at that time any more",
}


def refusal(reason: str, venue: Venue) -> DomainError:
    extra = {"phone": venue.phone} if reason == "party_too_large" else {}
    return REFUSALS[reason](WORDS[reason], **extra)


async def lock_sitting(session: AsyncSession, sitting: Sitting) -> None:
    """Take the sitting's row lock: the covers of an empty sitting have no other row."""
    await session.execute(
        select(Sitting.id)
        .where(Sitting.tenant_id == sitting.tenant_id, Sitting.id == sitting.id)
        .with_for_update()
    )


def pick_start(
    night: Night, sittings: list[Sitting], venue: Venue, req: PartyRequest
) -> tuple[Sitting, datetime]:
    """The sitting and start the request names; 422 naming the field if none matches."""
    if not sittings:
        raise InvalidRequest("date", "no sittings that day")
    chosen = sittings
    if req.sitting_id is not None:
        chosen = [s for s in sittings if s.id == req.sitting_id]
        if not chosen:
            raise InvalidRequest("sitting_id", "no such sitting on that date")
    if req.starts_at is None:
        return chosen[0], chosen[0].starts_at
    for sitting in chosen:
        for listed in capacity.starts_of(sitting, venue.timezone):
            if listed == req.starts_at:
                return sitting, listed
    raise InvalidRequest("starts_at", "not a start time of that date (see /sittings)")


@dataclass
class Asked:
    """The sitting and start a request turned out to name (for its turnaway)."""

    sitting_name: str | None = None
    starts_at: datetime | None = None


async def hold_party(
    session: AsyncSession,
    venue: Venue,
    req: PartyRequest,
    actor: Actor,
    now: datetime,
    asked: Asked | None = None,
) -> Hold | Refused:
    """The party's hold on the tables assigned to it, or the refusal (as
    ``booking.try_hold``: ``wrote`` says whether the transaction must roll back)."""
    asked = asked if asked is not None else Asked()
    asked.starts_at = req.starts_at
    try:
        rules, night, _ = await venues.hold_context(session, venue, req.business_date, None)
        sittings = await venues.sittings_of(session, night)
        sitting, starts_at = pick_start(night, sittings, venue, req)
        asked.sitting_name, asked.starts_at = sitting.name, starts_at
        await lock_sitting(session, sitting)
        option = await _option(session, venue, rules, night, sitting, starts_at, req, now)
    except DomainError as exc:
        return Refused(exc, wrote=False)
    wanted_ids = [s.id for s in option.assigned]
    try:

        async def check(_: claim.Versions) -> None:
            taken = await availability.occupying(
                session, venue.tenant_id, wanted_ids, option.starts_at, option.ends_at, now
            )
            if taken:
                raise TableUnavailable("just taken", table_ids=[str(t) for t in taken])

        await claim.tables(session, venue.tenant_id, wanted_ids, check)
        tables = await availability.tables_by_ids(session, venue, wanted_ids)
        await booking.expire_lapsed(session, venue.tenant_id, wanted_ids, sitting, actor, now)
        prices = await booking.quote_night(session, venue, rules, night, sitting, tables, now)
        hold_req = HoldRequest(
            business_date=req.business_date,
            table_ids=wanted_ids,
            party_size=req.party_size,
            sitting_id=sitting.id,
            channel=req.channel,
            host_id=req.host_id,
            bypass_rules=req.bypass_rules,
            notes=req.notes,
            starts_at=option.starts_at,
            ends_at=option.ends_at,
        )
        return await booking.insert_hold(
            session, venue, hold_req, sitting, tables, prices.of(tables), rules, actor, now
        )
    except DomainError as exc:
        return Refused(exc, wrote=True)


async def _option(
    session: AsyncSession,
    venue: Venue,
    rules: VenueRules,
    night: Night,
    sitting: Sitting,
    starts_at: datetime,
    req: PartyRequest,
    now: datetime,
) -> capacity.Option:
    """Read the night under the sitting's lock and evaluate the request; raise the
    refusal. A chosen set of tables replaces the assignment if the party may sit there."""
    floor = await capacity.read_floor(session, venue, night, now)
    classes = capacity.classes_for(req.channel)
    option = capacity.evaluate(
        floor,
        venue,
        rules,
        sitting,
        starts_at,
        req.party_size,
        now,
        classes=classes,
        bypass_window=req.bypass_rules,
    )
    if req.table_ids and option.reason in (None, "sitting_full_tables"):
        taken = floor.taken_during(option.starts_at, option.ends_at)
        seats = {s.id: s for s in floor.seats(classes) if s.id not in taken}
        chosen = [seats[t] for t in req.table_ids if t in seats]
        if len(chosen) != len(set(req.table_ids)):
            raise TableUnavailable("that table is not free for your party at that time")
        if not assign.admits(chosen, floor.links, req.party_size):
            raise PartySizeNotAllowed("those tables do not seat the party")
        option = replace(option, assigned=chosen, reason=None, bookable=True)
    if option.reason is not None:
        raise refusal(option.reason, venue)
    return option


async def place_party_hold(
    session: AsyncSession, venue: Venue, req: PartyRequest, actor: Actor, now: datetime
) -> Hold:
    """``hold_party`` for a guest online: a refusal is kept as a turnaway with its reason,
    sitting and time, then raised."""
    asked = Asked()
    tenant_id, venue_id = venue.tenant_id, venue.id  # a rollback expires the venue
    outcome = await hold_party(session, venue, req, actor, now, asked)
    if isinstance(outcome, Hold):
        return outcome
    if outcome.error.turnaway:
        await turnaways.record_after_refusal(
            session,
            tenant_id,
            venue_id,
            wrote=outcome.wrote,
            reason=outcome.error.code,
            business_date=req.business_date,
            party_size=req.party_size,
            channel="online",
            at=now,
            sitting_name=asked.sitting_name,
            starts_at=asked.starts_at,
        )
    raise outcome.error


async def place(
    session: AsyncSession, venue: Venue, req: PartyRequest, actor: Actor, now: datetime
) -> Hold:
    """Hold, or raise the refusal (staff bookings, tests)."""
    outcome = await hold_party(session, venue, req, actor, now)
    if isinstance(outcome, Refused):
        raise outcome.error
    return outcome
