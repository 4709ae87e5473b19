"""Standing reservations: the same table(s) at the same local time on the nights of a
recurrence rule, each occurrence a real reservation with its own lifecycle.

The rule is a row (``ReservationSeries``) read as an RFC 5545 RRULE by python-dateutil
(``rule_of``): weekly every 1 to 4 weeks, or the nth weekday of the month, for a number
of occurrences or until a date. Occurrences sit at the venue-local ``local_time`` on each
night, so across a DST change the UTC instant moves and the local time does not.

``plan`` says, per rule date, whether it can be honoured and if not why (``no_night``:
the night is not set up; ``night_closed``; ``no_sitting``: no sitting starts at that
time; ``table_taken``; ``table_blocked``; ``past``) with an alternative: another free
table of the same area (or tier) that seats the party that night, or the nearest open
night where the table (or such a table) is free. ``create`` books, in the caller's one
transaction, every date that can be honoured (or whose alternative the caller accepted),
each through the staff booking path (``operations.book_for_guest``: claimed through
``claim.tables``, audited, its outbox events), each in a savepoint so that one refused
at the last moment (a guest's hold that won the table meanwhile) is reported with its
reason instead of undoing the rest. Nothing is dropped silently: what was not booked is
returned and kept on the series (``unbooked``).

``cancel`` cancels one occurrence, this and the following ones, or the whole series;
the caller refunds each cancelled occurrence by the venue's policy.
Services flush, never commit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from dateutil import rrule
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.actor import Actor
from venue.core.clock import to_local
from venue.core.errors import DomainError, InvalidRequest, NotFound, PartySizeNotAllowed
from venue.floor import availability
from venue.guests import records as guests
from venue.guests.identity import identify
from venue.journal.audit import record
from venue.models import (
    Guest,
    Night,
    Reservation,
    ReservationSeries,
    Sitting,
    Status,
    Venue,
    VenueTable,
)
from venue.reservations import operations
from venue.setup import venues

# Occurrences one series may name: bounds the work of one request, like any list size.
MAX_OCCURRENCES = 104
CANCELLABLE = (Status.HOLD, Status.PENDING_PAYMENT, Status.CONFIRMED)
Scope = Literal["one", "following", "all"]


@dataclass(frozen=True)
class Rule:
    freq: Literal["weekly", "monthly"]
    weekday: int  # 0 = Monday
    starts_on: date
    every_n: int = 1
    nth: int | None = None  # monthly: 1..4, or -1 for the last
    occurrences: int | None = None
    until: date | None = None


def rule_of(rule: Rule) -> rrule.rrule:
    """The RRULE of a series (dateutil), the one place dates are computed."""
    day = rrule.weekday(rule.weekday)
    if rule.freq == "monthly":
        by: Any = day(rule.nth or 1)
        freq = rrule.MONTHLY
    else:
        by, freq = day, rrule.WEEKLY
    until = datetime.combine(rule.until, time()) if rule.until else None
    return rrule.rrule(
        freq,
        interval=rule.every_n,
        byweekday=by,
        dtstart=datetime.combine(rule.starts_on, time()),
        count=rule.occurrences,
        until=until,
    )


def rrule_text(rule: Rule) -> str:
    """``FREQ=WEEKLY;INTERVAL=1;COUNT=8;BYDAY=TH`` (RFC 5545), for people and calendars."""
    return str(rule_of(rule)).split("RRULE:", 1)[-1]


def dates_of(rule: Rule) -> list[date]:
    """The rule's dates; 422 naming the field for a rule with none or too many."""
    if rule.occurrences is None and rule.until is None:
        raise InvalidRequest("until", "give a number of occurrences or an end date")
    if rule.until is not None and rule.until < rule.starts_on:
        raise InvalidRequest("until", "the end date is before the start date")
    if rule.freq == "monthly" and rule.nth not in (1, 2, 3, 4, -1):
        raise InvalidRequest("nth", "monthly series need nth: 1 to 4, or -1 for the last")
    out: list[date] = []
    for at in rule_of(rule):
        out.append(at.date())
        if len(out) > MAX_OCCURRENCES:
            raise InvalidRequest(
                "until", f"a series has at most {MAX_OCCURRENCES} occurrences; end it earlier"
            )
    if not out:
        raise InvalidRequest("starts_on", "the rule names no date")
    return out


