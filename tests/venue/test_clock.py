"""Nights that cross midnight and DST changes, stored in UTC, read in local time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_night_for, create_venue
from venue.core.clock import business_date_of, span_to_utc, to_local
from venue.setup.nights import SittingSpec
from venue.setup.venues import night_on, sittings_of

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "tz", "opens_utc", "closes_utc", "hours"),
    [
        # An ordinary club night in London (GMT): 22:00 -> 04:00 next morning.
        (date(2026, 11, 21), "Europe/London", "2026-11-21 22:00", "2026-11-22 04:00", 6),
        # Spring forward (01:00 GMT -> 02:00 BST on 28 Mar 2027): the night is an hour short.
        (date(2027, 3, 27), "Europe/London", "2027-03-27 22:00", "2027-03-28 03:00", 5),
        # Fall back (02:00 BST -> 01:00 GMT on 25 Oct 2026): the night is an hour long.
        (date(2026, 10, 24), "Europe/London", "2026-10-24 21:00", "2026-10-25 04:00", 7),
        # New York's spring forward at 02:00 local on 8 Mar 2026.
        (date(2026, 3, 7), "America/New_York", "2026-03-08 03:00", "2026-03-08 08:00", 5),
    ],
)
def test_night_span_in_utc(day: date, tz: str, opens_utc: str, closes_utc: str, hours: int) -> None:
    opens, closes = span_to_utc(day, time(22, 0), time(4, 0), tz)
    assert opens == datetime.fromisoformat(opens_utc).replace(tzinfo=UTC)
    assert closes == datetime.fromisoformat(closes_utc).replace(tzinfo=UTC)
    assert closes - opens == timedelta(hours=hours)
    assert to_local(closes, tz).time() == time(4, 0)


def test_after_midnight_belongs_to_the_night_it_started() -> None:
    two_am_sunday = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
    assert business_date_of(two_am_sunday, "Europe/London", time(6, 0)) == date(2026, 11, 21)
    assert business_date_of(two_am_sunday, "Asia/Tokyo", time(6, 0)) == date(2026, 11, 22)


async def test_stored_night_round_trips_in_utc(session: AsyncSession) -> None:
    world = await create_venue(session, timezone="Europe/London")
    await create_night_for(session, world, date(2027, 3, 27), now=NOW)
    await session.commit()
    session.expunge_all()  # read back from the database, not the identity map
    night = await night_on(session, world.venue, date(2027, 3, 27))
    assert night.opens_at == datetime(2027, 3, 27, 22, 0, tzinfo=UTC)
    assert night.closes_at == datetime(2027, 3, 28, 3, 0, tzinfo=UTC)
    assert night.closes_at.tzinfo is not None


async def test_restaurant_sittings_and_a_sitting_after_midnight(session: AsyncSession) -> None:
    world = await create_venue(session, timezone="Europe/Paris")
    night = await create_night_for(
        session,
        world,
        date(2026, 7, 4),
        opens=time(17, 0),
        closes=time(2, 0),
        now=NOW,
        sittings=[
            SittingSpec("Early", time(18, 0), time(20, 15)),
            SittingSpec("Late", time(20, 30), time(23, 0)),
            SittingSpec("Club", time(23, 30), time(1, 30)),
        ],
    )
    early, late, club = await sittings_of(session, night)
    assert early.starts_at == datetime(2026, 7, 4, 16, 0, tzinfo=UTC)  # CEST is UTC+2
    assert late.ends_at == datetime(2026, 7, 4, 21, 0, tzinfo=UTC)
    assert club.ends_at == datetime(2026, 7, 4, 23, 30, tzinfo=UTC)  # 01:30 on the 5th local
