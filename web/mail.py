"""The mail loop as Settings configure it: SMTP when a host is set, else the local outbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from venue.notifications import LocalTransport, MailConfig, MailLoop, SmtpTransport, Transport

from .settings import Settings


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
