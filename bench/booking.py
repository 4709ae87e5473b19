"""End-to-end booking benchmark against PostgreSQL: `.venv/bin/python bench/booking.py [--quick]`.

Creates (drops first) the database ``maitre_bench`` on 127.0.0.1:5432, migrates it, seeds
one venue with a 200-table floor plan directly with the ORM, starts ``maitre serve
--workers 2`` on a free port, and measures:

A. throughput: K clients completing bookings (hold + complete) on distinct tables/nights;
B. hot table: 500 clients holding the same table of the same night at once;
C. floor map: GET .../floor of a 200-table night (half booked) under modest concurrency;
D. pgbench: the same SQL statements as one booking (both transactions, same round trips,
   each ending in COMMIT), written to bench/pgbench/app_booking.sql, for the app/pgbench ratio;
E. pgbench: the minimal booking transaction (bench/pgbench/minimal_booking.sql: read the
   version, optimistic UPDATE, INSERT reservation, INSERT audit), the reference of issue 13;
plus the peak resident memory of the app's worker processes, and PostgreSQL CPU per booking
(the bench database's own backends, sampled from /proc; pg_stat_statements would need a
server restart to load).

Targets (issue 13): completed bookings/s >= 1/4 of E's rate; PostgreSQL CPU per booking <= 2x
E's per transaction; hot-table losers p99 < 100 ms; floor map p99 < 15 ms; each app process
< 250 MB resident. The server is stopped (its process group killed) on every exit path. Only
127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402

PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
DB_NAME = "maitre_bench"
ADMIN_DSN = f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/postgres"
BENCH_DSN = f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{DB_NAME}"
APP_URL = f"postgresql+asyncpg://{PG_USER}@{PG_HOST}:{PG_PORT}/{DB_NAME}"
SLUG = "bench"
TABLES = 200
TZ = "Europe/London"
BIN = Path(sys.executable).parent

# Nights, as day offsets from tomorrow. pgbench's nights come first in time and the app's
# last, so that neither side's overlap scans see the other side's allocations.
PGB_NIGHTS = 300  # 60,000 distinct (table, night) pairs for pgbench
HOT_NIGHT = PGB_NIGHTS  # phase B
FLOOR_NIGHT = PGB_NIGHTS + 1  # phase C
CAPTURE_NIGHT = PGB_NIGHTS + 2  # one in-process booking whose SQL we record
APP_FIRST = PGB_NIGHTS + 3
APP_NIGHTS = 150  # 30,000 pairs for phase A
MIN_NIGHT = APP_FIRST + APP_NIGHTS  # the minimal pgbench's reservations (no allocations)
PGBENCH_DIR = ROOT / "bench" / "pgbench"
MINIMAL_SCRIPT = PGBENCH_DIR / "minimal_booking.sql"
APP_SCRIPT = PGBENCH_DIR / "app_booking.sql"  # written by each run from pgbench_script()

# All load comes from one IP: lift the per-IP limits on holds/bookings (web/security.py
# Throttle still runs on every request, only its thresholds are raised).
SERVER_ENV = {
    "DATABASE_URL": APP_URL,
    "MAITRE_ENV": "development",
    "RATE_LIMIT_HOLDS": "1000000000",
    "RATE_LIMIT_BOOKINGS": "1000000000",
}

TARGET_RATIO = 0.25  # of the minimal booking transaction's pgbench rate, same run
TARGET_PG_RATIO = 2.0  # PostgreSQL CPU per booking against the minimal transaction's
TARGET_HOT_P99_MS = 100.0
TARGET_FLOOR_P99_MS = 15.0
TARGET_RSS_MB = 250.0


@dataclass
class Config:
    a_clients: int = 32
    a_seconds: float = 20.0
    b_clients: int = 500
    b_rounds: int = 5
    c_clients: int = 8
    c_requests: int = 2000
    d_clients: int = 32
    d_threads: int = 2
    d_seconds: int = 20


QUICK = Config(a_seconds=5.0, b_rounds=2, c_requests=500, d_seconds=5)


def table_uuid(i: int) -> uuid.UUID:
    """Deterministic table ids, so that pgbench can name table ``i`` from an integer."""
    return uuid.UUID(f"00000000-0000-4000-8000-{i:012x}")


def first_day() -> date:
    return datetime.now(UTC).date() + timedelta(days=2)


def cpu_seconds(pids: list[int]) -> float:
    """utime + stime of these processes (seconds), from /proc."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def postgres_pids() -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                if Path(f"/proc/{entry}/comm").read_text().strip() == "postgres":
                    pids.append(int(entry))
    return pids


class BackendCpu:
    """CPU of the PostgreSQL backends serving ``DB_NAME`` (found by their process title,
    ``postgres: user db host(port) state``), sampled every 100 ms so that backends which exit
    before the end (pgbench's) still count. Other databases' backends (other engineers'
    tests on the same server) are left out, unlike a sum over every postgres process."""

    def __init__(self) -> None:
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def backends() -> list[int]:
        tag = f" {DB_NAME} ".encode()
        pids = []
        for pid in postgres_pids():
            with contextlib.suppress(OSError):
                if tag in Path(f"/proc/{pid}/cmdline").read_bytes():
                    pids.append(pid)
        return pids

    def _sample(self, initial: bool) -> None:
        for pid in self.backends():
            cpu = cpu_seconds([pid])
            if pid not in self.first:
                self.first[pid] = cpu if initial else 0.0
            self.last[pid] = cpu

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self._sample(False)

    def start(self) -> BackendCpu:
        self._sample(True)
        self._thread.start()
        return self

    def stop(self) -> float:
        self._sample(False)
        self._stop.set()
        self._thread.join()
        return sum(self.last[p] - self.first[p] for p in self.last)


async def sessions_opened() -> int:
    """Connections ever opened to DB_NAME (pg_stat_database.sessions, PostgreSQL 14+): the
    difference over a phase shows pool churn (connections opened and closed under load)."""
    conn = await asyncpg.connect(BENCH_DSN)
    try:
        return int(
            await conn.fetchval("SELECT sessions FROM pg_stat_database WHERE datname = $1", DB_NAME)
            or 0
        )
    finally:
        await conn.close()


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))
    return s[k]


# --------------------------------------------------------------------------- setup


async def create_database() -> None:
    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        await conn.execute(f"CREATE DATABASE {DB_NAME}")
    finally:
        await conn.close()


