"""The staff's view of a restaurant's night: each sitting's covers and tables used
('14/36 guests, 5/10 tables'), the covers starting in each pacing slot, and the parties
with their times and tables. Read from facts, like the guest's options."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from venue.models import Guest, Night, Reservation, Venue

from . import capacity


async def night_service(
    session: AsyncSession, venue: Venue, night: Night, now: datetime
) -> dict[str, Any]:
    floor = await capacity.read_floor(session, venue, night, now)
    labels = {t.id: t.label for t in floor.tables}
    names = await _guests(session, venue, [b.id for b in floor.booked])
    sittings = []
    for sitting in floor.sittings:
        booked = [b for b in floor.booked if b.sitting_id == sitting.id]
        used_tables = set().union(*(b.table_ids for b in booked)) if booked else set()
        slots = []
        for at in capacity.starts_of(sitting, venue.timezone):
            slots.append(
                {
                    "local_time": capacity.local_hhmm(at, venue.timezone),
                    "starts_at": at.isoformat(),
                    "covers": floor.covers_starting(sitting, at),
                    "limit": sitting.pacing_covers,
                }
            )
        sittings.append(
            {
                "id": str(sitting.id),
                "name": sitting.name,
                "starts_local": capacity.local_hhmm(sitting.starts_at, venue.timezone),
                "covers": sum(b.party_size for b in booked),
                "covers_limit": sitting.covers_limit,
                "pacing_covers": sitting.pacing_covers,
                "tables_used": len(used_tables),
                "tables_total": len(floor.tables),
                "slots": slots,
                "parties": [
                    {
                        "id": str(b.id),
                        "party_size": b.party_size,
                        "guest_name": names.get(b.id),
                        "starts_local": capacity.local_hhmm(b.starts_at, venue.timezone),
                        "ends_local": capacity.local_hhmm(b.ends_at, venue.timezone),
                        "tables": sorted(labels.get(t, "?") for t in b.table_ids),
                        "table_ids": sorted(str(t) for t in b.table_ids),
                    }
                    for b in sorted(booked, key=lambda b: (b.starts_at, str(b.id)))
                ],
            }
        )
    return {
        "date": night.business_date.isoformat(),
        "is_closed": night.is_closed,
        "sittings": sittings,
        "summary": [_sentence(s) for s in sittings],
    }


def _sentence(s: dict[str, Any]) -> str:
    limit = f"/{s['covers_limit']}" if s["covers_limit"] is not None else ""
    return (
        f"{s['name']}: {s['covers']}{limit} guests, {s['tables_used']}/{s['tables_total']} tables"
    )


async def _guests(session: AsyncSession, venue: Venue, ids: list[Any]) -> dict[Any, str]:
    if not ids:
        return {}
    rows = await session.execute(
        select(Reservation.id, Guest.name)
        .join(Guest, Guest.id == Reservation.guest_id)
        .where(Reservation.tenant_id == venue.tenant_id, Reservation.id.in_(ids))
    )
    return {rid: name for rid, name in rows}
