"""Refuse to serve from a database role that row-level security does not bind.

A superuser or BYPASSRLS role skips every tenant policy (venue/rls.py), so the wall
would stand on the application's filters alone. Production refuses to start as one
unless ``ALLOW_PRIVILEGED_DB_ROLE`` says it is deliberate; elsewhere it is a warning.
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncEngine

from venue.core import approle

from .settings import Settings

log = logging.getLogger("maitre.db")


class PrivilegedRole(RuntimeError):
    pass


async def check_role(engine: AsyncEngine, settings: Settings) -> None:
    async with engine.connect() as conn:
        found = await approle.privileges(conn)
    if found is None or not found.bypasses_rls:
        return
    what = "a superuser" if found.superuser else "a BYPASSRLS role"
    message = (
        f"connected to PostgreSQL as {found.role!r}, {what}: row-level security does not "
        "bind it. Set APP_DATABASE_URL to an application role (`maitre migrate` creates "
        "it), or ALLOW_PRIVILEGED_DB_ROLE=1 to run this way on purpose."
    )
    if settings.environment == "production" and not settings.allow_privileged_db_role:
        raise PrivilegedRole(message)
    log.warning(message)
