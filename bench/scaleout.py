"""Scale-out through a real load balancer: `.venv/bin/python bench/scaleout.py [--quick]`.

Starts, on loopback: a fresh PostgreSQL database (``maitre_scaleout``, migrated, the demo
seeded), a throwaway ``redis-server``, ``--servers`` (3) ``maitre serve`` processes and
``--workers`` (2) ``maitre worker`` processes, all as the application role, and Debian's nginx
(``/usr/sbin/nginx``) in front of the servers with WebSockets proxied (the configuration is the
one in docs/deployment.md, with local paths). Everything below goes through nginx:

R. the hot-table race: ``--race`` (200) keep-alive clients POST a hold for the same table at
   once, ``--race-rounds`` (3) times on fresh tables. Exactly one 201 per round, every other
   answer a 409; the losers' latency.
P. the live floor: ``--phones`` (100) WebSocket clients on one sitting (nginx spreads them over
   the servers; each server's ``maitre_websocket_connections`` says how many it holds), while a
   booking load runs (``--load`` keep-alive clients placing holds on other nights, and one
   client reading the floor map of one of those nights, timed). Each round books a table of
   the phones' sitting through nginx; the latency is from the HTTP response (commit done) to
   the last phone receiving the delta that shows it. Resident memory (VmRSS) of every server
   and worker is sampled throughout.
I. idle sockets: ``--idle`` (1,000) WebSocket clients connected straight to one server; its
   extra VmRSS per 1,000.

Targets (issue 13): P p99 < 50 ms; every process < 150 MB resident under load; I < 30 MB per
1,000 idle sockets; R exactly one winner. Every process this script starts is stopped on every
exit path (process groups, killed).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import httpx  # noqa: E402
from fanout import Swarm, free_port, raise_fd_limit, rss_mb, summary  # noqa: E402

MAITRE = Path(sys.executable).parent / "maitre"
NGINX = "/usr/sbin/nginx"
SLUG = "velvet"
PG = os.environ.get("SCALEOUT_PG", "postgresql://postgres@127.0.0.1:5432")
DB = "maitre_scaleout"
APP_ROLE = "maitre_scaleout_app"


NGINX_CONF = """
{user}
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 16384; }}
http {{
    access_log off;
    client_body_temp_path {work}/nginx-tmp/body;
    proxy_temp_path {work}/nginx-tmp/proxy;
    fastcgi_temp_path {work}/nginx-tmp/fastcgi;
    uwsgi_temp_path {work}/nginx-tmp/uwsgi;
    scgi_temp_path {work}/nginx-tmp/scgi;

    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      '';
    }}
    upstream maitre {{
        least_conn;
{servers}
        keepalive 64;
    }}
    server {{
        listen 127.0.0.1:{port};
        location /ws/ {{
            proxy_pass http://maitre;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_read_timeout 1h;
            proxy_buffering off;
        }}
        location / {{
            proxy_pass http://maitre;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Request-ID $request_id;
        }}
    }}
}}
"""


# --- processes ---------------------------------------------------------------------------------


class Stack:
    """Database, Redis, servers, workers and nginx; `close()` kills them all."""

    def __init__(self, work: Path, servers: int, workers: int) -> None:
        self.work = work
        self.procs: list[subprocess.Popen[bytes]] = []
        self.server_hosts: list[str] = []
        self.server_pids: list[int] = []
        self.worker_pids: list[int] = []
        self.n_servers, self.n_workers = servers, workers
        self.lb = ""

    def _spawn(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        with (self.work / f"{name}.log").open("wb") as out:
            proc = subprocess.Popen(
                args, env=env, cwd=self.work, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        self.procs.append(proc)
        return proc

    def start(self) -> None:
        owner = f"{PG}/{DB}".replace("postgresql://", "postgresql+asyncpg://")
        asyncio.run(_fresh_database())
        redis_port = free_port()
        self._spawn(
            "redis",
            [shutil.which("redis-server") or "redis-server", "--port", str(redis_port),
             "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            dict(os.environ),
        )  # fmt: skip
        app = owner.replace("postgres@", f"{APP_ROLE}@", 1)
        env = {
            **os.environ,
            "DATABASE_URL": owner,
            "APP_DATABASE_URL": app,
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "MAITRE_ENV": "development",
            "RATE_LIMIT_HOLDS": "1000000",
            "RATE_LIMIT_BOOKINGS": "1000000",
        }
        env.pop("MAITRE_REQUIRE_SERVICES", None)
        for step in (["migrate"], ["demo", "--no-serve"]):
            done = subprocess.run(
                [str(MAITRE), *step], env=env, cwd=self.work, capture_output=True, timeout=180
            )
            if done.returncode:
                raise RuntimeError(f"maitre {step[0]} failed:\n{done.stdout[-2000:]!r}")
        for i in range(self.n_servers):
            port = free_port()
            proc = self._spawn(
                f"serve-{i}",
                [str(MAITRE), "serve", "--host", "127.0.0.1", "--port", str(port)],
                env,
            )
            self.server_hosts.append(f"127.0.0.1:{port}")
            self.server_pids.append(proc.pid)
        # All at once, as systemd starts them: a migrate at head takes no table lock
        # (venue/core/rls.py), so the servers neither wait for nor deadlock with each other.
        for host in self.server_hosts:
            _wait_healthy(host)
        for i in range(self.n_workers):
            self.worker_pids.append(self._spawn(f"worker-{i}", [str(MAITRE), "worker"], env).pid)
        lb_port = free_port()
        (self.work / "nginx-tmp").mkdir()
        conf = NGINX_CONF.format(
            user="user root;" if os.geteuid() == 0 else "",
            work=self.work,
            port=lb_port,
            servers="\n".join(f"        server {h};" for h in self.server_hosts),
        )
        (self.work / "nginx.conf").write_text(conf)
        self._spawn(
            "nginx",
            [NGINX, "-p", str(self.work), "-c", str(self.work / "nginx.conf"),
             "-g", "daemon off;"],
            dict(os.environ),
        )  # fmt: skip
        self.lb = f"127.0.0.1:{lb_port}"
        _wait_healthy(self.lb)

    def close(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)


async def _fresh_database() -> None:
    import asyncpg  # type: ignore[import-untyped]

    conn = await asyncpg.connect(f"{PG}/postgres")
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        await conn.execute(f"CREATE DATABASE {DB}")
    finally:
        await conn.close()


def _wait_healthy(host: str) -> None:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://{host}/healthz", timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{host} did not become healthy within 240 s")


@contextlib.contextmanager
def stack(servers: int, workers: int) -> Iterator[Stack]:
    work = Path(tempfile.mkdtemp(prefix="maitre-scaleout-"))
    s = Stack(work, servers, workers)
    try:
        s.start()
        yield s
    finally:
        s.close()
        print(f"  logs in {work}")


# --- the demo's nights --------------------------------------------------------------------------


def free_nights(lb: str, count: int) -> list[tuple[str, str, list[tuple[str, int]]]]:
    """Open nights two or more days ahead whose tables are all free:
    (date, first sitting id, [(table id, min party)])."""
    found = []
    first = date.today() + timedelta(days=2)
    with httpx.Client(base_url=f"http://{lb}", timeout=30) as http:
        for night in http.get(f"/api/v1/venues/{SLUG}/nights", params={"days": 60}).json():
            if night["closed"] or date.fromisoformat(night["date"]) < first:
                continue
            floor = http.get(f"/api/v1/venues/{SLUG}/nights/{night['date']}/floor").json()
            tables = [(t["id"], t["min_party"]) for t in floor["tables"] if t["state"] == "free"]
            if len(tables) == len(floor["tables"]):
                found.append((night["date"], night["sittings"][0]["id"], tables))
            if len(found) == count:
                break
    return found


def hold_body(day: str, table: tuple[str, int]) -> dict[str, Any]:
    return {"date": day, "table_ids": [table[0]], "party_size": table[1]}


# --- R: the hot-table race ----------------------------------------------------------------------


async def race(lb: str, day: str, tables: list[tuple[str, int]], clients: int) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    winners, others, loser_ms = [], 0, []
    async with httpx.AsyncClient(base_url=f"http://{lb}", limits=limits, timeout=60) as http:
        # Open and warm every connection first, so the round starts together.
        await asyncio.gather(*(http.get("/healthz") for _ in range(clients)))
        for table in tables:
            go = asyncio.Event()

            async def one(
                table: tuple[str, int] = table, go: asyncio.Event = go
            ) -> tuple[int, float]:
                await go.wait()
                t0 = time.perf_counter()
                r = await http.post(f"/api/v1/venues/{SLUG}/holds", json=hold_body(day, table))
                return r.status_code, (time.perf_counter() - t0) * 1000

            tasks = [asyncio.create_task(one()) for _ in range(clients)]
            await asyncio.sleep(0.2)
            go.set()
            results = await asyncio.gather(*tasks)
            winners.append(sum(1 for s, _ in results if s == 201))
            others += sum(1 for s, _ in results if s not in (201, 409))
            loser_ms += [ms for s, ms in results if s == 409]
    return {
        "winners_per_round": winners,
        "other_statuses": others,
        "losers_ms": summary(loser_ms) if loser_ms else None,
    }


# --- P: phones while bookings run ---------------------------------------------------------------


class Load(threading.Thread):
    """Holds on other nights and timed floor-map reads, in a thread with its own loop."""

    def __init__(self, lb: str, nights: list[tuple[str, str, list[tuple[str, int]]]], n: int):
        super().__init__(daemon=True)
        self.lb, self.nights, self.n = lb, nights, n
        self.stop = threading.Event()
        self.holds = 0
        self.errors = 0
        self.exhausted = 0  # bookers that ran out of tables
        self.floor_ms: list[float] = []

    def run(self) -> None:
        asyncio.run(self._run())

    async def _run(self) -> None:
        pairs = [(day, t) for day, _, tables in self.nights for t in tables]
        async with httpx.AsyncClient(base_url=f"http://{self.lb}", timeout=30) as http:

            async def booker(k: int) -> None:
                for day, table in pairs[k :: self.n]:
                    if self.stop.is_set():
                        return
                    r = await http.post(f"/api/v1/venues/{SLUG}/holds", json=hold_body(day, table))
                    if r.status_code == 201:
                        self.holds += 1
                    else:
                        self.errors += 1
                self.exhausted += 1

            async def reader() -> None:
                day = self.nights[0][0]
                while not self.stop.is_set():
                    t0 = time.perf_counter()
                    r = await http.get(f"/api/v1/venues/{SLUG}/nights/{day}/floor")
                    if r.status_code == 200:
                        self.floor_ms.append((time.perf_counter() - t0) * 1000)
                    await asyncio.sleep(0.02)

            await asyncio.gather(reader(), *(booker(k) for k in range(self.n)))


class RssSampler(threading.Thread):
    def __init__(self, pids: list[int]) -> None:
        super().__init__(daemon=True)
        self.pids = pids
        self.peak = {pid: 0.0 for pid in pids}
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.2):
            for pid in self.pids:
                with contextlib.suppress(Exception):
                    self.peak[pid] = max(self.peak[pid], rss_mb(pid))


def websocket_clients(host: str) -> float:
    text = httpx.get(f"http://{host}/metrics", timeout=10).text
    for line in text.splitlines():
        if line.startswith("maitre_websocket_connections "):
            return float(line.split()[-1])
    return 0.0


def relay_sums(hosts: list[str]) -> dict[str, float]:
    """The relay's histogram sums and counts over the servers (a worker holding the lock
    has no metrics endpoint: then empty)."""
    sums: dict[str, float] = {}
    for host in hosts:
        for line in httpx.get(f"http://{host}/metrics", timeout=10).text.splitlines():
            for name in ("maitre_outbox_relay_pass_seconds", "maitre_outbox_relay_lag_seconds"):
                for part in ("_sum", "_count"):
                    if line.startswith(name + part + " "):
                        sums[name + part] = sums.get(name + part, 0) + float(line.split()[-1])
    return sums


def relay_figures(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """Mean relay pass and commit-to-publish lag between two readings."""
    out = {}
    for name, short in (
        ("maitre_outbox_relay_pass_seconds", "pass"),
        ("maitre_outbox_relay_lag_seconds", "lag"),
    ):
        n = after.get(name + "_count", 0) - before.get(name + "_count", 0)
        if n:
            total = after[name + "_sum"] - before.get(name + "_sum", 0)
            out[f"{short}_ms_mean"] = round(1000 * total / n, 1)
            out[f"{short}_count"] = n
    return out


def leaders(hosts: list[str]) -> list[float]:
    out = []
    for host in hosts:
        text = httpx.get(f"http://{host}/metrics", timeout=10).text
        out += [
            float(x.split()[-1])
            for x in text.splitlines()
            if x.startswith("maitre_outbox_relay_leader ")
        ]
    return out


def phones(s: Stack, args: argparse.Namespace) -> dict[str, Any]:
    nights = free_nights(s.lb, 1 + args.load_nights)
    (day, sitting, tables), others = nights[0], nights[1:]
    rounds = min(args.rounds, len(tables))
    url = f"ws://{s.lb}/ws/venues/{SLUG}/sittings/{sitting}"
    sampler = RssSampler(s.server_pids + s.worker_pids)
    sampler.start()
    swarm = Swarm(url, args.phones, first_frame=True)
    load = Load(s.lb, others, args.load)
    spy = None
    latencies: list[float] = []
    ran_out = False
    relay: dict[str, float] = {}
    try:
        ok, errors, first_error = swarm.ready()
        print(f"  phones: {ok} connected ({errors} errors) {first_error or ''}")
        per_server = [websocket_clients(h) for h in s.server_hosts]
        sums_before = relay_sums(s.server_hosts)
        load.start()
        time.sleep(1.0)  # let the load reach a steady state
        if args.profile:
            spy = subprocess.Popen(
                [str(Path(sys.executable).parent / "py-spy"), "record", "-f", "raw",
                 "-o", str(args.profile), "-r", "200", "--pid", str(s.server_pids[0])],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
        with httpx.Client(base_url=f"http://{s.lb}", timeout=30) as http:
            for r, table in enumerate(tables[:rounds], start=1):
                response = http.post(f"/api/v1/venues/{SLUG}/holds", json=hold_body(day, table))
                t_resp = time.perf_counter()
                response.raise_for_status()
                got = swarm.round(r)
                if got is None:
                    print(f"  round {r}: not every phone received the delta")
                    break
                latencies.append((got[0] - t_resp) * 1000)
                time.sleep(0.1)
        ran_out = load.exhausted == load.n
        relay = relay_figures(sums_before, relay_sums(s.server_hosts))
    finally:
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            spy.wait(timeout=30)
        load.stop.set()
        load.join(timeout=60)
        swarm.close()
        sampler.stop.set()
        sampler.join()
    return {
        "phones": ok,
        "phones_per_server": per_server,
        "rounds": len(latencies),
        "latency_ms": summary(latencies) if latencies else None,
        "latencies_ms": [round(x, 1) for x in latencies],
        "load_holds": load.holds,
        "load_ran_out_before_the_last_round": ran_out,
        "load_refused": load.errors,
        "floor_ms": summary(load.floor_ms) if load.floor_ms else None,
        "floor_reads": len(load.floor_ms),
        "peak_rss_mb": {
            "servers": [round(sampler.peak[p], 1) for p in s.server_pids],
            "workers": [round(sampler.peak[p], 1) for p in s.worker_pids],
        },
        "relay_leaders": leaders(s.server_hosts),
        "relay": relay,
    }


# --- I: idle sockets on one server -------------------------------------------------------------


def idle(s: Stack, clients: int) -> dict[str, Any]:
    night = httpx.get(f"http://{s.lb}/api/v1/venues/{SLUG}/nights", timeout=30).json()[-1]
    sitting = night["sittings"][0]["id"]
    host, pid = s.server_hosts[0], s.server_pids[0]
    before = rss_mb(pid)
    swarm = Swarm(f"ws://{host}/ws/venues/{SLUG}/sittings/{sitting}", clients, first_frame=True)
    try:
        ok, errors, _ = swarm.ready()
        time.sleep(2.0)
        after = rss_mb(pid)
    finally:
        swarm.close()
    return {
        "clients": ok,
        "errors": errors,
        "rss_before_mb": round(before, 1),
        "rss_after_mb": round(after, 1),
        "mb_per_1000": round((after - before) / max(ok, 1) * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--servers", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--phones", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--load", type=int, default=4, help="booking clients during P")
    parser.add_argument(
        "--load-nights", type=int, default=12, help="nights the load books (all their tables)"
    )
    parser.add_argument("--race", type=int, default=200)
    parser.add_argument("--race-rounds", type=int, default=3)
    parser.add_argument("--idle", type=int, default=1000)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--profile", type=Path, help="py-spy the first server during P (raw)")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.race, args.race_rounds, args.idle = 10, 100, 2, 500
    raise_fd_limit()
    Swarm.compression = "deflate"  # what browsers offer; the servers decline it
    result: dict[str, Any] = {"args": {k: str(v) for k, v in vars(args).items()}}
    with stack(args.servers, args.workers) as s:
        print(f"stack up: nginx {s.lb} -> {', '.join(s.server_hosts)}; {args.workers} workers")
        nights = free_nights(s.lb, 1 + args.race_rounds)
        day, _, tables = nights[-1]
        print("R. hot-table race through nginx")
        result["race"] = asyncio.run(race(s.lb, day, tables[: args.race_rounds], args.race))
        print(f"   {result['race']}")
        print("P. phones through nginx while bookings run")
        result["phones"] = phones(s, args)
        print(f"   {json.dumps(result['phones'])}", flush=True)
        if args.json:  # in case a later phase fails
            args.json.write_text(json.dumps(result, indent=2, default=str))
        print("I. idle sockets on one server")
        result["idle"] = idle(s, args.idle)
        print(f"   {result['idle']}")
    result["at"] = datetime.now(UTC).isoformat()
    with contextlib.suppress(Exception):
        result["load_average"] = os.getloadavg()
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str))
    p = result["phones"]
    print()
    print(f"R winners per round {result['race']['winners_per_round']} (target: 1 each), "
          f"losers {result['race']['losers_ms']}")  # fmt: skip
    if p["latency_ms"]:
        print(f"P commit -> last of {p['phones']} phones p50 {p['latency_ms']['p50']:.1f} ms, "
              f"p99 {p['latency_ms']['p99']:.1f} ms (target p99 < 50)")  # fmt: skip
    print(f"P peak RSS servers {p['peak_rss_mb']['servers']} workers "
          f"{p['peak_rss_mb']['workers']} MB (target < 150)")  # fmt: skip
    print(f"P floor map under load {p['floor_ms']}")
    print(f"I {result['idle']['mb_per_1000']} MB per 1,000 idle sockets (target < 30)")


if __name__ == "__main__":
    main()
