"""The booking transaction: hold, complete, cancel, expire, change status.

A hold claims its tables through ``claim`` (venue/claim.py: read versions and state,
check, bump the versions, retry; the exclusion constraint behind it) and only then
inserts. Later changes to a reservation are versioned writes (``write_versioned``).
Services flush, never commit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, and_, bindparam, false, func, insert, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from pricing import Quote, booking_deposit
from venue.core.actor import Actor
from venue.core.channels import night_channel
from venue.core.errors import (
    BookingCutoff,
    DomainError,
    GuestDailyCap,
    HoldExpired,
    InvalidTransition,
    NightClosed,
    NotFound,
    NotYetOpen,
    PartySizeNotAllowed,
    StaleReservation,
    TablesNotJoinable,
    TableUnavailable,
)
from venue.core.tokens import hash_token, new_token
from venue.floor import availability, claim, quoting
from venue.guests import records as guests
from venue.guests.identity import GuestIdentity
from venue.journal import turnaways
from venue.journal.audit import Journal, record
from venue.models import (
    EXPIRING,
    OCCUPYING,
    TRANSITIONS,
    Guest,
    Night,
    Reservation,
    ReservationTable,
    Sitting,
    Status,
    Venue,
    VenueRules,
    VenueTable,
    utcnow,
)
from venue.setup import venues

# The bookings that count toward a guest's daily cap. A booking awaiting its deposit
# counts only while its table is still held for the payment (see ``_booked_that_night``).
CAPPED = (Status.CONFIRMED, Status.SEATED, Status.COMPLETED)

_RES_COLUMNS = [c.key for c in Reservation.__table__.columns]
# A hold's whole write on PostgreSQL, built once: the reservation, one allocation per
# table (the exclusion constraint checks them; the composite foreign key to the
# reservation inserted by the same statement is checked at its end), the audit entry and
# the outbox event. One round trip between the claim and the commit.
HOLD_INSERT = text(
    f"""
WITH r AS (
    INSERT INTO reservations ({", ".join(_RES_COLUMNS)})
    VALUES ({", ".join(":" + c for c in _RES_COLUMNS)})
    RETURNING id, tenant_id, status, starts_at, ends_at
), t AS (
    INSERT INTO reservation_tables (id, tenant_id, reservation_id, table_id, status,
        starts_at, ends_at)
    SELECT gen_random_uuid(), r.tenant_id, r.id, x.table_id, r.status, r.starts_at, r.ends_at
    FROM r, unnest(CAST(:table_ids AS uuid[])) AS x(table_id)
), a AS (
    INSERT INTO audit_entries (tenant_id, at, actor, action, entity, entity_id, before, after)
    SELECT r.tenant_id, :audit_at, :audit_actor, :audit_action, :audit_entity,
        :audit_entity_id, :audit_before, :audit_after
    FROM r
)
INSERT INTO outbox_events (tenant_id, at, topic, channel, payload, attempts)
SELECT r.tenant_id, :audit_at, :outbox_topic, :outbox_channel, :outbox_payload, 0 FROM r
"""
).bindparams(
    bindparam("quote", type_=JSON),
    bindparam("audit_before", type_=JSON),
    bindparam("audit_after", type_=JSON),
    bindparam("outbox_payload", type_=JSON),
)

_TABLE_COLUMNS = [c.key for c in VenueTable.__table__.columns]
_GUEST_COLUMNS = [c.key for c in Guest.__table__.columns]
_FILLED = {  # a found guest's email and phone once ``filled`` has run
    "email": "COALESCE(NULLIF(email, ''), :email) AS email",
    "phone": "COALESCE(NULLIF(phone, ''), :phone) AS phone",
}
# A completion's write on PostgreSQL, built once, the same rows as ``complete_hold``'s ORM
# path: the guest (``guests.find_or_create``: the earliest record of the tenant sharing the
# email or the phone, its missing email or phone filled in, or a new record), the
# reservation moved under its version, its tables (as ``tables_of``), the audit entry and
# the outbox event, whose payload is the snapshot plus the tables' ids in label order (as
# ``_journal_row``). A stale version: no row, and nothing but the guest written (the caller
# raises, the transaction rolls back). One row per table (none: one row, table columns null).
COMPLETE = text(
    f"""