def migrate() -> None:
    env = {**os.environ, "DATABASE_URL": APP_URL, "MAITRE_ENV": "development"}
    subprocess.run(
        [str(BIN / "maitre"), "migrate"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL
    )


async def analyze() -> None:
    """Planner statistics for the freshly loaded tables, as a running deployment has them
    (autovacuum would take its time; without them PostgreSQL guesses one row per table and
    picks plans no production database would)."""
    conn = await asyncpg.connect(BENCH_DSN)
    try:
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


async def seed() -> None:
    from venue.core.actor import SYSTEM
    from venue.core.db import create_engine, session_factory
    from venue.models import (
        Area,
        DepositRuleRow,
        FloorPlan,
        PriceAdjustmentRow,
        Tenant,
        TierPriceRow,
        Venue,
        VenueRules,
        VenueTable,
    )
    from venue.setup.nights import create_night

    engine = create_engine(APP_URL)
    now = datetime.now(UTC)
    try:
        async with session_factory(engine)() as s, s.begin():
            tenant = Tenant(name="Bench Group", slug="bench-group")
            s.add(tenant)
            await s.flush()
            venue = Venue(
                tenant_id=tenant.id,
                slug=SLUG,
                name="Bench Hall",
                timezone=TZ,
                currency="GBP",
                country="GB",
            )
            s.add(venue)
            await s.flush()
            scope = {"tenant_id": tenant.id, "venue_id": venue.id}
            s.add(
                VenueRules(
                    **scope,
                    cutoff_minutes=30,
                    booking_window_days=3650,
                    per_guest_daily_cap=100_000,
                    min_party=1,
                    max_party=10,
                )
            )
            plan = FloorPlan(**scope, name="Hall", width=2000, height=1400)
            s.add(plan)
            await s.flush()
            areas = [
                Area(tenant_id=tenant.id, floor_plan_id=plan.id, name=f"Zone {z}") for z in "ABCD"
            ]
            s.add_all(areas)
            await s.flush()
            for i in range(TABLES):
                row, col = divmod(i, 20)
                s.add(
                    VenueTable(
                        id=table_uuid(i),
                        **scope,
                        floor_plan_id=plan.id,
                        area_id=areas[i // 50].id,
                        label=f"T{i + 1:03}",
                        tier="standard",
                        min_party=1,
                        max_party=10,
                        shape="round",
                        x=40 + col * 95,
                        y=40 + row * 130,
                        width=60,
                        height=60,
                    )
                )
            s.add(
                TierPriceRow(
                    **scope,
                    tier="standard",
                    base_minimum=30_000,
                    floor=20_000,
                    ceiling=90_000,
                    position=0,
                )
            )
            s.add(DepositRuleRow(**scope, tier="standard", mode="none", value=0))
            s.add(
                PriceAdjustmentRow(
                    **scope,
                    kind="demand",
                    mode="percent",
                    value=1000,
                    criteria={"threshold_bp": 5000, "scope": "tier"},
                    label="Half full",
                    position=0,
                )
            )
            await s.flush()
            day0 = first_day()
            for offset in range(MIN_NIGHT + 1):
                await create_night(
                    s,
                    venue,
                    day0 + timedelta(days=offset),
                    dtime(22, 0),
                    dtime(4, 0),
                    actor=SYSTEM,
                    now=now,
                )
    finally:
        await engine.dispose()


# ------------------------------------------------------------ SQL of one booking, in-process


def signature(sql: str) -> str:
    """``verb table`` of a statement, to compare the app's trace with the pgbench script."""
    text = " ".join(sql.split())
    verb = text.split(" ", 1)[0].upper()
    pattern = {
        "SELECT": r"\bFROM (\w+)",
        "INSERT": r"\bINTO (\w+)",
        "UPDATE": r"^UPDATE (\w+)",
        "WITH": r"\bINTO (\w+)",
    }
    m = re.search(pattern.get(verb, r"$^"), text, re.IGNORECASE)
    return f"{verb} {m.group(1) if m else '?'}"


async def capture_booking_sql() -> dict[str, list[str]]:
    """Run one hold and one complete through the app in-process and record every statement."""
    import httpx
    from sqlalchemy import event

    from web.app import create_app
    from web.settings import Settings

    app = create_app(
        Settings(database_url=APP_URL, rate_limit_holds=10**9, rate_limit_bookings=10**9),
        run_sweeper=False,
    )
    trace: list[str] = []
    me = asyncio.current_task()  # ASGITransport runs the request in this task; background
    # loops of the app (outbox relay, sweeper) run in their own tasks and are left out.

    def note(text: str) -> None:
        if asyncio.current_task() is me:
            trace.append(text)

    sync_engine = app.state.engine.sync_engine
    event.listen(
        sync_engine, "before_cursor_execute", lambda conn, cur, sql, *a: note(signature(sql))
    )
    event.listen(sync_engine, "begin", lambda conn: note("BEGIN"))
    event.listen(sync_engine, "commit", lambda conn: note("COMMIT"))
    event.listen(sync_engine, "rollback", lambda conn: note("ROLLBACK"))
    day = (first_day() + timedelta(days=CAPTURE_NIGHT)).isoformat()
    out: dict[str, list[str]] = {}
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench"
        ) as client,
    ):
        for i in range(2):  # the second booking is the steady state (caches warm)
            trace.clear()
            r = await client.post(
                f"/api/v1/venues/{SLUG}/holds",
                json={"date": day, "table_ids": [str(table_uuid(i))], "party_size": 4},
            )
            assert r.status_code == 201, r.text
            out["hold"] = list(trace)
            hold = r.json()
            trace.clear()
            r = await client.post(
                f"/api/v1/venues/{SLUG}/holds/{hold['reservation']['id']}/complete",
                json={
                    "token": hold["token"],
                    "guest": {"name": "Capture Guest", "email": f"capture{i}@bench.example"},
                },
            )
            assert r.status_code == 200, r.text
            out["complete"] = list(trace)
    return out


# ------------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, port: int) -> None:
        self.port = port
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - lives as long as the server
            prefix="maitre-bench-", suffix=".log", delete=False
        )
        self.rss_peak: dict[int, float] = {}  # worker pid -> max VmRSS MB seen
        self._stop = threading.Event()
        self._sampler: threading.Thread | None = None

    def start(self) -> None:
        env = {**os.environ, **SERVER_ENV}
        env.pop("REDIS_URL", None)
        self.proc = subprocess.Popen(
            [
                str(BIN / "maitre"),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                "2",
            ],
            env=env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early, see {self.log.name}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    if b" 200 " in s.recv(1024) and len(self.workers()) >= 2:
                        break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            raise RuntimeError(f"server not healthy after 60 s, see {self.log.name}")
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def workers(self) -> list[int]:
        """Worker processes: the children of the uvicorn master (not multiprocessing helpers)."""
        if self.proc is None:
            return []
        pids = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                cmd = Path(f"/proc/{entry}/cmdline").read_bytes()
            except (OSError, ValueError, IndexError):
                continue
            if ppid == self.proc.pid and b"resource_tracker" not in cmd:
                pids.append(int(entry))
        return pids

    @staticmethod
    def status_mb(pid: int, key: str) -> float:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            for pid in self.workers():
                with contextlib.suppress(OSError):
                    rss = self.status_mb(pid, "VmRSS")
                    self.rss_peak[pid] = max(self.rss_peak.get(pid, 0.0), rss)

    def memory(self) -> dict[int, tuple[float, float]]:
        """pid -> (max sampled VmRSS, VmHWM) in MB, read before stopping."""
        out = {}
        for pid in self.workers():
            with contextlib.suppress(OSError):
                out[pid] = (self.rss_peak.get(pid, float("nan")), self.status_mb(pid, "VmHWM"))
        return out

    def stop(self) -> None:
        self._stop.set()
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)
        with contextlib.suppress(ProcessLookupError):  # stragglers of the group
            os.killpg(self.proc.pid, signal.SIGKILL)


