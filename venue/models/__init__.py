"""The domain's tables. Import from here; the split into files is for reading only."""

from .base import Base, Tenanted, UTCDateTime, utcnow
from .brand import VenueBrand
from .calendar import CalendarFeed, CalendarImport
from .commissions import (
    CommissionEntry,
    CommissionRule,
    GuestProfile,
    HostAttribution,
    ReservationSpend,
)
from .floor import Area, FloorPlan, TableLink, VenueTable
from .log import AuditEntry, OutboxEvent, Turnaway
from .nights import Night, Sitting, TableBlock
from .notifications import (
    LocalMail,
    Notification,
    NotificationSettings,
    OutboxConsumption,
    ReservationLink,
)
from .payments import CheckoutAttempt, Payment, Refund, RefundRule, StripeEvent
from .pricing import DepositRuleRow, PriceAdjustmentRow, TierPriceRow
from .reservations import (
    EXPIRING,
    OCCUPYING,
    OCCUPYING_SQL,
    TRANSITIONS,
    Guest,
    Host,
    Reservation,
    ReservationTable,
    Status,
)
from .staff import StaffSession
from .tenancy import StaffUser, Tenant, Venue, VenueRules

__all__ = [
    "EXPIRING",
    "OCCUPYING",
    "OCCUPYING_SQL",
    "TRANSITIONS",
    "Area",
    "AuditEntry",
    "Base",
    "CalendarFeed",
    "CalendarImport",
    "CheckoutAttempt",
    "CommissionEntry",
    "CommissionRule",
    "DepositRuleRow",
    "FloorPlan",
    "Guest",
    "GuestProfile",
    "Host",
    "HostAttribution",
    "LocalMail",
    "Night",
    "Notification",
    "NotificationSettings",
    "OutboxConsumption",
    "OutboxEvent",
    "Payment",
    "PriceAdjustmentRow",
    "Refund",
    "RefundRule",
    "Reservation",
    "ReservationLink",
    "ReservationSpend",
    "ReservationTable",
    "Sitting",
    "StaffSession",
    "StaffUser",
    "Status",
    "StripeEvent",
    "TableBlock",
    "TableLink",
    "Tenant",
    "Tenanted",
    "TierPriceRow",
    "Turnaway",
    "UTCDateTime",
    "Venue",
    "VenueBrand",
    "VenueRules",
    "VenueTable",
    "utcnow",
]
