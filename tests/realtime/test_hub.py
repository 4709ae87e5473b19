from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastapi import FastAPI, WebSocket
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from realtime import Hub, MemoryBroker
from tests.realtime.conftest import running_app, unique_channel

TIMEOUT = 5.0


class Floor:
    """The web layer's side of the hub: snapshots by channel, with a gate to hold a load open."""

    def __init__(self) -> None:
        self.nights: dict[str, dict[str, Any]] = {}
        self.loads = 0
        self.loading = asyncio.Event()
        self.gate: asyncio.Event | None = None

    async def load(self, channel: str) -> dict[str, Any] | None:
        self.loads += 1
        self.loading.set()
        if self.gate is not None:
            await self.gate.wait()
        return self.nights.get(channel)


class Stack:
    def __init__(self, broker: MemoryBroker, floor: Floor, hub: Hub) -> None:
        self.broker, self.floor, self.hub = broker, floor, hub
        self.base_url = ""
        self.finished: asyncio.Queue[str] = asyncio.Queue()  # channel of each ended serve()

    def night(self, **snapshot: Any) -> str:
        channel = unique_channel()
        self.floor.nights[channel] = snapshot
        return channel

    def url(self, channel: str) -> str:
        return f"{self.base_url}/floor/{channel}"


@pytest.fixture
async def stack(request: pytest.FixtureRequest) -> AsyncIterator[Stack]:
    options = getattr(request, "param", {})
    broker, floor = MemoryBroker(), Floor()
    hub = Hub(broker, floor.load, **{"queue_size": 8, "heartbeat_seconds": 30.0, **options})
    stack = Stack(broker, floor, hub)
    app = FastAPI()

    @app.websocket("/floor/{channel}")
    async def floor_socket(websocket: WebSocket, channel: str) -> None:
        try:
            await hub.serve(websocket, channel)
        finally:
            stack.finished.put_nowait(channel)

    @app.websocket("/greeted/{channel}")
    async def greeted_socket(websocket: WebSocket, channel: str) -> None:
        await hub.serve(websocket, channel, hello={"role": "finance", "host_id": None})

    await broker.connect()
    async with running_app(app) as stack.base_url:
        yield stack
    await broker.disconnect()


async def receive(ws: ClientConnection) -> dict[str, Any]:
    async with asyncio.timeout(TIMEOUT):
        frame = await ws.recv()
    assert isinstance(frame, str)
    result: dict[str, Any] = json.loads(frame)
    return result


async def closed_with(ws: ClientConnection) -> tuple[int, str]:
    with pytest.raises(ConnectionClosed) as closed:
        async with asyncio.timeout(TIMEOUT):
            while True:
                await ws.recv()
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code, closed.value.rcvd.reason


async def test_snapshot_then_contiguous_deltas(stack: Stack) -> None:
    channel = stack.night(tables={"t1": "free"})
    async with connect(stack.url(channel)) as ws:
        assert await receive(ws) == {
            "type": "snapshot",
            "seq": 1,
            "data": {"tables": {"t1": "free"}},
        }
        for n in range(3):
            await stack.broker.publish(channel, json.dumps({"table": "t1", "n": n}))
        for n in range(3):
            assert await receive(ws) == {
                "type": "delta",
                "seq": 2 + n,
                "data": {"table": "t1", "n": n},
            }


async def test_a_hello_comes_first_unnumbered_then_the_stream_as_usual(stack: Stack) -> None:
    channel = stack.night(entries=[])
    async with connect(f"{stack.base_url}/greeted/{channel}") as ws:
        assert await receive(ws) == {"type": "hello", "role": "finance", "host_id": None}
        assert await receive(ws) == {"type": "snapshot", "seq": 1, "data": {"entries": []}}
        await stack.broker.publish(channel, '{"type":"entries","entries":[{"id":1}]}')
        assert (await receive(ws))["seq"] == 2


async def test_change_published_while_the_snapshot_loads_follows_it(stack: Stack) -> None:
    channel = stack.night(tables={"t1": "free"})
    stack.floor.gate = asyncio.Event()
    async with connect(stack.url(channel)) as ws:
        async with asyncio.timeout(TIMEOUT):
            await stack.floor.loading.wait()
        await stack.broker.publish(channel, '{"table":"t1","status":"held"}')
        stack.floor.gate.set()

        assert (await receive(ws))["type"] == "snapshot"
        assert await receive(ws) == {
            "type": "delta",
            "seq": 2,
            "data": {"table": "t1", "status": "held"},
        }


async def test_client_that_asks_gets_a_fresh_snapshot_with_the_next_seq(stack: Stack) -> None:
    channel = stack.night(version=1)
    async with connect(stack.url(channel)) as ws:
        assert (await receive(ws))["seq"] == 1
        await stack.broker.publish(channel, '{"n":1}')
        assert (await receive(ws))["seq"] == 2
        stack.floor.nights[channel] = {"version": 2}
        await ws.send('{"type":"resync"}')
        assert await receive(ws) == {"type": "snapshot", "seq": 3, "data": {"version": 2}}


