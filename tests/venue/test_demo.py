"""The demo's promise: the same table costs more on a headliner Saturday than on an
industry Tuesday, and every price explains itself."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from venue.floor import explain
from venue.setup import venues
from venue.setup.demo import seed_demo

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # a Wednesday


async def test_headliner_saturday_costs_more_than_industry_tuesday(session: AsyncSession) -> None:
    venue = await seed_demo(session, NOW.date(), NOW, staff_password="demo-password-123")
    plan = await venues.active_plan(session, venue)
    from venue.floor.availability import tables_of

    table = next(t for t in await tables_of(session, venue, plan.id) if t.tier == "premium")
    saturday = date(2026, 11, 21)
    tuesday = saturday + timedelta(days=3)
    sat = await explain.table_quote(session, venue, saturday, table.id, None, NOW)
    tue = await explain.table_quote(session, venue, tuesday, table.id, None, NOW)
    assert sat["minimum"] > tue["minimum"]
    assert {"Saturday", "Headliner"} <= {line["label"] for line in sat["lines"]}
    assert "Industry night" in {line["label"] for line in tue["lines"]}