WITH found AS (
    SELECT {", ".join(_GUEST_COLUMNS)} FROM guests
    WHERE tenant_id = :tenant_id AND (email = :email OR phone = :phone)
    ORDER BY created_at LIMIT 1
), filled AS (
    UPDATE guests SET email = COALESCE(NULLIF(guests.email, ''), :email),
        phone = COALESCE(NULLIF(guests.phone, ''), :phone)
    FROM found
    WHERE guests.id = found.id
        AND (COALESCE(NULLIF(guests.email, ''), :email) IS DISTINCT FROM guests.email
            OR COALESCE(NULLIF(guests.phone, ''), :phone) IS DISTINCT FROM guests.phone)
), made AS (
    INSERT INTO guests (id, tenant_id, name, email, phone, created_at)
    SELECT :guest_id, :tenant_id, :guest_name, :email, :phone, :guest_created_at
    WHERE NOT EXISTS (SELECT 1 FROM found)
    RETURNING {", ".join(_GUEST_COLUMNS)}
), g AS (
    SELECT {", ".join(_FILLED.get(c, c) for c in _GUEST_COLUMNS)} FROM found
    UNION ALL SELECT {", ".join(_GUEST_COLUMNS)} FROM made
), r AS (
    UPDATE reservations SET status = :status, updated_at = :updated_at,
        guest_id = (SELECT id FROM g), expires_at = :expires_at, notes = :notes,
        version = :new_version
    WHERE id = :reservation_id AND version = :seen_version
    RETURNING id, tenant_id
), t AS (
    SELECT {", ".join("vt." + c for c in _TABLE_COLUMNS)}
    FROM r
    JOIN reservation_tables rt ON rt.tenant_id = r.tenant_id AND rt.reservation_id = r.id
    JOIN venue_tables vt ON vt.id = rt.table_id
), a AS (
    INSERT INTO audit_entries (tenant_id, at, actor, action, entity, entity_id, before, after)
    SELECT r.tenant_id, :audit_at, :audit_actor, :audit_action, :audit_entity,
        :audit_entity_id, :audit_before, :audit_after
    FROM r
), o AS (
    INSERT INTO outbox_events (tenant_id, at, topic, channel, payload, attempts)
    SELECT r.tenant_id, :audit_at, :outbox_topic, :outbox_channel,
        CAST(CAST(:outbox_payload AS jsonb) || jsonb_build_object('table_ids', COALESCE(
            (SELECT jsonb_agg(CAST(t.id AS text) ORDER BY t.label) FROM t), '[]'::jsonb))
            AS json),
        0
    FROM r
)
SELECT {", ".join("g." + c + " AS guest_" + c for c in _GUEST_COLUMNS)},
    {", ".join("t." + c + " AS table_" + c for c in _TABLE_COLUMNS)}