# ------------------------------------------------- a minimal keep-alive HTTP/1.1 client
# A few lines of asyncio instead of a full client library keep the load generator's own CPU
# (on the same 2 cores as the server) and its latency noise small.


class Conn:
    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> Conn:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        return self

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None

    @staticmethod
    def encode(method: str, path: str, body: Any = None) -> bytes:
        data = b"" if body is None else json.dumps(body).encode()
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
        )
        return head.encode() + data

    async def send(self, raw: bytes, retry: bool = True) -> tuple[int, bytes]:
        if self.writer is None:
            await self.open()
        assert self.reader is not None and self.writer is not None
        self.writer.write(raw)
        status_line = await self.reader.readline()
        if not status_line:  # the server closed an idle keep-alive connection: reconnect once
            self.close()
            if not retry:
                raise ConnectionError("connection closed by the server")
            return await self.send(raw, retry=False)
        status = int(status_line.split()[1])
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            key, _, value = line.partition(b":")
            if key.strip().lower() == b"content-length":
                length = int(value)
        return status, await self.reader.readexactly(length)

    async def request(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        return await self.send(self.encode(method, path, body))


# ---------------------------------------------------------------------------- phases


@dataclass
class Results:
    rows: list[tuple[str, str, str]] = field(default_factory=list)
    verdicts: list[tuple[str, str, str, bool]] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)

    def add(self, name: str, value: str, note: str = "") -> None:
        self.rows.append((name, value, note))
        print(f"  {name:<44} {value:>14}  {note}", flush=True)


async def floor_tables(conn: Conn, day: date) -> list[dict[str, Any]]:
    status, body = await conn.request("GET", f"/api/v1/venues/{SLUG}/nights/{day}/floor")
    if status != 200:
        raise RuntimeError(f"floor map: {status} {body[:300]!r}")
    return list(json.loads(body)["tables"])


async def book(conn: Conn, day: date, table_id: str, n: int) -> tuple[str, float]:
    """One completed booking: ('ok' | error description, seconds)."""
    t0 = time.perf_counter()
    status, body = await conn.request(
        "POST",
        f"/api/v1/venues/{SLUG}/holds",
        {"date": day.isoformat(), "table_ids": [table_id], "party_size": 2 + n % 7},
    )
    if status != 201:
        return f"hold {status} {body[:120]!r}", time.perf_counter() - t0
    hold = json.loads(body)
    status, body = await conn.request(
        "POST",
        f"/api/v1/venues/{SLUG}/holds/{hold['reservation']['id']}/complete",
        {
            "token": hold["token"],
            "guest": {"name": f"Guest {n}", "email": f"guest{n}@bench.example"},
        },
    )
    if status != 200 or json.loads(body)["status"] != "confirmed":
        return f"complete {status} {body[:120]!r}", time.perf_counter() - t0
    return "ok", time.perf_counter() - t0


async def phase_a(port: int, cfg: Config, res: Results, workers: list[int]) -> None:
    print(
        f"\nA. throughput: {cfg.a_clients} clients, {cfg.a_seconds:.0f} s, distinct tables",
        flush=True,
    )
    day0 = first_day() + timedelta(days=APP_FIRST)
    # Night by night, the soonest first (each night fills up as bookings arrive).
    pairs = (
        (day0 + timedelta(days=d), str(table_uuid(t)))
        for d in range(APP_NIGHTS)
        for t in range(TABLES)
    )
    counter = iter(range(10**9))
    errors: Counter[str] = Counter()
    latencies: list[float] = []
    done = 0
    exhausted = False

    async def client(deadline: float, measured: bool) -> None:
        nonlocal done, exhausted
        conn = await Conn(port).open()
        try:
            while time.perf_counter() < deadline:
                try:
                    day, table_id = next(pairs)
                except StopIteration:
                    exhausted = True
                    return
                outcome, seconds = await book(conn, day, table_id, next(counter))
                if not measured:
                    continue
                if outcome == "ok":
                    done += 1
                    latencies.append(seconds)
                else:
                    errors[outcome[:60]] += 1
        finally:
            conn.close()

    # Warm-up (prepared statements, pools, imports), not counted.
    await asyncio.gather(*(client(time.perf_counter() + 2.0, False) for _ in range(cfg.a_clients)))
    pg_all0, app0 = cpu_seconds(postgres_pids()), cpu_seconds(workers)
    backends = BackendCpu().start()
    opened = await sessions_opened()
    cpu0, t0 = time.process_time(), time.perf_counter()
    await asyncio.gather(*(client(t0 + cfg.a_seconds, True) for _ in range(cfg.a_clients)))
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    pg_cpu, app_cpu = backends.stop(), cpu_seconds(workers) - app0
    opened = await sessions_opened() - opened - 2  # our own two probes
    pg_all = cpu_seconds(postgres_pids()) - pg_all0
    rate = done / elapsed
    n_errors = sum(errors.values())
    res.facts.update(app_rate=rate, a_errors=n_errors)
    res.add(
        "A completed bookings/s (hold+complete)",
        f"{rate:.1f}",
        f"{done} in {elapsed:.1f} s, {cfg.a_clients} clients",
    )
    res.add(
        "A booking latency p50 / p99 (ms)",
        f"{pct(latencies, 50) * 1e3:.0f} / {pct(latencies, 99) * 1e3:.0f}",
        "hold+complete",
    )
    res.add("A errors", str(n_errors), "must be 0")
    res.add("A load generator CPU", f"{cpu / elapsed * 100:.0f}%", "of one core, same machine")
    per = max(done, 1) / 1e3
    res.add(
        "A CPU ms per booking: app / PostgreSQL",
        f"{app_cpu / per:.1f} / {pg_cpu / per:.2f}",
        f"workers {app_cpu / elapsed * 100:.0f}%, {DB_NAME} backends "
        f"{pg_cpu / elapsed * 100:.0f}% of one core (all postgres processes: "
        f"{pg_all / per:.1f} ms per booking)",
    )
    res.facts.update(app_pg_ms=pg_cpu / per)
    res.add("A database connections opened", str(opened), "pool churn (overflow opened, closed)")
    for what, count in errors.most_common(5):
        print(f"     error x{count}: {what}", flush=True)
    if exhausted:
        print("     WARNING: ran out of (table, night) pairs; raise APP_NIGHTS", flush=True)


