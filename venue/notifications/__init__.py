"""Guest and venue email: planned from the outbox, delivered by a claiming worker.

Two halves, both driven by :class:`~venue.notifications.loop.MailLoop`:

* **Planning** (``planner``) reads outbox events this consumer has not yet recorded in
  ``outbox_consumptions`` and turns them into ``notifications`` rows: a confirmation,
  a new-booking note to the venue, reminders at ``starts_at - offset`` (UTC
  arithmetic on the real instant, so a reminder lands at the same wall-clock distance
  across a DST change), cancellations, receipts and refund notices.
* **Delivery** (``queue`` + ``transport``) claims due rows under a lease, renders them
  (``render``), hands them to SMTP or to the local outbox, and records the result.

Exactly once, and where it is only at least once: a claim flips ``pending`` to
``sending`` with a fresh ``lease_id`` and ``leased_until`` in one committed
transaction (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite serialises writers with
``BEGIN IMMEDIATE``), so two workers never hold the same row. A worker that dies after
claiming and before sending loses nothing: the lease runs out and another worker takes
the row. The one unavoidable window is between the SMTP server accepting a message and
our ``sent`` commit (a single UPDATE, committed per message to keep it short): a crash
exactly there resends that one message once the lease lapses. Every attempt carries
the same ``Message-ID`` (``<notification id@maitre>``), so receivers can drop the copy.
The local outbox has no window at all: its "send" commits with the ``sent`` mark.
"""

from .loop import MailConfig, MailLoop
from .transport import LocalTransport, SmtpTransport, Transport

__all__ = ["LocalTransport", "MailConfig", "MailLoop", "SmtpTransport", "Transport"]
