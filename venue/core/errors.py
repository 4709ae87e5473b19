"""Typed domain errors, each with a stable machine-readable ``code``.

The web layer renders every one as ``application/problem+json``; scripts branch on
``code``, people read ``message``. ``turnaway`` marks refusals that count as demand the
venue could not serve (recorded even though the request itself rolls back).
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    status: ClassVar[int] = 400
    code: ClassVar[str] = "domain_error"
    turnaway: ClassVar[bool] = False

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class InvalidRequest(DomainError):
    """Well-formed input that names something impossible (422 with the field)."""

    status = 422
    code = "invalid"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, errors=[{"field": field, "message": message}])


class Gone(DomainError):
    status = 410
    code = "gone"


class TableUnavailable(Conflict):
    code = "table_unavailable"
    turnaway = True


class StaffUnavailable(Conflict):
    """Appointments: nobody (or not the staff member asked for) can take that start."""

    code = "staff_unavailable"
    turnaway = True


class NightClosed(Conflict):
    code = "night_closed"
    turnaway = True


class BookingCutoff(Conflict):
    code = "booking_cutoff"
    turnaway = True


class NotYetOpen(Conflict):
    code = "booking_not_open"
    turnaway = True


class PartySizeNotAllowed(Conflict):
    code = "party_size_not_allowed"
    turnaway = True


class TableNotPriced(Conflict):
    """The venue's pricing rules cannot price this table (its tier has no price, or the
    stored rules are invalid): unbookable until a manager fixes the rules."""

    code = "table_not_priced"
    turnaway = True


class TablesNotJoinable(Conflict):
    code = "tables_not_joinable"


class GuestDailyCap(Conflict):
    code = "guest_daily_cap"


class InvalidTransition(Conflict):
    code = "invalid_transition"


class StaleReservation(Conflict):
    """Someone changed the reservation between our read and our write."""

    code = "reservation_changed"


class HoldExpired(Gone):
    code = "hold_expired"


class SittingFull(Conflict):
    """A restaurant's sitting (or start time) cannot take the party; the leaves say
    which dimension ran out, and the turnaway keeps it as the reason."""

    code = "sitting_full"
    turnaway = True


class SittingFullCovers(SittingFull):
    code = "sitting_full_covers"


class SittingFullTables(SittingFull):
    code = "sitting_full_tables"


class SittingFullPacing(SittingFull):
    code = "sitting_full_pacing"


class PartyTooLarge(Conflict):
    """No table, nor any tables that can be joined, seats the party: call the venue."""

    code = "party_too_large"
    turnaway = True


class NightExists(Conflict):
    code = "night_exists"
