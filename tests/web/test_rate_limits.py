"""Per-IP limits hold under a burst: with Redis shared by several processes, with a pool
far smaller than the burst, and when Redis is down or stops answering (each process then
counts on its own, and says so once).

A burst is N hold requests sent at once from one address through the real app (the
``Throttle`` middleware in front of the real routes); whatever passes the limiter answers
201 or 409, the rest 429. The in-process burst is the control: the same test with nothing
shared.

While Redis answers, a request passes only if both counts (this process's, in arrival order,
and Redis's, in the order Redis served them) are within the limit; the two orders differ in a
burst, so a little less than the limit may pass, never more. When Redis fails every request,
only the process's own count decides: exactly the limit passes.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import FakeClock, engine_for
from tests.realtime.conftest import REDIS_URL, RedisProcess
from tests.staff.conftest import SAT, Tenant, make_tenant
from web.app import create_app
from web.security import FallbackLimiter, MemoryLimiter, RedisLimiter
from web.settings import Settings

BURST = 250
LIMIT = 30


@asynccontextmanager
async def app_client(backend: str, clock: FakeClock, **overrides: Any) -> AsyncIterator[Any]:
    _, url = await engine_for(backend)
    overrides.setdefault("rate_limit_prefix", f"test:{uuid.uuid4().hex}")
    # The admitted holds queue for a few connections: the PostgreSQL server is shared (its
    # max_connections is the limit of the whole machine), and 503s are another test's business.
    overrides.setdefault("database_pool_size", 4)
    overrides.setdefault("database_max_overflow", 0)
    overrides.setdefault("database_pool_timeout_seconds", 300)
    settings = Settings(
        database_url=url,
        environment="test",
        secret_key="t" * 40,
        rate_limit_holds=LIMIT,
        **overrides,
    )
    app = create_app(settings, clock=clock, run_sweeper=False)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            yield c
    finally:
        await app.state.engine.dispose()


async def burst(clients: list[httpx.AsyncClient], t: Tenant, n: int = BURST) -> int:
    """Send n holds at once, spread over the clients; how many the limiter let through."""
    body = {"date": SAT.isoformat(), "table_ids": [t.tid("T3")], "party_size": 2}
    url = f"/api/v1/venues/{t.slug}/holds"
    answers = await asyncio.gather(
        *(clients[i % len(clients)].post(url, json=body) for i in range(n))
    )
    statuses = [r.status_code for r in answers]
    assert set(statuses) <= {201, 409, 429}, statuses
    return n - statuses.count(429)


@pytest.fixture
async def mine(engine: AsyncEngine) -> Tenant:
    return await make_tenant(engine)


@pytest.fixture
def refusing_port() -> Iterator[int]:
    """A port bound but not listening: every connection to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


@pytest.fixture
async def redis_process() -> AsyncIterator[RedisProcess]:
    server = RedisProcess()
    await server.start()
    try:
        yield server
    finally:
        await server.kill()


def limiter_warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "maitre.security" and r.levelno >= 30]


async def test_burst_in_process_control(backend: str, clock: FakeClock, mine: Tenant) -> None:
    async with app_client(backend, clock, redis_url=None) as c:
        assert await burst([c], mine) == LIMIT


@pytest.mark.redis
async def test_burst_in_redis_with_the_default_pool(
    backend: str, clock: FakeClock, mine: Tenant, caplog: pytest.LogCaptureFixture
) -> None:
    # A timeout no busy test machine reaches: Redis answers, slowly or not.
    async with app_client(
        backend, clock, redis_url=REDIS_URL, rate_limit_redis_timeout_seconds=30
    ) as c:
        assert 0 < await burst([c], mine) <= LIMIT
    assert limiter_warnings(caplog) == []


