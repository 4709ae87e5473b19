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


async def test_client_that_asks_gets_a_fresh_snapshot_the_next_delta_follows(
    stack: Stack,
) -> None:
    channel = stack.night(version=1)
    async with connect(stack.url(channel)) as ws:
        assert (await receive(ws))["seq"] == 1
        await stack.broker.publish(channel, '{"n":1}')
        assert (await receive(ws))["seq"] == 2
        stack.floor.nights[channel] = {"version": 2}
        await ws.send('{"type":"resync"}')
        # Labelled with the channel's position it includes: the next delta is seq + 1.
        assert await receive(ws) == {"type": "snapshot", "seq": 2, "data": {"version": 2}}
        await stack.broker.publish(channel, '{"n":2}')
        assert await receive(ws) == {"type": "delta", "seq": 3, "data": {"n": 2}}


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

        # The dropped deltas were 2-10; the snapshot includes them and carries 10.
        assert await receive(ws) == {"type": "snapshot", "seq": 10, "data": {"version": 2}}
        assert await receive(ws) == {"type": "delta", "seq": 11, "data": "after"}
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

            inboxes = stack.hub.inboxes(channel)
            assert sorted(inbox.overflows > 0 for inbox in inboxes) == [False, True]
            assert all(len(inbox) <= 8 for inbox in inboxes)
            assert len(stack.broker.local_subscriptions(channel)) == 1  # one per process
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
        assert stack.hub.inboxes(channel) == ()
    finally:
        publisher.cancel()
        stalled.close()


async def _keep_publishing(broker: MemoryBroker, channel: str) -> None:
    payload = json.dumps({"pad": "x" * 64_000})
    while True:
        await broker.publish(channel, payload)
        await asyncio.sleep(0.005)  # pacing, so the healthy path would keep up


class LiveClient:
    """web/static/live.js's rules, in Python: what a phone does with the frames it gets."""

    def __init__(self) -> None:
        self.seq = 0
        self.awaiting_snapshot = True
        self.resyncs = 0

    def take(self, frame: dict[str, Any]) -> bool:
        """Apply one frame; True if the client would ask for a resync."""
        if frame["type"] == "snapshot":
            self.seq, self.awaiting_snapshot = frame["seq"], False
        elif frame["type"] == "delta" and not self.awaiting_snapshot:
            if frame["seq"] != self.seq + 1:
                self.awaiting_snapshot = True
                self.resyncs += 1
                return True
            self.seq = frame["seq"]
        elif frame["type"] == "ping" and not self.awaiting_snapshot and frame["seq"] > self.seq:
            self.awaiting_snapshot = True
            self.resyncs += 1
            return True
        return False


async def test_one_frame_object_is_handed_to_every_socket_of_the_channel(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[tuple[int, str]] = []
    real = WebSocket.send_text

    async def spy(self: WebSocket, data: str) -> None:
        sent.append((id(self), data))
        await real(self, data)

    monkeypatch.setattr(WebSocket, "send_text", spy)
    channel = stack.night(tables={})
    url = stack.url(channel)
    async with connect(url) as a, connect(url) as b, connect(url) as c:
        for ws in (a, b, c):
            assert (await receive(ws))["type"] == "snapshot"
        sent.clear()
        await stack.broker.publish(channel, '{"n":1}')
        for ws in (a, b, c):
            assert await receive(ws) == {"type": "delta", "seq": 2, "data": {"n": 1}}
    assert len({socket for socket, _ in sent}) == 3
    first = sent[0][1]
    assert all(frame is first for _, frame in sent)  # encoded once, not once per socket


async def test_sockets_joining_later_continue_the_channel_sequence(stack: Stack) -> None:
    channel = stack.night(tables={})
    async with connect(stack.url(channel)) as early:
        assert (await receive(early))["seq"] == 1
        for n in range(3):
            await stack.broker.publish(channel, json.dumps({"n": n}))
        assert [(await receive(early))["seq"] for _ in range(3)] == [2, 3, 4]
        async with connect(stack.url(channel)) as late:
            # The channel's position so far: the late socket's next delta is 5, like everyone's.
            assert await receive(late) == {"type": "snapshot", "seq": 4, "data": {"tables": {}}}
            await stack.broker.publish(channel, '{"n":3}')
            await stack.broker.publish(channel, '{"n":4}')
            for ws in (early, late):
                assert [(await receive(ws))["seq"] for _ in range(2)] == [5, 6]


async def test_live_js_rules_see_no_gap_across_overflow_and_a_lost_frame_resyncs(
    stack: Stack,
) -> None:
    """Every frame the hub sends, overflow included, is accepted by the client's rules;
    a frame the client did not get (simulated) makes it ask, and the answer fits again."""
    channel = stack.night(version=1)
    async with connect(stack.url(channel)) as ws:
        client = LiveClient()
        assert not client.take(await receive(ws))
        for n in range(20):  # overflows the inbox (8): a snapshot replaces the dropped deltas
            await stack.broker.publish(channel, json.dumps({"n": n}))
        await stack.broker.publish(channel, '"tail"')
        kinds = []
        while client.seq < 22:  # 21 deltas were published after the first snapshot (seq 1)
            frame = await receive(ws)
            kinds.append(frame["type"])
            assert not client.take(frame)
        assert kinds[0] == "snapshot" and set(kinds[1:]) == {"delta"}
        assert len(kinds) < 21 and client.resyncs == 0

        await stack.broker.publish(channel, '"lost"')
        await receive(ws)  # say the phone never got this one
        await stack.broker.publish(channel, '"next"')
        assert client.take(await receive(ws))  # seq 24 after 22: a gap
        await ws.send('{"type":"resync"}')
        snapshot = await receive(ws)
        assert snapshot["type"] == "snapshot" and snapshot["seq"] == 24
        assert not client.take(snapshot)
        await stack.broker.publish(channel, '"after"')
        after = await receive(ws)
        assert after["seq"] == 25 and not client.take(after)
