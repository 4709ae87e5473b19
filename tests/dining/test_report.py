"""The turn-away report's sentence and figures, from turnaway rows alone."""

from __future__ import annotations

from datetime import UTC, date, datetime

from venue.dining.report import summarise
from venue.models import Turnaway

SAT, SAT2, FRI = date(2026, 11, 21), date(2026, 11, 28), date(2026, 11, 20)


def row(day: date, hhmm: str | None, reason: str, party: int = 4) -> Turnaway:
    starts = None
    if hhmm:
        h, m = map(int, hhmm.split(":"))
        starts = datetime(day.year, day.month, day.day, h, m, tzinfo=UTC)  # GMT in November
    return Turnaway(
        business_date=day, party_size=party, reason=reason, channel="online", starts_at=starts
    )


def test_the_owners_sentence() -> None:
    rows = (
        [row(SAT, "20:30", "sitting_full_covers")] * 9
        + [row(SAT2, "20:30", "sitting_full_tables", 6)] * 6
        + [row(SAT, "19:00", "sitting_full_pacing", 2)] * 8
        + [row(FRI, "20:00", "sitting_full_tables")] * 3
    )
    report = summarise(rows, "Europe/London", date(2026, 11, 1), date(2026, 11, 30))
    assert report["sentence"] == (
        "23 parties tried to book Saturdays that you couldn't seat; 15 of them at 20:30."
    )
    assert report["total"] == 26
    saturday = next(d for d in report["by_weekday"] if d["weekday"] == "Saturday")
    assert saturday["by_reason"] == {
        "sitting_full_covers": 9,
        "sitting_full_tables": 6,
        "sitting_full_pacing": 8,
    }
    assert {x["party_size"]: x["count"] for x in report["by_party_size"]} == {2: 8, 4: 12, 6: 6}


def test_nobody_turned_away_and_a_club_without_times() -> None:
    assert summarise([], "Europe/London", SAT, SAT)["sentence"] == (
        "Nobody was turned away in this period."
    )
    club = [row(SAT, None, "table_unavailable")]
    assert summarise(club, "Europe/London", SAT, SAT)["sentence"] == (
        "1 party tried to book Saturdays that you couldn't seat."
    )