@pytest.mark.redis
async def test_burst_shared_by_two_processes_through_a_tiny_redis_pool(
    backend: str, clock: FakeClock, mine: Tenant, caplog: pytest.LogCaptureFixture
) -> None:
    # Two apps on one prefix are two processes behind a load balancer; two connections each
    # for 125 requests each. A generous timeout: this is about waiting for a connection.
    shared = {
        "redis_url": REDIS_URL,
        "rate_limit_prefix": f"test:{uuid.uuid4().hex}",
        "rate_limit_redis_connections": 2,
        "rate_limit_redis_timeout_seconds": 30,
    }
    async with AsyncExitStack() as stack:
        a = await stack.enter_async_context(app_client(backend, clock, **shared))
        b = await stack.enter_async_context(app_client(backend, clock, **shared))
        assert 0 < await burst([a, b], mine) <= LIMIT
    assert limiter_warnings(caplog) == []


@pytest.mark.redis
async def test_redis_refusing_connections_limits_still_hold(
    backend: str,
    clock: FakeClock,
    mine: Tenant,
    refusing_port: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    down = f"redis://127.0.0.1:{refusing_port}/0"
    async with app_client(backend, clock, redis_url=down) as c:
        assert await burst([c], mine) == LIMIT
    warnings = limiter_warnings(caplog)
    assert len(warnings) == 1 and warnings[0].exc_info is None
    assert "Redis unavailable" in warnings[0].getMessage()


@pytest.mark.redis
async def test_redis_not_answering_limits_still_hold(
    backend: str,
    clock: FakeClock,
    mine: Tenant,
    redis_process: RedisProcess,
    caplog: pytest.LogCaptureFixture,
) -> None:
    redis_process.pause()  # connections are accepted by the kernel, nothing answers
    try:
        async with app_client(
            backend,
            clock,
            redis_url=redis_process.url,
            rate_limit_redis_timeout_seconds=0.2,
        ) as c:
            assert await burst([c], mine, n=60) == LIMIT
    finally:
        redis_process.resume()
    assert len(limiter_warnings(caplog)) == 1


# --- the limiters themselves -------------------------------------------------------------


@pytest.mark.redis
async def test_a_burst_queues_for_the_pool_instead_of_failing() -> None:
    limiter = RedisLimiter(REDIS_URL, f"test:{uuid.uuid4().hex}", connections=2, timeout=30)
    try:
        counts = await asyncio.gather(*(limiter.hit("k", 60) for _ in range(BURST)))
    finally:
        await limiter.close()
    assert sorted(c for c, _ in counts) == list(range(1, BURST + 1))
    assert all(1 <= ttl <= 60 for _, ttl in counts)


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.redis
async def test_processes_share_counts_fall_back_to_their_own_and_share_again(
    redis_process: RedisProcess, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Ticks()
    prefix = f"test:{uuid.uuid4().hex}"

    def process() -> FallbackLimiter:
        redis = RedisLimiter(redis_process.url, prefix, timeout=0.5)
        return FallbackLimiter(redis, local=MemoryLimiter(clock), clock=clock, retry_seconds=5)

    a, b = process(), process()
    try:
        assert (await a.hit("k", 600))[0] == 1
        assert (await b.hit("k", 600))[0] == 2  # counted across processes
        await redis_process.kill()
        assert (await a.hit("k", 600))[0] == 2  # a's own count: it has seen two
        assert (await b.hit("k", 600))[0] == 2
        for _ in range(3):
            await a.hit("k", 600)
        assert (await a.peek("k"))[0] == 5
        assert len(limiter_warnings(caplog)) == 2  # one per process, not one per call

        await redis_process.start()  # empty: the shared count starts again from nothing
        assert (await a.hit("k", 600))[0] == 6  # not retried before retry_seconds
        clock.now += 5
        assert (await a.hit("k", 600))[0] == 7  # Redis counts 1; a's own count decides
        assert (await b.hit("k", 600))[0] == 3  # b's own 3; Redis 2
        assert "answers again" in limiter_warnings(caplog)[-1].getMessage()
    finally:
        await a.close()
        await b.close()
