"""The commission dashboard hears of a host's booking over a real socket, from the consumer
loop as it runs in ``maitre serve``/``maitre worker``, through the one publishing path
(outbox event, relay, broker, hub): sequenced frames, a host sees only their own lines,
finance all of them, and a client that asks after a gap gets a fresh snapshot."""

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


class Feed:
    """One socket read as the pages read it: seq checked for gaps, pings skipped."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.seq = 0

    async def frame(self) -> dict[str, Any]:
        """The next hello, snapshot or delta frame."""
        while True:
            async with asyncio.timeout(DEADLINE):  # it arrives; how fast is bench/'s business
                frame = dict(json.loads(await self.ws.recv()))
            if frame["type"] == "ping":
                continue
            if frame["type"] == "delta":  # a snapshot carries the position it includes
                assert frame["seq"] == self.seq + 1, f"gap: {self.seq} -> {frame['seq']}"
            if frame["type"] != "hello":
                self.seq = frame["seq"]
            return frame

    async def snapshot(self) -> dict[str, Any]:
        frame = await self.frame()
        assert frame["type"] == "snapshot", frame
        return dict(frame["data"])

    async def entries(self) -> list[dict[str, Any]]:
        """The lines of the next delta."""
        frame = await self.frame()
        assert frame["type"] == "delta" and frame["data"]["type"] == "entries", frame
        return list(frame["data"]["entries"])


async def _next(ws: Any) -> dict[str, Any]:
    """The next message that is not a ping or a snapshot: the hello, or a delta's payload."""
    while True:
        msg = json.loads(await ws.recv())
        if msg["type"] == "delta":
            return dict(msg["data"])
        if msg["type"] == "hello":
            return dict(msg)


def _cookie(http: httpx.AsyncClient) -> dict[str, str]:
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in http.cookies.items())}


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
            assert line["amount"] == res["minimum"] // 10
            assert line["host_name"] == "Jade"  # named as on the dashboard (was null)


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


async def test_a_host_sees_only_their_own_lines_and_finance_sees_all(
    server: tuple[str, Any], mine: Money
) -> None:
    addr, _app = server
    url = f"ws://{addr}/ws/staff/commissions"
    async with (
        httpx.AsyncClient(base_url=f"http://{addr}") as fin_http,
        httpx.AsyncClient(base_url=f"http://{addr}") as jade_http,
        httpx.AsyncClient(base_url=f"http://{addr}") as max_http,
    ):
        await _login(fin_http, mine.emails["finance"])
        jade_csrf = await _login(jade_http, mine.emails["host"])
        max_csrf = await _login(max_http, mine.host2_email)
        jade_id, max_id = str(mine.host_id), str(mine.host2_id)
        async with (
            websockets.connect(url, additional_headers=_cookie(fin_http)) as fin_ws,
            websockets.connect(url, additional_headers=_cookie(jade_http)) as jade_ws,
            websockets.connect(url, additional_headers=_cookie(max_http)) as max_ws,
        ):
            fin, jade, max_ = Feed(fin_ws), Feed(jade_ws), Feed(max_ws)
            assert await jade.frame() == {"type": "hello", "role": "host", "host_id": jade_id}
            assert (await fin.frame())["host_id"] is None
            await max_.frame()
            for feed in (fin, jade, max_):
                assert (await feed.snapshot())["entries"] == []

            theirs = await host_book(max_http, mine, max_csrf, "T4", name="Bob")
            [line] = await fin.entries()
            assert line["reservation_id"] == theirs["id"] and line["host_id"] == max_id
            assert line["host_name"] == "Max"
            assert [e["id"] for e in await max_.entries()] == [line["id"]]

            # Max's line was published before Jade books: a socket that could see it would
            # get it first.
            own = await host_book(jade_http, mine, jade_csrf, "T3", name="Ann")
            [line] = await fin.entries()
            assert line["reservation_id"] == own["id"] and line["host_id"] == jade_id
            [mine_only] = await jade.entries()
            assert mine_only == line and isinstance(line["id"], int)

            # A gap: the client asks, and gets a snapshot numbered next, of its own lines.
            await max_ws.send('{"type":"resync"}')
            snapshot = await max_.snapshot()
            assert snapshot["host_id"] == max_id
            assert [e["reservation_id"] for e in snapshot["entries"]] == [theirs["id"]]
            await fin_ws.send('{"type":"resync"}')
            snapshot = await fin.snapshot()
            assert {e["reservation_id"] for e in snapshot["entries"]} == {own["id"], theirs["id"]}

        # A new connection starts from a snapshot of the host's own lines only.
        async with websockets.connect(url, additional_headers=_cookie(jade_http)) as ws:
            feed = Feed(ws)
            await feed.frame()
            entries = (await feed.snapshot())["entries"]
            assert [(e["reservation_id"], e["host_id"]) for e in entries] == [(own["id"], jade_id)]