FROM r CROSS JOIN g LEFT JOIN t ON true
ORDER BY t.label
"""
).bindparams(
    bindparam("audit_before", type_=JSON),
    bindparam("audit_after", type_=JSON),
    bindparam("outbox_payload", type_=JSON),
)


@dataclass(frozen=True)
class HoldRequest:
    business_date: date
    table_ids: list[uuid.UUID]
    party_size: int
    sitting_id: uuid.UUID | None = None
    channel: str = "online"
    host_id: uuid.UUID | None = None
    # Staff phone and walk-in bookings may bypass the online cutoff and window.
    bypass_rules: bool = False
    notes: str | None = None
    # An occurrence of a standing reservation (venue/reservations/series.py).
    series_id: uuid.UUID | None = None
    series_date: date | None = None
    # A waitlist offer's hold: how long it lasts instead of the rules' ``hold_minutes``,
    # and the token the offer email carries (derived from the offer, see venue/waitlist).
    hold_minutes: int | None = None
    token: str | None = None
    # A restaurant party's own range (its start and turn time, venue/dining); None: the
    # sitting's range, as a club table is held for the whole night.
    starts_at: datetime | None = None
    ends_at: datetime | None = None


@dataclass(frozen=True)
class Hold:
    reservation: Reservation
    token: str
    tables: list[VenueTable] = field(default_factory=list)


def snapshot(res: Reservation, **changes: Any) -> dict[str, Any]:
    """The audit/outbox view of a reservation (no personal data); with ``changes``, of
    the reservation as it will be once they are written."""

    def the(key: str) -> Any:
        return changes[key] if key in changes else getattr(res, key)

    expires_at, host_id = the("expires_at"), the("host_id")
    return {
        "id": str(res.id),
        "status": the("status"),
        "night_id": str(res.night_id),
        "sitting_id": str(res.sitting_id),
        "party_size": the("party_size"),
        "starts_at": the("starts_at").isoformat(),
        "ends_at": the("ends_at").isoformat(),
        "expires_at": expires_at.isoformat() if expires_at else None,
        "quoted_minimum": the("quoted_minimum"),
        "quoted_deposit": the("quoted_deposit"),
        "currency": res.currency,
        "host_id": str(host_id) if host_id else None,
        "version": the("version"),
    }


@dataclass(frozen=True)
class Refused:
    """A hold the venue turned down, and whether the transaction wrote anything before
    the refusal (a claim that bumped a version and then lost): then the work must roll
    back before anything else is written in it."""

    error: DomainError
    wrote: bool


async def place_hold(
    session: AsyncSession, venue: Venue, req: HoldRequest, actor: Actor, now: datetime
) -> Hold:
    """Hold the tables, or raise the refusal."""
    outcome = await try_hold(session, venue, req, actor, now)
    if isinstance(outcome, Refused):
        raise outcome.error
    return outcome


async def place_guest_hold(
    session: AsyncSession, venue: Venue, req: HoldRequest, actor: Actor, now: datetime
) -> Hold:
    """``place_hold`` for a guest online: a refusal that is turned-away demand is kept
    (``turnaways.record_after_refusal``: the refused work rolls back, the turnaway is
    committed alone), then raised."""
    outcome = await try_hold(session, venue, req, actor, now)
    if isinstance(outcome, Hold):
        return outcome
    if outcome.error.turnaway:
        await turnaways.record_after_refusal(
            session,
            venue.tenant_id,
            venue.id,
            wrote=outcome.wrote,
            reason=outcome.error.code,
            business_date=req.business_date,
            party_size=req.party_size,
            channel="online",
            at=now,
        )
    raise outcome.error


async def try_hold(
    session: AsyncSession, venue: Venue, req: HoldRequest, actor: Actor, now: datetime
) -> Hold | Refused:
    """The hold, or the refusal with whether anything was written before it.

    Everything that is not a write comes first, while nothing is locked: the context, a
    first look at the tables, the checks and the price (a guest pays what was quoted at
    the hold, against the night as it was before it); a refusal there wrote nothing. Then
    only SQL until the caller commits: the claim, and one statement for the reservation,
    its allocations, audit entry and outbox event (``_insert``)."""
    try:
        rules, night, sitting = await venues.hold_context(
            session, venue, req.business_date, req.sitting_id
        )
        if night.is_closed:
            raise NightClosed(night.closed_reason or "the venue is closed that night")
        _check_party_limits(rules, req.party_size)
        if not req.bypass_rules:
            _check_window(rules, sitting.starts_at, now)
        first = await _look(session, venue, night, sitting, req, now, 0)
        wanted = [w.table for w in first]
        prices = await _quote(session, venue, rules, night, sitting, wanted, now)
        quotes = prices.of(wanted)  # a table the rules cannot price: TableNotPriced (409)
        written = _hold_values(venue, req, sitting, wanted, quotes, rules, actor, now)
    except DomainError as exc:
        return Refused(exc, wrote=False)
    state = await _claim_free(session, venue, night, sitting, req, now, first)
    if isinstance(state, Refused):
        return state
    try:
        if any(w.lapsed for w in state):
            tables = [t.id for t in wanted]
            await expire_lapsed(session, venue.tenant_id, tables, sitting, actor, now)
        hold = await _insert(session, written, wanted)
    except DomainError as exc:
        return Refused(exc, wrote=True)
    claim.taken_after_commit(
        session,
        venue.tenant_id,
        venue.id,
        spots(venue, req, sitting),
        hold.reservation.expires_at or now,
    )
    return hold


def spots(venue: Venue, req: HoldRequest, sitting: Sitting | None = None) -> list[claim.Spot]:
    """The claim markers' names for the request's tables: as asked (the sitting the
    request named, or None) and, once known, under the sitting it got."""
    asked = {req.sitting_id} if sitting is None else {req.sitting_id, sitting.id}
    return [
        claim.Spot(venue.slug, table_id, req.business_date, sid)
        for table_id in req.table_ids
        for sid in asked
    ]


async def _look(
    session: AsyncSession,
    venue: Venue,
    night: Night,
    sitting: Sitting,
    req: HoldRequest,
    now: datetime,
    attempt: int,
) -> list[availability.Wanted]:
    """The wanted tables' versions and state in one statement; refuses if any is taken."""
    state = await availability.wanted_state(session, venue, night, sitting, req.table_ids, now)
    if attempt == 0:  # the request itself is checked once, against the first read
        availability.pick([w.table for w in state], req.table_ids)
        await _check_seating(session, venue, [w.table for w in state], req.party_size)
    elif len(state) != len(set(req.table_ids)):
        raise NotFound("that table was just taken off the floor plan")
    unavailable = [w.table for w in state if w.taken or w.blocked]
    if unavailable:
        if all(w.taken for w in state if w.table in unavailable):  # committed by someone
            claim.taken_now(venue.tenant_id, venue.id, spots(venue, req, sitting), now)
        labels = ", ".join(t.label for t in unavailable)
        raise TableUnavailable(f"just taken: {labels}", table_ids=[str(t.id) for t in unavailable])
    return state


