"""Production refuses to serve as a role that row-level security does not bind."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import FakeClock, engine_for
from venue.core import approle
from web.app import create_app
from web.cli import _worker
from web.dbcheck import PrivilegedRole
from web.settings import Settings

pytestmark = pytest.mark.postgres


def production(url: str, **extra: Any) -> Settings:
    return Settings(
        database_url=url,
        environment="production",
        secret_key="p" * 40,
        stripe_secret_key="sk_test_placeholder",
        stripe_webhook_secret="whsec_placeholder",
        **extra,
    )


async def starts(settings: Settings, clock: FakeClock) -> bool:
    app = create_app(settings, clock=clock, run_sweeper=False)
    try:
        async with app.router.lifespan_context(app):
            return True
    except PrivilegedRole:
        return False
    finally:
        await app.state.engine.dispose()


async def test_production_refuses_a_superuser_unless_told(
    pg_owner_engine: AsyncEngine, clock: FakeClock
) -> None:
    async with pg_owner_engine.connect() as conn:
        found = await approle.privileges(conn)
    if found is None or not found.bypasses_rls:
        pytest.skip("DATABASE_URL's role is not privileged: nothing to refuse")
    owner = pg_owner_engine.url.render_as_string(hide_password=False)
    _, app_role = await engine_for("postgres")
    assert not await starts(production(owner), clock)
    assert await starts(production(owner, allow_privileged_db_role=True), clock)
    # The owner migrates; the app connects as APP_DATABASE_URL's role and starts.
    assert await starts(production(owner, app_database_url=app_role), clock)
    assert await starts(production(app_role), clock)


async def test_the_worker_refuses_it_too(pg_owner_engine: AsyncEngine) -> None:
    async with pg_owner_engine.connect() as conn:
        found = await approle.privileges(conn)
    if found is None or not found.bypasses_rls:
        pytest.skip("DATABASE_URL's role is not privileged: nothing to refuse")
    owner = pg_owner_engine.url.render_as_string(hide_password=False)
    with pytest.raises(PrivilegedRole, match="APP_DATABASE_URL"):
        await _worker(production(owner))
