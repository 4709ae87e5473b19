"""Request and response bodies of the JSON API (with OpenAPI examples)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from annotated_types import Interval
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from venue.dining.booking import PartyRequest
from venue.reservations import booking, operations

# Every count and amount column is a PostgreSQL INTEGER: a larger number is the client's
# mistake, refused with a 422 naming the field, never an overflow in the driver. Every
# integer a request carries is bounded: by one of these, or tighter.
INT_MAX = 2**31 - 1
Int = Annotated[int, Interval(ge=-INT_MAX - 1, le=INT_MAX)]
Amount = Annotated[int, Interval(ge=0, le=INT_MAX)]  # minor units, basis points, versions

# Business dates a request may name: far enough from years 1 and 9999 that the date
# arithmetic behind them (the night's close, windows of days, a forecast's weeks of
# history) never leaves Python's calendar. Every date a request carries is a Day.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)
Day = Annotated[date, Interval(ge=FIRST_DAY, le=LAST_DAY)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class VenueOut(BaseModel):
    slug: str
    name: str
    timezone: str
    currency: str
    phone: str | None
    brand_color: str
    logo_url: str | None
    mode: Literal["club", "restaurant", "appointments"] = Field(
        description="how guests book: a table on the floor map, a party at a sitting, "
        "or a service with a staff member"
    )
    min_party: int
    max_party: int
    hold_minutes: int


class SittingOut(BaseModel):
    id: uuid.UUID
    name: str
    starts_at: datetime
    ends_at: datetime
    starts_local: str
    ends_local: str


class NightOut(BaseModel):
    date: date
    title: str | None
    event_type: str
    opens_at: datetime
    closes_at: datetime
    opens_local: str
    closes_local: str
    closed: bool
    closed_reason: str | None
    tables_total: int
    tables_free: int
    sold_out: bool
    bookable: bool = Field(description="online booking is open now and a table is free")
    booking_opens_at: datetime
    booking_closes_at: datetime
    sittings: list[SittingOut]


class TableOut(BaseModel):
    id: uuid.UUID
    label: str
    tier: str
    area_id: uuid.UUID | None
    min_party: int
    max_party: int
    shape: str
    x: int
    y: int
    width: int
    height: int
    rotation: int
    state: str = Field(
        description="free | held | pending | booked | seated | blocked | unavailable "
        "(free, but the venue's pricing cannot price it: see unavailable_reason)"
    )
    minimum: int | None = Field(
        description="current minimum spend in minor units; null when it cannot be priced"
    )
    deposit: int | None = Field(description="deposit due on booking, in minor units")
    unavailable_reason: str | None = Field(
        default=None, description="why the table cannot be priced, so cannot be booked"
    )


class AreaOut(BaseModel):
    id: uuid.UUID
    name: str


class FloorOut(BaseModel):
    venue: str
    night: NightOut
    sitting: SittingOut
    currency: str
    width: int
    height: int
    areas: list[AreaOut]
    tables: list[TableOut]
    generated_at: datetime


class GuestIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=40)


TABLE_EXAMPLE = "6f1c1a7e-0000-4000-8000-000000000000"


class BookingIn(Strict):
    """What every booking names: the night, the tables, the party and the sitting. The
    three ways in add what differs between them, explicitly: a guest's hold
    (``HoldIn``), a host booking for a client (``HostBookingIn``) and a staff phone or
    walk-in booking (``StaffBookingIn``)."""

    date: Day
    table_ids: list[uuid.UUID] = Field(min_length=1, max_length=8)
    party_size: int = Field(ge=1, le=500)
    sitting_id: uuid.UUID | None = None


class HoldIn(BookingIn):
    """A guest online: no details yet (they complete the hold), maybe a host's link."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"date": "2026-11-28", "table_ids": [TABLE_EXAMPLE], "party_size": 4},
                {"date": "2026-11-28", "party_size": 5, "starts_at": "2026-11-28T19:30:00Z"},
            ]
        },
    )

    table_ids: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=8,
        description="the tables chosen (clubs; restaurants that let guests choose). "
        "Leave out at a restaurant: the venue seats the party",
    )
    starts_at: AwareDatetime | None = Field(
        default=None,
        description="restaurants: a start time as listed by .../nights/{day}/sittings "
        "(default: the sitting's first)",
    )
    host_code: str | None = Field(default=None, max_length=20)
    website: str | None = Field(default=None, max_length=200, description="leave empty")

    def party_request(self, host_id: uuid.UUID | None) -> PartyRequest:
        return PartyRequest(
            business_date=self.date,
            party_size=self.party_size,
            sitting_id=self.sitting_id,
            starts_at=self.starts_at,
            table_ids=tuple(self.table_ids),
            host_id=host_id,
            channel="host_link" if host_id else "online",
        )

    def request(self, host_id: uuid.UUID | None) -> booking.HoldRequest:
        return booking.HoldRequest(
            business_date=self.date,
            table_ids=self.table_ids,
            party_size=self.party_size,
            sitting_id=self.sitting_id,
            host_id=host_id,
            channel="host_link" if host_id else "online",
        )