async def phase_b(port: int, cfg: Config, res: Results) -> None:
    print(
        f"\nB. hot table: {cfg.b_clients} clients hold one table at once, {cfg.b_rounds} rounds",
        flush=True,
    )
    day = first_day() + timedelta(days=HOT_NIGHT)
    loser_ms: list[float] = []
    winners: list[int] = []
    other: Counter[str] = Counter()
    for rnd in range(cfg.b_rounds):
        conns = await asyncio.gather(*(Conn(port).open() for _ in range(cfg.b_clients)))
        # One cheap request per connection so every one is accepted and warm before the burst.
        await asyncio.gather(*(c.request("GET", "/healthz") for c in conns))
        raw = Conn.encode(
            "POST",
            f"/api/v1/venues/{SLUG}/holds",
            {"date": day.isoformat(), "table_ids": [str(table_uuid(rnd))], "party_size": 4},
        )

        async def one(c: Conn, raw: bytes = raw) -> tuple[int, bytes, float]:
            t0 = time.perf_counter()
            status, body = await c.send(raw, retry=False)
            return status, body, time.perf_counter() - t0

        outcomes = await asyncio.gather(*(one(c) for c in conns), return_exceptions=True)
        won = 0
        round_ms = []
        for o in outcomes:
            if isinstance(o, BaseException):
                other[f"exception {type(o).__name__}"] += 1
                continue
            status, body, seconds = o
            if status == 201:
                won += 1
            elif status == 409 and json.loads(body).get("code") == "table_unavailable":
                round_ms.append(seconds * 1e3)
            else:
                other[f"{status} {body[:80]!r}"] += 1
        for c in conns:
            c.close()
        winners.append(won)
        loser_ms += round_ms
        print(
            f"     round {rnd + 1}: winners {won}, losers {len(round_ms)}, "
            f"p50 {pct(round_ms, 50):.0f} ms, p99 {pct(round_ms, 99):.0f} ms, "
            f"max {max(round_ms, default=float('nan')):.0f} ms",
            flush=True,
        )
        await asyncio.sleep(0.5)
    res.facts.update(hot_p99=pct(loser_ms, 99), hot_winners=winners, hot_other=sum(other.values()))
    res.add("B winners per round", " ".join(map(str, winners)), "must be exactly 1 each")
    res.add(
        "B losers' 409 latency p50 / p99 (ms)",
        f"{pct(loser_ms, 50):.0f} / {pct(loser_ms, 99):.0f}",
        f"{len(loser_ms)} losers, max {max(loser_ms, default=float('nan')):.0f} ms",
    )
    res.add("B other outcomes", str(sum(other.values())), "neither 201 nor 409 table_unavailable")
    for what, count in other.most_common(5):
        print(f"     other x{count}: {what}", flush=True)


async def phase_c(port: int, cfg: Config, res: Results) -> None:
    day = first_day() + timedelta(days=FLOOR_NIGHT)
    print(
        f"\nC. floor map: {cfg.c_clients} clients, {cfg.c_requests} GETs of a 200-table night "
        "(half booked)",
        flush=True,
    )
    conn = await Conn(port).open()
    tables = await floor_tables(conn, day)
    conn.close()
    setup = [Conn(port) for _ in range(8)]
    half = tables[::2]

    failed: Counter[str] = Counter()

    async def fill(c: Conn, chunk: list[dict[str, Any]], base: int) -> None:
        for i, t in enumerate(chunk):
            outcome, _ = await book(c, day, t["id"], 900_000 + base + i)
            if outcome != "ok":
                failed[outcome[:70]] += 1

    await asyncio.gather(*(fill(c, half[k::8], k * 1000) for k, c in enumerate(setup)))
    for what, count in failed.items():
        print(f"     booking the floor night failed x{count}: {what}", flush=True)
    for c in setup:
        c.close()
    path = f"/api/v1/venues/{SLUG}/nights/{day}/floor"
    raw = Conn.encode("GET", path)
    latencies: list[float] = []
    bad = 0
    remaining = cfg.c_requests

    async def client(measured: bool, count: int) -> None:
        nonlocal remaining, bad
        c = await Conn(port).open()
        try:
            for _ in range(count) if not measured else iter(int, 1):
                if measured:
                    if remaining <= 0:
                        return
                    remaining -= 1
                t0 = time.perf_counter()
                status, body = await c.send(raw)
                if measured:
                    latencies.append(time.perf_counter() - t0)
                    if status != 200 or len(json.loads(body)["tables"]) != TABLES:
                        bad += 1
        finally:
            c.close()

    await asyncio.gather(*(client(False, 25) for _ in range(cfg.c_clients)))  # warm-up
    t0 = time.perf_counter()
    await asyncio.gather(*(client(True, 0) for _ in range(cfg.c_clients)))
    elapsed = time.perf_counter() - t0
    ms = [x * 1e3 for x in latencies]
    res.facts.update(floor_p99=pct(ms, 99), floor_bad=bad)
    res.add(
        "C floor map p50 / p99 (ms)",
        f"{pct(ms, 50):.1f} / {pct(ms, 99):.1f}",
        f"{len(ms)} requests, {len(ms) / elapsed:.0f} req/s, {bad} bad",
    )


# ---------------------------------------------------------------------- pgbench (D)
# The statements of venue/booking.py + web/routes/booking.py as captured from the app (see
# capture_booking_sql), in the same order, one round trip each, two transactions each
# ending in COMMIT. Differences, all on the cheap side for pgbench: ids and the token hash
# are made in SQL (gen_random_uuid, md5) instead of in Python, the hold's first statement
# also draws the (table, night) pair number from a sequence (no extra round trip), and
# timestamps are now() instead of a bound Python datetime. The app additionally does a
# pool pre-ping per request (BEGIN; ";"; ROLLBACK = 3 round trips), which is not mirrored:
# it is not part of the booking transaction, so it counts as app overhead.

