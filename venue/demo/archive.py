"""The demo's older history: past nights written as plain rows, as an import of a
venue's past bookings would be (no audit, outbox or commission lines), so finance's
forecast has weeks of the same weekdays to compare with. Recent nights, tonight and the
coming nights go through the booking services instead (venue/demo/bookings.py):
playing months of bookings through them would make the demo slow to start."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.tokens import hash_token, new_token
from venue.models import (
    Host,
    Night,
    Reservation,
    ReservationSpend,
    ReservationTable,
    Sitting,
    Venue,
    VenueTable,
)


async def archive_night(
    session: AsyncSession,
    venue: Venue,
    host: Host,
    night: Night,
    sitting: Sitting,
    tables: list[VenueTable],
    prices: dict[str, int],
    fill: float,
    rng: random.Random,
) -> None:
    rows = [
        row
        for table in rng.sample(tables, round(len(tables) * fill))
        for row in _past_booking(session, venue, host, night, sitting, table, prices, rng)
    ]
    await session.flush()  # reservations before the rows that point at them
    session.add_all(rows)


def _past_booking(
    session: AsyncSession,
    venue: Venue,
    host: Host,
    night: Night,
    sitting: Sitting,
    table: VenueTable,
    prices: dict[str, int],
    rng: random.Random,
) -> list[ReservationTable | ReservationSpend]:
    """Add a past reservation; return the rows that point at it (added after a flush)."""
    roll = rng.random()
    status = "completed" if roll < 0.82 else "no_show" if roll < 0.9 else "cancelled"
    minimum = prices[table.tier] * (125 if night.business_date.weekday() == 5 else 100) // 100
    created = night.opens_at - timedelta(hours=rng.triangular(1.5, 24 * 21, 24 * 3))
    by_host = rng.random() < 0.3
    res = Reservation(
        id=uuid.uuid4(),
        tenant_id=venue.tenant_id,
        venue_id=venue.id,
        night_id=night.id,
        sitting_id=sitting.id,
        status=status,
        starts_at=sitting.starts_at,
        ends_at=sitting.ends_at,
        party_size=rng.randint(table.min_party, min(table.max_party, 20)),
        host_id=host.id if by_host else None,
        channel="host" if by_host else "online",
        created_by="import",
        currency=venue.currency,
        quoted_minimum=minimum,
        quoted_deposit=0,
        quote={"tables": [{"table_id": str(table.id), "label": table.label, "minimum": minimum}]},
        token_hash=hash_token(new_token()),
        created_at=created,
        updated_at=night.closes_at,
    )
    session.add(res)
    table_row = ReservationTable(
        tenant_id=venue.tenant_id,
        reservation_id=res.id,
        table_id=table.id,
        status=status,
        starts_at=res.starts_at,
        ends_at=res.ends_at,
    )
    if status != "completed":
        return [table_row]
    spend = ReservationSpend(
        tenant_id=venue.tenant_id,
        reservation_id=res.id,
        amount=minimum * rng.randint(100, 170) // 100,
        currency=venue.currency,
        actor="import",
        at=night.closes_at,
    )
    return [table_row, spend]
