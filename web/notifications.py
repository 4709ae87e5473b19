"""Staff views of outgoing mail: per-reservation delivery log, the local outbox (demo),
and the warning when reminders are due but unsent. Also builds the mail loop."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from email import message_from_string, policy
from email.message import EmailMessage
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from venue.core.errors import NotFound
from venue.models import LocalMail, Notification, Venue
from venue.notifications import LocalTransport, MailConfig, MailLoop, SmtpTransport, Transport
from venue.notifications.queue import overdue
from venue.reservations import operations
from venue.setup import venues

from .deps import NowDep, SessionDep
from .settings import Settings
from .staff_auth import Staff, require

router = APIRouter(prefix="/api/v1/staff/venues/{slug}", tags=["staff: notifications"])
Reader = Annotated[Staff, require("owner", "manager", "floor", "finance")]
OVERDUE_GRACE = timedelta(minutes=5)


def transport_for(settings: Settings) -> Transport:
    if not settings.smtp_host:
        return LocalTransport()
    return SmtpTransport(
        settings.smtp_host,
        settings.smtp_port,
        username=settings.smtp_username,
        password=settings.smtp_password,
        starttls=settings.smtp_starttls,
    )


def mail_loop(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    clock: Callable[[], datetime],
) -> MailLoop:
    config = MailConfig(settings.mail_from, settings.public_url, settings.secret_key)
    return MailLoop(sessions, transport_for(settings), config, clock)


async def _own_venue(session: AsyncSession, who: Staff, slug: str) -> Venue:
    venue = await venues.venue_by_slug(session, slug)
    if venue.tenant_id != who.user.tenant_id:
        raise NotFound(f"no venue '{slug}'")
    return venue


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
    slug: str, reservation_id: uuid.UUID, session: SessionDep, who: Reader
) -> list[dict[str, Any]]:
    """Every message for one reservation: queued, sent, retried, failed or cancelled."""
    from venue.notifications.queue import for_reservation

    venue = await _own_venue(session, who, slug)
    await operations.reservation_of(session, venue, reservation_id)  # 404 for anyone else's
    return [_row(n) for n in await for_reservation(session, venue.tenant_id, reservation_id)]


@router.get("/notifications/overdue")
async def overdue_reminders(
    slug: str, session: SessionDep, now: NowDep, who: Reader
) -> dict[str, Any]:
    """Reminders that are due and not sent (is a worker running? is SMTP refusing?)."""
    venue = await _own_venue(session, who, slug)
    rows = await overdue(session, venue.tenant_id, venue.id, now, OVERDUE_GRACE)
    return {
        "warning": bool(rows),
        "count": len(rows),
        "message": f"{len(rows)} reminder(s) due but unsent" if rows else None,
        "items": [_row(n) for n in rows],
    }


@router.get("/mail")
async def local_outbox(
    slug: str,
    session: SessionDep,
    who: Reader,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[dict[str, Any]]:
    """The local outbox (no SMTP configured): newest first."""
    venue = await _own_venue(session, who, slug)
    rows = await session.scalars(
        select(LocalMail)
        .where(LocalMail.tenant_id == venue.tenant_id, LocalMail.venue_id == venue.id)
        .order_by(LocalMail.at.desc())
        .limit(limit)
    )
    return [
        {"id": str(m.id), "to": m.to_addr, "subject": m.subject, "at": m.at.isoformat()}
        for m in rows
    ]


@router.get("/mail/{mail_id}")
async def local_mail(
    slug: str, mail_id: uuid.UUID, session: SessionDep, who: Reader
) -> dict[str, Any]:
    """One message from the local outbox: headers, text, HTML and attachments."""
    venue = await _own_venue(session, who, slug)
    m = await session.get(LocalMail, mail_id)
    if m is None or m.tenant_id != venue.tenant_id or m.venue_id != venue.id:
        raise NotFound("no such message")
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
