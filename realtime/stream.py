"""A channel's stream in one process: each message numbered and framed once, for every socket.

The broker hands a published message to the channel's one `Stream` (a `Subscription` whose
`deliver` fans out at once instead of queueing); the stream gives it the channel's next
position and builds its delta frame once, and each socket's `Inbox` queues that same frame
object. So 1,000 sockets on a floor cost one JSON frame per change, not 1,000.

Positions are per channel and process and have no gaps. A socket joins at the current
position P and is sent a snapshot labelled P, then the frames P+1, P+2, ...: the snapshot
is loaded after the join, so it includes every change up to P (deltas are idempotent, so
one that it includes as well does no harm). Whenever an inbox drops frames (overflow, the
broker's `Resync`, the client's request) it is resynced at the stream's position at that
moment: the next snapshot is labelled with it and the frames after it follow. A client
therefore always sees snapshot N, delta N+1, N+2, ...; a gap means a lost frame.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from realtime.events import Event, Resync
from realtime.protocol import delta_frame
from realtime.subscription import Subscription


@dataclass(frozen=True, slots=True)
class Close:
    code: int
    reason: str


SHUTTING_DOWN = Close(1012, "server restarting")


class Inbox:
    """One socket's bounded queue of frames shared with the other sockets of its channel.

    Filled synchronously by the stream (so a slow socket never holds up the others); on
    overflow everything queued is dropped and the socket is resynced. `resync_at`, when
    set, is the position the next snapshot must carry.
    """

    __slots__ = (
        "_waiter",
        "active",
        "closing",
        "done",
        "frames",
        "maxsize",
        "overflows",
        "ping_due",
        "resync_at",
        "sent",
    )

    def __init__(self, maxsize: int, position: int) -> None:
        self.maxsize = maxsize
        # A list, not a deque: an empty deque costs ~700 bytes per idle socket, and a
        # socket's queue is short (sent as fast as the socket takes it, at most `maxsize`).
        self.frames: list[tuple[int, str]] = []
        self.resync_at: int | None = position  # the first snapshot
        self.sent = position  # the last seq sent (what a ping carries)
        self.overflows = 0
        self.active = False  # something was sent since the last heartbeat tick
        self.ping_due = False
        self.done = False
        self.closing: Close | None = None
        self._waiter: asyncio.Future[None] | None = None

    def __len__(self) -> int:
        return len(self.frames)

    def push(self, seq: int, frame: str) -> None:
        if self.done:
            return
        if len(self.frames) >= self.maxsize:
            self.overflows += 1
            self.resync(seq)
            return
        self.frames.append((seq, frame))
        self._wake()

    def resync(self, position: int) -> None:
        """Drop what is queued; the next thing sent is a snapshot labelled `position`."""
        self.frames.clear()
        self.resync_at = position
        self._wake()

    def beat(self) -> None:
        """Heartbeat tick: ask for a ping if nothing was sent since the previous tick."""
        if self.active:
            self.active = False
        else:
            self.ping_due = True
            self._wake()

    def end(self, closing: Close | None = None) -> None:
        """Stop the socket's sender, closing the socket with `closing` if given."""
        if not self.done:
            self.done, self.closing = True, closing
            self._wake()

    async def wait(self) -> None:
        """Until something may have changed (push, resync, ping, end)."""
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)


class Stream(Subscription):
    """The broker's one subscriber of a channel for every socket of this process."""

    def __init__(self, channel: str) -> None:
        super().__init__(channel, 1)
        self.position = 1  # the first snapshot's label: deltas start at 2
        self.inboxes: set[Inbox] = set()
        self.live: asyncio.Future[None] | None = None  # the broker delivers once it is done
        # The last snapshot frame built: sockets resynced together share it.
        self.last_snapshot: tuple[str, int, str] | None = None

    def deliver(self, event: Event) -> None:
        if self.closed:
            return
        if isinstance(event, Resync):
            for inbox in self.inboxes:
                inbox.resync(self.position)
            return
        self.position += 1
        seq = self.position
        frame = delta_frame(seq, event.data)  # once, for every socket
        for inbox in self.inboxes:
            inbox.push(seq, frame)

    def join(self, maxsize: int) -> Inbox:
        inbox = Inbox(maxsize, self.position)
        self.inboxes.add(inbox)
        return inbox

    def close(self) -> None:
        """The broker is shutting down (or the hub let go): end every socket."""
        super().close()
        for inbox in self.inboxes:
            inbox.end(SHUTTING_DOWN)
