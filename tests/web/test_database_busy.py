"""A database that cannot take the request is a 503 with Retry-After, never a 500: the pool
is exhausted (in a route or in a middleware), PostgreSQL refuses connections, or it has
none left for us."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import httpx
import pytest
from fastapi import Depends, FastAPI, Request
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from starlette.types import ASGIApp, Receive, Scope, Send

from tests.conftest import PG_URL, FakeClock, engine_for
from tests.staff.conftest import SAT, Tenant, make_tenant
from venue.core.db import create_engine
from web.app import create_app
from web.problems import database_busy
from web.settings import Settings

TINY_POOL = {
    "database_pool_size": 1,
    "database_max_overflow": 0,
    "database_pool_timeout_seconds": 0.05,
}


@pytest.fixture
async def mine(engine: AsyncEngine) -> Tenant:
    return await make_tenant(engine)


@asynccontextmanager
async def app_for(url: str, clock: FakeClock, **overrides: Any) -> AsyncIterator[FastAPI]:
    settings = Settings(
        database_url=url, environment="test", secret_key="t" * 40, redis_url=None, **overrides
    )
    app = create_app(settings, clock=clock, run_sweeper=False)
    try:
        yield app
    finally:
        await app.state.engine.dispose()


def client_of(app: FastAPI) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


def assert_503(r: httpx.Response, code: str) -> None:
    assert r.status_code == 503, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == code
    assert int(r.headers["retry-after"]) == r.json()["retry_after"] >= 1


def hold(t: Tenant) -> dict[str, Any]:
    return {"date": SAT.isoformat(), "table_ids": [t.tid("T1")], "party_size": 2}


async def test_pool_exhausted_answers_503(
    backend: str, clock: FakeClock, mine: Tenant, caplog: pytest.LogCaptureFixture
) -> None:
    _, url = await engine_for(backend)
    async with app_for(url, clock, **TINY_POOL) as app, client_of(app) as c:
        async with app.state.engine.connect():  # the pool's only connection, held
            assert_503(await c.get(f"/api/v1/venues/{mine.slug}"), "overloaded")
            assert_503(
                await c.post(f"/api/v1/venues/{mine.slug}/holds", json=hold(mine)), "overloaded"
            )
        assert (await c.get(f"/api/v1/venues/{mine.slug}")).status_code == 200
    logged = [r for r in caplog.records if r.name == "maitre" and r.levelno >= 30]
    assert all(r.exc_info is None for r in logged)  # one quiet line at most, no traceback
    assert len([r for r in logged if "database overloaded" in r.getMessage()]) <= 1


class ReadsTheDatabase:
    """A middleware that queries before the routes (as a per-account sign-in limit may)."""

    def __init__(self, app: ASGIApp, engine: AsyncEngine) -> None:
        self.app, self.engine = app, engine

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        await self.app(scope, receive, send)


async def test_pool_exhausted_in_a_middleware_answers_503(
    backend: str, clock: FakeClock, mine: Tenant
) -> None:
    _, url = await engine_for(backend)
    async with app_for(url, clock, **TINY_POOL) as app, client_of(app) as c:
        app.add_middleware(ReadsTheDatabase, engine=app.state.engine)
        async with app.state.engine.connect():
            assert_503(await c.get(f"/api/v1/venues/{mine.slug}"), "overloaded")
        assert (await c.get(f"/api/v1/venues/{mine.slug}")).status_code == 200


@pytest.fixture
def refusing_port() -> Iterator[int]:
    """A port bound but not listening: every connection to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


@pytest.mark.postgres
async def test_postgres_refusing_connections_answers_503(
    clock: FakeClock, refusing_port: int
) -> None:
    down = make_url(PG_URL).set(host="127.0.0.1", port=refusing_port)
    async with (
        app_for(down.render_as_string(hide_password=False), clock) as app,
        client_of(app) as c,
    ):
        assert_503(await c.get("/api/v1/venues/velvet"), "unavailable")
        body = {"date": SAT.isoformat(), "table_ids": [str(uuid.uuid4())], "party_size": 2}
        assert_503(await c.post("/api/v1/venues/velvet/holds", json=body), "unavailable")
        assert (await c.get("/healthz")).status_code == 200


@pytest.fixture
async def role_without_connections() -> AsyncIterator[str]:
    """A login role allowed no connection at all: PostgreSQL answers 53300 to it."""
    role = f"maitre_noconn_{os.getpid()}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT", pool_size=1)
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f"DROP ROLE IF EXISTS {role}"))
            await conn.execute(text(f"CREATE ROLE {role} LOGIN CONNECTION LIMIT 0"))
        yield role
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f"DROP ROLE IF EXISTS {role}"))
        await admin.dispose()


@pytest.mark.postgres
async def test_postgres_out_of_connections_answers_503(
    clock: FakeClock, role_without_connections: str
) -> None:
    url = make_url(PG_URL).set(username=role_without_connections, password=None)
    async with (
        app_for(url.render_as_string(hide_password=False), clock) as app,
        client_of(app) as c,
    ):
        assert_503(await c.get("/api/v1/venues/velvet"), "overloaded")


async def committed_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A session committed before the answer leaves (``scope="function"``)."""
    async with request.app.state.sessions() as s:
        yield s
        await s.commit()


CommittedSession = Annotated[AsyncSession, Depends(committed_session, scope="function")]


async def terminate_own_connection(s: CommittedSession) -> None:
    pid = (await s.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    async with (await engine_for("postgres"))[0].connect() as admin:  # waits until it has ended
        await admin.execute(text("SELECT pg_terminate_backend(:pid, 10000)"), {"pid": pid})


@pytest.mark.postgres
async def test_connection_lost_before_commit_answers_503(clock: FakeClock) -> None:
    """PostgreSQL ends the request's connection (a restart, a failover) before its commit."""
    _, url = await engine_for("postgres")
    async with app_for(url, clock) as app, client_of(app) as c:
        app.post("/test/terminated")(terminate_own_connection)
        assert_503(await c.post("/test/terminated"), "unavailable")


class Orig(Exception):
    def __init__(self, sqlstate: str | None) -> None:
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("sqlstate", "invalidated", "code"),
    [
        ("53300", False, "overloaded"),  # too many connections
        ("57P01", False, "unavailable"),  # admin shutdown (a restart)
        ("57P03", False, "unavailable"),  # cannot connect now (starting up)
        ("08006", False, "unavailable"),  # connection failure
        (None, True, "unavailable"),  # the connection dropped mid-request
        ("53100", False, None),  # disk full: someone must act, not a moment's wait
        ("23505", False, None),  # a unique violation is a bug, not a busy database
        ("42P01", False, None),
        (None, False, None),
    ],
)
def test_which_database_errors_are_503(
    sqlstate: str | None, invalidated: bool, code: str | None
) -> None:
    exc = DBAPIError("SELECT 1", None, Orig(sqlstate), connection_invalidated=invalidated)
    found = database_busy(exc)
    assert (found[0] if found else None) == code
