"""The domain's tables. Import from here; the split into files is for reading only."""

from .appointments import (
    Appointment,
    Resource,
    Service,
    StaffAbsence,
    StaffHours,
    StaffMember,
    StaffService,
)
from .base import Base, Tenanted, UTCDateTime, utcnow
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
    "Appointment",
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
    "Resource",
    "Service",
    "Sitting",
    "StaffAbsence",
    "StaffHours",
    "StaffMember",
    "StaffService",
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
    "VenueRules",
    "VenueTable",
    "utcnow",
]