async def _claim_free(
    session: AsyncSession,
    venue: Venue,
    night: Night,
    sitting: Sitting,
    req: HoldRequest,
    now: datetime,
    first: list[availability.Wanted],
) -> list[availability.Wanted] | Refused:
    """Claim the wanted tables if they are free, starting from the look already taken
    (versions and state come from one statement, so the claim is handed both). A refusal
    at the first look wrote nothing; a later one comes after a version bump (a partial
    claim of several tables is a write)."""
    looks = 0

    async def look(attempt: int) -> tuple[claim.Versions, list[availability.Wanted]]:
        nonlocal looks
        looks = attempt + 1
        state = (
            first
            if attempt == 0
            else await _look(session, venue, night, sitting, req, now, attempt)
        )
        return {w.table.id: w.version for w in state}, state

    try:
        return await claim.tables_seen(session, venue.tenant_id, look)
    except DomainError as exc:
        return Refused(exc, wrote=looks > 1)


async def _quote(
    session: AsyncSession,
    venue: Venue,
    rules: VenueRules,
    night: Night,
    sitting: Sitting,
    wanted: list[VenueTable],
    now: datetime,
) -> quoting.Prices:
    """Priced against the night as it was before this hold, as the guest saw it. Demand
    counts and pace cost a query each, so they are read only when a rule uses them."""
    price_rules = await quoting.pricing_rules(session, venue, rules, wanted)
    counts = (
        await availability.tier_counts(session, venue, night, sitting, now)
        if quoting.uses(price_rules, "demand")
        else {}
    )
    pace = None
    if quoting.uses(price_rules, "pace"):
        pace = await quoting.pace_of(session, venue, night, now)
    return quoting.quote_tables(price_rules, night, sitting, wanted, counts, now, pace)


@dataclass(frozen=True)
class _Written:
    """A hold's rows, built in Python before the claim so that none of this work runs
    while the tables are locked."""

    reservation: Reservation
    token: str
    journal: Journal


def _hold_values(
    venue: Venue,
    req: HoldRequest,
    sitting: Sitting,
    wanted: list[VenueTable],
    quotes: list[Quote],
    rules: VenueRules,
    actor: Actor,
    now: datetime,
) -> _Written:
    token = req.token or new_token()
    res = Reservation(
        id=uuid.uuid4(),
        tenant_id=venue.tenant_id,
        venue_id=venue.id,
        night_id=sitting.night_id,
        sitting_id=sitting.id,
        status=Status.HOLD.value,
        starts_at=req.starts_at or sitting.starts_at,
        ends_at=req.ends_at or sitting.ends_at,
        expires_at=now + timedelta(minutes=req.hold_minutes or rules.hold_minutes),
        party_size=req.party_size,
        guest_id=None,
        host_id=req.host_id,
        channel=req.channel,
        created_by=str(actor),
        currency=venue.currency,
        quoted_minimum=sum(q.minimum.amount for q in quotes),
        quoted_deposit=booking_deposit(quotes, req.party_size),
        quote={
            "tables": [
                {"table_id": str(t.id), "label": t.label, **q.to_dict()}
                for t, q in zip(wanted, quotes, strict=True)
            ]
        },
        notes=req.notes,
        token_hash=hash_token(token),
        cancel_reason=None,
        series_id=req.series_id,
        series_date=req.series_date,
        version=1,
        created_at=now,
        updated_at=now,
    )
    return _Written(res, token, _journal_row(res, actor, "reservation.held", None, now, wanted))