VENUE_COLS = (
    "venues.slug, venues.name, venues.timezone, venues.currency, venues.country, "
    "venues.phone, venues.email, venues.brand_color, venues.logo_url, "
    "venues.created_at"
)
RULES_COLS = (
    "venue_rules.venue_id, venue_rules.hold_minutes, venue_rules.payment_hold_minutes, "
    "venue_rules.cutoff_minutes, venue_rules.booking_window_days, venue_rules.min_party, "
    "venue_rules.max_party, venue_rules.per_guest_daily_cap, "
    "venue_rules.price_rounding_step, venue_rules.version, venue_rules.updated_at, "
    "venue_rules.id, venue_rules.tenant_id"
)
NIGHT_COLS = (
    "nights.venue_id, nights.business_date, nights.opens_at, nights.closes_at, "
    "nights.event_type, nights.title, nights.is_closed, nights.closed_reason, "
    "nights.tenant_id"
)
TABLE_COLS = (
    "venue_tables.venue_id, venue_tables.floor_plan_id, venue_tables.area_id, "
    "venue_tables.label, venue_tables.tier, venue_tables.min_party, "
    "venue_tables.max_party, venue_tables.shape, venue_tables.x, venue_tables.y, "
    "venue_tables.width, venue_tables.height, venue_tables.rotation, "
    "venue_tables.base_minimum, venue_tables.is_active, venue_tables.version, "
    "venue_tables.id, venue_tables.tenant_id"
)
RES_COLS = (
    "reservations.venue_id, reservations.night_id, reservations.sitting_id, "
    "reservations.status, reservations.starts_at, reservations.ends_at, "
    "reservations.expires_at, reservations.party_size, reservations.guest_id, "
    "reservations.host_id, reservations.channel, reservations.created_by, "
    "reservations.currency, reservations.quoted_minimum, reservations.quoted_deposit, "
    "reservations.quote, reservations.notes, reservations.token_hash, "
    "reservations.cancel_reason, reservations.version, reservations.created_at, "
    "reservations.updated_at, reservations.id, reservations.tenant_id"
)
GUEST_COLS = (
    "guests.name, guests.email, guests.phone, guests.created_at, guests.id, guests.tenant_id"
)
TID = "('00000000-0000-4000-8000-' || lpad(to_hex(:t::int), 12, '0'))::uuid"
TOKEN = "(md5(:rid::text) || md5(:gid::text))"
EMAIL = "('guest' || :n::text || '@pgbench.example')"


def _json_blobs() -> dict[str, str]:
    """JSON of the same shape and size as the app writes (quote, audit, outbox)."""
    rid, night, sitting = (str(uuid.uuid4()) for _ in range(3))
    snap = {
        "id": rid,
        "status": "hold",
        "night_id": night,
        "sitting_id": sitting,
        "party_size": 4,
        "starts_at": "2030-01-01T22:00:00+00:00",
        "ends_at": "2030-01-02T04:00:00+00:00",
        "expires_at": "2030-01-01T12:10:00.000000+00:00",
        "quoted_minimum": 30000,
        "quoted_deposit": 0,
        "currency": "GBP",
        "host_id": None,
        "version": 1,
    }
    confirmed = {**snap, "status": "confirmed", "expires_at": None, "version": 2}
    table = str(table_uuid(0))
    quote = {
        "tables": [
            {
                "table_id": table,
                "label": "T001",
                "currency": "GBP",
                "minimum": 30000,
                "deposit": 0,
                "lines": [{"kind": "base", "label": "standard minimum", "amount": 30000}],
                "floor": 20000,
                "ceiling": 90000,
            }
        ]
    }
    q = lambda obj: json.dumps(obj).replace("'", "''")  # noqa: E731
    return {
        "quote": q(quote),
        "held": q(snap),
        "held_payload": q({**snap, "table_ids": [table]}),
        "confirmed": q(confirmed),
        "confirmed_payload": q({**confirmed, "table_ids": [table]}),
    }


def complete_statement(j: dict[str, str]) -> str:
    """The app's own ``booking.COMPLETE`` with its parameters as pgbench values (a new
    guest by email, no deposit: confirmed, version 1 -> 2)."""
    from venue.reservations.booking import COMPLETE

    values = {
        "tenant_id": ":tenant_id::uuid",
        "email": EMAIL,
        "phone": "CAST(NULL AS varchar)",
        "guest_id": ":gid::uuid",
        "guest_name": "('Guest ' || :n::text)",
        "guest_created_at": "now()",
        "status": "'confirmed'",
        "updated_at": "now()",
        "expires_at": "CAST(NULL AS timestamptz)",
        "notes": "CAST(NULL AS text)",
        "reservation_id": ":rid::uuid",
        "seen_version": "1",
        "new_version": "2",
        "audit_at": "now()",
        "audit_actor": "'guest'",
        "audit_action": "'reservation.confirmed'",
        "audit_entity": "'reservation'",
        "audit_entity_id": ":rid::text",
        "audit_before": f"'{j['held']}'::json",
        "audit_after": f"'{j['confirmed']}'::json",
        "outbox_topic": "'reservation.confirmed'",
        "outbox_channel": "('night:' || :night_id::text)",
        "outbox_payload": f"'{j['confirmed']}'::json",
    }
    sql = re.sub(r"(?<!:):(\w+)", lambda m: values[m.group(1)], str(COMPLETE))
    return " ".join(sql.split())


