"""The live wire protocol (JSON text frames), for the floor map and the commission feed.

Server to client:
    {"type":"hello",...}                             optional, once, before the snapshot: who
                                                     the server takes the client to be (the
                                                     commission feed: role and host_id)
    {"type":"snapshot","seq":N,"data":<snapshot>}   full state; the client replaces its own
    {"type":"delta","seq":N+1,"data":<payload>}     one published change, safe to re-apply
    {"type":"ping","seq":N}                          heartbeat; N is the last seq sent

Client to server:
    {"type":"resync"}   send me a fresh snapshot (e.g. after a gap in seq)
    {"type":"pong"}     optional heartbeat answer, ignored

`seq` is the channel's position in this process (realtime/stream.py): a delta has the same
`seq` on every socket of the channel, so its frame is built once for all of them. A snapshot
carries the position it includes, so the next delta is always `seq + 1` (deltas have no gaps);
a fresh snapshot supersedes everything before it and may repeat the last `seq` the client saw.
A ping carries the last `seq` sent to that socket.

Frames are built by string formatting around text that is already JSON (the published message,
the snapshot serialised once per load), so no socket pays for a `json.dumps`.
"""

from __future__ import annotations

import json
from typing import Any, Literal

MAX_CLIENT_FRAME = 1024

ClientCommand = Literal["resync", "pong"]


class ProtocolViolation(Exception):
    """The client sent something the protocol does not allow; close with `code`."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def snapshot_frame(seq: int, snapshot_json: str) -> str:
    return f'{{"type":"snapshot","seq":{seq},"data":{snapshot_json}}}'


def hello_frame(fields: dict[str, Any]) -> str:
    return json.dumps({**fields, "type": "hello"}, separators=(",", ":"))


def delta_frame(seq: int, payload_json: str) -> str:
    return f'{{"type":"delta","seq":{seq},"data":{payload_json}}}'


def ping_frame(seq: int) -> str:
    return f'{{"type":"ping","seq":{seq}}}'


def parse_client_frame(text: str | None) -> ClientCommand:
    """Validate one client frame; raise `ProtocolViolation` (1003 or 1008) if it is not allowed."""
    if text is None:
        raise ProtocolViolation(1003, "binary frames are not supported")
    if len(text) > MAX_CLIENT_FRAME:
        raise ProtocolViolation(1008, "frame too large")
    try:
        frame = json.loads(text)
    except ValueError:
        raise ProtocolViolation(1008, "frame is not JSON") from None
    kind = frame.get("type") if isinstance(frame, dict) else None
    if kind == "resync":
        return "resync"
    if kind == "pong":
        return "pong"
    raise ProtocolViolation(1008, "unknown message type")
