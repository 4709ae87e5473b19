"""Editing the floor plan as data: tables, areas and which tables may be joined.

A table with bookings ahead cannot be deleted (move them first); one with only past
bookings is retired rather than deleted, so history keeps its label.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.actor import Actor
from venue.core.channels import night_channel
from venue.core.errors import (
    Conflict,
    InvalidRequest,
    NotFound,
)
from venue.floor import availability, claim
from venue.journal.audit import record
from venue.models import (
    Area,
    FloorPlan,
    OutboxEvent,
    Reservation,
    ReservationTable,
    TableLink,
    TierPriceRow,
    Venue,
    VenueTable,
)
from venue.setup import venues


class TableHasFutureBookings(Conflict):
    code = "table_has_future_bookings"


class LabelTaken(Conflict):
    code = "label_taken"


# --- floor plan editing ----------------------------------------------------------------

TABLE_FIELDS = (
    "label",
    "tier",
    "min_party",
    "max_party",
    "shape",
    "x",
    "y",
    "width",
    "height",
    "rotation",
    "area_id",
    "base_minimum",
    "booking_class",
)
AREA_FIELDS = ("name", "x", "y", "width", "height")


def table_dict(t: VenueTable) -> dict[str, Any]:
    return {
        "id": str(t.id),
        **{k: getattr(t, k) for k in TABLE_FIELDS if k != "area_id"},
        "area_id": str(t.area_id) if t.area_id else None,
    }


def area_dict(a: Area) -> dict[str, Any]:
    return {"id": str(a.id), **{k: getattr(a, k) for k in AREA_FIELDS}}


async def floor_plan(session: AsyncSession, venue: Venue) -> dict[str, Any]:
    plan = await venues.active_plan(session, venue)
    tables = await availability.tables_of(session, venue, plan.id)
    areas = await _areas(session, venue, plan)
    links = await session.execute(
        select(TableLink.table_a_id, TableLink.table_b_id).where(
            TableLink.tenant_id == venue.tenant_id,
            TableLink.table_a_id.in_([t.id for t in tables]),
        )
    )
    tiers = await session.scalars(
        select(TierPriceRow.tier)
        .where(TierPriceRow.tenant_id == venue.tenant_id, TierPriceRow.venue_id == venue.id)
        .order_by(TierPriceRow.position)
    )
    return {
        "id": str(plan.id),
        "name": plan.name,
        "width": plan.width,
        "height": plan.height,
        "tiers": list(tiers),
        "areas": [area_dict(a) for a in areas],
        "tables": [table_dict(t) for t in tables],
        "links": [[str(a), str(b)] for a, b in links],
    }


async def _areas(session: AsyncSession, venue: Venue, plan: FloorPlan) -> list[Area]:
    return list(
        await session.scalars(
            select(Area)
            .where(Area.tenant_id == venue.tenant_id, Area.floor_plan_id == plan.id)
            .order_by(Area.name)
        )
    )


async def update_plan(
    session: AsyncSession, venue: Venue, changes: dict[str, Any], actor: Actor, now: datetime
) -> FloorPlan:
    plan = await venues.active_plan(session, venue)
    before = {k: getattr(plan, k) for k in ("name", "width", "height")}
    for key, value in changes.items():
        setattr(plan, key, value)
    await session.flush()
    after = {k: getattr(plan, k) for k in ("name", "width", "height")}
    await _plan_changed(session, venue, actor, now, "floor_plan.updated", plan.id, before, after)
    return plan


async def table_of(session: AsyncSession, venue: Venue, table_id: uuid.UUID) -> VenueTable:
    table = await session.scalar(
        select(VenueTable).where(
            VenueTable.tenant_id == venue.tenant_id,
            VenueTable.venue_id == venue.id,
            VenueTable.id == table_id,
            VenueTable.is_active.is_(True),
        )
    )
    if table is None:
        raise NotFound("no such table")
    return table


async def area_of(session: AsyncSession, venue: Venue, area_id: uuid.UUID) -> Area:
    plan = await venues.active_plan(session, venue)
    area = await session.scalar(
        select(Area).where(
            Area.tenant_id == venue.tenant_id, Area.floor_plan_id == plan.id, Area.id == area_id
        )
    )
    if area is None:
        raise NotFound("no such area")
    return area


async def _check_table(
    session: AsyncSession, venue: Venue, plan: FloorPlan, data: dict[str, Any], own: uuid.UUID
) -> None:
    if "tier" in data:
        known = set(
            await session.scalars(
                select(TierPriceRow.tier).where(
                    TierPriceRow.tenant_id == venue.tenant_id, TierPriceRow.venue_id == venue.id
                )
            )
        )
        if data["tier"] not in known:
            raise InvalidRequest(
                "tier",
                f"no price for tier '{data['tier']}'; known tiers: {', '.join(sorted(known))} "
                "(add a tier in pricing first)",
            )
    if data.get("area_id") is not None:
        await area_of(session, venue, data["area_id"])  # another tenant's area: 404
    if "label" in data:
        clash = await session.scalar(
            select(VenueTable.id).where(
                VenueTable.tenant_id == venue.tenant_id,
                VenueTable.floor_plan_id == plan.id,
                VenueTable.label == data["label"],
                VenueTable.id != own,
            )
        )
        if clash is not None:
            raise LabelTaken(f"another table is labelled '{data['label']}'", field="label")


async def add_table(
    session: AsyncSession, venue: Venue, data: dict[str, Any], actor: Actor, now: datetime
) -> VenueTable:
    plan = await venues.active_plan(session, venue)
    table_id = uuid.uuid4()
    await _check_table(session, venue, plan, data, table_id)
    table = VenueTable(
        id=table_id, tenant_id=venue.tenant_id, venue_id=venue.id, floor_plan_id=plan.id, **data
    )
    _check_party(table.min_party or 1, table.max_party or 4)
    session.add(table)
    await session.flush()
    await _plan_changed(
        session, venue, actor, now, "table.added", table.id, None, _audit_table(table)
    )
    return table


async def update_table(
    session: AsyncSession,
    venue: Venue,
    table: VenueTable,
    data: dict[str, Any],
    actor: Actor,
    now: datetime,
) -> VenueTable:
    plan = await venues.active_plan(session, venue)
    await _check_table(session, venue, plan, data, table.id)
    _check_party(data.get("min_party", table.min_party), data.get("max_party", table.max_party))
    before = _audit_table(table)
    for key, value in data.items():
        setattr(table, key, value)
    await session.flush()
    await _plan_changed(
        session, venue, actor, now, "table.updated", table.id, before, _audit_table(table)
    )
    return table


def _check_party(lo: int, hi: int) -> None:
    if hi < lo:
        raise InvalidRequest("max_party", f"max_party ({hi}) is below min_party ({lo})")


def _audit_table(t: VenueTable) -> dict[str, Any]:
    d = table_dict(t)
    d.pop("id")
    return d


async def future_bookings(
    session: AsyncSession, venue: Venue, table: VenueTable, now: datetime
) -> int:
    return int(
        await session.scalar(
            select(func.count(func.distinct(ReservationTable.reservation_id)))
            .join(Reservation, Reservation.id == ReservationTable.reservation_id)
            .where(
                ReservationTable.tenant_id == venue.tenant_id,
                ReservationTable.table_id == table.id,
                ReservationTable.ends_at > now,
                availability.live_allocation(now),  # type: ignore[arg-type]
            )
        )
        or 0
    )


async def delete_table(
    session: AsyncSession, venue: Venue, table: VenueTable, actor: Actor, now: datetime
) -> None:
    """Refused while the table has live bookings ahead (move them first). A table with
    past bookings is retired (kept for history, its label freed), otherwise deleted."""

    async def check(seen: claim.Versions) -> None:
        if not seen:
            raise Conflict("the table changed meanwhile; reload and try again")
        count = await future_bookings(session, venue, table, now)
        if count:
            raise TableHasFutureBookings(
                f"table {table.label} has {count} upcoming booking(s); move them first",
                count=count,
            )

    # The claim makes a hold racing this delete either land first (and we refuse) or
    # fail its own claim and find the table gone.
    await claim.tables(session, venue.tenant_id, [table.id], check)
    before = _audit_table(table)
    used = await session.scalar(
        select(ReservationTable.id).where(
            ReservationTable.tenant_id == venue.tenant_id, ReservationTable.table_id == table.id
        )
    )
    if used is None:
        await session.delete(table)
    else:
        table.is_active = False
        table.label = f"{table.label[:12]}~{table.id.hex[:6]}"
    await session.flush()
    await _plan_changed(session, venue, actor, now, "table.deleted", table.id, before, None)


async def add_area(
    session: AsyncSession, venue: Venue, data: dict[str, Any], actor: Actor, now: datetime
) -> Area:
    plan = await venues.active_plan(session, venue)
    area = Area(tenant_id=venue.tenant_id, floor_plan_id=plan.id, **data)
    session.add(area)
    await session.flush()
    await _plan_changed(session, venue, actor, now, "area.added", area.id, None, area_dict(area))
    return area


async def update_area(
    session: AsyncSession,
    venue: Venue,
    area: Area,
    data: dict[str, Any],
    actor: Actor,
    now: datetime,
) -> Area:
    before = area_dict(area)
    for key, value in data.items():
        setattr(area, key, value)
    await session.flush()
    await _plan_changed(
        session, venue, actor, now, "area.updated", area.id, before, area_dict(area)
    )
    return area


async def delete_area(
    session: AsyncSession, venue: Venue, area: Area, actor: Actor, now: datetime
) -> None:
    """Its tables stay, outside any area."""
    before = area_dict(area)
    await session.execute(
        update(VenueTable)
        .where(VenueTable.tenant_id == venue.tenant_id, VenueTable.area_id == area.id)
        .values(area_id=None)
        .execution_options(synchronize_session=False)
    )
    await session.delete(area)
    await session.flush()
    await _plan_changed(session, venue, actor, now, "area.deleted", area.id, before, None)


async def set_link(
    session: AsyncSession,
    venue: Venue,
    a: VenueTable,
    b: VenueTable,
    joined: bool,
    actor: Actor,
    now: datetime,
) -> None:
    """Allow (or stop allowing) two tables to be joined for one party."""
    if a.id == b.id:
        raise InvalidRequest("table_ids", "a table cannot be joined to itself")
    lo, hi = sorted([a.id, b.id])
    found = await session.scalar(
        select(TableLink).where(
            TableLink.tenant_id == venue.tenant_id,
            TableLink.table_a_id == lo,
            TableLink.table_b_id == hi,
        )
    )
    if joined and found is None:
        session.add(TableLink(tenant_id=venue.tenant_id, table_a_id=lo, table_b_id=hi))
    elif not joined and found is not None:
        await session.delete(found)
    else:
        return
    await session.flush()
    pair = {"table_ids": [str(lo), str(hi)]}
    action = "tables.linked" if joined else "tables.unlinked"
    await _plan_changed(session, venue, actor, now, action, lo, None, pair)


async def _plan_changed(
    session: AsyncSession,
    venue: Venue,
    actor: Actor,
    now: datetime,
    action: str,
    entity_id: uuid.UUID,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """One audit entry; one outbox event per upcoming night so open floors refresh."""
    record(
        session,
        tenant_id=venue.tenant_id,
        actor=str(actor),
        action=action,
        entity="floor_plan",
        entity_id=entity_id,
        before=before,
        after=after,
        at=now,
    )
    for night in await venues.nights_between(
        session, venue, (now - timedelta(days=1)).date(), (now + timedelta(days=31)).date()
    ):
        session.add(
            OutboxEvent(
                tenant_id=venue.tenant_id,
                at=now,
                topic="floor_plan.changed",
                channel=night_channel(night.id),
                payload={"night_id": str(night.id), "action": action},
            )
        )
