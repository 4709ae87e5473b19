"""A venue's mail templates (``MailTemplate``): read, save, delete, the copy a message is
planned with, and the report when sending could not use one. The words themselves are
checked and rendered by ``custom``."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core import i18n
from venue.core.actor import SYSTEM, Actor
from venue.core.clock import local_to_utc, to_local
from venue.core.errors import Conflict, InvalidRequest, NotFound
from venue.journal.audit import record
from venue.models import MailTemplate, Notification, NotificationSettings, Venue
from venue.setup import venues

from . import custom, queue
from .context import venue_context
from .render import MailSettings, Rendered, render_mail


class TemplateChanged(Conflict):
    code = "mail_template_changed"


def check_key(kind: str, language: str) -> None:
    if kind not in custom.KINDS:
        raise InvalidRequest("kind", f"one of: {', '.join(custom.KINDS)}")
    if language not in i18n.LANGUAGES:
        raise InvalidRequest("language", f"one of: {', '.join(i18n.LANGUAGES)}")


def check_parts(parts: dict[str, str | None]) -> dict[str, str | None]:
    """Each non-empty part checked (422 naming the field and the reason); "" is None."""
    out: dict[str, str | None] = {}
    for name in custom.FIELDS:
        source = parts.get(name)
        source = source if source and source.strip() else None
        if source is not None:
            try:
                custom.check(name, source)
            except custom.OverrideFailed as exc:
                raise InvalidRequest(name, exc.reason) from None
        out[name] = source
    return out


def as_dict(row: MailTemplate) -> dict[str, Any]:
    return {
        "kind": row.kind,
        "language": row.language,
        "subject": row.subject,
        "intro": row.intro,
        "outro": row.outro,
        "version": row.version,
        "updated_at": row.updated_at.isoformat(),
        "updated_by": row.updated_by,
        "failed_at": row.failed_at.isoformat() if row.failed_at else None,
        "last_failure": row.last_failure,
    }


def _audit_view(row: MailTemplate) -> dict[str, Any]:
    return {
        k: getattr(row, k) for k in ("kind", "language", "subject", "intro", "outro", "version")
    }


async def list_templates(session: AsyncSession, venue: Venue) -> list[MailTemplate]:
    rows = await session.scalars(
        select(MailTemplate)
        .where(MailTemplate.tenant_id == venue.tenant_id, MailTemplate.venue_id == venue.id)
        .order_by(MailTemplate.kind, MailTemplate.language)
    )
    return list(rows)


async def find(
    session: AsyncSession, venue_id: uuid.UUID, kind: str, language: str
) -> MailTemplate | None:
    found: MailTemplate | None = await session.scalar(
        select(MailTemplate).where(
            MailTemplate.venue_id == venue_id,
            MailTemplate.kind == kind,
            MailTemplate.language == language,
        )
    )
    return found


async def get(session: AsyncSession, venue: Venue, kind: str, language: str) -> MailTemplate:
    check_key(kind, language)
    row = await find(session, venue.id, kind, language)
    if row is None or row.tenant_id != venue.tenant_id:
        raise NotFound(f"no own text for '{kind}' in '{language}'; the default is used")
    return row


async def put(
    session: AsyncSession,
    venue: Venue,
    kind: str,
    language: str,
    parts: dict[str, str | None],
    version: int,
    actor: Actor,
    now: datetime,
) -> MailTemplate:
    """Save the venue's text under its version (0: a new one; 409 when someone saved in
    between); every part is checked first (422 naming the field)."""
    check_key(kind, language)
    checked = check_parts(parts)
    if not any(checked.values()):
        raise InvalidRequest("subject", "give a subject, an intro or an outro (or delete)")
    row = await find(session, venue.id, kind, language)
    current = row.version if row is not None else 0
    if version != current:
        raise TemplateChanged(
            "someone else saved this template meanwhile; reload and try again", version=current
        )
    before = _audit_view(row) if row is not None else None
    if row is None:
        row = MailTemplate(
            tenant_id=venue.tenant_id, venue_id=venue.id, kind=kind, language=language, version=0
        )
        session.add(row)
    for name, source in checked.items():
        setattr(row, name, source)
    row.version += 1
    row.updated_at = now
    row.updated_by = str(actor)
    row.failed_at = row.last_failure = None
    await session.flush()
    record(
        session,
        tenant_id=venue.tenant_id,
        actor=str(actor),
        action="mail_template.saved",
        entity="mail_template",
        entity_id=row.id,
        before=before,
        after=_audit_view(row),
        at=now,
        topic="mail_template.saved",
        payload={
            "venue": str(venue.id),
            "kind": kind,
            "language": language,
            "version": row.version,
        },
    )
    return row


async def delete(
    session: AsyncSession, venue: Venue, kind: str, language: str, actor: Actor, now: datetime
) -> None:
    """Back to the default text."""
    row = await get(session, venue, kind, language)
    before = _audit_view(row)
    await session.delete(row)
    await session.flush()
    record(
        session,
        tenant_id=venue.tenant_id,
        actor=str(actor),
        action="mail_template.deleted",
        entity="mail_template",
        entity_id=row.id,
        before=before,
        after=None,
        at=now,
        topic="mail_template.deleted",
        payload={"venue": str(venue.id), "kind": kind, "language": language},
    )


async def planned(
    session: AsyncSession, venue_id: uuid.UUID, kind: str, language: str
) -> dict[str, Any] | None:
    """The copy a message is planned with (like its brand): the parts, the version."""
    if kind not in custom.KINDS:
        return None
    row = await find(session, venue_id, kind, language)
    if row is None:
        return None
    return {
        "id": str(row.id),
        "version": row.version,
        **{name: getattr(row, name) for name in custom.FIELDS},
    }


async def report_failure(
    session: AsyncSession,
    n: Notification,
    failures: list[tuple[str, str]],
    now: datetime,
) -> None:
    """Sending fell back to the default text: mark the template, audit it, emit an event,
    and mail the venue's staff (a ``template_alert`` to the venue's address)."""
    planned_copy = n.context.get("override") or {}
    field, reason = failures[0]
    row = await find(session, n.venue_id, n.kind, n.language)
    if row is not None and str(row.id) == planned_copy.get("id"):
        row.failed_at = now
        row.last_failure = f"{field}: {reason}"[:500]
    details = {
        "venue": str(n.venue_id),
        "notification": str(n.id),
        "kind": n.kind,
        "language": n.language,
        "failures": [{"field": f, "reason": r} for f, r in failures],
    }
    record(
        session,
        tenant_id=n.tenant_id,
        actor=str(SYSTEM),
        action="mail_template.failed",
        entity="mail_template",
        entity_id=planned_copy.get("id") or n.id,
        before=None,
        after=details,
        at=now,
        topic="mail_template.failed",
        payload=details,
    )
    venue = await session.get(Venue, n.venue_id)
    if venue is None or not venue.email:
        return
    language = await _venue_language(session, venue)
    await queue.enqueue(
        session,
        tenant_id=n.tenant_id,
        venue_id=n.venue_id,
        reservation_id=None,
        kind="template_alert",
        audience="venue",
        to_addr=venue.email,
        reply_to=None,
        language=language,
        context={
            "venue": n.context["venue"],
            "brand": n.context.get("brand"),
            "alert": {"kind": n.kind, "language": n.language, "field": field, "reason": reason},
        },
        dedupe_key=f"template_alert:{n.id}",
        due_at=now,
    )


async def _venue_language(session: AsyncSession, venue: Venue) -> str:
    lang = await session.scalar(
        select(NotificationSettings.language).where(NotificationSettings.venue_id == venue.id)
    )
    return i18n.supported(lang) or i18n.SOURCE


# -- preview and test send: the real email, with sample booking details -------------------


async def sample_context(
    session: AsyncSession,
    venue: Venue,
    parts: dict[str, str | None],
    now: datetime,
) -> dict[str, Any]:
    """A message's context for the venue as it is, a sample booking for four a week from
    now at 20:00 in the venue's time, and the draft ``parts`` as the override."""
    day = to_local(now, venue.timezone).date() + timedelta(days=7)
    starts = local_to_utc(day, time(20, 0), venue.timezone)
    rules = await venues.rules_of(session, venue)
    return {
        **await venue_context(session, venue),
        "reservation": {
            "id": "00000000-0000-0000-0000-000000000000",
            "status": "confirmed",
            "party_size": 4,
            "tables": ["T1"],
            "sitting": None,
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=3)).isoformat(),
            "currency": venue.currency,
            "minimum": 40000,
            "deposit": 10000,
            "notes": None,
            "version": 1,
        },
        "guest": {"name": "Ada Lovelace", "email": None, "phone": None},
        "policy": {"cancel_cutoff_minutes": rules.cancel_cutoff_minutes},
        "appointment": None,
        "booking_word": "table",
        "amount": 10000,
        "offer": {
            "id": "00000000-0000-0000-0000-000000000000",
            "expires_at": (now + timedelta(minutes=15)).isoformat(),
        },
        "override": {name: parts.get(name) for name in custom.FIELDS},
    }


