"""Start times from facts, without a database: buffers, breaks, days off, DST."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

from venue.appointments import slots

LONDON = "Europe/London"
TUESDAY = date(2026, 11, 24)
Q = timedelta(minutes=15)
CUT = slots.ServiceShape(timedelta(minutes=45), after=timedelta(minutes=15))


def utc(day: date, h: int, m: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, h, m, tzinfo=UTC)


def person(**kw: object) -> slots.StaffDay:
    day = slots.StaffDay(uuid.uuid4(), 0, work=[(time(9), time(12))])
    for k, v in kw.items():
        setattr(day, k, v)
    return day


def starts(found: list[slots.Slot]) -> list[str]:
    return [s.starts_at.strftime("%H:%M") for s in found]


def test_whole_busy_range_fits_in_the_working_hours() -> None:
    # 45 minutes plus 15 of cleanup: the last start in a 09:00-12:00 day is 11:00 (GMT).
    found = slots.start_times(TUESDAY, LONDON, Q, CUT, [person()])
    assert starts(found)[0] == "09:00"
    assert starts(found)[-1] == "11:00"
    assert len(found) == 9


def test_buffers_of_an_existing_appointment_block_its_neighbours() -> None:
    # Booked 10:00-10:45 with 15 after: busy 10:00-11:00. A new cut needs an hour.
    busy = [(utc(TUESDAY, 10), utc(TUESDAY, 11))]
    found = starts(slots.start_times(TUESDAY, LONDON, Q, CUT, [person(busy=busy)]))
    assert found == ["09:00", "11:00"]
    before = slots.ServiceShape(timedelta(minutes=30), before=timedelta(minutes=15))
    found = starts(slots.start_times(TUESDAY, LONDON, Q, before, [person(busy=busy)]))
    # 09:15 needs 09:00-09:45; 09:30 would need 09:15-10:00 (free); 09:45 overlaps 10:00.
    assert found[:3] == ["09:15", "09:30", "11:15"]


def test_breaks_and_days_off_and_the_daily_maximum() -> None:
    lunch = person(work=[(time(9), time(17))], breaks=[(time(12), time(13))])
    found = starts(slots.start_times(TUESDAY, LONDON, Q, CUT, [lunch]))
    assert "11:00" in found and "11:15" not in found and "12:45" not in found
    assert "13:00" in found
    assert slots.start_times(TUESDAY, LONDON, Q, CUT, [person(work=[])]) == []
    assert slots.start_times(TUESDAY, LONDON, Q, CUT, [person(absent=True)]) == []
    full = person(booked=3, max_per_day=3)
    assert slots.start_times(TUESDAY, LONDON, Q, CUT, [full]) == []


def test_a_guest_sees_only_starts_after_the_cutoff() -> None:
    found = slots.start_times(TUESDAY, LONDON, Q, CUT, [person()], not_before=utc(TUESDAY, 10, 5))
    assert starts(found)[0] == "10:15"


def test_who_can_take_each_start() -> None:
    a, b = person(), person(busy=[(utc(TUESDAY, 9), utc(TUESDAY, 10))])
    found = slots.start_times(TUESDAY, LONDON, Q, CUT, [a, b])
    assert found[0].staff_ids == (a.staff_id,)
    assert set(found[4].staff_ids) == {a.staff_id, b.staff_id}  # 10:00


def test_spring_forward_day_starts_on_the_local_clock() -> None:
    # 29 March 2026: London goes from GMT to BST at 01:00 UTC. 09:00 local is 08:00 UTC.
    sunday = date(2026, 3, 29)
    start, end = slots.day_bounds(sunday, LONDON)
    assert end - start == timedelta(hours=23)
    found = slots.start_times(sunday, LONDON, Q, CUT, [person()])
    assert found[0].starts_at == utc(sunday, 8)
    assert found[-1].starts_at == utc(sunday, 10)
    # The grid stays on the quarter hours of the wall clock.
    assert all(s.starts_at.minute % 15 == 0 for s in found)


def test_fall_back_day_has_25_hours_and_the_right_starts() -> None:
    sunday = date(2026, 10, 25)
    start, end = slots.day_bounds(sunday, LONDON)
    assert end - start == timedelta(hours=25)
    found = slots.start_times(sunday, LONDON, Q, CUT, [person()])
    assert found[0].starts_at == utc(sunday, 9)  # GMT again


def test_anyone_available_is_the_least_busy_then_the_venue_order() -> None:
    first = slots.StaffDay(uuid.uuid4(), 0, booked=2)
    second = slots.StaffDay(uuid.uuid4(), 1, booked=1)
    third = slots.StaffDay(uuid.uuid4(), 2, booked=1)
    assert slots.pick_anyone([first, second, third]) is second
    assert slots.pick_anyone([first, third]) is third
    first.booked = 1
    assert slots.pick_anyone([first, second, third]) is first


def test_subtract_cuts_holes() -> None:
    d = TUESDAY
    got = slots.subtract(
        [(utc(d, 9), utc(d, 17))], [(utc(d, 12), utc(d, 13)), (utc(d, 8), utc(d, 9, 30))]
    )
    assert got == [(utc(d, 9, 30), utc(d, 12)), (utc(d, 13), utc(d, 17))]
