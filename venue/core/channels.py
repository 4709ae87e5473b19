"""Channel names, built and read in one place.

Two kinds of name travel through the system:

* an outbox event's ``channel`` says what changed: ``night:<night id>`` (a night's floor,
  read by the relay) or ``commissions:<tenant id>`` (a tenant's commission ledger);
* a broker channel says who listens: ``floor:<sitting id>`` carries one sitting's floor
  map to the WebSocket clients of every process (realtime/relay.py, realtime/hub.py).
"""

from __future__ import annotations

import uuid

NIGHT = "night:"
FLOOR = "floor:"
COMMISSIONS = "commissions:"


def night_channel(night_id: uuid.UUID | str) -> str:
    return f"{NIGHT}{night_id}"


def floor_channel(sitting_id: uuid.UUID | str) -> str:
    return f"{FLOOR}{sitting_id}"


def commissions_channel(tenant_id: uuid.UUID | str) -> str:
    return f"{COMMISSIONS}{tenant_id}"


def night_of(channel: str | None) -> uuid.UUID | None:
    """The night a ``night:<id>`` channel names; None for any other channel."""
    return _id_after(NIGHT, channel)


def sitting_of(channel: str | None) -> uuid.UUID | None:
    """The sitting a ``floor:<id>`` channel names; None for any other channel."""
    return _id_after(FLOOR, channel)


def _id_after(prefix: str, channel: str | None) -> uuid.UUID | None:
    if not channel or not channel.startswith(prefix):
        return None
    try:
        return uuid.UUID(channel.removeprefix(prefix))
    except ValueError:
        return None
