"""A freed table goes to the first waiting party it fits, as a real hold."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import link
from venue.core.actor import GUEST
from venue.models import EntryStatus, OfferStatus, Reservation, Status
from venue.reservations import booking
from venue.setup import rules as rules_admin
from venue.waitlist import offers

from .helpers import NOW, SECRET, cancel, consume, full_night, join, offers_of


async def test_a_cancellation_goes_to_the_first_entry_it_fits_skipping_a_party_too_big(
    session: AsyncSession,
) -> None:
    world, booked = await full_night(session, tables=2, seats=(1, 2))
    await link(session, world, "T1", "T2")
    six = await join(session, world, "Six", party=6)
    two = await join(session, world, "Two", party=2)
    await cancel(session, booked[0])
    await cancel(session, booked[1])

    made = await consume(session)

    assert [o.entry_id for o in made] == [two.entry.id]
    assert six.entry.status == EntryStatus.WAITING  # two 2-tops never seat six
    assert two.entry.status == EntryStatus.OFFERED
    offer = made[0]
    assert offer.status == OfferStatus.OPEN and len(offer.table_ids) == 1
    hold = await session.get_one(Reservation, offer.reservation_id)
    assert hold.status == Status.HOLD and hold.channel == "waitlist"
    assert hold.expires_at == offer.expires_at == NOW + timedelta(minutes=15)


async def test_a_party_of_six_is_offered_joined_tables_that_seat_it(
    session: AsyncSession,
) -> None:
    world, booked = await full_night(session, tables=2, seats=(1, 4))
    await link(session, world, "T1", "T2")
    six = await join(session, world, "Six", party=6)
    await cancel(session, booked[0])
    assert await consume(session) == []  # one 4-top does not seat six
    await cancel(session, booked[1])
    made = await consume(session)
    assert [o.entry_id for o in made] == [six.entry.id]
    assert len(made[0].table_ids) == 2


async def test_a_lapsed_offer_hands_the_table_to_the_next_entry(session: AsyncSession) -> None:
    world, booked = await full_night(session, tables=1)
    first = await join(session, world, "First")
    second = await join(session, world, "Second")
    await cancel(session, booked[0])
    [offer] = await consume(session)
    assert offer.entry_id == first.entry.id

    later = offer.expires_at + timedelta(seconds=1)
    # Other tests' holds share the database: at least this offer's hold expires.
    assert await booking.expire_due(session, later) >= 1
    [handed] = [o for o in await consume(session, later) if o.venue_id == world.venue.id]

    assert offer.status == OfferStatus.LAPSED
    assert first.entry.status == EntryStatus.LAPSED
    assert handed.entry_id == second.entry.id
    assert handed.table_ids == offer.table_ids


async def test_a_declined_offer_hands_the_table_on(session: AsyncSession) -> None:
    world, booked = await full_night(session, tables=1)
    first = await join(session, world, "First")
    second = await join(session, world, "Second")
    await cancel(session, booked[0])
    [offer] = await consume(session)
    token = offers.offer_token(SECRET, offer.id)

    await offers.decline(session, world.venue, token, GUEST, NOW)
    [handed] = await consume(session)

    assert first.entry.status == EntryStatus.DECLINED
    assert handed.entry_id == second.entry.id


async def test_two_freed_tables_and_one_entry_make_one_offer(session: AsyncSession) -> None:
    world, booked = await full_night(session, tables=2)
    only = await join(session, world, "Only")
    await cancel(session, booked[0])
    await cancel(session, booked[1])

    made = await consume(session)
    night = next(iter(world.nights.values()))
    again = await offers.fill_night(session, world.venue, night, NOW, SECRET)

    assert [o.entry_id for o in made] == [only.entry.id]
    assert again == []
    assert len(await offers_of(session, world)) == 1


async def test_two_entries_never_hold_the_same_table(session: AsyncSession) -> None:
    world, booked = await full_night(session, tables=1)
    await join(session, world, "A")
    await join(session, world, "B")
    await cancel(session, booked[0])
    night = next(iter(world.nights.values()))
    first = await offers.fill_night(session, world.venue, night, NOW, SECRET)
    second = await offers.fill_night(session, world.venue, night, NOW, SECRET)
    assert len(first) == 1 and second == []


async def test_accepting_books_once(session: AsyncSession) -> None:
    world, booked = await full_night(session, tables=1)
    entry = await join(session, world, "Ada")
    await cancel(session, booked[0])
    [offer] = await consume(session)
    token = offers.offer_token(SECRET, offer.id)

    done = await offers.accept(session, world.venue, token, GUEST, NOW)

    assert done.reservation.status == Status.CONFIRMED and not done.needs_payment
    assert entry.entry.status == EntryStatus.BOOKED
    assert entry.entry.reservation_id == done.reservation.id
    with pytest.raises(offers.OfferClosed):
        await offers.accept(session, world.venue, token, GUEST, NOW)


async def test_a_deposit_tier_waits_for_checkout(session: AsyncSession) -> None:
    world, booked = await full_night(session, tables=1, deposit_bp=2500)
    await join(session, world, "Ada")
    await cancel(session, booked[0])
    [offer] = await consume(session)
    done = await offers.accept(
        session, world.venue, offers.offer_token(SECRET, offer.id), GUEST, NOW
    )
    assert done.needs_payment and done.reservation.status == Status.PENDING_PAYMENT
    # The hold's own token is the offer's: Checkout finds the reservation with it.
    same = await booking.by_token(session, world.venue, offers.offer_token(SECRET, offer.id))
    assert same.id == done.reservation.id


async def test_a_lapsed_offer_cannot_be_accepted(session: AsyncSession) -> None:
    world, booked = await full_night(session, tables=1)
    await join(session, world, "Ada")
    await cancel(session, booked[0])
    [offer] = await consume(session)
    with pytest.raises(offers.OfferLapsed):
        await offers.accept(
            session,
            world.venue,
            offers.offer_token(SECRET, offer.id),
            GUEST,
            offer.expires_at,
        )


async def test_offers_are_shorter_close_to_service(session: AsyncSession) -> None:
    world, booked = await full_night(session, tables=1)
    await rules_admin.update_rules(
        session,
        world.venue,
        {"waitlist_offer_minutes": 20, "waitlist_short_offer_minutes": 4},
        1,
        GUEST,
        NOW,
    )
    await join(session, world, "Ada")
    sitting_start = booked[0].starts_at
    late = sitting_start - timedelta(minutes=60)  # inside the default 180 minutes
    await cancel(session, booked[0], late)
    [offer] = await consume(session, late)
    assert offer.expires_at == late + timedelta(minutes=4)


async def test_leaving_withdraws_the_offer_and_hands_the_table_on(session: AsyncSession) -> None:
    world, booked = await full_night(session, tables=1)
    first = await join(session, world, "First")
    second = await join(session, world, "Second")
    await cancel(session, booked[0])
    [offer] = await consume(session)
    await offers.leave(session, world.venue, first.entry, GUEST, NOW)
    [handed] = await consume(session)
    assert offer.status == OfferStatus.WITHDRAWN
    assert handed.entry_id == second.entry.id


async def test_entries_outside_their_tiers_or_latest_time_are_skipped(
    session: AsyncSession,
) -> None:
    world, booked = await full_night(session, tables=2, tiers=("vip", "standard"))
    from datetime import time

    vip_only = await join(session, world, "Vip", tiers=["vip"])
    too_early = await join(session, world, "Early", latest_time=time(21, 0))
    anyone = await join(session, world, "Anyone")
    standard = next(r for r in booked if r.quote["tables"][0]["label"] == "T2")
    await cancel(session, standard)
    made = await consume(session)
    assert [o.entry_id for o in made] == [anyone.entry.id]
    assert vip_only.entry.status == too_early.entry.status == EntryStatus.WAITING