async def insert_hold(
    session: AsyncSession,
    venue: Venue,
    req: HoldRequest,
    sitting: Sitting,
    wanted: list[VenueTable],
    quotes: list[Quote],
    rules: VenueRules,
    actor: Actor,
    now: datetime,
) -> Hold:
    """Write the hold and its allocations. Only safe after the tables were claimed."""
    written = _hold_values(venue, req, sitting, wanted, quotes, rules, actor, now)
    return await _insert(session, written, wanted)


async def _insert(session: AsyncSession, written: _Written, wanted: list[VenueTable]) -> Hold:
    """The reservation, its allocations, audit entry and outbox event: one statement on
    PostgreSQL (``HOLD_INSERT``, built once), the same rows one by one elsewhere. The
    reservation joins the session as loaded, without a read back."""
    res = written.reservation
    values = {c.key: getattr(res, c.key) for c in Reservation.__table__.columns}
    async with claim.refused_as_taken():  # an overlap that slipped past the claim
        if session.get_bind().dialect.name == "postgresql":
            await session.execute(
                HOLD_INSERT,
                {
                    **values,
                    "table_ids": [t.id for t in wanted],
                    **written.journal.params(),
                },
            )
        else:
            await session.execute(insert(Reservation), values)
            await session.execute(
                insert(ReservationTable),
                [
                    {
                        "id": uuid.uuid4(),
                        "tenant_id": res.tenant_id,
                        "reservation_id": res.id,
                        "table_id": t.id,
                        "status": res.status,
                        "starts_at": res.starts_at,
                        "ends_at": res.ends_at,
                    }
                    for t in wanted
                ],
            )
            await written.journal.insert(session)
    make_transient_to_detached(res)
    session.add(res)
    return Hold(res, written.token, wanted)


@dataclass(frozen=True)
class Completed:
    """A completed hold with what the response needs, read on the way (no re-query)."""

    reservation: Reservation
    tables: list[VenueTable]
    business_date: date
    guest: Guest


async def complete_hold(
    session: AsyncSession,
    venue: Venue,
    res: Reservation,
    who: GuestIdentity,
    actor: Actor,
    now: datetime,
    *,
    notes: str | None = None,
    enforce_cap: bool = True,
    rules: VenueRules | None = None,
) -> Completed:
    """Attach the guest; confirm, or wait for the deposit in ``pending_payment``. Returns
    the reservation with its tables, the night's date and the guest. Pass the venue's
    ``rules`` if they were read in this transaction already."""
    if res.status != Status.HOLD:
        raise InvalidTransition(f"this reservation is already {res.status}")
    if res.expires_at is not None and res.expires_at <= now:
        raise HoldExpired("the hold has expired; choose the table again")
    if rules is None:
        rules = await venues.rules_of(session, venue)
    day, count = await _booked_that_night(session, venue, res.night_id, who, now)
    if enforce_cap and count >= rules.per_guest_daily_cap:
        raise GuestDailyCap(
            f"you already have {count} booking{'s' if count != 1 else ''} on "
            f"{day:%A %d %B}, the most one guest can make for a night here. Keep the one you "
            f"have, or cancel it with the link in its confirmation and book again; to change "
            f"a booking, call the venue",
            cap=rules.per_guest_daily_cap,
            booked=count,
            date=day.isoformat(),
        )
    if res.quoted_deposit > 0:
        to, expires = Status.PENDING_PAYMENT, now + timedelta(minutes=rules.payment_hold_minutes)
        expires = max(expires, res.expires_at or expires)
    else:
        to, expires = Status.CONFIRMED, None
    notes = notes if notes is not None else res.notes
    write = (
        _complete_at_once if session.get_bind().dialect.name == "postgresql" else _complete_by_orm
    )
    res, tables, guest = await write(session, res, who, to, actor, now, expires, notes)
    return Completed(res, tables, day, guest)


async def _complete_by_orm(
    session: AsyncSession,
    res: Reservation,
    who: GuestIdentity,
    to: Status,
    actor: Actor,
    now: datetime,
    expires_at: datetime | None,
    notes: str | None,
) -> tuple[Reservation, list[VenueTable], Guest]:
    """The guest found or created, then the versioned transition, statement by statement
    (SQLite; the reference ``_complete_at_once`` is tested against on PostgreSQL)."""
    guest = await guests.find_or_create(session, res.tenant_id, who)
    res, tables = await _transition(
        session, res, to, actor, now, guest_id=guest.id, expires_at=expires_at, notes=notes
    )
    return res, tables, guest


