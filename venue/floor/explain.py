"""One table's current price with its explanation, as the guest sees it before holding."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.errors import NotFound
from venue.floor import availability, quoting
from venue.models import Venue, VenueTable
from venue.setup import venues


async def table_quote(
    session: AsyncSession,
    venue: Venue,
    day: date,
    table_id: uuid.UUID,
    sitting_id: uuid.UUID | None,
    now: datetime,
) -> dict[str, Any]:
    """Priced exactly as the floor map prices it (same rules, demand and pace)."""
    night = await venues.night_on(session, venue, day)
    sitting = await venues.sitting_of(session, night, sitting_id)
    tables = await availability.tables_by_ids(session, venue, [table_id])
    if not tables:
        raise NotFound("no such table at this venue")
    rules = await quoting.pricing_rules(
        session, venue, await venues.rules_of(session, venue), tables
    )
    counts = await availability.tier_counts(session, venue, night, sitting, now)
    pace = await quoting.pace_of(session, venue, night, now)
    # A table the rules cannot price answers 409 table_not_priced, with the reason.
    quote = quoting.quote_tables(rules, night, sitting, tables, counts, now, pace).of(tables)[0]
    out = quote.to_dict()
    lines = [{**line, "label": guest_label(line, tables[0])} for line in out["lines"]]
    table = tables[0]
    return {
        "table_id": str(table_id),
        "label": table.label,
        "tier": table.tier,
        **out,
        "lines": lines,
    }


def guest_label(line: dict[str, Any], table: VenueTable) -> str:
    """The words a guest reads for a step of the price. The engine's own labels are for
    staff ("standard tier base"); a manager's adjustments keep the label they were given."""
    tier = table.tier.replace("_", " ")
    words = {
        "base": f"{tier.capitalize()} table minimum spend",
        "floor": f"Raised to the lowest {tier} minimum",
        "ceiling": f"Capped at the highest {tier} minimum",
        "rounding": "Rounded",
        "non_negative": "Never below zero",
    }
    if line["kind"] == "base" and line["label"].startswith("table "):
        return f"Table {table.label} minimum spend"
    return words.get(line["kind"], line["label"])
