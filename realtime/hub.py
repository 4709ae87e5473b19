"""Live streams: WebSocket clients of this process, each on one broker channel (a sitting's
floor ``floor:<sitting_id>``, a commission feed ``ledger:...``; realtime/relay.py publishes
both), each with a snapshot and a contiguous sequence."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from prometheus_client import Gauge
from starlette.websockets import WebSocket

from realtime.base import Broker
from realtime.protocol import (
    ProtocolViolation,
    hello_frame,
    parse_client_frame,
    ping_frame,
    snapshot_frame,
)
from realtime.snapshots import LoadSnapshot, SnapshotLoader
from realtime.stream import Close, Inbox, Stream

log = logging.getLogger(__name__)

CONNECTIONS = Gauge(
    "maitre_websocket_connections", "Live WebSocket clients streaming from this process."
)

UNKNOWN_NIGHT = Close(4404, "unknown night")
SNAPSHOT_FAILED = Close(1011, "snapshot failed")
TOO_SLOW = Close(1008, "client too slow")


class Hub:
    """Streams a channel to WebSocket clients: a snapshot, then deltas, never a silent gap.

    The broker delivers a channel to one `Stream` per process, which numbers and frames each
    message once and hands the same frame to every socket's bounded `Inbox` (see
    realtime/stream.py for the numbering). Each socket is served by its own coroutine (the
    sender) and one receiver task, so a stalled phone only fills its own inbox; when that
    overflows, or the broker signals `Resync`, or the client asks, the client gets a fresh
    snapshot instead of the dropped deltas. A socket joins its stream (and the stream is live
    in the broker) before its snapshot is loaded, so a change committed meanwhile arrives as
    a delta after the snapshot (deltas are idempotent). A send that takes longer than
    `send_timeout` ends the connection: the socket is dead or hopelessly slow. One heartbeat
    task pings the sockets that were sent nothing for a while.

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
        self._streams: dict[str, Stream] = {}
        self._heartbeat: asyncio.Task[None] | None = None
        self.clients = 0

    def inboxes(self, channel: str) -> tuple[Inbox, ...]:
        """This process's sockets on `channel` (for tests)."""
        stream = self._streams.get(channel)
        return tuple(stream.inboxes) if stream is not None else ()

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
        stream, inbox = self._join(channel)
        # The sender runs in a task of its own: it is woken once per frame, and resuming
        # this coroutine means resuming every middleware frame under it. The receiver,
        # woken only when the client speaks, stays here; the sender stops it when it ends.
        sender = asyncio.create_task(self._send_loop(websocket, stream, inbox))
        me = asyncio.current_task()
        receiving = True
        stopped = False

        def stop(_: object) -> None:
            nonlocal stopped
            if receiving and me is not None:
                stopped = True
                me.cancel()

        sender.add_done_callback(stop)
        close: Close | None = None
        try:
            close = await self._receive_loop(websocket, stream, inbox)
        except asyncio.CancelledError:
            if not stopped or me is None or me.uncancel() > 0:
                raise
        finally:
            receiving = False
            inbox.end()
            sender.cancel()  # the client left (or the sender is done): nothing more to send
            await asyncio.wait([sender])
            self._leave(stream, inbox)
            self.clients -= 1
            CONNECTIONS.dec()
        if not sender.cancelled():
            if (error := sender.exception()) is not None:
                log.debug("client on %s ended: %r", channel, error)  # went away mid-send
            else:
                close = sender.result() or close
        if close is not None:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(1.0):
                    await websocket.close(close.code, close.reason)

    def _join(self, channel: str) -> tuple[Stream, Inbox]:
        stream = self._streams.get(channel)
        # Closed: the broker went away meanwhile; a failed attach is not reused either.
        if stream is None or stream.closed or _failed(stream.live):
            stream = self._streams[channel] = Stream(channel)
            # Shared by every socket that joins meanwhile, and not cancelled with the one
            # that happened to create it.
            stream.live = asyncio.ensure_future(self._broker.attach(stream))
        if self._heartbeat is None:
            self._heartbeat = asyncio.create_task(self._beat())
        return stream, stream.join(self._queue_size)

    def _leave(self, stream: Stream, inbox: Inbox) -> None:
        stream.inboxes.discard(inbox)
        if stream.inboxes or self._streams.get(stream.channel) is not stream:
            return
        del self._streams[stream.channel]
        self._broker.detach(stream)
        if stream.live is not None and not stream.live.done():
            stream.live.cancel()
        if not self._streams and self._heartbeat is not None:
            self._heartbeat.cancel()
            self._heartbeat = None

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self._heartbeat_seconds / 2)
            for stream in self._streams.values():
                for inbox in stream.inboxes:
                    inbox.beat()

    async def _send_loop(self, websocket: WebSocket, stream: Stream, inbox: Inbox) -> Close | None:
        assert stream.live is not None
        await asyncio.shield(stream.live)
        while not inbox.done:
            if inbox.resync_at is not None:
                seq, inbox.resync_at = inbox.resync_at, None
                snapshot = await self._load(stream.channel)
                if isinstance(snapshot, Close):
                    return snapshot
                frame = self._snapshot_frame(stream, seq, snapshot)
            elif inbox.frames:
                seq, frame = inbox.frames.pop(0)
            elif inbox.ping_due:
                inbox.ping_due = False
                seq = inbox.sent
                frame = ping_frame(seq)
            else:
                await inbox.wait()
                continue
            if not await self._send(websocket, frame):
                return TOO_SLOW
            inbox.sent, inbox.active = seq, True
        return inbox.closing

    @staticmethod
    def _snapshot_frame(stream: Stream, seq: int, snapshot: str) -> str:
        last = stream.last_snapshot
        if last is not None and last[0] is snapshot and last[1] == seq:
            return last[2]
        frame = snapshot_frame(seq, snapshot)
        stream.last_snapshot = (snapshot, seq, frame)
        return frame

    async def _receive_loop(
        self, websocket: WebSocket, stream: Stream, inbox: Inbox
    ) -> Close | None:
        """Until the client leaves (None) or breaks the protocol (how to close)."""
        while True:
            try:
                message = await websocket.receive()
            except Exception as error:
                log.debug("client on %s ended: %r", stream.channel, error)
                return None
            if message["type"] == "websocket.disconnect":
                return None
            try:
                command = parse_client_frame(message.get("text"))
            except ProtocolViolation as violation:
                return Close(violation.code, violation.reason)
            if command == "resync":
                inbox.resync(stream.position)

    async def _load(self, channel: str) -> str | Close:
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


def _failed(live: asyncio.Future[None] | None) -> bool:
    return live is not None and live.done() and (live.cancelled() or live.exception() is not None)
