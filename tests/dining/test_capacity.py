"""Restaurant capacity in both dimensions (covers and tables), turn times and rolling
starts, pacing, joined tables, table classes and a DST day: through the booking
transaction on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import World, create_restaurant, open_restaurant_night
from venue.core import errors
from venue.core.actor import GUEST
from venue.dining import booking as dining
from venue.dining import capacity
from venue.dining.rules import Period
from venue.models import Venue
from venue.reservations.booking import Hold
from venue.setup import venues

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SAT = date(2026, 11, 21)


def at(day: date, hhmm: str) -> datetime:
    from venue.core.clock import local_to_utc

    return local_to_utc(day, time.fromisoformat(hhmm), "Europe/London")


async def party(
    s: AsyncSession, w: World, size: int, hhmm: str = "18:00", channel: str = "online", **kw: object
) -> Hold:
    req = dining.PartyRequest(SAT, size, starts_at=at(SAT, hhmm), channel=channel, **kw)  # type: ignore[arg-type]
    return await dining.place(s, w.venue, req, GUEST, NOW)


async def listing(
    s: AsyncSession, venue: Venue, size: int, channel: str = "online"
) -> dict[str, capacity.Option]:
    night = await venues.night_on(s, venue, SAT)
    rules = await venues.rules_of(s, venue)
    floor = await capacity.read_floor(s, venue, night, NOW)
    opts = capacity.options(floor, venue, rules, size, NOW, classes=capacity.classes_for(channel))
    return {o.local_time: o for o in opts}


def labels(hold: Hold) -> list[str]:
    return sorted(t.label for t in hold.tables)


async def test_nine_couples_leave_a_table_for_a_four(session: AsyncSession) -> None:
    tables = [(f"D{i}", 1, 2) for i in range(1, 6)] + [(f"Q{i}", 1, 4) for i in range(1, 6)]
    w = await create_restaurant(session, tables=tables)
    await open_restaurant_night(session, w, SAT, now=NOW)
    seated = [labels(await party(session, w, 2)) for _ in range(9)]
    assert sorted(x[0] for x in seated[:5]) == [f"D{i}" for i in range(1, 6)]  # 2-tops first
    four = await party(session, w, 4)
    assert labels(four) == ["Q5"]
    with pytest.raises(errors.SittingFullTables):
        await party(session, w, 2)


async def test_a_four_is_seated_on_joined_two_tops(session: AsyncSession) -> None:
    tables = [("A", 1, 2), ("B", 1, 2), ("C", 1, 2), ("Q", 1, 4)]
    w = await create_restaurant(session, tables=tables, links=[("A", "B")])
    await open_restaurant_night(session, w, SAT, now=NOW)
    assert labels(await party(session, w, 4)) == ["Q"]
    second = await party(session, w, 4)
    assert labels(second) == ["A", "B"]
    assert second.reservation.party_size == 4
    with pytest.raises(errors.SittingFullTables):
        await party(session, w, 3)  # C alone seats two


async def test_covers_run_out_before_tables(session: AsyncSession) -> None:
    periods = [Period("Dinner", time(18, 0), time(18, 0), 6, weekday=SAT.weekday())]
    w = await create_restaurant(
        session, tables=[(f"T{i}", 1, 4) for i in range(6)], periods=periods
    )
    await open_restaurant_night(session, w, SAT, now=NOW)
    await party(session, w, 4)
    left = await listing(session, w.venue, 4)
    assert left["18:00"].reason == "sitting_full_covers" and left["18:00"].covers_left == 2
    assert left["18:00"].tables_left == 5
    with pytest.raises(errors.SittingFullCovers):
        await party(session, w, 4)
    await party(session, w, 2)
    assert (await listing(session, w.venue, 1))["18:00"].covers_left == 0


async def test_turn_times_and_rolling_starts_sell_a_table_twice(session: AsyncSession) -> None:
    periods = [
        Period(
            "Dinner", time(17, 30), time(21, 30), 100, weekday=SAT.weekday(), interval_minutes=15
        )
    ]
    w = await create_restaurant(session, tables=[("T1", 1, 2)], periods=periods)
    await open_restaurant_night(session, w, SAT, now=NOW)
    first = await party(session, w, 2, "17:30")
    assert first.reservation.ends_at == at(SAT, "19:00")  # a couple turns in 90 minutes
    opts = await listing(session, w.venue, 2)
    assert list(opts)[:2] == ["17:30", "17:45"] and list(opts)[-1] == "21:30"
    assert {t for t, o in opts.items() if not o.bookable} == {
        "17:30",
        "17:45",
        "18:00",
        "18:15",
        "18:30",
        "18:45",
    }
    assert opts["18:45"].reason == "sitting_full_tables"
    second = await party(session, w, 2, "19:00")
    assert labels(second) == ["T1"]
    with pytest.raises(errors.InvalidRequest):
        await party(session, w, 2, "19:05")  # not on the grid


async def test_pacing_caps_covers_starting_per_slot(session: AsyncSession) -> None:
    periods = [
        Period("Dinner", time(18, 0), time(20, 0), 100, weekday=SAT.weekday(), pacing_covers=5)
    ]
    w = await create_restaurant(
        session, tables=[(f"T{i}", 1, 4) for i in range(8)], periods=periods
    )
    await open_restaurant_night(session, w, SAT, now=NOW)
    await party(session, w, 4, "18:00")
    opts = await listing(session, w.venue, 2)
    assert opts["18:00"].reason == "sitting_full_pacing" and opts["18:15"].bookable
    with pytest.raises(errors.SittingFullPacing):
        await party(session, w, 2, "18:00")
    await party(session, w, 1, "18:00")
    await party(session, w, 2, "18:15")


async def test_tables_kept_back_for_staff_and_walk_ins(session: AsyncSession) -> None:
    tables = [("ON", 1, 4), ("HOUSE", 1, 4), ("DOOR", 1, 4)]
    classes = {"HOUSE": "in_house", "DOOR": "walk_in"}
    w = await create_restaurant(session, tables=tables, classes=classes)
    await open_restaurant_night(session, w, SAT, now=NOW)
    assert (await listing(session, w.venue, 2))["18:00"].tables_left == 1
    assert labels(await party(session, w, 2)) == ["ON"]
    assert not (await listing(session, w.venue, 2))["18:00"].bookable
    with pytest.raises(errors.SittingFullTables):
        await party(session, w, 2)
    assert labels(await party(session, w, 2, channel="phone")) == ["HOUSE"]
    assert labels(await party(session, w, 2, channel="walk_in")) == ["DOOR"]


async def test_party_too_large_and_closed_and_cutoff(session: AsyncSession) -> None:
    w = await create_restaurant(session, tables=[("A", 1, 4), ("B", 1, 4)], links=[("A", "B")])
    await open_restaurant_night(session, w, SAT, now=NOW)
    assert (await listing(session, w.venue, 8))["18:00"].bookable
    assert (await listing(session, w.venue, 9))["18:00"].reason == "party_too_large"
    with pytest.raises(errors.PartyTooLarge) as refused:
        await party(session, w, 9)
    assert refused.value.extra["phone"] == w.venue.phone
    late = datetime(2026, 11, 21, 17, 30, tzinfo=UTC)  # 17:30 GMT, the cutoff is an hour
    night = await venues.night_on(session, w.venue, SAT)
    rules = await venues.rules_of(session, w.venue)
    floor = await capacity.read_floor(session, w.venue, night, late)
    opts = {o.local_time: o for o in capacity.options(floor, w.venue, rules, 2, late)}
    assert opts["18:00"].reason == "booking_cutoff" and opts["20:30"].bookable
    night.is_closed = True
    await session.flush()
    assert (await listing(session, w.venue, 2))["20:30"].reason == "night_closed"


async def test_a_dst_day_starts_on_the_wall_clock(session: AsyncSession) -> None:
    spring = date(2026, 3, 29)  # the clocks go forward at 01:00 in London
    periods = [
        Period("Dinner", time(17, 30), time(18, 0), 50, on_date=spring, interval_minutes=15),
        Period("Dinner", time(17, 30), time(18, 0), 50, weekday=5, interval_minutes=15),
    ]
    w = await create_restaurant(session, tables=[("T1", 1, 4)], periods=periods)
    before = date(2026, 3, 28)
    await open_restaurant_night(session, w, spring, now=NOW)
    await open_restaurant_night(session, w, before, now=NOW)
    for day, hour in ((spring, 16), (before, 17)):
        night = await venues.night_on(session, w.venue, day)
        sitting = (await venues.sittings_of(session, night))[0]
        starts = capacity.starts_of(sitting, "Europe/London")
        assert [s.hour for s in starts] == [hour, hour, hour + 1]
        assert [capacity.local_hhmm(s, "Europe/London") for s in starts] == [
            "17:30",
            "17:45",
            "18:00",
        ]
