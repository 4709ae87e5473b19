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
from .brand import VenueBrand
from .calendar import CalendarFeed, CalendarImport
from .commissions import (
    CommissionEntry,
    CommissionRule,
    GuestProfile,
    HostAttribution,
    ReservationSpend,
)
from .dining import BOOKING_CLASSES, ServicePeriod, TurnTime
from .floor import Area, FloorPlan, TableLink, VenueTable
from .log import AuditEntry, OutboxEvent, Turnaway
from .nights import Night, Sitting, TableBlock
from .notifications import (
    LocalMail,
    MailTemplate,
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
from .series import ReservationSeries
from .staff import StaffSession
from .tenancy import StaffUser, Tenant, Venue, VenueRules
from .waitlist import EntryStatus, OfferStatus, WaitlistEntry, WaitlistOffer

__all__ = [
    "BOOKING_CLASSES",
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
    "EntryStatus",
    "FloorPlan",
    "Guest",
    "GuestProfile",
    "Host",
    "HostAttribution",
    "LocalMail",
    "MailTemplate",
    "Night",
    "Notification",
    "NotificationSettings",
    "OfferStatus",
    "OutboxConsumption",
    "OutboxEvent",
    "Payment",
    "PriceAdjustmentRow",
    "Refund",
    "RefundRule",
    "Reservation",
    "ReservationLink",
    "ReservationSeries",
    "ReservationSpend",
    "ReservationTable",
    "Resource",
    "Service",
    "ServicePeriod",
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
    "TurnTime",
    "Turnaway",
    "UTCDateTime",
    "Venue",
    "VenueBrand",
    "VenueRules",
    "VenueTable",
    "WaitlistEntry",
    "WaitlistOffer",
    "utcnow",
]