class HostBookingIn(BookingIn):
    """A host for a client: the guest's details at once; the host is the signed-in one."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "date": "2026-11-28",
                    "table_ids": [TABLE_EXAMPLE],
                    "party_size": 6,
                    "guest": {"name": "Ada Lovelace", "phone": "+44 7700 900123"},
                    "notes": "Birthday, bottle on arrival",
                }
            ]
        },
    )

    guest: GuestIn
    notes: str | None = Field(default=None, max_length=1000)

    def request(self, channel: str, **staff_only: Any) -> operations.StaffBooking:
        return operations.StaffBooking(
            business_date=self.date,
            table_ids=self.table_ids,
            party_size=self.party_size,
            channel=channel,
            guest_name=self.guest.name,
            guest_email=self.guest.email,
            guest_phone=self.guest.phone,
            sitting_id=self.sitting_id,
            notes=self.notes,
            **staff_only,
        )


class StaffBookingIn(HostBookingIn):
    """Staff on the phone or at the door: also the channel, a host to attribute the
    booking to, and seating a walk-in at once."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "date": "2026-11-28",
                    "table_ids": [TABLE_EXAMPLE],
                    "party_size": 4,
                    "channel": "phone",
                    "guest": {"name": "Ada Lovelace", "phone": "+44 7700 900123"},
                    "notes": "Birthday",
                }
            ]
        },
    )

    channel: Literal["phone", "walk_in"]
    host_id: uuid.UUID | None = None
    seat_now: bool = Field(default=False, description="walk-ins: seat at once")

    def staff_request(self) -> operations.StaffBooking:
        return self.request(self.channel, host_id=self.host_id, seat_now=self.seat_now)


class CompleteIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "token": "<token from the hold>",
                    "guest": {
                        "name": "Ada Lovelace",
                        "email": "ada@example.com",
                        "phone": "+44 7700 900123",
                    },
                    "notes": "Birthday",
                }
            ]
        },
    )

    token: str = Field(min_length=10, max_length=200)
    guest: GuestIn
    notes: str | None = Field(default=None, max_length=1000)


class TokenIn(Strict):
    token: str = Field(min_length=10, max_length=200)


class CancelIn(Strict):
    reason: str | None = Field(default=None, max_length=300)


class ReservationOut(BaseModel):
    id: uuid.UUID
    status: str
    date: date
    party_size: int
    tables: list[str]
    table_ids: list[uuid.UUID]
    starts_at: datetime
    ends_at: datetime
    starts_local: str
    ends_local: str
    expires_at: datetime | None
    currency: str
    minimum: int
    deposit: int
    deposit_paid: int = Field(0, description="deposit received (minor units), once paid")
    quote: dict[str, Any]
    guest_name: str | None = None


class HoldOut(BaseModel):
    reservation: ReservationOut
    token: str = Field(description="keep it: completes the hold and later cancels the booking")


class AvailabilityOut(BaseModel):
    date: date
    party_size: int
    sitting: SittingOut
    tables: list[TableOut]


class StartOut(BaseModel):
    """One start time of a restaurant's night for the party asked about."""

    sitting_id: uuid.UUID
    sitting: str
    starts_at: datetime = Field(description="UTC; send it back as the hold's starts_at")
    ends_at: datetime = Field(description="UTC: the start plus the party's turn time")
    local_time: str = Field(description="the start on the venue's clock, HH:MM")
    bookable: bool
    covers_left: int | None = Field(description="guests the sitting can still take")
    tables_left: int = Field(description="free tables at that time")
    reason: str | None = Field(
        default=None,
        description="why not bookable: night_closed, party_size_not_allowed, "
        "party_too_large, booking_cutoff, booking_not_open, sitting_full_covers, "
        "sitting_full_pacing, sitting_full_tables",
    )


class SittingsOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "date": "2026-11-28",
                    "party_size": 5,
                    "call_us": None,
                    "starts": [
                        {
                            "sitting_id": "7a1c1a7e-0000-4000-8000-000000000000",
                            "sitting": "Dinner",
                            "starts_at": "2026-11-28T18:00:00Z",
                            "ends_at": "2026-11-28T20:00:00Z",
                            "local_time": "18:00",
                            "bookable": True,
                            "covers_left": 22,
                            "tables_left": 6,
                            "reason": None,
                        },
                        {
                            "sitting_id": "7a1c1a7e-0000-4000-8000-000000000000",
                            "sitting": "Dinner",
                            "starts_at": "2026-11-28T20:30:00Z",
                            "ends_at": "2026-11-28T22:30:00Z",
                            "local_time": "20:30",
                            "bookable": False,
                            "covers_left": 3,
                            "tables_left": 1,
                            "reason": "sitting_full_covers",
                        },
                    ],
                }
            ]
        }
    )

    date: date
    party_size: int
    call_us: str | None = Field(
        description="the venue's phone when no table combination seats the party"
    )
    starts: list[StartOut]