def rule_of_row(row: ReservationSeries) -> Rule:
    return Rule(
        freq="monthly" if row.freq == "monthly" else "weekly",
        weekday=row.weekday,
        starts_on=row.starts_on,
        every_n=row.every_n,
        nth=row.nth,
        occurrences=row.occurrences,
        until=row.until,
    )


@dataclass(frozen=True)
class Alternative:
    business_date: date
    tables: list[VenueTable]
    sitting: Sitting

    def view(self, tz: str) -> dict[str, Any]:
        return {
            "date": self.business_date.isoformat(),
            "table_ids": [str(t.id) for t in self.tables],
            "tables": [t.label for t in self.tables],
            "sitting_id": str(self.sitting.id),
            "starts_at": self.sitting.starts_at.isoformat(),
            "local_start": to_local(self.sitting.starts_at, tz).isoformat(),
        }


@dataclass
class Occurrence:
    """One rule date: honoured as asked (``reason`` None), or why not and what instead."""

    date: date
    sitting: Sitting | None = None
    reason: str | None = None
    message: str | None = None
    alternative: Alternative | None = None
    reservation: Reservation | None = None

    def view(self, tz: str) -> dict[str, Any]:
        starts = self.sitting.starts_at if self.sitting else None
        return {
            "date": self.date.isoformat(),
            "ok": self.reason is None,
            "reason": self.reason,
            "message": self.message,
            "starts_at": starts.isoformat() if starts else None,
            "local_start": to_local(starts, tz).isoformat() if starts else None,
            "alternative": self.alternative.view(tz) if self.alternative else None,
            "reservation_id": str(self.reservation.id) if self.reservation else None,
        }


