"""Hosts (promoters) for staff: the hosts, a reservation's attribution and its
reassignment, and closing a table with its spend (the host's commission settles on it).

Listing hosts: everyone but hosts. Creating them and reassigning: owner/manager.
Attributing, closing with spend: floor staff and up.
"""

from __future__ import annotations

import uuid
from enum import Enum
from typing import Any

from fastapi import APIRouter
from pydantic import Field

from venue.hosts import hosts
from venue.reservations import operations

from ..deps import (
    Floor,
    FloorVenue,
    Manager,
    ManagerVenue,
    NowDep,
    ReaderVenue,
    SessionDep,
)
from ..schemas import Amount, Strict

router = APIRouter(prefix="/api/v1/staff/venues/{slug}")
MONEY: list[str | Enum] = ["staff: hosts, guests, money"]  # and the list: "staff: console"


@router.get("/hosts", tags=["staff: console"])
async def list_hosts(venue: ReaderVenue, session: SessionDep) -> list[dict[str, Any]]:
    """Hosts (promoters) to attribute bookings to and filter by."""
    return [
        {"id": str(h.id), "name": h.name, "code": h.code}
        for h in await operations.hosts(session, venue)
    ]


class HostIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    code: str = Field(min_length=3, max_length=20, description="letters/digits, unique")
    commission_bp: int = Field(default=1000, ge=0, le=10000)


@router.post("/hosts", status_code=201, tags=MONEY)
async def create_host(
    body: HostIn, who: Manager, venue: ManagerVenue, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Create a host (then a ``host`` user with its ``host_id`` through /staff/users)."""
    host = await hosts.create_host(
        session,
        venue.tenant_id,
        name=body.name,
        email=body.email,
        code=body.code,
        commission_bp=body.commission_bp,
        actor=who.actor,
        now=now,
    )
    return hosts.host_dict(host, [venue])


@router.get("/hosts/{host_id}", tags=MONEY)
async def host_details(
    host_id: uuid.UUID, venue: ManagerVenue, session: SessionDep
) -> dict[str, Any]:
    """A host with their booking link."""
    return hosts.host_dict(await operations.host_by_id(session, venue.tenant_id, host_id), [venue])


class AttributeIn(Strict):
    host_id: uuid.UUID


@router.post("/reservations/{res_id}/host", tags=MONEY)
async def attribute(
    res_id: uuid.UUID,
    body: AttributeIn,
    who: Floor,
    venue: FloorVenue,
    session: SessionDep,
    now: NowDep,
) -> dict[str, Any]:
    """Attribute an unattributed reservation to a host; once set, 409 attribution_locked
    (the attempt is audit-logged). Changing it is a manager's reassignment."""
    res = await operations.reservation_of(session, venue, res_id)
    await hosts.attribute(session, res, body.host_id, who.actor, now)
    return await hosts.attribution(session, res)


class ReassignIn(Strict):
    host_id: uuid.UUID | None = Field(description="the new host; null: no host")
    reason: str = Field(min_length=3, max_length=300)


@router.post("/reservations/{res_id}/reassign-host", tags=MONEY)
async def reassign_host(
    res_id: uuid.UUID,
    body: ReassignIn,
    who: Manager,
    venue: ManagerVenue,
    session: SessionDep,
    now: NowDep,
) -> dict[str, Any]:
    """Correct a reservation's host, with a reason: audited, kept in history; the
    commission moves from the old host to the new one."""
    res = await operations.reservation_of(session, venue, res_id)
    await hosts.reassign(session, res, body.host_id, body.reason, who.actor, now)
    return await hosts.attribution(session, res)


@router.get("/reservations/{res_id}/attribution", tags=MONEY)
async def attribution(res_id: uuid.UUID, venue: FloorVenue, session: SessionDep) -> dict[str, Any]:
    """The reservation's host, channel and reassignment history."""
    res = await operations.reservation_of(session, venue, res_id)
    return await hosts.attribution(session, res)


class CloseTableIn(Strict):
    spend: Amount = Field(description="actual spend, minor units")
    version: Amount | None = None


class SpendIn(Strict):
    spend: Amount = Field(description="actual spend, minor units")


@router.post("/reservations/{res_id}/close", tags=MONEY)
async def close_table(
    res_id: uuid.UUID,
    body: CloseTableIn,
    who: Floor,
    venue: FloorVenue,
    session: SessionDep,
    now: NowDep,
) -> dict[str, Any]:
    """seated -> completed with the actual spend; the host's commission settles on it."""
    res = await operations.reservation_of(session, venue, res_id)
    await hosts.close(session, venue, res, body.spend, who.actor, now, body.version)
    return {**await operations.details(session, venue, res), "spend": body.spend}


@router.post("/reservations/{res_id}/spend", tags=MONEY)
async def record_spend(
    res_id: uuid.UUID,
    body: SpendIn,
    who: Floor,
    venue: FloorVenue,
    session: SessionDep,
    now: NowDep,
) -> dict[str, Any]:
    """Enter the spend of a table closed without one (once; 409 spend_already_recorded)."""
    res = await operations.reservation_of(session, venue, res_id)
    await hosts.record_spend(session, res, body.spend, who.actor, now)
    return {**await operations.details(session, venue, res), "spend": body.spend}
