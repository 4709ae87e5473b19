"""The outbox relay: after commit, turn state changes into floor-map deltas.

Each pass claims unpublished outbox rows, recomputes the floor of every sitting of the
nights they touch from the database (the truth, not the event), publishes the state and
price of every table of each sitting, then marks the rows published. (An earlier version
sent only what changed since this relay's last look; with a relay per process that memory
is stale whenever another process published, and a change back went unsent.)

Publishing happens before the mark commits, so a crash in between publishes again (at
least once); deltas carry absolute values, so applying one twice is harmless. A burst of
bookings on one night becomes one delta.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from venue import floormap, outbox, venues

from .base import Broker

log = logging.getLogger("maitre.relay")
TableView = dict[str, Any]


def floor_channel(sitting_id: uuid.UUID | str) -> str:
    return f"floor:{sitting_id}"


def compact(floor: dict[str, Any]) -> dict[str, TableView]:
    return {
        t["id"]: {
            "id": t["id"],
            "state": t["state"],
            "minimum": t["minimum"],
            "deposit": t["deposit"],
            "unavailable_reason": t["unavailable_reason"],
        }
        for t in floor["tables"]
    }


class OutboxRelay:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        broker: Broker,
        clock: Callable[[], datetime],
        *,
        interval: float = 0.5,
        coalesce: float = 0.1,
    ) -> None:
        self._sessions = sessions
        self._broker = broker
        self._clock = clock
        self._interval = interval
        self._coalesce = coalesce
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Called after a commit in this process: relay now rather than at the next tick."""
        self._wake.set()

    async def run_forever(self) -> None:
        while True:
            self._wake.clear()  # before the pass: a commit during it wakes the next one
            try:
                while await self.relay_once():
                    pass
            except Exception:
                log.exception("outbox relay pass failed; will retry")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval)
                # Woken by a commit: let the commits of the next moment join this pass.
                # A pass costs a floor recomputation per night, not per booking, so under
                # load this turns one recomputation per commit into one per 100 ms.
                await asyncio.sleep(self._coalesce)

    async def relay_once(self) -> int:
        async with self._sessions() as session, session.begin():
            events = await outbox.claim(session)
            if not events:
                return 0
            now = self._clock()
            nights = {
                e.channel.split(":", 1)[1]
                for e in events
                if e.channel and e.channel.startswith("night:")
            }
            for night_id in sorted(nights):
                await self._publish_night(session, uuid.UUID(night_id), now)
            await outbox.mark_published(session, events, now)
            return len(events)

    async def _publish_night(
        self, session: AsyncSession, night_id: uuid.UUID, now: datetime
    ) -> None:
        found = await venues.night_and_venue(session, night_id)
        if found is None:
            return
        night, venue = found
        for sitting in await venues.sittings_of(session, night):
            floor = await floormap.floor_map(session, venue, night, sitting.id, now)
            # Every table, every time: relays in other processes publish changes too, so
            # no relay's memory of "what clients have" can be trusted to diff against.
            message = {
                "type": "tables",
                "sitting_id": str(sitting.id),
                "tables": list(compact(floor).values()),
                "tables_free": floor["night"]["tables_free"],
                "at": now.isoformat(),
            }
            await self._broker.publish(
                floor_channel(sitting.id), json.dumps(message, separators=(",", ":"))
            )
