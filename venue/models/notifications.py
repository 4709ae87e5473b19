"""Outgoing mail: the delivery queue, its outbox cursor, guest links and the local outbox.

A notification's lifecycle (see ``venue.notifications.queue``)::

    pending --(claimed: lease)--> sending --(SMTP accepted)--> sent
       ^                            |  \\--(refused, attempts left)--> pending (due later)
       |                            |   \\--(refused, no attempts left)--> failed
       \\--(lease ran out: worker died)--/
    pending --(reservation cancelled)--> cancelled      (reminders only)
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Tenanted, utcnow
from .log import OutboxEvent

# outbox_events.id's type, for columns that point at it.
EventId = BigInteger().with_variant(Integer, "sqlite")

# The mail planner reads a recent window of the outbox by time (see OutboxConsumption).
Index("ix_outbox_events_at", OutboxEvent.at)


class OutboxConsumption(Base):
    """One row per (consumer, outbox event) the consumer has processed.

    The realtime relay owns ``outbox_events.published_at``; every other consumer keeps
    its own record here, so each sees every event. A per-consumer "last id" cursor
    would be wrong: ids are taken when a transaction inserts, not when it commits, so
    a transaction holding id 41 can commit after one holding id 42 was consumed, and a
    cursor at 42 would skip 41 for ever. Instead a consumer looks for events *without*
    its row (an anti-join over a bounded recent window) and claims each one by
    inserting the row with ``ON CONFLICT DO NOTHING``: of two racing consumers only one
    insert succeeds, and the row commits in the same transaction as the work it
    records, so an event is handled exactly once or, after a rollback, not at all.
    """

    __tablename__ = "outbox_consumptions"

    consumer: Mapped[str] = mapped_column(String(40), primary_key=True)
    event_id: Mapped[int] = mapped_column(
        EventId, ForeignKey("outbox_events.id", ondelete="CASCADE"), primary_key=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Notification(Tenanted, Base):
    """One email to one recipient, queued in the transaction that caused it."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("dedupe_key"),
        Index("ix_notifications_status_due", "status", "due_at"),
        Index("ix_notifications_reservation", "reservation_id"),
    )

    venue_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"))
    reservation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("reservations.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(32))
    audience: Mapped[str] = mapped_column(String(8))
    to_addr: Mapped[str] = mapped_column(String(254))
    reply_to: Mapped[str | None] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(8), default="en")
    context: Mapped[dict[str, Any]] = mapped_column(JSON)
    # What makes two plans the same message (e.g. "reminder:120:<reservation id>").
    dedupe_key: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    lease_id: Mapped[uuid.UUID | None]
    leased_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NotificationSettings(Tenanted, Base):
    """Per-venue mail preferences; a venue without a row gets the defaults."""

    __tablename__ = "notification_settings"
    __table_args__ = (UniqueConstraint("venue_id"),)

    venue_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"))
    # Minutes before the sitting starts, e.g. [1440, 120] = 24 h and 2 h.
    reminder_minutes: Mapped[list[int]] = mapped_column(JSON)
    language: Mapped[str] = mapped_column(String(8), default="en")


class ReservationLink(Tenanted, Base):
    """An extra bearer token for a reservation, issued for the links in its emails.

    Only the SHA-256 is stored (like ``reservations.token_hash``); the token itself is
    an HMAC of the reservation id under the server secret, recomputed when a message
    is rendered, so no working link ever sits in the database.
    """

    __tablename__ = "reservation_links"
    __table_args__ = (UniqueConstraint("token_hash"),)

    reservation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("reservations.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LocalMail(Tenanted, Base):
    """The demo's mailbox: what would have gone out over SMTP, readable by staff."""

    __tablename__ = "local_mail"
    __table_args__ = (UniqueConstraint("notification_id"),)

    venue_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"))
    notification_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE")
    )
    to_addr: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    raw: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class MailTemplate(Tenanted, Base):
    """A venue's own subject and text around the details of one kind of guest mail, in
    one language (``venue.notifications.custom``); the details, the manage link and the
    policy lines stay generated. A NULL part keeps the default.

    ``failed_at``/``last_failure``: the last time sending could not use it (the guest got
    the default text and staff were told); cleared when it is saved again.
    """

    __tablename__ = "mail_templates"
    __table_args__ = (UniqueConstraint("venue_id", "kind", "language"),)

    venue_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str | None] = mapped_column(String(300))
    intro: Mapped[str | None] = mapped_column(Text)
    outro: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(80))
    failed_at: Mapped[datetime | None]
    last_failure: Mapped[str | None] = mapped_column(String(500))