async def _complete_at_once(
    session: AsyncSession,
    res: Reservation,
    who: GuestIdentity,
    to: Status,
    actor: Actor,
    now: datetime,
    expires_at: datetime | None,
    notes: str | None,
) -> tuple[Reservation, list[VenueTable], Guest]:
    """``_complete_by_orm`` as one statement (``COMPLETE``): everything is computed
    first, so the reservation's row lock is held for one round trip and no Python work
    until the caller commits."""
    if to not in TRANSITIONS.get(Status(res.status), frozenset()):
        raise InvalidTransition(f"a {res.status} reservation cannot become {to.value}")
    values = {"status": to.value, "updated_at": now, "expires_at": expires_at, "notes": notes}
    version = res.version + 1
    before = snapshot(res)
    after = snapshot(res, **values, version=version)
    topic = f"reservation.{to.value}"
    journal = _journal_of(res, actor, topic, before, after, now, payload=after)
    await session.flush()  # what the caller added goes first, as the ORM path's autoflush
    rows = (
        await session.execute(
            COMPLETE,
            {
                **values,
                "tenant_id": res.tenant_id,
                "email": who.email,
                "phone": who.phone,
                "guest_id": uuid.uuid4(),
                "guest_name": who.name,
                "guest_created_at": utcnow(),
                "reservation_id": res.id,
                "seen_version": res.version,
                "new_version": version,
                **journal.params(),
            },
        )
    ).all()
    if not rows:
        raise StaleReservation("the reservation changed meanwhile; reload and try again")
    first = rows[0]._mapping
    guest = _as_loaded(
        session, Guest, {c: first["guest_" + c] for c in _GUEST_COLUMNS}, ("email", "phone")
    )
    tables = [
        _as_loaded(session, VenueTable, {c: row._mapping["table_" + c] for c in _TABLE_COLUMNS})
        for row in rows
        if row._mapping["table_id"] is not None
    ]
    for key, value in {**values, "guest_id": guest.id, "version": version}.items():
        set_committed_value(res, key, value)
    if to not in OCCUPYING:  # as ``_transition``
        claim.forget(t.id for t in tables)
    return res, tables, guest


def _as_loaded(
    session: AsyncSession, cls: Any, values: dict[str, Any], fresh: tuple[str, ...] = ()
) -> Any:
    """The session's object for a row a Core statement returned: the one it has loaded
    already, its ``fresh`` attributes brought up to date, or a new one joined as loaded."""
    obj = session.sync_session.identity_map.get(identity_key(cls, values["id"]))
    if obj is None:
        obj = cls(**values)
        make_transient_to_detached(obj)
        session.add(obj)
    else:
        for key in fresh:
            set_committed_value(obj, key, values[key])
    return obj


async def _booked_that_night(
    session: AsyncSession, venue: Venue, night_id: uuid.UUID, who: GuestIdentity, now: datetime
) -> tuple[date, int]:
    """The night's date and the person's live bookings that night, in one round trip.

    The person is whoever shares the email *or* the phone, as guest records are matched
    (``guests.find_or_create``): changing only one of them is still the same guest, and two
    records (one found by email, one by phone) both count. A booking awaiting its deposit
    counts while its payment hold runs; a lapsed one (not yet swept) does not. A venue has
    one night per date (unique), so "that date" is "that night"."""
    same = [Guest.email == who.email] if who.email else []
    if who.phone:
        same.append(Guest.phone == who.phone)
    live = or_(
        Reservation.status.in_([s.value for s in CAPPED]),
        and_(Reservation.status == Status.PENDING_PAYMENT.value, Reservation.expires_at > now),
    )
    count = (
        select(func.count(Reservation.id))
        .join(Guest, Guest.id == Reservation.guest_id)
        .where(
            Reservation.tenant_id == venue.tenant_id,
            Reservation.venue_id == venue.id,
            Reservation.night_id == Night.id,
            Guest.tenant_id == venue.tenant_id,
            or_(*same) if same else false(),
            live,
        )
        .scalar_subquery()
    )
    row = (
        await session.execute(
            select(Night.business_date, count).where(
                Night.tenant_id == venue.tenant_id, Night.venue_id == venue.id, Night.id == night_id
            )
        )
    ).first()
    if row is None:
        raise NotFound("no such night")
    return row[0], int(row[1] or 0)


