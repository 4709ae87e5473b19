"""Live updates the relay had to set aside, for the signed-in staff's own tenant."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter

from venue.core.actor import Actor
from venue.journal import outbox

from .deps import NowDep, SessionDep
from .staff_auth import Staff, require

router = APIRouter(prefix="/api/v1/staff/outbox", tags=["staff: console"])
Manager = Annotated[Staff, require("owner", "manager")]
Reader = Annotated[Staff, require("owner", "manager", "floor", "finance")]


@router.get("/set-aside")
async def set_aside(who: Reader, session: SessionDep) -> list[dict[str, Any]]:
    """Events the relay stopped retrying (their live floor update was never sent), with
    the last error, newest first."""
    return await outbox.set_aside_of(session, who.user.tenant_id)


@router.post("/{event_id}/retry")
async def retry(event_id: int, who: Manager, session: SessionDep, now: NowDep) -> dict[str, Any]:
    """Queue a set-aside event again with a fresh set of attempts."""
    actor = Actor("staff", str(who.user.id))
    return await outbox.retry(session, who.user.tenant_id, event_id, actor, now)
