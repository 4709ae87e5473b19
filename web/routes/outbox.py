"""Live updates the relay had to set aside, for the signed-in staff's own tenant."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from venue.journal import outbox

from ..deps import Manager, NowDep, Reader, SessionDep

router = APIRouter(prefix="/api/v1/staff/outbox", tags=["staff: console"])


@router.get("/set-aside")
async def set_aside(who: Reader, session: SessionDep) -> list[dict[str, Any]]:
    """Events the relay stopped retrying (their live floor update was never sent), with
    the last error, newest first."""
    return await outbox.set_aside_of(session, who.user.tenant_id)


@router.post("/{event_id}/retry")
async def retry(event_id: int, who: Manager, session: SessionDep, now: NowDep) -> dict[str, Any]:
    """Queue a set-aside event again with a fresh set of attempts."""
    return await outbox.retry(session, who.user.tenant_id, event_id, who.actor, now)
