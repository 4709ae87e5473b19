"""Security headers, the honeypot, per-IP limits on public holds and bookings, and
login throttling, in-process and (marked redis) Redis-backed."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from tests.conftest import FakeClock, engine_for
from tests.staff.conftest import PASSWORD, SAT, Tenant
from web.app import create_app
from web.security import LOGIN_PATH as LOGIN
from web.security import MemoryLimiter, Throttle
from web.settings import Settings


@asynccontextmanager
async def app_client(
    backend: str, clock: FakeClock, base_url: str = "http://test", **overrides: Any
) -> AsyncIterator[httpx.AsyncClient]:
    _, url = await engine_for(backend)
    settings = Settings(
        database_url=url,
        environment="test",
        secret_key="t" * 40,
        rate_limit_prefix=f"test:{uuid.uuid4().hex}",
        **overrides,
    )
    app = create_app(settings, clock=clock, run_sweeper=False)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=base_url) as c:
        c.app = app  # type: ignore[attr-defined]
        yield c
    await app.state.engine.dispose()


def hold_body(t: Tenant, label: str = "T1", **extra: Any) -> dict[str, Any]:
    return {"date": SAT.isoformat(), "table_ids": [t.tid(label)], "party_size": 2, **extra}


async def test_security_headers(client: httpx.AsyncClient, mine: Tenant) -> None:
    r = await client.get(f"/api/v1/venues/{mine.slug}")
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "connect-src 'self' ws: wss:" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "strict-transport-security" not in r.headers
    missing = await client.get("/api/v1/venues/nowhere")
    assert missing.status_code == 404 and "content-security-policy" in missing.headers


async def test_hsts_only_over_https(backend: str, clock: FakeClock, mine: Tenant) -> None:
    async with app_client(backend, clock, base_url="https://test") as c:
        r = await c.get(f"/api/v1/venues/{mine.slug}")
        assert r.headers["strict-transport-security"].startswith("max-age=")


async def test_session_cookie_is_secure_when_the_public_url_is_https(
    backend: str, clock: FakeClock, mine: Tenant
) -> None:
    """Behind a TLS-terminating proxy the app may see plain http; PUBLIC_URL decides."""
    body = {"email": mine.emails["manager"], "password": PASSWORD}
    async with app_client(backend, clock, public_url="https://tables.example") as c:
        signed = await c.post("/api/v1/staff/login", json=body)
        assert signed.status_code == 200
        assert "secure" in signed.headers["set-cookie"].lower()
    async with app_client(backend, clock, public_url="http://127.0.0.1:8000") as c:
        plain = await c.post("/api/v1/staff/login", json=body)
        assert "secure" not in plain.headers["set-cookie"].lower()


async def test_honeypot(client: httpx.AsyncClient, mine: Tenant) -> None:
    bot = await client.post(
        f"/api/v1/venues/{mine.slug}/holds", json=hold_body(mine, website="http://spam")
    )
    assert bot.status_code == 422 and bot.json()["errors"][0]["field"] == "website"
    person = await client.post(
        f"/api/v1/venues/{mine.slug}/holds", json=hold_body(mine, website="")
    )
    assert person.status_code == 201


async def _public_limits(backend: str, clock: FakeClock, t: Tenant, redis_url: str | None) -> None:
    async with app_client(
        backend,
        clock,
        redis_url=redis_url,
        rate_limit_holds=2,
        rate_limit_bookings=1,
        rate_limit_waitlist=2,
    ) as c:
        url = f"/api/v1/venues/{t.slug}/holds"
        first = await c.post(url, json=hold_body(t, "T1"))
        assert first.status_code == 201
        assert (await c.post(url, json=hold_body(t, "T1"))).status_code == 409  # counts too
        limited = await c.post(url, json=hold_body(t, "T2"))
        assert limited.status_code == 429
        assert limited.headers["content-type"] == "application/problem+json"
        assert limited.json()["code"] == "rate_limited"
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        hold = first.json()
        complete = f"{url}/{hold['reservation']['id']}/complete"
        guest = {"token": hold["token"], "guest": {"name": "A", "email": "a@example.com"}}
        assert (await c.post(complete, json=guest)).status_code == 200
        again = await c.post(complete, json=guest)
        assert again.status_code == 429 and "retry-after" in again.headers
        # Joining the waitlist (which mails the guest) has an allowance of its own.
        wait = f"/api/v1/venues/{t.slug}/waitlist"
        joins = [
            await c.post(
                wait,
                json={
                    "date": SAT.isoformat(),
                    "party_size": 2,
                    "name": f"W{i}",
                    "email": f"w{i}@example.com",
                },
            )
            for i in range(3)
        ]
        assert [j.status_code for j in joins] == [201, 201, 429], [j.text for j in joins]
        assert joins[2].json()["code"] == "rate_limited"
        # Reading is never limited.
        assert (await c.get(f"/api/v1/venues/{t.slug}")).status_code == 200


async def test_public_rate_limits_in_process(backend: str, clock: FakeClock, mine: Tenant) -> None:
    await _public_limits(backend, clock, mine, None)


@pytest.mark.redis
async def test_public_rate_limits_in_redis(backend: str, clock: FakeClock, mine: Tenant) -> None:
    await _public_limits(backend, clock, mine, os.environ["REDIS_URL"])


def from_address(app: Any, ip: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(ip, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://test")


async def _login_throttle(backend: str, clock: FakeClock, t: Tenant, redis_url: str | None) -> None:
    async with app_client(
        backend,
        clock,
        redis_url=redis_url,
        login_max_failures=5,
        login_max_failures_per_ip=9,
        login_delay_seconds=300,  # long enough that no test machine outwaits it
    ) as c:
        login = "/api/v1/staff/login"
        manager = t.emails["manager"]
        for _ in range(6):  # five free, the sixth through the gate, which then shuts
            r = await c.post(login, json={"email": manager, "password": "wrong"})
            assert r.status_code == 401
        locked = await c.post(login, json={"email": manager, "password": PASSWORD})
        assert locked.status_code == 429 and 60 < int(locked.headers["retry-after"]) <= 300
        # The rightful owner, somewhere else, is not locked out by what this address did.
        app = c.app  # type: ignore[attr-defined]
        async with from_address(app, "203.0.113.9") as elsewhere:
            r = await elsewhere.post(login, json={"email": manager, "password": PASSWORD})
            assert r.status_code == 200
        # Another account from the same address still signs in.
        assert (
            await c.post(login, json={"email": t.emails["floor"], "password": PASSWORD})
        ).status_code == 200
        for _ in range(3):
            r = await c.post(login, json={"email": f"{uuid.uuid4().hex}@x.com", "password": "x"})
            assert r.status_code == 401
        # Nine failures from this address: every account is refused from here, not elsewhere.
        blocked = await c.post(login, json={"email": t.emails["owner"], "password": PASSWORD})
        assert blocked.status_code == 429 and blocked.json()["code"] == "rate_limited"
        async with from_address(app, "203.0.113.9") as elsewhere:
            r = await elsewhere.post(login, json={"email": t.emails["owner"], "password": PASSWORD})
            assert r.status_code == 200


async def test_login_throttling_in_process(backend: str, clock: FakeClock, mine: Tenant) -> None:
    await _login_throttle(backend, clock, mine, None)


@pytest.mark.redis
async def test_login_throttling_in_redis(backend: str, clock: FakeClock, mine: Tenant) -> None:
    await _login_throttle(backend, clock, mine, os.environ["REDIS_URL"])


async def test_sign_in_delays_grow_per_account_and_address() -> None:
    """The throttle alone, on a clock the test moves: the exact waits, no sleeping."""
    now = [1000.0]
    right = "correct horse battery staple"

    async def accounts(scope: Any, receive: Any, send: Any) -> None:
        body = json.loads((await receive())["body"])
        status = 200 if body["password"] == right else 401
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    settings = Settings(
        environment="test",
        secret_key="t" * 40,
        login_max_failures=3,
        login_max_failures_per_ip=100,
        login_delay_seconds=2,
    )
    throttle = Throttle(accounts, settings, MemoryLimiter(clock=lambda: now[0]))

    async def attempt(ip: str, password: str, email: str = "sam@example.com") -> httpx.Response:
        async with from_address(throttle, ip) as c:
            return await c.post(LOGIN, json={"email": email, "password": password})

    statuses = [(await attempt("198.51.100.1", "guess")).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 401]  # three free, the fourth through the gate
    waits = []
    for _ in range(3):
        refused = await attempt("198.51.100.1", right)  # even the right password waits
        assert refused.status_code == 429
        waits.append(int(refused.headers["retry-after"]))
        now[0] += waits[-1]
        assert (await attempt("198.51.100.1", "guess")).status_code == 401
    assert waits == [2, 8, 32]  # every attempt past the free ones doubles the next wait
    # Another address, or another account from this one, is not slowed at all.
    assert (await attempt("203.0.113.9", right)).status_code == 200
    assert (await attempt("198.51.100.1", "guess", "kim@example.com")).status_code == 401
    # Once the wait is over the right password goes through and clears the slate.
    now[0] += int((await attempt("198.51.100.1", right)).headers["retry-after"])
    assert (await attempt("198.51.100.1", right)).status_code == 200
    statuses = [(await attempt("198.51.100.1", "guess")).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 401]
