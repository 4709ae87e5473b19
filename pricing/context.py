from dataclasses import dataclass
from datetime import date, datetime

from pricing.errors import QuoteContextError


@dataclass(frozen=True, slots=True)
class QuoteContext:
    """What is being priced and how full the night already is.

    ``*_taken`` counts tables held or booked; ``pace_bp`` is this night's bookings so far
    as basis points of the same weekday's recent average at the same lead time (None when
    there is no history, which disables pace rules).
    """

    tier: str
    table_key: str
    business_date: date
    event_type: str | None
    starts_at: datetime
    tier_taken: int
    tier_total: int
    night_taken: int
    night_total: int
    pace_bp: int | None = None

    def __post_init__(self) -> None:
        if self.starts_at.utcoffset() is None:
            raise QuoteContextError("starts_at must be timezone-aware (UTC)")
        for name in ("tier_taken", "tier_total", "night_taken", "night_total"):
            value = getattr(self, name)
            if type(value) is not int or value < 0:
                raise QuoteContextError(f"{name} must be a non-negative int, got {value!r}")
        if self.pace_bp is not None and (type(self.pace_bp) is not int or self.pace_bp < 0):
            raise QuoteContextError(f"pace_bp must be a non-negative int, got {self.pace_bp!r}")