def pgbench_script() -> tuple[str, dict[str, list[str]]]:
    """The script text and the statement signatures of its two transactions."""
    j = _json_blobs()
    hold = [
        f"SELECT {VENUE_COLS}, venues.id AS venue_id, venues.tenant_id AS tenant_id, "
        "nextval('pgbench_pairs') - 1 AS n, gen_random_uuid() AS rid, gen_random_uuid() AS gid "
        f"FROM venues WHERE venues.slug = '{SLUG}'",
        # venue/venues.py hold_context: the night with its sittings and the rules, one trip.
        f"SELECT {NIGHT_COLS}, nights.id AS night_id, sittings.name, sittings.starts_at AS "
        f"s_start, sittings.ends_at AS s_end, sittings.id AS sitting_id, {RULES_COLS} FROM "
        "nights LEFT OUTER JOIN sittings ON sittings.night_id = nights.id AND "
        "sittings.tenant_id = nights.tenant_id LEFT OUTER JOIN venue_rules ON "
        "venue_rules.venue_id = nights.venue_id AND venue_rules.tenant_id = nights.tenant_id "
        "WHERE nights.tenant_id = :tenant_id::uuid AND nights.venue_id = :venue_id::uuid AND "
        "nights.business_date = (:day0::date + :d::int) ORDER BY sittings.starts_at",
        # venue/availability.py wanted_state: the table, its version, occupancy, block and
        # lapsed holds in one statement.
        f"SELECT {TABLE_COLS}, venue_tables.id AS tid, venue_tables.version AS ver, EXISTS "
        "(SELECT reservation_tables.id FROM reservation_tables JOIN reservations ON "
        "reservations.id = reservation_tables.reservation_id WHERE reservation_tables.tenant_id "
        "= :tenant_id::uuid AND reservation_tables.table_id = venue_tables.id AND "
        "reservation_tables.starts_at < :s_end::timestamptz AND reservation_tables.ends_at > "
        ":s_start::timestamptz AND reservation_tables.status IN ('hold', 'pending_payment', "
        "'confirmed', 'seated') AND ((reservation_tables.status NOT IN ('hold', "
        "'pending_payment')) OR reservations.expires_at > now())) AS taken, EXISTS (SELECT "
        "table_blocks.id FROM table_blocks WHERE table_blocks.tenant_id = :tenant_id::uuid AND "
        "table_blocks.night_id = :night_id::uuid AND table_blocks.table_id = venue_tables.id) AS "
        "blocked, EXISTS (SELECT reservation_tables.id FROM reservation_tables JOIN reservations "
        "ON reservations.id = reservation_tables.reservation_id WHERE "
        "reservation_tables.tenant_id = :tenant_id::uuid AND reservation_tables.table_id = "
        "venue_tables.id AND reservation_tables.starts_at < :s_end::timestamptz AND "
        "reservation_tables.ends_at > :s_start::timestamptz AND reservations.status IN ('hold', "
        "'pending_payment') AND reservations.expires_at <= now()) AS lapsed FROM venue_tables "
        "JOIN floor_plans ON floor_plans.id = venue_tables.floor_plan_id WHERE "
        "venue_tables.tenant_id = :tenant_id::uuid AND venue_tables.venue_id = :venue_id::uuid "
        f"AND venue_tables.id IN ({TID}) AND venue_tables.is_active IS true AND "
        "floor_plans.is_active IS true ORDER BY venue_tables.id",
        "SELECT tier_prices.venue_id, tier_prices.tier, tier_prices.base_minimum, "
        "tier_prices.floor, tier_prices.ceiling, tier_prices.position, tier_prices.id, "
        "tier_prices.tenant_id FROM tier_prices WHERE tier_prices.tenant_id = :tenant_id::uuid "
        "AND tier_prices.venue_id = :venue_id::uuid ORDER BY tier_prices.position, "
        "tier_prices.tier",
        "SELECT price_adjustments.venue_id, price_adjustments.kind, price_adjustments.mode, "
        "price_adjustments.value, price_adjustments.tier, price_adjustments.criteria, "
        "price_adjustments.label, price_adjustments.position, price_adjustments.id, "
        "price_adjustments.tenant_id FROM price_adjustments WHERE price_adjustments.tenant_id = "
        ":tenant_id::uuid AND price_adjustments.venue_id = :venue_id::uuid ORDER BY "
        "price_adjustments.position",
        "SELECT deposit_rules.venue_id, deposit_rules.tier, deposit_rules.mode, "
        "deposit_rules.value, deposit_rules.id, deposit_rules.tenant_id FROM deposit_rules WHERE "
        "deposit_rules.tenant_id = :tenant_id::uuid AND deposit_rules.venue_id = :venue_id::uuid",
        # venue/availability.py tier_counts (the bench's pricing has a demand rule; no pace
        # rule, so the app reads no pace).
        "SELECT venue_tables.tier, count(venue_tables.id) AS count_1, count(anon_1.table_id) "
        "AS count_2 FROM venue_tables JOIN floor_plans ON floor_plans.id = "
        "venue_tables.floor_plan_id LEFT OUTER JOIN (SELECT reservation_tables.table_id AS "
        "table_id FROM reservation_tables JOIN reservations ON reservations.id = "
        "reservation_tables.reservation_id WHERE reservations.tenant_id = :tenant_id::uuid AND "
        "reservations.night_id = :night_id::uuid AND reservations.status IN ('hold', "
        "'pending_payment', 'confirmed', 'seated') AND reservation_tables.starts_at < "
        ":s_end::timestamptz AND reservation_tables.ends_at > :s_start::timestamptz AND "
        "reservation_tables.status IN ('hold', 'pending_payment', 'confirmed', 'seated') AND "
        "((reservation_tables.status NOT IN ('hold', 'pending_payment')) OR "
        "reservations.expires_at > now()) UNION SELECT table_blocks.table_id AS table_id FROM "
        "table_blocks WHERE table_blocks.tenant_id = :tenant_id::uuid AND table_blocks.night_id "
        "= :night_id::uuid) AS anon_1 ON anon_1.table_id = venue_tables.id WHERE "
        "venue_tables.tenant_id = :tenant_id::uuid AND venue_tables.venue_id = :venue_id::uuid "
        "AND venue_tables.is_active IS true AND floor_plans.is_active IS true GROUP BY "
        "venue_tables.tier",
        "UPDATE venue_tables SET version=(venue_tables.version + 1) WHERE venue_tables.tenant_id "
        "= :tenant_id::uuid AND venue_tables.id = :tid::uuid AND venue_tables.version = :ver::int "
        "AND venue_tables.is_active IS true",
        # venue/reservations/booking.py HOLD_INSERT: reservation, allocation, audit and outbox
        # in one statement.
        "WITH r AS (INSERT INTO reservations (id, tenant_id, venue_id, night_id, sitting_id, "
        "status, starts_at, ends_at, expires_at, party_size, guest_id, host_id, channel, "
        "created_by, currency, quoted_minimum, quoted_deposit, quote, notes, token_hash, "
        "cancel_reason, version, created_at, updated_at) VALUES (:rid::uuid, :tenant_id::uuid, "
        ":venue_id::uuid, :night_id::uuid, :sitting_id::uuid, 'hold', :s_start::timestamptz, "
        ":s_end::timestamptz, now() + interval '10 minutes', 4, NULL, NULL, 'online', 'guest', "
        f"'GBP', 30000, 0, '{j['quote']}'::json, NULL, {TOKEN}, NULL, 1, now(), now()) "
        "RETURNING id, tenant_id, status, starts_at, ends_at), t AS (INSERT INTO "
        "reservation_tables (id, tenant_id, reservation_id, table_id, status, starts_at, "
        "ends_at) SELECT gen_random_uuid(), r.tenant_id, r.id, x.table_id, r.status, "
        "r.starts_at, r.ends_at FROM r, unnest(ARRAY[:tid::uuid]) AS x(table_id)), a AS "
        "(INSERT INTO audit_entries (tenant_id, at, actor, action, entity, entity_id, before, "
        "after) SELECT r.tenant_id, now(), 'guest', 'reservation.held', 'reservation', "
        f":rid::text, 'null'::json, '{j['held']}'::json FROM r) INSERT INTO outbox_events "
        "(tenant_id, at, topic, channel, payload, attempts) SELECT r.tenant_id, now(), "
        "'reservation.held', 'night:' || :night_id::text, "
        f"'{j['held_payload']}'::json, 0 FROM r",
    ]
    complete = [
        f"SELECT {VENUE_COLS}, venues.id, venues.tenant_id FROM venues WHERE venues.slug = "
        f"'{SLUG}'",
        # venue/booking.py by_token_with_rules: the hold and the venue's rules.
        f"SELECT {RES_COLS}, {RULES_COLS} FROM reservations LEFT OUTER JOIN venue_rules ON "
        "venue_rules.venue_id = reservations.venue_id AND venue_rules.tenant_id = "
        "reservations.tenant_id WHERE reservations.tenant_id = :tenant_id::uuid AND "
        f"reservations.venue_id = :venue_id::uuid AND reservations.token_hash = {TOKEN}",
        # venue/booking.py _booked_that_night: the night's date and the guest's bookings.
        "SELECT nights.business_date, (SELECT count(reservations.id) AS count_1 FROM "
        "reservations WHERE reservations.tenant_id = :tenant_id::uuid AND reservations.venue_id "
        "= :venue_id::uuid AND reservations.guest_id = :gid::uuid AND reservations.night_id = "
        "nights.id AND reservations.status IN ('pending_payment', 'confirmed', 'seated', "
        "'completed')) AS anon_1 FROM nights WHERE nights.tenant_id = :tenant_id::uuid AND "
        "nights.venue_id = :venue_id::uuid AND nights.id = :night_id::uuid",
        # venue/booking.py COMPLETE: guest, versioned UPDATE, tables, audit and outbox.
        complete_statement(j),
    ]
    gsets = {0, 1, 2}  # hold statements whose one row feeds later statements
    lines = ["BEGIN;"]
    for i, sql in enumerate(hold):
        lines.append(sql + ("\n\\gset" if i in gsets else ";"))
        if i == 0:
            lines += [f"\\set t :n % {TABLES}", f"\\set d :n / {TABLES}"]
    lines += ["COMMIT;", "BEGIN;"] + [sql + ";" for sql in complete] + ["COMMIT;"]
    sigs = {
        "hold": ["BEGIN", *map(signature, hold), "COMMIT"],
        "complete": ["BEGIN", *map(signature, complete), "COMMIT"],
    }
    return "\n".join(lines) + "\n", sigs


