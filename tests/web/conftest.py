"""Web-layer fixtures: the staff suite's tenants (a venue, a night, staff of each role), a
bare app for what is answered before any database work, and the ``cluster`` of two real
``maitre serve`` processes (see tests/web/cluster.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.staff.conftest import Tenant, make_tenant
from tests.web.cluster import Cluster, start_cluster
from web.app import create_app
from web.settings import Settings


@pytest.fixture
async def mine(engine: AsyncEngine) -> Tenant:
    return await make_tenant(engine)


@pytest.fixture
async def bare() -> AsyncIterator[httpx.AsyncClient]:
    """The app for what is answered before any database work (routing, the schema)."""
    app = create_app(Settings(environment="test", secret_key="t" * 40), run_sweeper=False)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c
    await app.state.engine.dispose()


@pytest.fixture(scope="module")
async def cluster() -> AsyncIterator[Cluster]:
    async for running in start_cluster():
        yield running
