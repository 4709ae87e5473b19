"""Live streams: WebSocket clients of this process, each on one broker channel (a sitting's
floor ``floor:<sitting_id>``, a commission feed ``ledger:...``; realtime/relay.py publishes
both), each with a snapshot and a contiguous sequence."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from prometheus_client import Gauge
from starlette.websockets import WebSocket

from realtime.base import Broker
from realtime.events import Resync
from realtime.protocol import (
    ProtocolViolation,
    delta_frame,
    hello_frame,
    parse_client_frame,
    ping_frame,
    snapshot_frame,
)
from realtime.snapshots import LoadSnapshot, SnapshotLoader
from realtime.subscription import Subscription

log = logging.getLogger(__name__)

CONNECTIONS = Gauge(
    "maitre_websocket_connections", "Live WebSocket clients streaming from this process."
)


@dataclass(frozen=True, slots=True)
class _Close:
    code: int
    reason: str


UNKNOWN_NIGHT = _Close(4404, "unknown night")
SNAPSHOT_FAILED = _Close(1011, "snapshot failed")
SHUTTING_DOWN = _Close(1012, "server restarting")
TOO_SLOW = _Close(1008, "client too slow")


class Hub:
    """Streams a channel to WebSocket clients: a snapshot, then deltas, never a silent gap.

    Each client gets its own broker `Subscription` (the broker shares one backend subscription
    per channel and process) and its own sender task, so a stalled phone only fills its own
    bounded queue; when that overflows, or the broker signals `Resync`, or the client asks,
    the client gets a fresh snapshot instead of the dropped deltas. The subscription is opened
    before the snapshot is loaded, so a change committed meanwhile arrives as a delta after the
    snapshot (deltas are idempotent). A send that takes longer than `send_timeout` ends the
    connection: the socket is dead or hopelessly slow.

    The hub holds no database session: `load_snapshot(channel)` is supplied by the web layer
    and returns a JSON-serialisable dict, or None when the channel names nothing (close 4404).
    Concurrent loads of one channel are coalesced (`SnapshotLoader`). The hub knows nothing
    of who may watch what: the web layer authorises a client and picks its channel (a
    host's commission channel carries only that host's lines).
    """

    def __init__(
        self,
        broker: Broker,
        load_snapshot: LoadSnapshot,
        *,
        queue_size: int = 256,
        heartbeat_seconds: float = 20.0,
        send_timeout: float = 10.0,
    ) -> None:
        self._broker = broker
        self._snapshots = SnapshotLoader(load_snapshot)
        self._queue_size = queue_size
        self._heartbeat_seconds = heartbeat_seconds
        self._send_timeout = send_timeout
        self.clients = 0

    async def serve(
        self, websocket: WebSocket, channel: str, *, hello: dict[str, Any] | None = None
    ) -> None:
        """Run one client until it disconnects, misbehaves or the broker shuts down.

        `hello`, if given, is sent once before the snapshot (unnumbered, see protocol.py).
        """
        await websocket.accept()
        if hello is not None and not await self._send(websocket, hello_frame(hello)):
            await websocket.close(TOO_SLOW.code, TOO_SLOW.reason)
            return
        self.clients += 1
        CONNECTIONS.inc()
        try:
            async with self._broker.subscribe(channel, queue_size=self._queue_size) as sub:
                close = await self._stream(websocket, sub)
        finally:
            self.clients -= 1
            CONNECTIONS.dec()
        if close is not None:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(1.0):
                    await websocket.close(close.code, close.reason)

    async def _stream(self, websocket: WebSocket, sub: Subscription) -> _Close | None:
        sender = asyncio.create_task(self._send_loop(websocket, sub))
        receiver = asyncio.create_task(self._receive_loop(websocket, sub))
        tasks = {sender, receiver}
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        finished = done.pop()
        if finished.cancelled():
            return None
        if (error := finished.exception()) is not None:
            log.debug("client on %s ended: %r", sub.channel, error)
            return None
        return finished.result()

    async def _send_loop(self, websocket: WebSocket, sub: Subscription) -> _Close | None:
        seq = 1
        snapshot = await self._load(sub.channel)
        if isinstance(snapshot, _Close):
            return snapshot
        if not await self._send(websocket, snapshot_frame(seq, snapshot)):
            return TOO_SLOW
        while True:
            try:
                async with asyncio.timeout(self._heartbeat_seconds):
                    event = await sub.get()
            except TimeoutError:
                frame = ping_frame(seq)
            else:
                if event is None:
                    return SHUTTING_DOWN
                seq += 1
                if isinstance(event, Resync):
                    snapshot = await self._load(sub.channel)
                    if isinstance(snapshot, _Close):
                        return snapshot
                    frame = snapshot_frame(seq, snapshot)
                else:
                    frame = delta_frame(seq, event.data)
            if not await self._send(websocket, frame):
                return TOO_SLOW

    async def _receive_loop(self, websocket: WebSocket, sub: Subscription) -> _Close | None:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return None
            try:
                command = parse_client_frame(message.get("text"))
            except ProtocolViolation as violation:
                return _Close(violation.code, violation.reason)
            if command == "resync":
                sub.resync("requested")

    async def _load(self, channel: str) -> str | _Close:
        try:
            snapshot = await self._snapshots.load(channel)
        except Exception:
            log.exception("loading the snapshot of %s failed", channel)
            return SNAPSHOT_FAILED
        return UNKNOWN_NIGHT if snapshot is None else snapshot

    async def _send(self, websocket: WebSocket, frame: str) -> bool:
        try:
            async with asyncio.timeout(self._send_timeout):
                await websocket.send_text(frame)
        except TimeoutError:
            return False
        return True
