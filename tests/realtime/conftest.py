"""Fixtures for the realtime tests: brokers, a throwaway Redis server, a live uvicorn server."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import uvicorn
from redis.asyncio import Redis

from realtime import MemoryBroker

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
DEADLINE = 10.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def unique_channel() -> str:
    return f"test:floor:{uuid.uuid4().hex}"


@pytest.fixture
def channel() -> str:
    return unique_channel()


@pytest.fixture
async def memory_broker() -> AsyncIterator[MemoryBroker]:
    broker = MemoryBroker(queue_size=16)
    await broker.connect()
    yield broker
    await broker.disconnect()


async def wait_until_ping(url: str) -> None:
    """Poll a just-started Redis until it answers (it offers no readiness event)."""
    client = Redis.from_url(url, socket_connect_timeout=0.2)
    try:
        async with asyncio.timeout(DEADLINE):
            while True:  # a starting server offers no readiness signal but its port
                with contextlib.suppress(Exception):
                    await client.ping()
                    return
                await asyncio.sleep(0.02)
    finally:
        await client.aclose()


class RedisProcess:
    """A redis-server the test owns, so it can kill and restart it."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not on PATH"
        self._process = await asyncio.create_subprocess_exec(
            *(binary, "--port", str(self.port), "--bind", "127.0.0.1"),
            *("--save", "", "--appendonly", "no"),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        await wait_until_ping(self.url)

    def pause(self) -> None:
        """SIGSTOP: connections stay open but nothing answers (a half-open link)."""
        assert self._process is not None
        self._process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self._process is not None
        self._process.send_signal(signal.SIGCONT)

    async def kill(self) -> None:
        if self._process is not None:
            self._process.kill()
            async with asyncio.timeout(DEADLINE):
                await self._process.wait()
            self._process = None


@pytest.fixture
async def redis_process() -> AsyncIterator[RedisProcess]:
    server = RedisProcess()
    await server.start()
    try:
        yield server
    finally:
        await server.kill()


@contextlib.asynccontextmanager
async def running_app(app: Any) -> AsyncIterator[str]:
    """Serve `app` with uvicorn on a free port in this event loop; yield its ws:// base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(DEADLINE):
            # uvicorn exposes a flag, not an event
            while not server.started:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
        yield f"ws://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        async with asyncio.timeout(DEADLINE):
            await task
        sock.close()
