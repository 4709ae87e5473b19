"""PostgreSQL row-level security as a second tenant wall, for the application role that
the whole suite runs as on PostgreSQL (tests/conftest.py)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.api.test_pricing_api import add_staff, sign_in
from tests.conftest import APP_ROLE, FakeClock, engine_for
from tests.factories import World, create_night_for, create_venue
from venue.core import rls
from venue.core.actor import GUEST
from venue.core.db import create_engine, session_factory
from venue.core.migrate import upgrade
from venue.models import Reservation, Venue
from venue.reservations import booking
from web.app import create_app
from web.settings import Settings

pytestmark = pytest.mark.postgres

SAT = date(2026, 11, 21)
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
async def app_url(pg_engine: AsyncEngine) -> str:
    """The test database as the application role (venue/approle.py), as the app runs."""
    return (await engine_for("postgres"))[1]


async def two_tenants(engine: AsyncEngine) -> tuple[World, World]:
    async with session_factory(engine)() as s, s.begin():
        worlds = []
        for _ in range(2):
            w = await create_venue(s)
            await create_night_for(s, w, SAT, now=NOW)
            req = booking.HoldRequest(SAT, [w.table("T1").id], 2)
            await booking.place_hold(s, w.venue, req, GUEST, NOW)
            worlds.append(w)
        return worlds[0], worlds[1]


async def test_every_tenant_table_has_the_policy(pg_owner_engine: AsyncEngine) -> None:
    async with pg_owner_engine.connect() as conn:
        tables = await conn.run_sync(rls.tenant_tables)
        forced = set(
            (
                await conn.execute(
                    text(
                        "SELECT relname FROM pg_class WHERE relrowsecurity AND relforcerowsecurity"
                    )
                )
            ).scalars()
        )
        # Migrated already: applying again changes nothing (no table lock taken).
        assert await conn.run_sync(rls.apply) == []
    assert {"reservations", "reservation_tables", "venues", "audit_entries"} <= set(tables)
    assert set(tables) <= forced


async def test_a_table_that_lost_its_wall_gets_it_back_and_only_it(
    pg_owner_engine: AsyncEngine,
) -> None:
    async with pg_owner_engine.connect() as conn:
        await conn.execute(text(f"DROP POLICY {rls.POLICY} ON guests"))
        await conn.execute(text("ALTER TABLE venues NO FORCE ROW LEVEL SECURITY"))
        assert sorted(await conn.run_sync(rls.apply)) == ["guests", "venues"]
        assert await conn.run_sync(rls.apply) == []
        await conn.commit()


async def test_a_second_migrate_at_head_does_not_wait_for_running_readers(
    pg_owner_engine: AsyncEngine,
) -> None:
    """A server starting beside running ones migrates (at head: nothing to do) while
    their transactions read: it neither waits for them nor blocks them."""
    url = pg_owner_engine.url.render_as_string(hide_password=False)
    reader = create_engine(url, pool_size=1)
    impatient = create_engine(
        url, pool_size=1, connect_args={"server_settings": {"lock_timeout": "2000"}}
    )
    try:
        async with reader.connect() as r:
            await r.execute(text("SELECT count(*) FROM reservations"))
            await r.execute(text("SELECT count(*) FROM venue_tables"))
            await upgrade(impatient, app_role=APP_ROLE)  # lock_timeout raises if it waits
            await r.rollback()
    finally:
        await reader.dispose()
        await impatient.dispose()


async def test_a_scoped_transaction_sees_and_writes_only_its_tenant(
    pg_engine: AsyncEngine,
) -> None:
    a, b = await two_tenants(pg_engine)
    async with session_factory(pg_engine)() as s, s.begin():
        await rls.scope_to_tenant(s, a.venue.tenant_id)
        # No tenant filter in these queries on purpose: the database applies it.
        seen = set((await s.scalars(select(Reservation.tenant_id))).all())
        assert seen == {a.venue.tenant_id}
        assert await s.get(Venue, b.venue.id) is None
        hit = await s.execute(
            text("UPDATE reservations SET notes = 'x' WHERE tenant_id = :t"),
            {"t": b.venue.tenant_id},
        )
        assert hit.rowcount == 0  # type: ignore[attr-defined]
    with pytest.raises(DBAPIError, match="row-level security"):
        async with session_factory(pg_engine)() as s, s.begin():
            await rls.scope_to_tenant(s, a.venue.tenant_id)
            await s.execute(
                text(
                    "INSERT INTO tenants (id, name, slug, created_at) VALUES (:i, 'x', :s, now())"
                ),
                {"i": uuid.uuid4(), "s": uuid.uuid4().hex},
            )
            await s.execute(
                text(
                    "INSERT INTO guests (id, tenant_id, name, created_at) "
                    "VALUES (:i, :t, 'Mallory', now())"
                ),
                {"i": uuid.uuid4(), "t": b.venue.tenant_id},
            )
    async with session_factory(pg_engine)() as s:  # unscoped: system jobs see everything
        count = await s.scalar(
            select(func.count()).where(
                Reservation.tenant_id.in_([a.venue.tenant_id, b.venue.tenant_id])
            )
        )
        assert count == 2


async def test_the_staff_api_works_behind_the_wall(
    pg_engine: AsyncEngine, app_url: str, clock: FakeClock
) -> None:
    a, b = await two_tenants(pg_engine)
    app = create_app(
        Settings(database_url=app_url, environment="test", secret_key="t" * 40),
        clock=clock,
        run_sweeper=False,
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        await sign_in(client, await add_staff(pg_engine, a, "manager"))
        mine = await client.get(f"/api/v1/staff/venues/{a.venue.slug}/reservations")
        assert mine.status_code == 200 and mine.json()["total"] == 1
        theirs = await client.get(f"/api/v1/staff/venues/{b.venue.slug}/reservations")
        assert theirs.status_code == 404
    await app.state.engine.dispose()