@dataclass(frozen=True)
class SeriesRequest:
    rule: Rule
    table_ids: list[uuid.UUID]
    party_size: int
    guest_name: str
    guest_email: str | None = None
    guest_phone: str | None = None
    local_time: time | None = None  # None: the time of the first night's chosen sitting
    sitting_id: uuid.UUID | None = None  # only to find that time
    channel: str = "phone"
    host_id: uuid.UUID | None = None
    notes: str | None = None
    # Alternatives the caller accepts, by rule date (the ``alternative`` ``plan`` offered).
    accept: dict[date, tuple[date, list[uuid.UUID]]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Floor:
    tables: list[VenueTable]
    wanted: list[VenueTable]
    nights: dict[date, Night]
    sittings: dict[uuid.UUID, list[Sitting]]


async def _floor(
    session: AsyncSession, venue: Venue, req: SeriesRequest, days: list[date]
) -> _Floor:
    plan = await venues.active_plan(session, venue)
    tables = await availability.tables_of(session, venue, plan.id)
    wanted = availability.pick(tables, req.table_ids)
    await _check_fit(session, venue, wanted, req.party_size)
    reach = _reach(req.rule)
    nights = await venues.nights_between(
        session, venue, days[0] - timedelta(days=reach), days[-1] + timedelta(days=reach)
    )
    sittings: dict[uuid.UUID, list[Sitting]] = {n.id: [] for n in nights}
    if nights:
        rows = await session.scalars(
            select(Sitting)
            .where(
                Sitting.tenant_id == venue.tenant_id,
                Sitting.night_id.in_([n.id for n in nights]),
            )
            .order_by(Sitting.starts_at)
        )
        for s in rows:
            sittings[s.night_id].append(s)
    return _Floor(tables, wanted, {n.business_date: n for n in nights}, sittings)


def _reach(rule: Rule) -> int:
    """How far from a rule date the nearest-night alternative may be: under half the
    series' period, so it never lands on a neighbouring occurrence's night."""
    return 3 if rule.freq == "weekly" and rule.every_n == 1 else 6


async def _check_fit(
    session: AsyncSession, venue: Venue, wanted: list[VenueTable], party_size: int
) -> None:
    capacity = sum(t.max_party for t in wanted)
    if party_size > capacity:
        raise PartySizeNotAllowed(f"those tables seat at most {capacity}")
    if len(wanted) == 1 and party_size < wanted[0].min_party:
        raise PartySizeNotAllowed(f"table {wanted[0].label} seats {wanted[0].min_party} or more")
    ids = [t.id for t in wanted]
    if len(ids) > 1:
        links = await availability.links_between(session, venue.tenant_id, ids)
        if not availability.connected(ids, links):
            raise InvalidRequest("table_ids", "those tables cannot be joined")


def _sitting_at(
    venue: Venue, floor: _Floor, night: Night, local_time: time | None
) -> Sitting | None:
    for s in floor.sittings.get(night.id, []):
        if local_time is None or to_local(s.starts_at, venue.timezone).time() == local_time:
            return s
    return None


def _local_time(venue: Venue, req: SeriesRequest, floor: _Floor, days: list[date]) -> time:
    if req.local_time is not None:
        return req.local_time
    for day in days:
        night = floor.nights.get(day)
        if night is None:
            continue
        chosen = [s for s in floor.sittings.get(night.id, []) if req.sitting_id in (None, s.id)]
        if chosen:
            return to_local(chosen[0].starts_at, venue.timezone).time()
    raise InvalidRequest("time", "no night of this series is set up yet: give the time")


@dataclass(frozen=True)
class Plan:
    local_time: time
    occurrences: list[Occurrence]
    tables: list[VenueTable]  # the tables asked for


async def plan(session: AsyncSession, venue: Venue, req: SeriesRequest, now: datetime) -> Plan:
    """Every rule date, honoured as asked or why not, with an alternative. Writes nothing."""
    days = dates_of(req.rule)
    floor = await _floor(session, venue, req, days)
    at = _local_time(venue, req, floor, days)
    out: list[Occurrence] = []
    for day in days:
        occ = Occurrence(day)
        out.append(occ)
        night = floor.nights.get(day)
        if night is None:
            occ.reason, occ.message = "no_night", f"no night is set up on {day:%a %d %b %Y}"
        elif night.is_closed:
            occ.reason = "night_closed"
            occ.message = night.closed_reason or "the venue is closed that night"
        elif (sitting := _sitting_at(venue, floor, night, at)) is None:
            occ.reason, occ.message = "no_sitting", f"no sitting starts at {at:%H:%M} that night"
        else:
            occ.sitting = sitting
            if sitting.starts_at <= now:
                occ.reason, occ.message = "past", "this night's sitting has already started"
                continue
            state = (
                await availability.night_state(session, venue, night, sitting, floor.tables, now)
            ).by_id()
            bad = [state[t.id] for t in floor.wanted if not state[t.id].free]
            if bad:
                blocked = any(s.state == "blocked" for s in bad)
                occ.reason = "table_blocked" if blocked else "table_taken"
                labels = ", ".join(s.table.label for s in bad)
                occ.message = f"{labels} {'blocked' if blocked else 'taken'} that night"
                other = _other_table(floor, state, req.party_size)
                if other is not None:
                    occ.alternative = Alternative(day, [other], sitting)
            continue
        occ.alternative = await _nearest_night(session, venue, floor, req, at, day, days, now)
    return Plan(at, out, floor.wanted)


def _other_table(
    floor: _Floor, state: dict[uuid.UUID, availability.TableState], party_size: int
) -> VenueTable | None:
    """A free table of the same area (or, without areas, tier) that seats the party."""
    first = floor.wanted[0]
    mine = {t.id for t in floor.wanted}

    def near(t: VenueTable) -> bool:
        if first.area_id is not None:
            return t.area_id == first.area_id
        return t.tier == first.tier

    fits = [
        t
        for t in floor.tables
        if t.id not in mine
        and near(t)
        and t.min_party <= party_size <= t.max_party
        and state[t.id].free
    ]
    fits.sort(key=lambda t: (t.tier != first.tier, t.max_party, t.label))
    return fits[0] if fits else None


async def _nearest_night(
    session: AsyncSession,
    venue: Venue,
    floor: _Floor,
    req: SeriesRequest,
    at: time,
    day: date,
    days: list[date],
    now: datetime,
) -> Alternative | None:
    taken_days = set(days)
    for step in range(1, _reach(req.rule) + 1):
        for other in (day - timedelta(days=step), day + timedelta(days=step)):
            night = floor.nights.get(other)
            if night is None or night.is_closed or other in taken_days:
                continue
            sitting = _sitting_at(venue, floor, night, at)
            if sitting is None or sitting.starts_at <= now:
                continue
            state = (
                await availability.night_state(session, venue, night, sitting, floor.tables, now)
            ).by_id()
            if all(state[t.id].free for t in floor.wanted):
                return Alternative(other, list(floor.wanted), sitting)
            table = _other_table(floor, state, req.party_size)
            if table is not None:
                return Alternative(other, [table], sitting)
    return None


@dataclass(frozen=True)
class Created:
    series: ReservationSeries
    occurrences: list[Occurrence]


async def create(
    session: AsyncSession, venue: Venue, req: SeriesRequest, actor: Actor, now: datetime
) -> Created:
    """The series and every occurrence that can be honoured (or whose alternative the
    caller accepted), in the caller's transaction; the rest reported with the reason."""
    if req.host_id is not None:
        await operations.host_by_id(session, venue.tenant_id, req.host_id)
    planned = await plan(session, venue, req, now)
    at, occurrences = planned.local_time, planned.occurrences
    who = identify(req.guest_name, req.guest_email, req.guest_phone, venue.country)
    guest = await guests.find_or_create(session, venue.tenant_id, who)
    series = ReservationSeries(
        id=uuid.uuid4(),
        tenant_id=venue.tenant_id,
        venue_id=venue.id,
        guest_id=guest.id,
        host_id=req.host_id,
        area_id=planned.tables[0].area_id,
        table_ids=[str(t) for t in req.table_ids],
        party_size=req.party_size,
        channel=req.channel,
        freq=req.rule.freq,
        every_n=req.rule.every_n,
        weekday=req.rule.weekday,
        nth=req.rule.nth,
        starts_on=req.rule.starts_on,
        occurrences=req.rule.occurrences,
        until=req.rule.until,
        local_time=at,
        notes=req.notes,
        status="active",
        created_by=str(actor),
        created_at=now,
        updated_at=now,
        unbooked=[],
    )
    session.add(series)
    await session.flush()
    for occ in occurrences:
        target = _target(occ, req)
        if target is None:
            continue
        day, table_ids, sitting = target
        try:
            async with session.begin_nested():
                occ.reservation = await operations.book_for_guest(
                    session,
                    venue,
                    operations.StaffBooking(
                        business_date=day,
                        table_ids=table_ids,
                        party_size=req.party_size,
                        channel=req.channel,
                        guest_name=req.guest_name,
                        guest_email=req.guest_email,
                        guest_phone=req.guest_phone,
                        sitting_id=sitting,
                        host_id=req.host_id,
                        notes=req.notes,
                        series_id=series.id,
                        series_date=occ.date,
                    ),
                    actor,
                    now,
                )
        except DomainError as exc:  # refused at the claim: someone took it meanwhile
            occ.reason, occ.message, occ.alternative = exc.code, exc.message, None
            continue
        if occ.reason is not None and occ.alternative is not None:
            occ.sitting, occ.message = occ.alternative.sitting, "booked on the alternative offered"
        occ.reason = None
    views = [o.view(venue.timezone) for o in occurrences]
    series.unbooked = [v for v in views if v["reservation_id"] is None]
    await session.flush()
    after = {
        **series_dict(series),
        "booked": [v["date"] for v in views if v["reservation_id"]],
        "unbooked": [{"date": v["date"], "reason": v["reason"]} for v in series.unbooked],
    }
    record(
        session,
        tenant_id=venue.tenant_id,
        actor=str(actor),
        action="series.created",
        entity="series",
        entity_id=series.id,
        before=None,
        after=after,
        at=now,
        topic="series.created",
        payload=after,
    )
    return Created(series, occurrences)


def _target(occ: Occurrence, req: SeriesRequest) -> tuple[date, list[uuid.UUID], uuid.UUID] | None:
    """Where this occurrence is booked: as asked, on an accepted alternative, or nowhere."""
    if occ.reason is None and occ.sitting is not None:
        return occ.date, list(req.table_ids), occ.sitting.id
    accepted = req.accept.get(occ.date)
    alt = occ.alternative
    if accepted is None or alt is None:
        return None
    day, table_ids = accepted
    if day != alt.business_date or set(table_ids) != {t.id for t in alt.tables}:
        return None  # not what was offered: report it as it is
    return day, table_ids, alt.sitting.id


def series_dict(s: ReservationSeries) -> dict[str, Any]:
    rule = rule_of_row(s)
    return {
        "id": str(s.id),
        "status": s.status,
        "freq": s.freq,
        "every_n": s.every_n,
        "weekday": s.weekday,
        "nth": s.nth,
        "starts_on": s.starts_on.isoformat(),
        "occurrences": s.occurrences,
        "until": s.until.isoformat() if s.until else None,
        "ended_from": s.ended_from.isoformat() if s.ended_from else None,
        "rrule": rrule_text(rule),
        "time": s.local_time.strftime("%H:%M"),
        "table_ids": list(s.table_ids),
        "party_size": s.party_size,
        "channel": s.channel,
        "guest_id": str(s.guest_id),
        "host_id": str(s.host_id) if s.host_id else None,
        "notes": s.notes,
        "created_by": s.created_by,
        "created_at": s.created_at.isoformat(),
    }


# --- reading ---------------------------------------------------------------------------


async def series_of(
    session: AsyncSession, venue: Venue, series_id: uuid.UUID, host_id: uuid.UUID | None = None
) -> ReservationSeries:
    """The venue's series (a host: only their own; anything else 404)."""
    stmt = select(ReservationSeries).where(
        ReservationSeries.tenant_id == venue.tenant_id,
        ReservationSeries.venue_id == venue.id,
        ReservationSeries.id == series_id,
    )
    if host_id is not None:
        stmt = stmt.where(ReservationSeries.host_id == host_id)
    found = await session.scalar(stmt)
    if found is None:
        raise NotFound("no such series")
    return found


async def occurrences_of(
    session: AsyncSession, series: ReservationSeries
) -> list[tuple[Reservation, date]]:
    rows = await session.execute(
        select(Reservation, Night.business_date)
        .join(Night, Night.id == Reservation.night_id)
        .where(
            Reservation.tenant_id == series.tenant_id,
            Reservation.series_id == series.id,
        )
        .order_by(Reservation.series_date, Reservation.created_at)
    )
    return [(r, d) for r, d in rows.all()]


async def view(session: AsyncSession, venue: Venue, series: ReservationSeries) -> dict[str, Any]:
    """The series with every rule date: its reservation, or why it was not booked."""
    guest = await session.get(Guest, series.guest_id)
    booked = await occurrences_of(session, series)
    labels = await _table_labels(session, venue, series)
    by_date: dict[date, tuple[Reservation, date]] = {}
    for res, night_date in booked:
        if res.series_date is not None:
            current = by_date.get(res.series_date)
            if current is None or current[0].status == Status.CANCELLED:
                by_date[res.series_date] = (res, night_date)
    unbooked = {u["date"]: u for u in series.unbooked or []}
    rows = []
    for day in dates_of(rule_of_row(series)):
        entry: dict[str, Any] = {"date": day.isoformat(), "in_series": _in_series(series, day)}
        if day in by_date:
            res, night_date = by_date[day]
            entry["reservation"] = {
                "id": str(res.id),
                "status": res.status,
                "date": night_date.isoformat(),
                "starts_at": res.starts_at.isoformat(),
                "local_start": to_local(res.starts_at, venue.timezone).isoformat(),
                "version": res.version,
            }
        else:
            note = unbooked.get(day.isoformat()) or {}
            entry["reservation"] = None
            entry["reason"] = note.get("reason")
            entry["message"] = note.get("message")
        rows.append(entry)
    return {
        **series_dict(series),
        "tables": labels,
        "guest": {"name": guest.name, "email": guest.email, "phone": guest.phone}
        if guest
        else None,
        "dates": rows,
    }


def _in_series(series: ReservationSeries, day: date) -> bool:
    if series.status == "cancelled":
        return False
    return series.ended_from is None or day < series.ended_from


async def _table_labels(
    session: AsyncSession, venue: Venue, series: ReservationSeries
) -> list[str]:
    ids = [uuid.UUID(t) for t in series.table_ids]
    rows = await session.scalars(
        select(VenueTable.label)
        .where(VenueTable.tenant_id == venue.tenant_id, VenueTable.id.in_(ids))
        .order_by(VenueTable.label)
    )
    return list(rows)


async def list_series(
    session: AsyncSession, venue: Venue, host_id: uuid.UUID | None = None
) -> list[dict[str, Any]]:
    stmt = (
        select(ReservationSeries, Guest.name)
        .join(Guest, Guest.id == ReservationSeries.guest_id)
        .where(
            ReservationSeries.tenant_id == venue.tenant_id,
            ReservationSeries.venue_id == venue.id,
        )
        .order_by(ReservationSeries.created_at.desc())
    )
    if host_id is not None:
        stmt = stmt.where(ReservationSeries.host_id == host_id)
    return [
        {**series_dict(s), "guest_name": name} for s, name in (await session.execute(stmt)).all()
    ]


# --- cancelling ------------------------------------------------------------------------


async def cancel(
    session: AsyncSession,
    venue: Venue,
    series: ReservationSeries,
    scope: Scope,
    on: date | None,
    reason: str,
    actor: Actor,
    now: datetime,
) -> list[Reservation]:
    """Cancel the occurrence of rule date ``on``, the ones from ``on`` on, or all of
    them; returns the reservations cancelled (the caller refunds each by policy). Those
    already seated, completed or over are left as they are."""
    if scope != "all" and on is None:
        raise InvalidRequest("date", "name the occurrence's date")
    booked = [r for r, _ in await occurrences_of(session, series)]
    if scope == "one":
        chosen = [r for r in booked if r.series_date == on]
        if not chosen:
            raise NotFound("the series has no booking for that date")
    elif scope == "following":
        assert on is not None
        chosen = [r for r in booked if r.series_date is not None and r.series_date >= on]
    else:
        chosen = booked
    cancelled = []
    for res in chosen:
        if res.status in CANCELLABLE and res.ends_at > now:
            await operations.cancel(session, res, actor, now, reason, None)
            cancelled.append(res)
    before = series_dict(series)
    if scope == "all" or (scope == "following" and on is not None and on <= series.starts_on):
        series.status, series.ended_from = "cancelled", series.starts_on
    elif scope == "following":
        series.ended_from = on
    series.updated_at = now
    await session.flush()
    after = {
        **series_dict(series),
        "scope": scope,
        "from": on.isoformat() if on else None,
        "reason": reason,
        "cancelled": [str(r.id) for r in cancelled],
    }
    record(
        session,
        tenant_id=venue.tenant_id,
        actor=str(actor),
        action=f"series.cancelled_{scope}",
        entity="series",
        entity_id=series.id,
        before=before,
        after=after,
        at=now,
        topic="series.cancelled",
        payload=after,
    )
    return cancelled
