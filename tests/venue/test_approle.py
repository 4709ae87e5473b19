"""The application role: what ``maitre migrate`` creates and grants, and what it refuses."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import APP_ROLE, engine_for
from venue.core import approle
from venue.core.db import create_engine
from web.cli import _migrate
from web.settings import Settings

pytestmark = pytest.mark.postgres


@pytest.fixture
async def throwaway_role(pg_owner_engine: AsyncEngine) -> AsyncIterator[str]:
    """A role name of this test's own, dropped (with its grants) afterwards."""
    role = f"maitre_probe_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    yield role
    async with pg_owner_engine.connect() as conn:
        exists = await conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
        if exists:
            await conn.execute(text(f'DROP OWNED BY "{role}"'))
            await conn.execute(text(f'DROP ROLE "{role}"'))
        await conn.commit()


async def attributes(engine: AsyncEngine, role: str) -> tuple[bool, bool, bool]:
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                text("SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = :r"),
                {"r": role},
            )
        ).one()
    return bool(row[0]), bool(row[1]), bool(row[2])


async def test_the_suite_runs_as_a_role_that_row_level_security_binds(
    pg_engine: AsyncEngine,
) -> None:
    async with pg_engine.connect() as conn:
        found = await approle.privileges(conn)
    assert found is not None and found.role == APP_ROLE
    assert not found.superuser and not found.bypass_rls and not found.bypasses_rls


async def test_the_app_role_reads_and_writes_rows_but_not_the_schema(
    pg_engine: AsyncEngine,
) -> None:
    async with pg_engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM alembic_version")) >= 1
    for statement in (
        "ALTER TABLE reservations ADD COLUMN mallory text",
        "ALTER TABLE reservations DISABLE ROW LEVEL SECURITY",
        "DROP POLICY tenant_wall ON reservations",
        "DELETE FROM alembic_version",
    ):
        with pytest.raises(DBAPIError, match=r"must be owner|permission denied"):
            async with pg_engine.begin() as conn:
                await conn.execute(text(statement))


async def test_migrate_creates_the_role_of_app_database_url(
    pg_owner_engine: AsyncEngine, throwaway_role: str
) -> None:
    owner_url = pg_owner_engine.url.render_as_string(hide_password=False)
    app_url = pg_owner_engine.url.set(username=throwaway_role, password='50% o\'the \\ "pw"')
    settings = Settings(
        database_url=owner_url, app_database_url=app_url.render_as_string(hide_password=False)
    )
    assert await _migrate(settings) == throwaway_role
    assert await attributes(pg_owner_engine, throwaway_role) == (False, False, True)
    engine = create_engine(settings.app_url, pool_size=1)
    try:
        async with engine.begin() as conn:
            assert await conn.scalar(text("SELECT current_user")) == throwaway_role
            await conn.execute(text("SELECT id FROM reservations LIMIT 1"))
            await conn.execute(text("SELECT nextval('audit_entries_id_seq')"))
    finally:
        await engine.dispose()
    # Migrating again changes nothing and fails nothing.
    assert await _migrate(settings) == throwaway_role


async def test_migrate_takes_bypassrls_away_and_refuses_a_superuser(
    pg_owner_engine: AsyncEngine, throwaway_role: str
) -> None:
    async with pg_owner_engine.connect() as conn:
        await conn.execute(text(f'CREATE ROLE "{throwaway_role}" LOGIN BYPASSRLS'))
        await conn.commit()
        await conn.run_sync(lambda sync: approle.provision(sync, throwaway_role))
        await conn.commit()
    assert await attributes(pg_owner_engine, throwaway_role) == (False, False, True)

    async with pg_owner_engine.connect() as conn:
        await conn.execute(text(f'ALTER ROLE "{throwaway_role}" SUPERUSER'))
        await conn.commit()
        with pytest.raises(approle.RoleError, match="superuser"):
            await conn.run_sync(lambda sync: approle.provision(sync, throwaway_role))
        await conn.rollback()
        await conn.execute(text(f'ALTER ROLE "{throwaway_role}" NOSUPERUSER'))
        await conn.commit()


async def test_the_owner_is_never_provisioned_as_the_app(pg_owner_engine: AsyncEngine) -> None:
    async with pg_owner_engine.connect() as conn:
        me = await conn.scalar(text("SELECT current_user"))
        assert await conn.run_sync(lambda sync: approle.provision(sync, str(me))) is False
        await conn.rollback()


async def test_sqlite_has_no_roles() -> None:
    engine, _ = await engine_for("sqlite")
    async with engine.connect() as conn:
        assert await approle.privileges(conn) is None


async def test_an_owner_without_createrole_leaves_an_existing_password_alone(
    pg_owner_engine: AsyncEngine, throwaway_role: str
) -> None:
    """Managed databases: an administrator made the role; migrating must not fail on it."""
    weak = f"{throwaway_role}_owner"
    async with pg_owner_engine.connect() as conn:
        await conn.execute(text(f'CREATE ROLE "{throwaway_role}" LOGIN'))
        await conn.execute(text(f'CREATE ROLE "{weak}" LOGIN NOCREATEROLE'))
        await conn.commit()
    engine = create_engine(pg_owner_engine.url.set(username=weak), pool_size=1)
    try:
        async with engine.connect() as conn:
            await conn.run_sync(lambda sync: approle._set_password(sync, throwaway_role, "pw"))
            assert await conn.scalar(text("SELECT 1")) == 1  # the transaction lives on
    finally:
        await engine.dispose()
        async with pg_owner_engine.connect() as conn:
            await conn.execute(text(f'DROP ROLE "{weak}"'))
            await conn.commit()
