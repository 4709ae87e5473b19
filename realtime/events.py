"""What a broker subscription yields: a published message or a `Resync` signal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ResyncReason = Literal["overflow", "reconnect", "requested"]


@dataclass(frozen=True, slots=True)
class Message:
    """One message published on `channel`; `data` is the publisher's text, passed through as is."""

    channel: str
    data: str


@dataclass(frozen=True, slots=True)
class Resync:
    """Control signal: messages may have been missed on `channel`; reload the state from scratch.

    Sent when a subscriber's bounded queue overflowed, after the broker reconnected (anything
    published while it was away is gone), or when the consumer asked for one itself.
    """

    channel: str
    reason: ResyncReason


Event = Message | Resync
