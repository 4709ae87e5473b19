"""Channel names, built and read in one place.

Two kinds of name travel through the system:

* an outbox event's ``channel`` says what changed: ``night:<night id>`` (a night's floor,
  read by the relay) or ``commissions:<tenant id>`` (a tenant's commission ledger);
* a broker channel says who listens: ``floor:<sitting id>`` carries one sitting's floor
  map, ``ledger:<tenant id>`` a tenant's new commission lines (for finance and managers)
  and ``ledger:<tenant id>:<host id>`` one host's own lines, to the WebSocket clients of
  every process (realtime/relay.py, realtime/hub.py). A host's socket listens on its own
  channel, so another host's lines never reach it.
"""

from __future__ import annotations

import uuid

NIGHT = "night:"
FLOOR = "floor:"
COMMISSIONS = "commissions:"
LEDGER = "ledger:"


def night_channel(night_id: uuid.UUID | str) -> str:
    return f"{NIGHT}{night_id}"


def floor_channel(sitting_id: uuid.UUID | str) -> str:
    return f"{FLOOR}{sitting_id}"


def commissions_channel(tenant_id: uuid.UUID | str) -> str:
    return f"{COMMISSIONS}{tenant_id}"


def ledger_channel(tenant_id: uuid.UUID | str, host_id: uuid.UUID | str | None = None) -> str:
    """The tenant's commission feed, or with ``host_id`` that host's share of it."""
    if host_id is None:
        return f"{LEDGER}{tenant_id}"
    return f"{LEDGER}{tenant_id}:{host_id}"


def night_of(channel: str | None) -> uuid.UUID | None:
    """The night a ``night:<id>`` channel names; None for any other channel."""
    return _id_after(NIGHT, channel)


def sitting_of(channel: str | None) -> uuid.UUID | None:
    """The sitting a ``floor:<id>`` channel names; None for any other channel."""
    return _id_after(FLOOR, channel)


def commissions_of(channel: str | None) -> uuid.UUID | None:
    """The tenant a ``commissions:<id>`` channel names; None for any other channel."""
    return _id_after(COMMISSIONS, channel)


def ledger_scope(channel: str | None) -> tuple[uuid.UUID, uuid.UUID | None] | None:
    """(tenant, host or None) of a ``ledger:`` channel; None for any other channel."""
    if not channel or not channel.startswith(LEDGER):
        return None
    tenant, _, host = channel.removeprefix(LEDGER).partition(":")
    tenant_id = _id_after("", tenant)
    host_id = _id_after("", host) if host else None
    if tenant_id is None or (host and host_id is None):
        return None
    return tenant_id, host_id


def _id_after(prefix: str, channel: str | None) -> uuid.UUID | None:
    if not channel or not channel.startswith(prefix):
        return None
    try:
        return uuid.UUID(channel.removeprefix(prefix))
    except ValueError:
        return None