async def release_refused(
    session: AsyncSession, venue: Venue, token: str, actor: Actor, now: datetime
) -> None:
    """Give back the tables of a hold whose completion was refused (the daily cap): the
    refusal rolled back, so this runs in its own transaction, and the guest is not left
    blocking a table they cannot book until the hold runs out."""
    res = await by_token(session, venue, token)
    if res.status == Status.HOLD:
        await cancel(session, res, actor, now, "refused: per-guest daily cap")


async def cancel(
    session: AsyncSession, res: Reservation, actor: Actor, now: datetime, reason: str
) -> Reservation:
    """Idempotent: cancelling a cancelled reservation changes nothing and fires nothing."""
    if res.status == Status.CANCELLED:
        return res
    return await transition(session, res, Status.CANCELLED, actor, now, cancel_reason=reason)


async def write_versioned(
    session: AsyncSession, res: Reservation, values: dict[str, Any], *guards: Any
) -> None:
    """``UPDATE ... WHERE id AND version = :seen`` (plus any extra ``guards``), bumping the
    version; zero rows means someone else changed it first (409). The loaded object is
    brought up to date without marking it dirty."""
    result = await session.execute(
        update(Reservation)
        .where(Reservation.id == res.id, Reservation.version == res.version, *guards)
        .values(**values, version=res.version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise StaleReservation("the reservation changed meanwhile; reload and try again")
    for key, value in {**values, "version": res.version + 1}.items():
        set_committed_value(res, key, value)


async def transition(
    session: AsyncSession,
    res: Reservation,
    to: Status,
    actor: Actor,
    now: datetime,
    **changes: Any,
) -> Reservation:
    """Move along the lifecycle under the reservation's version (zero rows: 409)."""
    return (await _transition(session, res, to, actor, now, **changes))[0]


async def _transition(
    session: AsyncSession,
    res: Reservation,
    to: Status,
    actor: Actor,
    now: datetime,
    **changes: Any,
) -> tuple[Reservation, list[VenueTable]]:
    if to not in TRANSITIONS.get(Status(res.status), frozenset()):
        raise InvalidTransition(f"a {res.status} reservation cannot become {to.value}")
    before = snapshot(res)
    values = {"status": to.value, "updated_at": now, **changes}
    if to not in EXPIRING:
        values.setdefault("expires_at", None)
    await write_versioned(session, res, values)
    tables = await tables_of(session, res)
    if to not in OCCUPYING:  # this process's markers must not refuse these tables now
        claim.forget(t.id for t in tables)
    _journal(session, res, actor, f"reservation.{to.value}", before, now, tables)
    return res, tables


async def expire_due(session: AsyncSession, now: datetime, limit: int = 200) -> int:
    """Mark lapsed holds and payments expired (the sweeper; correctness never waits on it)."""
    stmt = (
        select(Reservation)
        .where(Reservation.status.in_(list(EXPIRING)), Reservation.expires_at <= now)
        .order_by(Reservation.expires_at)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    count = 0
    for res in await session.scalars(stmt):
        try:
            async with session.begin_nested():
                await transition(session, res, Status.EXPIRED, Actor("system"), now)
            count += 1
        except StaleReservation:
            continue
    return count


async def tables_of(session: AsyncSession, res: Reservation) -> list[VenueTable]:
    rows = await session.scalars(
        select(VenueTable)
        .join(ReservationTable, ReservationTable.table_id == VenueTable.id)
        .where(
            ReservationTable.tenant_id == res.tenant_id,
            ReservationTable.reservation_id == res.id,
        )
        .order_by(VenueTable.label)
    )
    return list(rows)


async def by_token(session: AsyncSession, venue: Venue, token: str) -> Reservation:
    res = await session.scalar(
        select(Reservation).where(
            Reservation.tenant_id == venue.tenant_id,
            Reservation.venue_id == venue.id,
            Reservation.token_hash == hash_token(token),
        )
    )
    if res is None:
        raise NotFound("no such reservation")
    return res


async def by_token_with_rules(
    session: AsyncSession, venue: Venue, token: str
) -> tuple[Reservation, VenueRules | None]:
    """``by_token`` with the venue's rules in the same round trip (for completing a hold)."""
    row = (
        await session.execute(
            select(Reservation, VenueRules)
            .outerjoin(
                VenueRules,
                and_(
                    VenueRules.venue_id == Reservation.venue_id,
                    VenueRules.tenant_id == Reservation.tenant_id,
                ),
            )
            .where(
                Reservation.tenant_id == venue.tenant_id,
                Reservation.venue_id == venue.id,
                Reservation.token_hash == hash_token(token),
            )
        )
    ).first()
    if row is None:
        raise NotFound("no such reservation")
    return row[0], row[1]


def _check_party_limits(rules: VenueRules, party_size: int) -> None:
    if not rules.min_party <= party_size <= rules.max_party:
        raise PartySizeNotAllowed(
            f"online bookings are for parties of {rules.min_party} to {rules.max_party}",
            min_party=rules.min_party,
            max_party=rules.max_party,
        )


def _check_window(rules: VenueRules, starts_at: datetime, now: datetime) -> None:
    if now > starts_at - timedelta(minutes=rules.cutoff_minutes):
        raise BookingCutoff(
            f"online booking closes {rules.cutoff_minutes} minutes before the night starts"
        )
    if starts_at - now > timedelta(days=rules.booking_window_days):
        raise NotYetOpen(f"bookings open {rules.booking_window_days} days ahead")


async def _check_seating(
    session: AsyncSession, venue: Venue, wanted: list[VenueTable], party_size: int
) -> None:
    if len(wanted) == 1:
        table = wanted[0]
        if not table.min_party <= party_size <= table.max_party:
            raise PartySizeNotAllowed(
                f"table {table.label} seats {table.min_party} to {table.max_party}"
            )
        return
    ids = [t.id for t in wanted]
    links = await availability.links_between(session, venue.tenant_id, ids)
    if not availability.connected(ids, links):
        raise TablesNotJoinable("those tables cannot be joined")
    capacity = sum(t.max_party for t in wanted)
    spare = capacity - min(t.max_party for t in wanted)
    if party_size > capacity:
        raise PartySizeNotAllowed(f"those tables seat at most {capacity}")
    if party_size <= spare:
        raise PartySizeNotAllowed("the party fits with fewer tables; choose fewer")


# The checks and the price of a hold, public for the one other path that books a sitting
# the same way: the guest's reschedule (venue/reservations/reschedule.py).
check_window = _check_window
check_seating = _check_seating
quote_night = _quote


async def expire_lapsed(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    table_ids: list[uuid.UUID],
    sitting: Sitting,
    actor: Actor,
    now: datetime,
) -> None:
    """Expire the lapsed holds and payments on these tables in the sitting. Call it after
    claiming them and before occupying them: the exclusion constraint still counts a
    lapsed hold the sweeper has not marked yet."""
    stale = await session.scalars(
        select(Reservation).where(
            Reservation.status.in_(list(EXPIRING)),
            Reservation.expires_at <= now,
            Reservation.id.in_(
                select(ReservationTable.reservation_id).where(
                    ReservationTable.tenant_id == tenant_id,
                    ReservationTable.table_id.in_(table_ids),
                    ReservationTable.starts_at < sitting.ends_at,
                    ReservationTable.ends_at > sitting.starts_at,
                )
            ),
        )
    )
    for res in list(stale):
        await transition(session, res, Status.EXPIRED, actor, now)


def _journal_row(
    res: Reservation,
    actor: Actor,
    topic: str,
    before: dict[str, Any] | None,
    now: datetime,
    tables: list[VenueTable],
) -> Journal:
    after = snapshot(res)
    payload = {**after, "table_ids": [str(t.id) for t in tables]}
    return _journal_of(res, actor, topic, before, after, now, payload)


def _journal_of(
    res: Reservation,
    actor: Actor,
    topic: str,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    now: datetime,
    payload: dict[str, Any],
) -> Journal:
    return Journal(
        tenant_id=res.tenant_id,
        actor=str(actor),
        action=topic,
        entity="reservation",
        entity_id=str(res.id),
        before=before,
        after=after,
        at=now,
        topic=topic,
        channel=night_channel(res.night_id),
        payload=payload,
    )


def _journal(
    session: AsyncSession,
    res: Reservation,
    actor: Actor,
    topic: str,
    before: dict[str, Any] | None,
    now: datetime,
    tables: list[VenueTable],
) -> None:
    row = _journal_row(res, actor, topic, before, now, tables)
    record(
        session,
        tenant_id=row.tenant_id,
        actor=row.actor,
        action=row.action,
        entity=row.entity,
        entity_id=row.entity_id,
        before=row.before,
        after=row.after,
        at=row.at,
        topic=row.topic,
        channel=row.channel,
        payload=row.payload,
    )