async def preview(
    session: AsyncSession,
    venue: Venue,
    kind: str,
    language: str,
    parts: dict[str, str | None],
    settings: MailSettings,
    now: datetime,
) -> Rendered:
    """The email as a guest would get it, with the draft (checked as saving would)."""
    check_key(kind, language)
    checked = check_parts(parts)
    n = Notification(
        id=uuid.uuid4(),
        tenant_id=venue.tenant_id,
        venue_id=venue.id,
        reservation_id=None,
        kind=kind,
        audience="guest",
        to_addr="guest@example.com",
        reply_to=venue.email,
        language=language,
        context=await sample_context(session, venue, checked, now),
        created_at=now,
    )
    return render_mail(n, settings)


async def send_test(
    session: AsyncSession,
    venue: Venue,
    kind: str,
    language: str,
    parts: dict[str, str | None],
    to_addr: str,
    actor: Actor,
    now: datetime,
) -> uuid.UUID:
    """Queue the draft as a test message to ``to_addr`` (the signed-in staff member)
    through the normal queue; its subject says it is a test."""
    check_key(kind, language)
    checked = check_parts(parts)
    context = await sample_context(session, venue, checked, now)
    context["test"] = True
    context["guest"]["email"] = to_addr
    nid = uuid.uuid4()
    await queue.enqueue(
        session,
        id=nid,
        tenant_id=venue.tenant_id,
        venue_id=venue.id,
        reservation_id=None,
        kind=kind,
        audience="guest",
        to_addr=to_addr,
        reply_to=venue.email,
        language=language,
        context=context,
        dedupe_key=f"test:{nid}",
        due_at=now,
    )
    record(
        session,
        tenant_id=venue.tenant_id,
        actor=str(actor),
        action="mail_template.test_sent",
        entity="mail_template",
        entity_id=nid,
        before=None,
        after={"kind": kind, "language": language, "to": to_addr, **checked},
        at=now,
        topic="mail_template.test_sent",
        payload={
            "venue": str(venue.id),
            "kind": kind,
            "language": language,
            "notification": str(nid),
        },
    )
    return nid
