"""Appointments: services performed by staff members, sometimes needing a resource.

An appointment is a ``reservations`` row (its lifecycle, token, emails, payments and
manage page are the tables' own) plus one ``appointments`` row that holds the staff
member's (and the resource's) time. The appointment row copies the reservation's status
and range through a cascading composite foreign key, exactly as ``reservation_tables``
does, and carries the busy range ``busy_from``..``busy_until`` (the appointment with the
service's buffers before and after). On PostgreSQL two exclusion constraints over the
occupying rows (staff ``=`` / resource ``=``, ``tstzrange(busy_from, busy_until)``
``&&``) make a double-booked person or chair impossible to store (migration 0019).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Tenanted, utcnow


class Service(Tenanted, Base):
    """Something a guest books: a cut, a colour, a consultation. Money in minor units of
    the venue's currency; ``deposit`` is taken at booking when above zero."""

    __tablename__ = "services"
    __table_args__ = (
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        CheckConstraint("buffer_before_minutes >= 0 AND buffer_after_minutes >= 0", name="buffers"),
        CheckConstraint("price >= 0 AND deposit >= 0 AND deposit <= price", name="money"),
    )

    venue_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(String(500))
    duration_minutes: Mapped[int]
    price: Mapped[int] = mapped_column(default=0)
    deposit: Mapped[int] = mapped_column(default=0)
    # Cleanup after, preparation before: the staff member (and resource) stays busy.
    buffer_before_minutes: Mapped[int] = mapped_column(default=0)
    buffer_after_minutes: Mapped[int] = mapped_column(default=0)
    # A resource of this kind ("chair", "room") is taken for the busy range when set.
    resource_kind: Mapped[str | None] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)


class StaffMember(Tenanted, Base):
    """A person who performs services. ``version`` is the optimistic lock every booking
    of their time bumps (venue/appointments/claim.py), as ``venue_tables.version`` is
    for a table. ``position`` orders them, and breaks ties in 'anyone available'."""

    __tablename__ = "staff_members"
    __table_args__ = (
        CheckConstraint("max_per_day IS NULL OR max_per_day >= 1", name="max_per_day_positive"),
    )

    venue_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)
    max_per_day: Mapped[int | None]
    is_active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1)


class StaffService(Tenanted, Base):
    """Who performs which service."""

    __tablename__ = "staff_services"
    __table_args__ = (UniqueConstraint("staff_member_id", "service_id"),)

    staff_member_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("staff_members.id", ondelete="CASCADE")
    )
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))


class StaffHours(Tenanted, Base):
    """Weekly working hours in venue-local time (``weekday`` 0 = Monday). A day with no
    row is a day off; ``kind`` 'break' rows are taken out of the working hours."""

    __tablename__ = "staff_hours"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("ends > starts", name="ends_after_starts"),
        CheckConstraint("kind IN ('work', 'break')", name="kind_known"),
        Index("ix_staff_hours_staff_weekday", "staff_member_id", "weekday"),
    )

    staff_member_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("staff_members.id", ondelete="CASCADE")
    )
    weekday: Mapped[int]
    kind: Mapped[str] = mapped_column(String(8), default="work")
    starts: Mapped[time]
    ends: Mapped[time]


class StaffAbsence(Tenanted, Base):
    """Days a staff member does not work (holiday, sickness), inclusive, venue-local."""

    __tablename__ = "staff_absences"
    __table_args__ = (CheckConstraint("last_day >= first_day", name="days_ordered"),)

    staff_member_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("staff_members.id", ondelete="CASCADE"), index=True
    )
    first_day: Mapped[date]
    last_day: Mapped[date]
    reason: Mapped[str | None] = mapped_column(String(200))


class Resource(Tenanted, Base):
    """A chair, a room, a machine: booked alongside the staff member when the service
    names its ``kind``. Versioned like a staff member."""

    __tablename__ = "resources"

    venue_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(40))
    is_active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1)


class Appointment(Tenanted, Base):
    """The staff member's (and resource's) time taken by one reservation.

    ``status``, ``starts_at``, ``ends_at`` are copies kept true by the cascading foreign
    key to ``reservations``; ``busy_from``/``busy_until`` add the service's buffers and
    are written with the appointment (and rewritten when it moves)."""

    __tablename__ = "appointments"
    __table_args__ = (
        ForeignKeyConstraint(
            ["reservation_id", "status", "starts_at", "ends_at"],
            [
                "reservations.id",
                "reservations.status",
                "reservations.starts_at",
                "reservations.ends_at",
            ],
            onupdate="CASCADE",
            ondelete="CASCADE",
            name="fk_appointments_reservation",
        ),
        UniqueConstraint("reservation_id"),
        CheckConstraint("busy_until > busy_from", name="busy_ordered"),
        Index("ix_appointments_staff_time", "staff_member_id", "busy_from", "busy_until"),
    )

    reservation_id: Mapped[uuid.UUID]
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id"))
    staff_member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_members.id"))
    resource_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("resources.id"))
    status: Mapped[str] = mapped_column(String(16))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    busy_from: Mapped[datetime]
    busy_until: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