async def test_overflow_replaces_dropped_deltas_by_a_new_snapshot(stack: Stack) -> None:
    channel = stack.night(version=1)
    async with connect(stack.url(channel)) as ws:
        assert (await receive(ws))["data"] == {"version": 1}
        stack.floor.nights[channel] = {"version": 2}
        # MemoryBroker.publish never yields, so the sender cannot drain in between: the
        # client's queue (8) overflows and ends up holding [resync, "after"].
        for n in range(9):
            await stack.broker.publish(channel, json.dumps({"n": n}))
        await stack.broker.publish(channel, '"after"')

        assert await receive(ws) == {"type": "snapshot", "seq": 2, "data": {"version": 2}}
        assert await receive(ws) == {"type": "delta", "seq": 3, "data": "after"}
    assert stack.floor.loads == 2


async def test_unknown_night_closes_with_4404(stack: Stack) -> None:
    async with connect(stack.url("no-such-night")) as ws:
        assert await closed_with(ws) == (4404, "unknown night")


@pytest.mark.parametrize(
    ("frame", "code"),
    [("not json", 1008), ('{"type":"drop tables"}', 1008), ("[]", 1008), (b"\x00", 1003)],
)
async def test_malformed_message_closes_only_that_socket(
    stack: Stack, frame: str | bytes, code: int
) -> None:
    channel = stack.night(tables={})
    async with connect(stack.url(channel)) as bad, connect(stack.url(channel)) as good:
        await receive(bad)
        await receive(good)
        await bad.send(frame)
        assert (await closed_with(bad))[0] == code

        await stack.broker.publish(channel, '{"n":1}')
        assert await receive(good) == {"type": "delta", "seq": 2, "data": {"n": 1}}


@pytest.mark.parametrize("stack", [{"heartbeat_seconds": 0.05}], indirect=True)
async def test_idle_connection_gets_pings_carrying_the_current_seq(stack: Stack) -> None:
    channel = stack.night(tables={})
    async with connect(stack.url(channel)) as ws:
        await receive(ws)
        assert await receive(ws) == {"type": "ping", "seq": 1}


async def test_broker_shutdown_closes_sockets_as_a_restart(stack: Stack) -> None:
    channel = stack.night(tables={})
    async with connect(stack.url(channel)) as ws:
        await receive(ws)
        await stack.broker.disconnect()
        assert await closed_with(ws) == (1012, "server restarting")


async def stalled_client(url: str) -> socket.socket:
    """A WebSocket client that completes the handshake and then never reads again."""
    host, port, path = _split(url)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    loop = asyncio.get_running_loop()
    await loop.sock_connect(sock, (host, port))
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    await loop.sock_sendall(sock, request.encode())
    response = b""
    while b"\r\n\r\n" not in response:
        response += await loop.sock_recv(sock, 1)  # byte by byte: leave the frames unread
    assert response.startswith(b"HTTP/1.1 101")
    return sock


def _split(url: str) -> tuple[str, int, str]:
    rest = url.removeprefix("ws://")
    hostport, _, path = rest.partition("/")
    host, _, port = hostport.partition(":")
    return host, int(port), "/" + path


@pytest.mark.parametrize("stack", [{"send_timeout": 60.0}], indirect=True)
async def test_stalled_client_never_delays_another(stack: Stack) -> None:
    channel = stack.night(tables={})
    stalled = await stalled_client(stack.url(channel))
    try:
        async with connect(stack.url(channel)) as healthy:
            await receive(healthy)
            payload = json.dumps({"pad": "x" * 32_000})
            # Lock-step with the healthy client: ~10 MB, far beyond what the stalled
            # client's socket buffers can absorb.
            for n in range(300):
                await stack.broker.publish(channel, payload)
                frame = await receive(healthy)
                assert (frame["type"], frame["seq"]) == ("delta", 2 + n)

            queues = stack.broker.local_subscriptions(channel)
            assert sorted(sub.overflows > 0 for sub in queues) == [False, True]
            assert all(len(sub) <= 8 for sub in queues)
    finally:
        stalled.close()


@pytest.mark.parametrize("stack", [{"send_timeout": 0.2}], indirect=True)
async def test_hub_gives_up_on_a_client_whose_sends_time_out(stack: Stack) -> None:
    channel = stack.night(tables={})
    stalled = await stalled_client(stack.url(channel))
    publisher = asyncio.create_task(_keep_publishing(stack.broker, channel))
    try:
        async with asyncio.timeout(TIMEOUT):
            assert await stack.finished.get() == channel
        assert stack.hub.clients == 0
        assert stack.broker.local_subscriptions(channel) == ()
    finally:
        publisher.cancel()
        stalled.close()


async def _keep_publishing(broker: MemoryBroker, channel: str) -> None:
    payload = json.dumps({"pad": "x" * 64_000})
    while True:
        await broker.publish(channel, payload)
        await asyncio.sleep(0.005)  # pacing, so the healthy path would keep up
