"""Live streams over WebSocket, all served by the hub (realtime/hub.py, protocol.py): a
sitting's floor map, and the commission feed of the signed-in finance, manager or host.

Nothing here publishes: changes reach these sockets only through the outbox, the relay
and the broker (docs/architecture.md, "One publishing path").
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, WebSocket
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from venue.core.channels import floor_channel, ledger_channel, ledger_scope, sitting_of
from venue.floor import floormap
from venue.hosts import commissions
from venue.setup import venues
from venue.staff import sessions as staff_sessions

from .deps import COOKIE

router = APIRouter()
MONEY_ROLES = ("owner", "manager", "finance")


def snapshot_loader(
    sessions: async_sessionmaker[AsyncSession], clock: Callable[[], datetime]
) -> Callable[[str], Any]:
    """The hub's snapshot source: a short session per load, none held while streaming."""

    async def load(channel: str) -> dict[str, Any] | None:
        if (sitting_id := sitting_of(channel)) is not None:
            async with sessions() as session:
                found = await venues.sitting_with_context(session, sitting_id)
                if found is None:
                    return None
                sitting, night, venue = found
                return await floormap.floor_map(session, venue, night, sitting.id, clock())
        if (scope := ledger_scope(channel)) is not None:
            async with sessions() as session:
                return await commissions.feed(session, *scope)
        return None

    return load


@router.websocket("/ws/venues/{slug}/sittings/{sitting_id}")
async def floor_socket(websocket: WebSocket, slug: str, sitting_id: str) -> None:
    """Snapshot, then deltas with contiguous ``seq``; see realtime/protocol.py."""
    try:
        sid: uuid.UUID | None = uuid.UUID(sitting_id)
    except ValueError:
        sid = None
    found = None
    if sid is not None:
        async with websocket.app.state.sessions() as session:
            found = await venues.sitting_with_context(session, sid)
    if sid is None or found is None or found[2].slug != slug:
        # Accept first so the client gets a close code and reason, not a bare HTTP 403.
        await websocket.accept()
        await websocket.close(4404, "unknown night")
        return
    await websocket.app.state.hub.serve(websocket, floor_channel(sid))


@router.websocket("/ws/staff/commissions")
async def commission_socket(websocket: WebSocket) -> None:
    """New commission lines, live. Signed in by the staff cookie: owner/manager/finance
    get every line of their tenant, a host only their own (their own channel).

    Frames (realtime/protocol.py): ``hello`` (``role``, ``host_id``) once; a snapshot
    (``host_id`` and the latest ``entries``, as in ``GET .../commissions``); deltas
    ``{"type": "entries", "entries": [line, ...], "at"}``, each line with its ``id``.
    Close 4401: not signed in or wrong role; 4403: a cross-site Origin.
    """
    origin = websocket.headers.get("origin")
    if origin and origin.split("://", 1)[-1] != websocket.headers.get("host", ""):
        await websocket.accept()
        await websocket.close(4403, "cross-site")
        return
    app = websocket.app
    token = websocket.cookies.get(COOKIE)
    async with app.state.sessions() as session:
        found = await staff_sessions.resolve(session, token, app.state.clock()) if token else None
    user = found[0] if found else None
    if user is None or (
        user.role not in MONEY_ROLES and not (user.role == "host" and user.host_id)
    ):
        await websocket.accept()
        await websocket.close(4401, "sign in first")
        return
    host_id = user.host_id if user.role == "host" else None
    hello = {"role": user.role, "host_id": str(host_id) if host_id else None}
    await app.state.hub.serve(websocket, ledger_channel(user.tenant_id, host_id), hello=hello)
