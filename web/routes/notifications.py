"""Staff views of outgoing mail: per-reservation delivery log, the local outbox (demo),
and the warning when reminders are due but unsent."""

from __future__ import annotations

import uuid
from datetime import timedelta
from email import message_from_string, policy
from email.message import EmailMessage
from typing import Annotated, Any

from fastapi import APIRouter, Query

from venue.models import Notification
from venue.notifications import mailbox, queue
from venue.reservations import operations

from ..deps import NowDep, ReaderVenue, SessionDep

router = APIRouter(prefix="/api/v1/staff/venues/{slug}", tags=["staff: notifications"])
OVERDUE_GRACE = timedelta(minutes=5)


def _row(n: Notification) -> dict[str, Any]:
    return {
        "id": str(n.id),
        "kind": n.kind,
        "audience": n.audience,
        "to": n.to_addr,
        "status": n.status,
        "due_at": n.due_at.isoformat(),
        "sent_at": n.sent_at.isoformat() if n.sent_at else None,
        "attempts": n.attempts,
        "last_error": n.last_error,
    }


@router.get("/reservations/{reservation_id}/notifications")
async def delivery_log(
    reservation_id: uuid.UUID, venue: ReaderVenue, session: SessionDep
) -> list[dict[str, Any]]:
    """Every message for one reservation: queued, sent, retried, failed or cancelled."""
    await operations.reservation_of(session, venue, reservation_id)  # 404 for anyone else's
    rows = await queue.for_reservation(session, venue.tenant_id, reservation_id)
    return [_row(n) for n in rows]


@router.get("/notifications/overdue")
async def overdue_reminders(venue: ReaderVenue, session: SessionDep, now: NowDep) -> dict[str, Any]:
    """Reminders that are due and not sent (is a worker running? is SMTP refusing?)."""
    rows = await queue.overdue(session, venue.tenant_id, venue.id, now, OVERDUE_GRACE)
    return {
        "warning": bool(rows),
        "count": len(rows),
        "message": f"{len(rows)} reminder(s) due but unsent" if rows else None,
        "items": [_row(n) for n in rows],
    }


@router.get("/mail")
async def local_outbox(
    venue: ReaderVenue,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[dict[str, Any]]:
    """The local outbox (no SMTP configured): newest first."""
    return [
        {"id": str(m.id), "to": m.to_addr, "subject": m.subject, "at": m.at.isoformat()}
        for m in await mailbox.messages(session, venue, limit)
    ]


@router.get("/mail/{mail_id}")
async def local_mail(mail_id: uuid.UUID, venue: ReaderVenue, session: SessionDep) -> dict[str, Any]:
    """One message from the local outbox: headers, text, HTML and attachments."""
    m = await mailbox.message(session, venue, mail_id)
    msg = message_from_string(m.raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    return {
        "id": str(m.id),
        "headers": {k: str(v) for k, v in msg.items()},
        "text": text.get_content() if text else None,
        "html": html.get_content() if html else None,
        "attachments": [
            {
                "filename": a.get_filename(),
                "content_type": a.get_content_type(),
                "content": a.get_content() if a.get_content_maintype() == "text" else None,
            }
            for a in msg.iter_attachments()
        ],
    }
