"""Opening a restaurant's night from its service periods: one sitting per period, with
the period's start times, covers limit and pacing copied onto the sitting (staff edit
the night's own copy; the rules are the template for nights not yet opened).

``open_due`` (the sweeper) opens the missing nights of every restaurant across its
booking window, so no one has to open each date by hand; a date already there is left
as it is (staff's edits stand), and each venue has its own savepoint."""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.actor import SYSTEM, Actor
from venue.core.channels import night_channel
from venue.core.clock import local_to_utc, to_local
from venue.core.errors import InvalidRequest, NightExists, NotFound
from venue.journal.audit import record
from venue.models import Night, Sitting, Venue
from venue.setup import nights, venues

from . import rules

log = logging.getLogger("maitre.dining")


def _plus(at: time, minutes: int) -> time:
    return (datetime.combine(date(2000, 1, 1), at) + timedelta(minutes=minutes)).time()


async def open_night(
    session: AsyncSession, venue: Venue, day: date, *, actor: Actor, now: datetime
) -> Night:
    """Create the night of ``day`` from the periods that apply (closed if a date
    exception closes it). A sitting runs from its first start to its last start plus the
    longest turn time, so every party's tables fit inside it."""
    if await _has_night(session, venue, day):
        raise NightExists(f"{day.isoformat()} is already open; edit its sittings instead")
    periods = rules.periods_for(await rules.periods_of(session, venue), day)
    open_periods = [p for p in periods if not p.is_closed]
    if not periods:
        raise InvalidRequest("date", f"no service periods on {day:%A}s")
    turns = await rules.turns_of(session, venue)
    longest = max([m for _, m in turns] or [rules.DEFAULT_TURN])
    shape = open_periods or periods
    opens = min(p.first_start for p in shape)
    last = max(p.last_start for p in shape)
    closes = _plus(last, longest)
    specs = [nights.SittingSpec(p.name, p.first_start, _plus(p.last_start, longest)) for p in shape]
    night = await nights.create_night(
        session, venue, day, opens, closes, actor=actor, now=now, sittings=specs
    )
    sittings = await venues.sittings_of(session, night)
    for sitting, period in zip(sittings, sorted(shape, key=lambda p: p.first_start), strict=True):
        sitting.covers_limit = period.covers_limit
        sitting.pacing_covers = period.pacing_covers
        sitting.interval_minutes = period.interval_minutes
        sitting.last_start_at = local_to_utc(day, period.last_start, venue.timezone)
    if not open_periods:
        night.is_closed = True
        night.closed_reason = next((p.name for p in periods), "closed")
    await session.flush()
    return night


async def open_window(
    session: AsyncSession, venue: Venue, now: datetime, *, actor: Actor = SYSTEM
) -> list[date]:
    """Open every missing date of the venue's booking window (its local today to
    ``booking_window_days`` ahead) that has service periods: audited as the manual
    open is (``night.created``); a date an exception closes is created closed. Returns
    the dates opened (none the second time)."""
    window = (await venues.rules_of(session, venue)).booking_window_days
    first = to_local(now, venue.timezone).date()
    last = to_local(now + timedelta(days=window), venue.timezone).date()
    periods = await rules.periods_of(session, venue)
    if not periods:
        return []
    existing = set(
        await session.scalars(
            select(Night.business_date).where(
                Night.tenant_id == venue.tenant_id,
                Night.venue_id == venue.id,
                Night.business_date >= first,
                Night.business_date <= last,
            )
        )
    )
    opened: list[date] = []
    day = first
    while day <= last:
        if day not in existing and rules.periods_for(periods, day):
            await open_night(session, venue, day, actor=actor, now=now)
            opened.append(day)
        day += timedelta(days=1)
    return opened


async def open_due(session: AsyncSession, now: datetime) -> int:
    """``open_window`` for every restaurant, each in its own savepoint: one venue's bad
    data (logged) never stops the others. Returns how many nights were opened."""
    ids = list(await session.scalars(select(Venue.id).where(Venue.mode == "restaurant")))
    count = 0
    for venue_id in ids:
        try:
            async with session.begin_nested():
                venue = await session.get(Venue, venue_id)
                if venue is not None:
                    count += len(await open_window(session, venue, now))
        except IntegrityError:  # another process opened one of them first: next pass
            log.info("nights of venue %s opened concurrently; trying again next pass", venue_id)
        except Exception:
            log.exception("opening the nights of venue %s failed; the others go on", venue_id)
    return count


async def _has_night(session: AsyncSession, venue: Venue, day: date) -> bool:
    found = await session.scalar(
        select(Night.id).where(
            Night.tenant_id == venue.tenant_id,
            Night.venue_id == venue.id,
            Night.business_date == day,
        )
    )
    return found is not None


async def edit_sitting(
    session: AsyncSession,
    venue: Venue,
    sitting_id: object,
    changes: dict[str, int | None],
    *,
    actor: Actor,
    now: datetime,
) -> Sitting:
    """Change one night's covers limit or pacing (audited; the floors refresh)."""
    row = (
        await session.execute(
            select(Sitting, Night)
            .join(Night, Night.id == Sitting.night_id)
            .where(
                Sitting.tenant_id == venue.tenant_id,
                Night.venue_id == venue.id,
                Sitting.id == sitting_id,
            )
            .with_for_update(of=Sitting)
        )
    ).first()
    if row is None:
        raise NotFound("no such sitting")
    sitting, night = row
    before = {k: getattr(sitting, k) for k in changes}
    for key, value in changes.items():
        setattr(sitting, key, value)
    await session.flush()
    record(
        session,
        tenant_id=venue.tenant_id,
        actor=str(actor),
        action="sitting.updated",
        entity="sitting",
        entity_id=sitting.id,
        before=before,
        after=dict(changes),
        at=now,
        topic="sitting.updated",
        channel=night_channel(night.id),
        payload={"night": str(night.id), "sitting": str(sitting.id), **changes},
    )
    return sitting
