"""Two real ``maitre serve`` processes, one PostgreSQL database, one (killable) Redis.

The servers run as production does: ``maitre migrate`` as the owner provisions the
application role, and both servers connect as it (``APP_DATABASE_URL``).

The module-scoped ``cluster`` fixture (tests/web/conftest.py) owns its database
(``maitre_xproc_<pid>``, dropped and created per module), its Redis (a throwaway
``redis-server`` on a free port) and both servers (their process groups are killed in
teardown, whatever happened). The helpers here talk to them as clients do.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from sqlalchemy import text

from tests.conftest import HAS_PG, as_app_role, fresh_pg_database
from tests.realtime.conftest import RedisProcess, free_port
from venue.core.clock import to_local
from venue.core.db import create_engine
from venue.demo.seed import DEMO_STAFF_EMAIL
from web.cli import DEMO_PASSWORD

DB_NAME = f"maitre_xproc_{os.getpid()}"  # per test run: two runs on one machine never collide
SLUG = "velvet"
STAFF_PASSWORD = DEMO_PASSWORD
MANAGER_EMAIL = DEMO_STAFF_EMAIL
MAITRE = Path(sys.executable).parent / "maitre"
DEADLINE = 15.0  # generous upper bound for anything that normally takes milliseconds


# --- the fixture: database, redis, two servers -----------------------------------------------


@dataclass
class Cluster:
    a: str  # host:port of process A
    b: str  # host:port of process B
    redis: RedisProcess
    db_url: str
    night: date
    sitting_id: str
    tables: list[str]  # the standard tables' ids (they seat a party of 2), in label order
    logs: list[Path]


async def _run(*args: str, env: dict[str, str]) -> None:
    proc = await asyncio.create_subprocess_exec(
        *args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        async with asyncio.timeout(60):
            out, _ = await proc.communicate()
    finally:
        if proc.returncode is None:
            proc.kill()
    assert proc.returncode == 0, out.decode(errors="replace")


def _start_server(port: int, env: dict[str, str], log: Path, cwd: str) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [str(MAITRE), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=cwd,  # no stray .env is read
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, killed as a whole in teardown
        )


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]


async def _wait_healthy(host: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    async with httpx.AsyncClient(base_url=f"http://{host}", timeout=1.0) as http:
        async with asyncio.timeout(30):
            while True:  # a starting server offers no readiness signal but its port
                assert proc.poll() is None, f"server {host} died:\n{_tail(log)}"
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get("/healthz")).status_code == 200:
                        return
                await asyncio.sleep(0.05)


async def _pick_night(host: str) -> tuple[date, str, list[str]]:
    """An open night at least two days ahead (clear of the booking cutoff) and its
    standard tables, every one free: the demo's nearer nights are partly booked, so the
    first night ahead with the whole main floor free."""
    async with httpx.AsyncClient(base_url=f"http://{host}", timeout=10) as http:
        nights = (await http.get(f"/api/v1/venues/{SLUG}/nights", params={"days": 60})).json()
        today = to_local(datetime.now(UTC) - timedelta(hours=6), "Europe/London").date()
        for night in nights:
            if night["closed"] or date.fromisoformat(night["date"]) < today + timedelta(days=2):
                continue
            floor = await http.get(f"/api/v1/venues/{SLUG}/nights/{night['date']}/floor")
            standard = [t for t in floor.json()["tables"] if t["tier"] == "standard"]
            if all(t["state"] == "free" for t in standard):
                break
        else:
            raise AssertionError("the demo has no night ahead with its main floor free")
    standard.sort(key=lambda t: int(t["label"][1:]))
    return (
        date.fromisoformat(night["date"]),
        night["sittings"][0]["id"],
        [t["id"] for t in standard],
    )


async def start_cluster() -> AsyncIterator[Cluster]:
    if not HAS_PG:  # the markers skip the tests; this keeps the fixture from failing first
        pytest.skip("PostgreSQL (DATABASE_URL) not configured")
    workdir = tempfile.mkdtemp(prefix="maitre-xproc-")
    db_url = await fresh_pg_database(DB_NAME)
    redis = RedisProcess()
    await redis.start()
    servers: list[subprocess.Popen[bytes]] = []
    logs: list[Path] = []
    try:
        env = {
            **os.environ,
            "DATABASE_URL": db_url,  # the owner migrates (and provisions the app role)
            "APP_DATABASE_URL": as_app_role(db_url),  # the servers run as the app role
            "REDIS_URL": redis.url,
            "MAITRE_ENV": "development",
            # These tests make many holds from one address; the limits have their own tests.
            "RATE_LIMIT_HOLDS": "100000",
            "RATE_LIMIT_BOOKINGS": "100000",
        }
        await _run(str(MAITRE), "migrate", env=env)
        await _run(str(MAITRE), "demo", "--no-serve", env=env)  # seeds, prints, exits
        hosts = []
        for name in ("a", "b"):
            port = free_port()
            log = Path(workdir) / f"serve-{name}.log"
            servers.append(_start_server(port, env, log, workdir))
            logs.append(log)
            hosts.append(f"127.0.0.1:{port}")
        for host, proc, log in zip(hosts, servers, logs, strict=True):
            await _wait_healthy(host, proc, log)
            assert "row-level security does not bind" not in _tail(log)
        night, sitting_id, tables = await _pick_night(hosts[0])
        yield Cluster(hosts[0], hosts[1], redis, db_url, night, sitting_id, tables, logs)
    finally:
        for proc in servers:
            _kill_group(proc)
        await redis.kill()


# --- a floor-map client that keeps its own view ----------------------------------------------


@dataclass
class FloorView:
    """One WebSocket client applying snapshots and deltas as a browser would."""

    host: str
    states: dict[str, str] = field(default_factory=dict)
    snapshots: int = 0
    deltas: int = 0
    last_seq: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    _ws: Any = None
    _task: asyncio.Task[None] | None = None

    async def open(self, sitting_id: str) -> None:
        url = f"ws://{self.host}/ws/venues/{SLUG}/sittings/{sitting_id}"
        self._ws = await websockets.connect(url, open_timeout=DEADLINE)
        self._task = asyncio.create_task(self._read())
        await self.wait_for(lambda: self.snapshots >= 1)

    async def _read(self) -> None:
        async for raw in self._ws:
            frame = json.loads(raw)
            if frame["type"] == "ping":
                continue
            # As live.js: a snapshot carries the channel position it includes (it may
            # repeat the last seq); a delta must follow the last seq without a gap.
            if frame["type"] == "delta":
                assert frame["seq"] == self.last_seq + 1, f"gap: {self.last_seq} -> {frame['seq']}"
            self.last_seq = frame["seq"]
            if frame["type"] == "snapshot":
                self.snapshots += 1
                self.states = {t["id"]: t["state"] for t in frame["data"]["tables"]}
            elif frame["type"] == "delta":
                self.deltas += 1
                for t in frame["data"]["tables"]:
                    self.states[t["id"]] = t["state"]
            self.changed.set()

    async def wait_for(self, condition: Callable[[], bool], within: float = DEADLINE) -> None:
        async with asyncio.timeout(within):
            while not condition():
                if self._task is not None and self._task.done():
                    self._task.result()  # re-raise what ended the reader (a gap, a close)
                    raise AssertionError(f"socket to {self.host} closed")
                self.changed.clear()
                with contextlib.suppress(TimeoutError):
                    # the reader may also end without setting the event: look again soon
                    async with asyncio.timeout(0.2):
                        await self.changed.wait()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await self._task
        if self._ws is not None:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(2):
                    await self._ws.close()


@contextlib.asynccontextmanager
async def floor_clients(cluster: Cluster, hosts: list[str]) -> AsyncIterator[list[FloorView]]:
    views = [FloorView(host) for host in hosts]
    try:
        await asyncio.gather(*(v.open(cluster.sitting_id) for v in views))
        yield views
    finally:
        await asyncio.gather(*(v.close() for v in views))


async def hold(host: str, night: date, table_id: str) -> httpx.Response:
    body = {"date": night.isoformat(), "table_ids": [table_id], "party_size": 2}
    async with httpx.AsyncClient(base_url=f"http://{host}", timeout=DEADLINE) as http:
        return await http.post(f"/api/v1/venues/{SLUG}/holds", json=body)


async def floor_states(cluster: Cluster, host: str) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=f"http://{host}", timeout=DEADLINE) as http:
        path = f"/api/v1/venues/{SLUG}/nights/{cluster.night.isoformat()}/floor"
        floor = (await http.get(path, params={"sitting": cluster.sitting_id})).json()
    return {t["id"]: t["state"] for t in floor["tables"]}


async def unpublished_outbox_rows(cluster: Cluster) -> int:
    engine = create_engine(cluster.db_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            found = await conn.scalar(
                text("SELECT count(*) FROM outbox_events WHERE published_at IS NULL")
            )
            return int(found or 0)
    finally:
        await engine.dispose()


RELAY_FAILED = "outbox relay pass failed"  # logged by realtime/relay.py on every failed pass


def relay_failures(log: Path) -> int:
    return log.read_text(errors="replace").count(RELAY_FAILED)


async def relays_retried_without_marking(cluster: Cluster, before: list[int]) -> None:
    """Wait until the relay (one process holds the relay's lock) failed to publish at least
    twice (so it did retry), checking all along that the outbox still holds the change."""
    async with asyncio.timeout(DEADLINE):
        while True:  # the servers' logs are the only sign of a retry: poll with a deadline
            unpublished = await unpublished_outbox_rows(cluster)
            assert unpublished >= 1, "the relay marked a change published while Redis was down"
            failures = [relay_failures(log) for log in cluster.logs]
            if any(now >= then + 2 for now, then in zip(failures, before, strict=True)):
                return
            await asyncio.sleep(0.05)


async def poll(check: Callable[[], Awaitable[bool]], within: float = DEADLINE) -> None:
    async with asyncio.timeout(within):
        while not await check():  # noqa: ASYNC110 - the database offers no event to wait on
            await asyncio.sleep(0.05)