def find_pgbench() -> str:
    for cand in (shutil.which("pgbench"), "/usr/lib/postgresql/15/bin/pgbench"):
        if cand and os.access(cand, os.X_OK):
            return cand
    raise RuntimeError("pgbench not found (apt-get install postgresql-contrib)")


async def run_pgbench(
    cfg: Config, script: Path, defines: list[str], sequence: str, pairs: int
) -> tuple[float, str, float, str]:
    """Run one pgbench script against DB_NAME; (tps, latency avg ms, PostgreSQL CPU ms per
    transaction of the bench database's backends, full output)."""
    conn = await asyncpg.connect(BENCH_DSN)
    try:
        await conn.execute(
            f"DROP SEQUENCE IF EXISTS {sequence}; CREATE SEQUENCE {sequence} MAXVALUE {pairs}"
        )
        await conn.execute("ANALYZE")
        await conn.execute("CHECKPOINT")
    finally:
        await conn.close()
    cmd = [
        find_pgbench(),
        *("-h", PG_HOST, "-p", str(PG_PORT), "-U", PG_USER, "-n", "-M", "prepared"),
        *("-c", str(cfg.d_clients), "-j", str(cfg.d_threads), "-T", str(cfg.d_seconds)),
        *defines,
        *("-f", str(script), DB_NAME),
    ]
    cpu = BackendCpu().start()
    out = subprocess.run(  # noqa: ASYNC221 - nothing else runs during pgbench
        cmd, capture_output=True, text=True, timeout=cfg.d_seconds + 120
    )
    pg_cpu = cpu.stop()
    text = out.stdout + out.stderr
    m = re.search(r"tps = ([\d.]+) \(without initial connection time\)", text)
    if out.returncode != 0 or not m:
        print(text[-3000:], flush=True)
        raise RuntimeError(f"pgbench failed (exit {out.returncode})")
    tps = float(m.group(1))
    done = re.search(r"number of transactions actually processed: (\d+)", text)
    n = int(done.group(1)) if done else max(tps * cfg.d_seconds, 1)
    lat = re.search(r"latency average = ([\d.]+) ms", text)
    return tps, lat.group(1) if lat else "?", pg_cpu * 1e3 / max(n, 1), text


async def phase_d(cfg: Config, res: Results, app_sigs: dict[str, list[str]]) -> None:
    print(
        f"\nD. pgbench, the app's own statements ({APP_SCRIPT.relative_to(ROOT)}): "
        f"-c {cfg.d_clients} -j {cfg.d_threads} -T {cfg.d_seconds} -M prepared",
        flush=True,
    )
    script, sigs = pgbench_script()
    for part in ("hold", "complete"):
        same = sigs[part] == app_sigs.get(part)
        res.facts[f"same_{part}"] = same
        n_app = len(app_sigs.get(part, [])) - 2
        print(
            f"     {part}: app {n_app} statements + BEGIN/COMMIT, pgbench "
            f"{len(sigs[part]) - 2}: {'same sequence' if same else 'DIFFERENT'}",
            flush=True,
        )
        if not same:
            for a, b in zip(app_sigs.get(part, []), sigs[part], strict=False):
                print(f"       {'  ' if a == b else '!='} app {a:<32} pgbench {b}", flush=True)
    APP_SCRIPT.write_text(script)
    conn = await asyncpg.connect(BENCH_DSN)
    try:
        before = await conn.fetchval("SELECT count(*) FROM reservations WHERE status='confirmed'")
    finally:
        await conn.close()
    defines = [f"-Dday0={first_day().isoformat()}"]
    tps, lat, pg_ms, text = await run_pgbench(
        cfg, APP_SCRIPT, defines, "pgbench_pairs", PGB_NIGHTS * TABLES
    )
    failed = re.search(r"number of failed transactions: (\d+)", text)
    conn = await asyncpg.connect(BENCH_DSN)
    try:
        after = await conn.fetchval("SELECT count(*) FROM reservations WHERE status='confirmed'")
    finally:
        await conn.close()
    res.facts.update(pgbench_tps=tps)
    res.add(
        "D pgbench bookings/s (app's SQL, 2 txns)",
        f"{tps:.1f}",
        f"latency avg {lat} ms, PostgreSQL {pg_ms:.2f} ms CPU per booking",
    )
    res.add(
        "D pgbench confirmed bookings written",
        str(after - before),
        f"failed txns {failed.group(1) if failed else '?'}",
    )
    res.add("app / pgbench of the app's SQL", f"{res.facts['app_rate'] / tps:.2f}", "")


