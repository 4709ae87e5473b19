"""The booking transaction: holds, completion, cancellation, expiry and the rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import World, create_night_for, create_venue, link
from venue.core import errors
from venue.core.actor import GUEST
from venue.guests.identity import identify
from venue.models import AuditEntry, OutboxEvent, Reservation, Status
from venue.reservations import booking
from venue.setup.nights import SittingSpec

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SAT = date(2026, 11, 21)
ADA = identify("Ada Lovelace", "ada@example.com", None, "GB")


async def world_with_night(session: AsyncSession, **kw: object) -> World:
    world = await create_venue(session, **kw)  # type: ignore[arg-type]
    await create_night_for(session, world, SAT, now=NOW)
    return world


def hold_req(world: World, *labels: str, party: int = 2, **kw: object) -> booking.HoldRequest:
    ids = [world.table(label).id for label in labels or ("T1",)]
    return booking.HoldRequest(business_date=SAT, table_ids=ids, party_size=party, **kw)  # type: ignore[arg-type]


async def test_hold_then_complete_confirms_without_deposit(session: AsyncSession) -> None:
    world = await world_with_night(session)
    hold = await booking.place_hold(session, world.venue, hold_req(world), GUEST, NOW)
    assert hold.reservation.status == Status.HOLD
    assert hold.reservation.expires_at == NOW + timedelta(minutes=10)
    assert hold.reservation.quoted_minimum == 50000 and hold.reservation.quoted_deposit == 0

    res = (
        await booking.complete_hold(session, world.venue, hold.reservation, ADA, GUEST, NOW)
    ).reservation
    assert res.status == Status.CONFIRMED
    assert res.expires_at is None and res.guest_id is not None and res.version == 2


async def test_deposit_waits_in_pending_payment_at_least_as_long_as_checkout(
    session: AsyncSession,
) -> None:
    world = await world_with_night(session, deposit_bp=2500)
    hold = await booking.place_hold(session, world.venue, hold_req(world), GUEST, NOW)
    assert hold.reservation.quoted_deposit == 12500
    res = (
        await booking.complete_hold(session, world.venue, hold.reservation, ADA, GUEST, NOW)
    ).reservation
    assert res.status == Status.PENDING_PAYMENT
    assert res.expires_at == NOW + timedelta(minutes=30)


async def test_second_hold_on_a_taken_table_is_refused(session: AsyncSession) -> None:
    world = await world_with_night(session)
    await booking.place_hold(session, world.venue, hold_req(world), GUEST, NOW)
    with pytest.raises(errors.TableUnavailable) as exc:
        await booking.place_hold(session, world.venue, hold_req(world), GUEST, NOW)
    assert exc.value.code == "table_unavailable"
    assert exc.value.extra["table_ids"] == [str(world.table("T1").id)]
    # A different table is still fine.
    await booking.place_hold(session, world.venue, hold_req(world, "T2"), GUEST, NOW)


async def test_lapsed_hold_blocks_nobody_and_is_marked_expired(session: AsyncSession) -> None:
    world = await world_with_night(session)
    first = await booking.place_hold(session, world.venue, hold_req(world), GUEST, NOW)
    later = NOW + timedelta(minutes=10)  # expires_at is exclusive
    second = await booking.place_hold(session, world.venue, hold_req(world), GUEST, later)
    assert second.reservation.status == Status.HOLD
    await session.refresh(first.reservation)
    assert first.reservation.status == Status.EXPIRED
    with pytest.raises(errors.InvalidTransition):
        await booking.complete_hold(session, world.venue, first.reservation, ADA, GUEST, later)


async def test_completing_a_lapsed_hold_is_gone(session: AsyncSession) -> None:
    world = await world_with_night(session)
    hold = await booking.place_hold(session, world.venue, hold_req(world), GUEST, NOW)
    with pytest.raises(errors.HoldExpired) as exc:
        await booking.complete_hold(
            session, world.venue, hold.reservation, ADA, GUEST, NOW + timedelta(minutes=11)
        )
    assert exc.value.status == 410


async def test_cancel_frees_the_table_and_is_idempotent(session: AsyncSession) -> None:
    world = await world_with_night(session)
    hold = await booking.place_hold(session, world.venue, hold_req(world), GUEST, NOW)
    res = (
        await booking.complete_hold(session, world.venue, hold.reservation, ADA, GUEST, NOW)
    ).reservation
    await booking.cancel(session, res, GUEST, NOW, "changed plans")
    await booking.cancel(session, res, GUEST, NOW, "clicked twice")
    await session.flush()
    topics = list(
        await session.scalars(
            select(OutboxEvent.topic)
            .where(OutboxEvent.tenant_id == world.venue.tenant_id)
            .order_by(OutboxEvent.id)
        )
    )
    assert topics == ["reservation.held", "reservation.confirmed", "reservation.cancelled"]
    assert res.cancel_reason == "changed plans"
    again = await booking.place_hold(session, world.venue, hold_req(world), GUEST, NOW)
    assert again.reservation.status == Status.HOLD


async def test_every_write_is_audited_with_actor_before_and_after(session: AsyncSession) -> None:
    world = await world_with_night(session)
    hold = await booking.place_hold(session, world.venue, hold_req(world), GUEST, NOW)
    await booking.complete_hold(session, world.venue, hold.reservation, ADA, GUEST, NOW)
    await session.flush()
    entries = list(
        await session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.tenant_id == world.venue.tenant_id, AuditEntry.entity == "reservation"
            )
            .order_by(AuditEntry.id)
        )
    )
    assert [e.action for e in entries] == ["reservation.held", "reservation.confirmed"]
    assert entries[0].before is None and entries[0].after["status"] == "hold"
    assert entries[1].before["status"] == "hold" and entries[1].after["status"] == "confirmed"
    assert all(e.actor == "guest" for e in entries)


async def test_stale_version_is_a_conflict(session: AsyncSession) -> None:
    world = await world_with_night(session)
    hold = await booking.place_hold(session, world.venue, hold_req(world), GUEST, NOW)
    res = hold.reservation
    await booking.transition(session, res, Status.CANCELLED, GUEST, NOW)
    res.__dict__["version"] = 1  # what a concurrent reader saw before the cancel
    res.__dict__["status"] = Status.HOLD
    with pytest.raises(errors.StaleReservation) as exc:
        await booking.transition(session, res, Status.CONFIRMED, GUEST, NOW)
    assert exc.value.status == 409 and exc.value.code == "reservation_changed"


@pytest.mark.parametrize(
    ("setup", "kwargs", "error"),
    [
        ("closed", {}, errors.NightClosed),
        ("none", {"party": 30}, errors.PartySizeNotAllowed),
        ("none", {"party": 7}, errors.PartySizeNotAllowed),  # the table seats 1-6
        ("cutoff", {}, errors.BookingCutoff),
        ("far", {}, errors.NotYetOpen),
    ],
)
async def test_refusals(session: AsyncSession, setup: str, kwargs: dict, error: type) -> None:
    world = await world_with_night(session)
    night = world.nights[SAT]
    now = NOW
    if setup == "closed":
        night.is_closed = True
    elif setup == "cutoff":  # default cutoff: 60 minutes before 22:00 London (GMT)
        now = datetime(2026, 11, 21, 21, 1, tzinfo=UTC)
    elif setup == "far":
        now = NOW - timedelta(days=61)
    with pytest.raises(error) as exc:
        await booking.place_hold(
            session, world.venue, hold_req(world, party=kwargs.get("party", 2)), GUEST, now
        )
    assert exc.value.turnaway


async def test_staff_may_bypass_the_cutoff(session: AsyncSession) -> None:
    world = await world_with_night(session)
    late = datetime(2026, 11, 21, 23, 30, tzinfo=UTC)
    hold = await booking.place_hold(
        session, world.venue, hold_req(world, bypass_rules=True, channel="staff"), GUEST, late
    )
    assert hold.reservation.channel == "staff"


async def test_unknown_or_foreign_table_is_not_found(session: AsyncSession) -> None:
    world = await world_with_night(session)
    other = await world_with_night(session)
    req = booking.HoldRequest(SAT, [other.table("T1").id], 2)
    with pytest.raises(errors.NotFound):
        await booking.place_hold(session, world.venue, req, GUEST, NOW)


async def test_joined_tables_for_a_large_party(session: AsyncSession) -> None:
    world = await world_with_night(session)
    await link(session, world, "T1", "T2")
    hold = await booking.place_hold(
        session, world.venue, hold_req(world, "T1", "T2", party=10), GUEST, NOW
    )
    assert hold.reservation.quoted_minimum == 100000  # both tables' minimums
    assert sorted(t.label for t in hold.tables) == ["T1", "T2"]
    with pytest.raises(errors.TablesNotJoinable):
        await booking.place_hold(
            session, world.venue, hold_req(world, "T3", "T4", party=10), GUEST, NOW
        )
    with pytest.raises(errors.TableUnavailable):  # one of the pair is taken
        await booking.place_hold(session, world.venue, hold_req(world, "T2"), GUEST, NOW)


async def test_joining_needs_every_table(session: AsyncSession) -> None:
    world = await world_with_night(session)
    await link(session, world, "T1", "T2")
    with pytest.raises(errors.PartySizeNotAllowed):
        await booking.place_hold(
            session, world.venue, hold_req(world, "T1", "T2", party=4), GUEST, NOW
        )


async def test_sittings_do_not_block_each_other(session: AsyncSession) -> None:
    world = await create_venue(session)
    night = await create_night_for(
        session,
        world,
        SAT,
        opens=time(17, 30),
        closes=time(23, 30),
        now=NOW,
        sittings=[
            SittingSpec("Early", time(18, 0), time(20, 15)),
            SittingSpec("Late", time(20, 30), time(23, 0)),
        ],
    )
    from venue.setup.venues import sittings_of

    early, late = await sittings_of(session, night)
    await booking.place_hold(session, world.venue, hold_req(world, sitting_id=early.id), GUEST, NOW)
    await booking.place_hold(session, world.venue, hold_req(world, sitting_id=late.id), GUEST, NOW)
    with pytest.raises(errors.TableUnavailable):
        await booking.place_hold(
            session, world.venue, hold_req(world, sitting_id=late.id), GUEST, NOW
        )


async def test_guest_daily_cap(session: AsyncSession) -> None:
    world = await world_with_night(session, rules={"per_guest_daily_cap": 1})
    first = await booking.place_hold(session, world.venue, hold_req(world, "T1"), GUEST, NOW)
    await booking.complete_hold(session, world.venue, first.reservation, ADA, GUEST, NOW)
    second = await booking.place_hold(session, world.venue, hold_req(world, "T2"), GUEST, NOW)
    same_person = identify("ADA L", "ADA@example.com", None, "GB")
    with pytest.raises(errors.GuestDailyCap):
        await booking.complete_hold(
            session, world.venue, second.reservation, same_person, GUEST, NOW
        )
    # Staff bookings may bypass the cap.
    res = (
        await booking.complete_hold(
            session, world.venue, second.reservation, same_person, GUEST, NOW, enforce_cap=False
        )
    ).reservation
    assert res.guest_id == first.reservation.guest_id


async def test_sweeper_expires_lapsed_holds_and_payments(session: AsyncSession) -> None:
    world = await world_with_night(session, deposit_bp=1000)
    a = await booking.place_hold(session, world.venue, hold_req(world, "T1"), GUEST, NOW)
    b = await booking.place_hold(session, world.venue, hold_req(world, "T2"), GUEST, NOW)
    await booking.complete_hold(session, world.venue, b.reservation, ADA, GUEST, NOW)
    await session.flush()
    # The sweeper serves every tenant, 200 rows a call, oldest first: drain it, so holds
    # other tests left behind in the same database cannot crowd this one out.
    expired = 0
    while swept := await booking.expire_due(session, NOW + timedelta(minutes=31)):
        expired += swept
    assert expired >= 2
    statuses = {
        r.id: r.status
        for r in await session.scalars(
            select(Reservation).where(Reservation.tenant_id == world.venue.tenant_id)
        )
    }
    assert statuses[a.reservation.id] == statuses[b.reservation.id] == Status.EXPIRED
    events = await session.scalar(
        select(func.count()).where(
            OutboxEvent.tenant_id == world.venue.tenant_id,
            OutboxEvent.topic == "reservation.expired",
        )
    )
    assert events == 2


async def test_a_refused_hold_is_a_value_that_says_it_wrote_nothing(
    session: AsyncSession,
) -> None:
    """The losers of a taken table are refused at the claim's first look, before any
    write, so their turnaway can share their transaction."""
    world = await world_with_night(session)
    await booking.place_hold(session, world.venue, hold_req(world), GUEST, NOW)
    refused = await booking.try_hold(session, world.venue, hold_req(world), GUEST, NOW)
    assert isinstance(refused, booking.Refused)
    assert refused.error.code == "table_unavailable" and refused.wrote is False


async def test_guest_daily_cap_matches_email_or_phone_and_skips_lapsed_deposits(
    session: AsyncSession,
) -> None:
    world = await world_with_night(session, deposit_bp=2500, rules={"per_guest_daily_cap": 1})
    ada = identify("Ada Lovelace", "ada@example.com", "+44 7700 900123", "GB")
    first = await booking.place_hold(session, world.venue, hold_req(world, "T1"), GUEST, NOW)
    await booking.complete_hold(session, world.venue, first.reservation, ada, GUEST, NOW)
    assert first.reservation.status == Status.PENDING_PAYMENT
    second = await booking.place_hold(session, world.venue, hold_req(world, "T2"), GUEST, NOW)
    new_email = identify("Ada", "ada@elsewhere.example", "07700 900123", "GB")
    with pytest.raises(errors.GuestDailyCap) as refused:
        await booking.complete_hold(session, world.venue, second.reservation, new_email, GUEST, NOW)
    assert refused.value.extra == {"cap": 1, "booked": 1, "date": SAT.isoformat()}
    # Once the first booking's payment hold has run out it no longer counts.
    later = NOW + timedelta(minutes=31)
    third = await booking.place_hold(session, world.venue, hold_req(world, "T3"), GUEST, later)
    res = (
        await booking.complete_hold(
            session, world.venue, third.reservation, new_email, GUEST, later
        )
    ).reservation
    assert res.status == Status.PENDING_PAYMENT


async def test_release_refused_cancels_the_hold(session: AsyncSession) -> None:
    world = await world_with_night(session)
    hold = await booking.place_hold(session, world.venue, hold_req(world), GUEST, NOW)
    await booking.release_refused(session, world.venue, hold.token, GUEST, NOW)
    assert hold.reservation.status == Status.CANCELLED
    assert hold.reservation.cancel_reason == "refused: per-guest daily cap"
