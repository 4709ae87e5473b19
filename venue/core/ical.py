"""iCalendar pieces shared by the emails' invites and the staff calendar feeds."""

from __future__ import annotations

import functools
from datetime import date

import icalendar

PRODID = "-//Maitre//Reservations//EN"


@functools.lru_cache(maxsize=64)
def vtimezone(tz: str, first_year: int, last_year: int) -> icalendar.Timezone:
    """The VTIMEZONE for the years an event or feed spans (cached: building it walks the
    zone's transitions and costs far more than the rest of a message)."""
    return icalendar.Timezone.from_tzid(
        tz, first_date=date(first_year, 1, 1), last_date=date(last_year, 12, 31)
    )
