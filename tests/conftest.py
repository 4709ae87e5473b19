"""Shared fixtures: a migrated database per backend, a fake clock, an API client.

Every test builds its own tenant, so tests never see each other's rows and need no
cleanup. Database-backed tests run on SQLite always and on PostgreSQL when
``DATABASE_URL`` points at one; with ``MAITRE_REQUIRE_SERVICES=1`` (CI) a missing
PostgreSQL or Redis fails the run instead of skipping.

On PostgreSQL the suite runs as production does: ``DATABASE_URL``'s role (the owner)
creates the database and migrates it, which provisions the application role ``APP_ROLE``;
the app, the factories and every ``engine`` connect as that role, which row-level
security binds. ``pg_owner_engine`` is for the few tests that need the owner.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher, profiles
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from venue.core.db import create_engine, session_factory
from venue.core.migrate import upgrade
from venue.staff import sessions as staff_sessions
from web.app import create_app
from web.settings import Settings

REQUIRE = os.environ.get("MAITRE_REQUIRE_SERVICES") == "1"
PG_URL = Settings(database_url=os.environ.get("DATABASE_URL", "sqlite://")).database_url
HAS_PG = PG_URL.startswith("postgresql")
# Staff passwords made by the suite are hashed with argon2's cheapest parameters (0.1 ms
# instead of ~250 ms a hash on this machine; the suite makes hundreds). The parameters
# travel in each hash, so a production-strength hash (the demo's) still verifies, and
# the app's own parameters are untouched.
staff_sessions.HASHER = PasswordHasher.from_parameters(profiles.CHEAPEST)

# Per process, so two test runs on one machine never drop each other's database.
TEST_DB = f"maitre_test_{os.getpid()}"
# Cluster-wide, shared by test runs; it gets the owner's password (if any) in tests.
APP_ROLE = "maitre_test_app"


def need(condition: bool, what: str) -> None:
    if not condition:
        if REQUIRE:
            pytest.fail(f"{what} is required (MAITRE_REQUIRE_SERVICES=1) but not configured")
        pytest.skip(f"{what} not configured")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests last: Playwright's sync API keeps an event loop running in this
    thread until its session fixtures end, which pytest-asyncio tests cannot share."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres"):
        need(HAS_PG, "PostgreSQL (DATABASE_URL)")
    if item.get_closest_marker("redis"):
        need(bool(os.environ.get("REDIS_URL")), "Redis (REDIS_URL)")


class FakeClock:
    """The app's clock, moved by tests (cutoffs, expiry, DST) instead of sleeping."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


async def fresh_pg_database(name: str = TEST_DB) -> str:
    """Drop and create database ``name`` on the PostgreSQL server; its URL (as the owner)."""
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT", pool_size=1)
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            await conn.execute(text(f"CREATE DATABASE {name}"))
    finally:
        await admin.dispose()
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


_engines: dict[str, AsyncEngine] = {}
_urls: dict[str, str] = {}
_owners: dict[str, AsyncEngine] = {}


def as_app_role(owner_url: str, role: str = APP_ROLE) -> str:
    return make_url(owner_url).set(username=role).render_as_string(hide_password=False)


async def engine_for(backend: str) -> tuple[AsyncEngine, str]:
    """The app's engine and URL for a backend (the application role on PostgreSQL)."""
    if backend not in _engines:
        if backend == "postgres":
            owner_url = await fresh_pg_database()
            owner = create_engine(owner_url, pool_size=2)
            await upgrade(owner, app_role=APP_ROLE, app_password=make_url(PG_URL).password)
            _owners[backend] = owner
            url = as_app_role(owner_url)
            engine = create_engine(url, pool_size=30, max_overflow=10, pool_timeout=120)
        else:
            path = Path(tempfile.mkdtemp()) / "maitre-test.db"
            url = f"sqlite+aiosqlite:///{path}"
            engine = create_engine(url)
            await upgrade(engine)
        _engines[backend], _urls[backend] = engine, url
    return _engines[backend], _urls[backend]


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres":
        need(HAS_PG, "PostgreSQL (DATABASE_URL)")
    return str(request.param)


@pytest.fixture
async def engine(backend: str) -> AsyncEngine:
    return (await engine_for(backend))[0]


@pytest.fixture
async def pg_engine() -> AsyncEngine:
    need(HAS_PG, "PostgreSQL (DATABASE_URL)")
    return (await engine_for("postgres"))[0]


@pytest.fixture
def pg_sessions(pg_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions on the migrated PostgreSQL database, as the app role (the race suites)."""
    return session_factory(pg_engine)


@pytest.fixture
async def pg_owner_engine() -> AsyncEngine:
    """The test database as its owner (schema changes, roles): not for app code."""
    need(HAS_PG, "PostgreSQL (DATABASE_URL)")
    await engine_for("postgres")
    return _owners["postgres"]


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return session_factory(engine)


@pytest.fixture
async def session(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with sessions() as s:
        yield s
        await s.rollback()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 20, 12, 0, tzinfo=UTC))


@pytest.fixture
async def client(backend: str, clock: FakeClock) -> AsyncIterator[httpx.AsyncClient]:
    _, url = await engine_for(backend)
    settings = Settings(database_url=url, environment="test", secret_key="t" * 40)
    app = create_app(settings, clock=clock, run_sweeper=False)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        c.app = app  # type: ignore[attr-defined]
        yield c
    await app.state.engine.dispose()


@pytest.fixture(scope="session", autouse=True)
async def _dispose_engines() -> AsyncIterator[None]:
    yield
    for engine in [*_engines.values(), *_owners.values()]:
        await engine.dispose()
    if "postgres" in _engines:
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT", pool_size=1)
        async with admin.connect() as conn:
            await conn.execute(text(f"DROP DATABASE IF EXISTS {TEST_DB} WITH (FORCE)"))
        await admin.dispose()