async def phase_e(cfg: Config, res: Results) -> None:
    print(
        f"\nE. pgbench, minimal booking transaction ({MINIMAL_SCRIPT.relative_to(ROOT)}): "
        f"-c {cfg.d_clients} -j {cfg.d_threads} -T {cfg.d_seconds} -M prepared",
        flush=True,
    )
    conn = await asyncpg.connect(BENCH_DSN)
    try:
        row = await conn.fetchrow(
            "SELECT n.tenant_id, n.venue_id, n.id AS night, s.id AS sitting FROM nights n "
            "JOIN sittings s ON s.night_id = n.id WHERE n.business_date = $1 LIMIT 1",
            first_day() + timedelta(days=MIN_NIGHT),
        )
    finally:
        await conn.close()
    defines = [f"-D{k}={row[k]}" for k in ("night", "sitting")]
    defines += [f"-Dtenant={row['tenant_id']}", f"-Dvenue={row['venue_id']}"]
    tps, lat, pg_ms, _ = await run_pgbench(cfg, MINIMAL_SCRIPT, defines, "pgbench_min_pairs", 10**9)
    res.facts.update(minimal_tps=tps, minimal_pg_ms=pg_ms)
    res.add(
        "E pgbench minimal booking txn/s",
        f"{tps:.0f}",
        f"latency avg {lat} ms, PostgreSQL {pg_ms:.2f} ms CPU per transaction",
    )
    ratio = res.facts["app_rate"] / tps
    res.facts["ratio"] = ratio
    res.add("app bookings/s / minimal pgbench", f"{ratio:.3f}", f"target >= {TARGET_RATIO}")
    pg_ratio = res.facts.get("app_pg_ms", float("nan")) / pg_ms
    res.facts["pg_ratio"] = pg_ratio
    res.add(
        "PostgreSQL CPU per booking / minimal",
        f"{pg_ratio:.1f}",
        f"target <= {TARGET_PG_RATIO} (app {res.facts.get('app_pg_ms', float('nan')):.2f} ms)",
    )


# --------------------------------------------------------------------------- driver


def versions() -> dict[str, str]:
    pg = subprocess.run(
        ["psql", "-h", PG_HOST, "-U", PG_USER, "-d", "postgres", "-tAc", "SHOW server_version"],
        capture_output=True,
        text=True,
    )
    mem = next(
        (
            ln.split()[1]
            for ln in Path("/proc/meminfo").read_text().splitlines()
            if ln.startswith("MemTotal")
        ),
        "0",
    )
    return {
        "cpus": str(os.cpu_count()),
        "ram": f"{int(mem) / 1024 / 1024:.0f} GB",
        "python": platform.python_version(),
        "postgres": pg.stdout.strip() or "?",
        "kernel": platform.release(),
    }


async def run(cfg: Config) -> Results:
    res = Results()
    info = versions()
    git = subprocess.run(  # noqa: ASYNC221 - a one-off at the end of the run
        ["git", "-C", str(ROOT), "describe", "--always", "--dirty"], capture_output=True, text=True
    ).stdout.strip()
    print(f"code: {git}", flush=True)
    print(
        f"machine: {info['cpus']} CPUs, {info['ram']} RAM, Python {info['python']}, "
        f"PostgreSQL {info['postgres']}",
        flush=True,
    )
    t0 = time.perf_counter()
    await create_database()
    migrate()
    await seed()
    await analyze()
    print(
        f"setup: database {DB_NAME} created, migrated and seeded "
        f"({TABLES} tables, {MIN_NIGHT + 1} nights) in "
        f"{time.perf_counter() - t0:.1f} s",
        flush=True,
    )
    app_sigs = await capture_booking_sql()
    server = Server(free_port())
    try:
        server.start()
        print(
            f"server: maitre serve --workers 2 on 127.0.0.1:{server.port}, "
            f"workers {server.workers()}, log {server.log.name}",
            flush=True,
        )
        for phase in (
            lambda: phase_a(server.port, cfg, res, server.workers()),
            lambda: phase_b(server.port, cfg, res),
            lambda: phase_c(server.port, cfg, res),
        ):
            try:
                await phase()
            except Exception as exc:  # keep measuring the other phases; reported below
                print(f"     PHASE FAILED: {type(exc).__name__}: {exc}", flush=True)
        memory = server.memory()
    finally:
        server.stop()
    peak = max((max(r, h) for r, h in memory.values()), default=float("nan"))
    res.facts["rss_peak"] = peak
    print("\nMemory", flush=True)
    res.add(
        "peak RSS per app worker (MB)",
        " / ".join(f"{max(r, h):.0f}" for r, h in memory.values()),
        "max of sampled VmRSS and VmHWM",
    )
    await phase_d(cfg, res, app_sigs)
    await phase_e(cfg, res)
    return res


def report(res: Results) -> bool:
    nan = float("nan")
    f = {
        "ratio": nan,
        "pg_ratio": nan,
        "hot_p99": nan,
        "floor_p99": nan,
        "rss_peak": nan,
        "a_errors": -1,
        "hot_winners": [],
        "hot_other": -1,
        **res.facts,
    }
    checks = [
        ("app >= 1/4 of minimal pgbench", f"{f['ratio']:.3f}", f["ratio"] >= TARGET_RATIO),
        (
            "PostgreSQL CPU per booking <= 2x minimal",
            f"{f['pg_ratio']:.1f}x",
            f["pg_ratio"] <= TARGET_PG_RATIO,
        ),
        (
            "hot-table losers p99 < 100 ms",
            f"{f['hot_p99']:.0f} ms",
            f["hot_p99"] < TARGET_HOT_P99_MS,
        ),
        ("floor map p99 < 15 ms", f"{f['floor_p99']:.1f} ms", f["floor_p99"] < TARGET_FLOOR_P99_MS),
        ("app process < 250 MB RSS", f"{f['rss_peak']:.0f} MB", f["rss_peak"] < TARGET_RSS_MB),
        (
            "correctness: 0 errors, 1 winner/round",
            f"{f['a_errors']} err, {f['hot_winners']}",
            f["a_errors"] == 0 and all(w == 1 for w in f["hot_winners"]) and f["hot_other"] == 0,
        ),
    ]
    print("\n" + "=" * 78)
    print(f"{'figure':<46} {'value':>14}  note")
    print("-" * 78)
    for name, value, note in res.rows:
        print(f"{name:<46} {value:>14}  {note}")
    print("-" * 78)
    print(f"{'target':<46} {'measured':>14}  verdict")
    for name, value, ok in checks:
        print(f"{name:<46} {value:>14}  {'met' if ok else 'MISSED'}")
    print("=" * 78, flush=True)
    return all(ok for *_, ok in checks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="short phases (about 1 minute)")
    args = parser.parse_args()
    cfg = QUICK if args.quick else Config()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)  # 500 sockets at once in phase B
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))

    def on_signal(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    try:
        import uvloop

        runner = uvloop.run
    except ImportError:
        runner = asyncio.run
    res = runner(asyncio.wait_for(run(cfg), timeout=900))
    report(res)


if __name__ == "__main__":
    main()
