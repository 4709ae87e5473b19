"""The live floor map over WebSocket: one channel per sitting of a venue night."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, WebSocket
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from venue.core.channels import floor_channel, sitting_of
from venue.floor import floormap
from venue.setup import venues

router = APIRouter()


def snapshot_loader(
    sessions: async_sessionmaker[AsyncSession], clock: Callable[[], datetime]
) -> Callable[[str], Any]:
    """The hub's snapshot source: a short session per load, none held while streaming."""

    async def load(channel: str) -> dict[str, Any] | None:
        sitting_id = sitting_of(channel)
        if sitting_id is None:
            return None
        async with sessions() as session:
            found = await venues.sitting_with_context(session, sitting_id)
            if found is None:
                return None
            sitting, night, venue = found
            return await floormap.floor_map(session, venue, night, sitting.id, clock())

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
