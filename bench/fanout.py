"""Live floor fan-out benchmark: `.venv/bin/python bench/fanout.py [--clients 1000] [--quick]`.

Measures, on loopback only:

A. fan-out: one ``maitre serve`` (SQLite temp database seeded with the demo venue, in-process
   broker: the default configuration) and N WebSocket clients on one sitting. Each round books
   a table through the HTTP API; the latency is from the moment the HTTP response arrived
   (the commit is done) to the moment the last of the N clients received the delta.
B. the floor: a bare `websockets` server (`websockets.asyncio.server.broadcast`) with N
   clients, broadcasting a payload of the same size as A's delta; the latency is from the
   `broadcast()` call to the last client receiving it.
C. idle connections: 5,000 clients connected to a fresh ``maitre serve``; connection errors
   and the server's extra resident memory per 1,000 connections (VmRSS before/after).

The clients run in a separate process (multiprocessing, spawn) so that the server under test
has a core of its own on a 2-core machine; both sides read the same monotonic clock.
Targets: A's p99 <= 2x B's p99; C with 0 errors and < 60 MB per 1,000 idle connections.
Every server and client process is stopped on every exit path.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing as mp
import os
import platform
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

MAITRE = Path(sys.executable).parent / "maitre"
SLUG = "velvet"
ROUND_TIMEOUT = 15.0  # a round that has not reached every client by then is reported missing
TARGET_RATIO = 2.0
TARGET_IDLE_MB_PER_1000 = 60.0


# --- helpers ----------------------------------------------------------------------------------


def raise_fd_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = q / 100 * (len(ordered) - 1)
    lo = int(rank)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (rank - lo)


def summary(values_ms: list[float]) -> dict[str, float]:
    return {
        "p50": percentile(values_ms, 50),
        "p99": percentile(values_ms, 99),
        "max": max(values_ms),
        "mean": statistics.fmean(values_ms),
    }


# --- the maitre server ------------------------------------------------------------------------


async def _seed(url: str) -> None:
    from venue.core.clock import to_local
    from venue.core.db import create_engine, session_factory
    from venue.core.migrate import upgrade
    from venue.demo.seed import seed_demo

    engine = create_engine(url)
    try:
        await upgrade(engine)
        async with session_factory(engine)() as session, session.begin():
            now = datetime.now(UTC)
            today = to_local(now - timedelta(hours=6), "Europe/London").date()
            await seed_demo(session, today, now, staff_password="fanout-bench")
    finally:
        await engine.dispose()


@contextlib.contextmanager
def maitre_server(workdir: Path, name: str) -> Iterator[tuple[str, int]]:
    """A seeded SQLite database and ``maitre serve`` on a free port: (host:port, pid)."""
    db = workdir / f"{name}.db"
    url = f"sqlite+aiosqlite:///{db}"
    asyncio.run(_seed(url))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(DATABASE_URL=url, MAITRE_ENV="development")
    log = (workdir / f"{name}.log").open("wb")
    proc = subprocess.Popen(
        [str(MAITRE), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=workdir,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    host = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"maitre serve exited; see {workdir / (name + '.log')}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://{host}/healthz", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("maitre serve did not start within 30 s")
            time.sleep(0.05)
        yield host, proc.pid
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        log.close()


def pick_night(host: str) -> tuple[str, str, list[tuple[str, int]]]:
    """An open night two or more days ahead: (date, sitting id, [(table id, party size)])."""
    nights = httpx.get(f"http://{host}/api/v1/venues/{SLUG}/nights", timeout=10).json()
    first = date.today() + timedelta(days=2)
    night = next(n for n in nights if not n["closed"] and date.fromisoformat(n["date"]) >= first)
    floor = httpx.get(
        f"http://{host}/api/v1/venues/{SLUG}/nights/{night['date']}/floor", timeout=10
    ).json()
    tables = [(t["id"], t["min_party"]) for t in floor["tables"] if t["state"] == "free"]
    return night["date"], night["sittings"][0]["id"], tables


# --- the client swarm (its own process) -------------------------------------------------------


def swarm_main(
    url: str, clients: int, first_frame: bool, compression: str | None, conn: Connection
) -> None:
    raise_fd_limit()
    asyncio.run(_swarm(url, clients, first_frame, compression, conn))


async def _swarm(
    url: str, clients: int, first_frame: bool, compression: str | None, conn: Connection
) -> None:
    """Connect `clients` sockets, then report each round once every socket received it.

    Round r is each socket's r-th non-ping frame after the first (the snapshot) if
    `first_frame`, else its r-th frame. Messages to the parent: ("ready", ok, errors,
    first_error), then ("round", r, last_arrival, first_arrival, frame_bytes) per round;
    on ("close",) from the parent, the sockets close and the process ends.
    """
    from websockets.asyncio.client import connect

    loop = asyncio.get_running_loop()
    last: dict[int, float] = {}
    first: dict[int, float] = {}
    counts: dict[int, int] = {}
    sizes: dict[int, int] = {}
    sockets: list[Any] = []
    errors: list[str] = []
    live = 0
    gate = asyncio.Semaphore(64)  # connect in waves: the server's accept backlog is finite

    def arrived(r: int, t: float, size: int) -> None:
        if r not in counts:
            counts[r], first[r], last[r], sizes[r] = 0, t, t, size
        counts[r] += 1
        first[r] = min(first[r], t)
        last[r] = max(last[r], t)
        if counts[r] == live:
            conn.send(("round", r, last[r], first[r], sizes[r]))

    async def client(ready: asyncio.Event) -> None:
        try:
            async with gate:
                ws = await connect(
                    url,
                    open_timeout=30,
                    max_size=None,
                    ping_interval=None,
                    compression=compression,  # browsers offer permessage-deflate
                )
                if first_frame:
                    async with asyncio.timeout(30):
                        await ws.recv()
        except Exception as exc:
            errors.append(repr(exc))
            return
        finally:
            ready.set()
        sockets.append(ws)
        r = 0
        with contextlib.suppress(Exception):
            async for raw in ws:
                t = time.perf_counter()
                if raw.startswith('{"type":"ping"'):
                    continue
                r += 1
                arrived(r, t, len(raw))

    tasks = []
    for _ in range(clients):
        ready = asyncio.Event()
        tasks.append((asyncio.create_task(client(ready)), ready))
    for _, ready in tasks:
        await ready.wait()
    live = len(sockets)
    conn.send(("ready", live, len(errors), errors[0] if errors else None))

    stop = asyncio.Event()
    loop.add_reader(conn.fileno(), stop.set)
    await stop.wait()
    loop.remove_reader(conn.fileno())
    for ws in sockets:
        ws.transport.abort()  # a close handshake per socket would only slow the teardown
    for task, _ in tasks:
        task.cancel()
    await asyncio.gather(*(t for t, _ in tasks), return_exceptions=True)


class Swarm:
    """The client process, driven through a pipe."""

    compression: str | None = "deflate"  # set from --compression

    def __init__(self, url: str, clients: int, *, first_frame: bool) -> None:
        ctx = mp.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self.process = ctx.Process(
            target=swarm_main,
            args=(url, clients, first_frame, Swarm.compression, child),
            daemon=True,
        )
        self.process.start()
        child.close()

    def recv(self, timeout: float) -> tuple[Any, ...]:
        if not self._conn.poll(timeout):
            raise TimeoutError(f"no word from the client swarm within {timeout} s")
        return self._conn.recv()  # type: ignore[no-any-return]

    def ready(self, timeout: float = 180) -> tuple[int, int, str | None]:
        kind, ok, errors, first_error = self.recv(timeout)
        assert kind == "ready"
        return ok, errors, first_error

    def round(self, r: int) -> tuple[float, float, int] | None:
        """(last arrival, first arrival, frame bytes) of round r, or None if it timed out."""
        deadline = time.monotonic() + ROUND_TIMEOUT
        while (left := deadline - time.monotonic()) > 0:
            try:
                kind, got, last, first, size = self.recv(left)
            except TimeoutError:
                return None
            if kind == "round" and got == r:
                return last, first, size
        return None

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._conn.send(("close",))
        self.process.join(timeout=20)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=5)
        self._conn.close()


# --- the bare websockets server (its own process) ---------------------------------------------


def bare_main(port: int, payload_size: int, conn: Connection) -> None:
    raise_fd_limit()
    asyncio.run(_bare(port, payload_size, conn))


async def _bare(port: int, payload_size: int, conn: Connection) -> None:
    """Serve; on ("broadcast",) broadcast one frame and answer the time of the call."""
    from websockets.asyncio.server import broadcast, serve

    async def handler(ws: Any) -> None:
        await ws.wait_closed()

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    counter = 0

    def command() -> None:
        nonlocal counter
        message = conn.recv()
        if message[0] == "broadcast":
            counter += 1
            head = f'{{"type":"delta","seq":{counter},"data":"'
            frame = head + "x" * max(0, payload_size - len(head) - 2) + '"}'
            t0 = time.perf_counter()
            broadcast(server.connections, frame)
            conn.send(("sent", t0))
        else:
            stop.set()

    async with serve(handler, "127.0.0.1", port, max_size=None, ping_interval=None) as server:
        conn.send(("listening",))
        loop.add_reader(conn.fileno(), command)
        await stop.wait()
        loop.remove_reader(conn.fileno())


# --- the measurements -------------------------------------------------------------------------


@contextlib.contextmanager
def profiled(pid: int, out: Path | None) -> Iterator[None]:
    """Optionally sample the server with py-spy (collapsed stacks, incl. idle) meanwhile."""
    if out is None:
        yield
        return
    spy = subprocess.Popen(
        [
            *(str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(pid)),
            *("--format", "raw", "--rate", "500", "--output", str(out), "--native"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(0.5)
        yield
    finally:
        spy.send_signal(signal.SIGINT)
        try:
            spy.wait(timeout=30)
        except subprocess.TimeoutExpired:
            spy.kill()
            spy.wait()


def measure_maitre(
    workdir: Path, clients: int, rounds: int, profile: Path | None = None
) -> dict[str, Any]:
    with maitre_server(workdir, "fanout") as (host, pid):
        night, sitting, tables = pick_night(host)
        rounds = min(rounds, len(tables))
        url = f"ws://{host}/ws/venues/{SLUG}/sittings/{sitting}"
        rss_before = rss_mb(pid)
        swarm = Swarm(url, clients, first_frame=True)
        try:
            ok, errors, first_error = swarm.ready()
            print(f"  maitre: {ok} clients connected ({errors} errors) {first_error or ''}")
            latencies: list[float] = []
            spreads: list[float] = []
            frame_bytes = 0
            missing = 0
            with profiled(pid, profile), httpx.Client(base_url=f"http://{host}") as http:
                for r, (table_id, party) in enumerate(tables[:rounds], start=1):
                    body = {"date": night, "table_ids": [table_id], "party_size": party}
                    response = http.post(f"/api/v1/venues/{SLUG}/holds", json=body)
                    t_resp = time.perf_counter()
                    response.raise_for_status()
                    got = swarm.round(r)
                    if got is None:
                        missing += 1
                        print(f"  round {r}: not every client received the delta")
                        break
                    last, first, frame_bytes = got
                    latencies.append((last - t_resp) * 1000)
                    spreads.append((last - first) * 1000)
            rss_with = rss_mb(pid)
        finally:
            swarm.close()
    return {
        "clients": ok,
        "connect_errors": errors,
        "rounds": len(latencies),
        "missing_rounds": missing,
        "latency_ms": summary(latencies) if latencies else None,
        "latencies_ms": [round(x, 1) for x in latencies],
        "first_to_last_ms": summary(spreads) if spreads else None,
        "frame_bytes": frame_bytes,
        "rss_mb": {"before": rss_before, "with_clients": rss_with},
    }


def measure_bare(clients: int, rounds: int, payload_size: int) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    conn, child = ctx.Pipe()
    port = free_port()
    server = ctx.Process(target=bare_main, args=(port, payload_size, child), daemon=True)
    server.start()
    child.close()
    swarm: Swarm | None = None
    try:
        if not conn.poll(30):
            raise RuntimeError("bare websockets server did not start")
        conn.recv()
        swarm = Swarm(f"ws://127.0.0.1:{port}", clients, first_frame=False)
        ok, errors, first_error = swarm.ready()
        print(f"  bare:   {ok} clients connected ({errors} errors) {first_error or ''}")
        latencies: list[float] = []
        frame_bytes = 0
        for r in range(1, rounds + 1):
            conn.send(("broadcast",))
            if not conn.poll(10):
                raise RuntimeError("bare server did not answer")
            _, t0 = conn.recv()
            got = swarm.round(r)
            if got is None:
                print(f"  bare round {r}: not every client received the frame")
                break
            last, _, frame_bytes = got
            latencies.append((last - t0) * 1000)
        return {
            "clients": ok,
            "connect_errors": errors,
            "rounds": len(latencies),
            "latency_ms": summary(latencies),
            "latencies_ms": [round(x, 1) for x in latencies],
            "frame_bytes": frame_bytes,
        }
    finally:
        if swarm is not None:
            swarm.close()
        with contextlib.suppress(Exception):
            conn.send(("stop",))
        server.join(timeout=10)
        if server.is_alive():
            server.kill()
            server.join(timeout=5)


def measure_idle(workdir: Path, clients: int) -> dict[str, Any]:
    with maitre_server(workdir, "idle") as (host, pid):
        _, sitting, _ = pick_night(host)
        url = f"ws://{host}/ws/venues/{SLUG}/sittings/{sitting}"
        # Warm up: the first socket loads the code paths, the pool and a snapshot.
        warm = Swarm(url, 10, first_frame=True)
        try:
            warm.ready()
        finally:
            warm.close()
        time.sleep(1.0)  # let the server finish closing the warm-up sockets before measuring
        before = rss_mb(pid)
        started = time.perf_counter()
        swarm = Swarm(url, clients, first_frame=True)
        try:
            ok, errors, first_error = swarm.ready(timeout=300)
            connect_s = time.perf_counter() - started
            time.sleep(1.0)  # a quiet second: the server's RSS after its last snapshot send
            after = rss_mb(pid)
        finally:
            swarm.close()
    print(f"  idle:   {ok} clients connected ({errors} errors) {first_error or ''}")
    return {
        "clients": ok,
        "errors": errors,
        "first_error": first_error,
        "connect_seconds": connect_s,
        "rss_mb": {"before": before, "after": after},
        "mb_per_1000": (after - before) / max(ok, 1) * 1000,
    }


def machine() -> dict[str, Any]:
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    import websockets

    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "websockets": websockets.__version__,
    }


def run(args: argparse.Namespace, phase: Callable[[str], None]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="maitre-fanout-") as tmp:
        workdir = Path(tmp)
        phase(f"A. maitre fan-out: {args.clients} clients, {args.rounds} rounds")
        maitre = measure_maitre(workdir, args.clients, args.rounds, args.profile)
        if maitre["latency_ms"] is None:
            raise SystemExit("no maitre round completed; see the numbers above")
        phase(f"B. bare websockets broadcast: {args.clients} clients, {args.rounds} rounds")
        bare = measure_bare(args.clients, args.rounds, maitre["frame_bytes"])
        phase(f"C. idle: {args.idle} clients on a fresh maitre serve")
        idle = measure_idle(workdir, args.idle)
    ratio = maitre["latency_ms"]["p99"] / bare["latency_ms"]["p99"]
    return {
        "machine": machine(),
        "command": " ".join([".venv/bin/python", "bench/fanout.py", *sys.argv[1:]]),
        "compression": args.compression,
        "maitre": maitre,
        "bare": bare,
        "ratio_p99": ratio,
        "idle": idle,
        "targets": {
            "p99_within_2x_bare": ratio <= TARGET_RATIO,
            "idle_zero_errors": idle["errors"] == 0 and idle["clients"] == args.idle,
            "idle_mb_per_1000_below_60": idle["mb_per_1000"] < TARGET_IDLE_MB_PER_1000,
        },
    }


def report(result: dict[str, Any]) -> None:
    m, b, i = result["maitre"], result["bare"], result["idle"]
    mach = result["machine"]
    print()
    print(
        f"machine: {mach['nproc']} cores ({mach['cpu']}), {mach['ram_gb']} GB RAM, "
        f"Python {mach['python']}, websockets {mach['websockets']}"
    )
    print(
        f"A. maitre  {m['clients']} clients, {m['rounds']} rounds, delta frame "
        f"{m['frame_bytes']} B: HTTP response -> last client p50 {m['latency_ms']['p50']:.1f} ms,"
        f" p99 {m['latency_ms']['p99']:.1f} ms (first->last client p50 "
        f"{m['first_to_last_ms']['p50']:.1f} ms)"
    )
    print(
        f"B. bare    {b['clients']} clients, {b['rounds']} rounds, frame {b['frame_bytes']} B: "
        f"broadcast() -> last client p50 {b['latency_ms']['p50']:.1f} ms, "
        f"p99 {b['latency_ms']['p99']:.1f} ms"
    )
    print(f"   ratio p99 maitre/bare: {result['ratio_p99']:.2f} (target <= {TARGET_RATIO})")
    print(
        f"C. idle    {i['clients']} connected, {i['errors']} errors, in {i['connect_seconds']:.1f}"
        f" s; RSS {i['rss_mb']['before']:.0f} -> {i['rss_mb']['after']:.0f} MB = "
        f"{i['mb_per_1000']:.1f} MB per 1,000 (target < {TARGET_IDLE_MB_PER_1000:.0f})"
    )
    for name, met in result["targets"].items():
        print(f"   {name}: {'met' if met else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=None, help="default 25 (quick: 8)")
    parser.add_argument("--idle", type=int, default=None, help="default 5000 (quick: 1000)")
    parser.add_argument("--quick", action="store_true", help="fewer rounds and idle clients")
    parser.add_argument(
        "--compression",
        choices=["deflate", "none"],
        default="deflate",
        help="what the clients offer (browsers: permessage-deflate)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--profile", type=Path, help="py-spy the server during A (collapsed stacks to this file)"
    )
    args = parser.parse_args()
    args.rounds = args.rounds or (8 if args.quick else 25)
    args.idle = args.idle or (1000 if args.quick else 5000)
    Swarm.compression = None if args.compression == "none" else "deflate"
    limit = raise_fd_limit()
    if limit < args.idle + 500:
        raise SystemExit(f"open-file limit {limit} is too low for {args.idle} idle clients")
    result = run(args, lambda text: print(text, flush=True))
    report(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
