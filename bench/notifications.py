"""Mail delivery benchmark: `.venv/bin/python bench/notifications.py [--messages N] [--pg URL]`.

Queues N due messages (each a real rendered email: HTML, text and an .ics), then lets
one ``MailLoop`` worker process, and afterwards two at once, deliver them over SMTP to
a local sink (aiosmtpd in its own process, counting what it accepts), and reports
messages per second from the first claim to the last "sent" mark. The database is a
fresh SQLite file, or with ``--pg`` a freshly created ``maitre_bench_mail`` database.
Each run checks that every message arrived exactly once (by Message-ID).

Target (issue): one worker >= 100 msg/s; two workers together more than one.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import platform
import socket
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from venue.core.db import create_engine, session_factory
from venue.core.migrate import upgrade
from venue.models import Notification, Tenant, Venue
from venue.notifications import MailConfig, MailLoop, SmtpTransport
from venue.notifications.queue import enqueue

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def sink(port: int, ready: mp.Event, ids: mp.Queue) -> None:  # type: ignore[type-arg]
    """The SMTP server: accept everything, report each Message-ID."""
    from aiosmtpd.controller import Controller

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
            head = envelope.original_content.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
            for line in head.split(b"\n"):
                if line.lower().startswith(b"message-id:"):
                    ids.put(line.split(b":", 1)[1].strip().decode())
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


def worker(url: str, port: int, go: mp.Event, out: mp.Queue) -> None:  # type: ignore[type-arg]
    async def run() -> None:
        engine = create_engine(url)
        config = MailConfig("bench@maitre.test", "http://bench", "b" * 40, batch=50)
        loop = MailLoop(
            session_factory(engine), SmtpTransport("127.0.0.1", port), config, lambda: NOW
        )
        async with engine.connect() as conn:  # open a pooled connection before the clock
            await conn.execute(text("SELECT 1"))
        go.wait()
        sent = 0
        while claimed := await loop.deliver_once():
            sent += claimed
        out.put((sent, time.perf_counter()))
        await engine.dispose()

    asyncio.run(run())


async def prepare(url: str, count: int) -> None:
    engine = create_engine(url)
    await upgrade(engine)
    sessions = session_factory(engine)
    async with sessions() as s, s.begin():
        tenant = Tenant(name="Bench", slug=f"bench-{uuid.uuid4().hex[:8]}")
        s.add(tenant)
        await s.flush()
        venue = Venue(
            tenant_id=tenant.id,
            slug=tenant.slug,
            name="Bench Club",
            timezone="Europe/London",
            currency="GBP",
            phone="+442079460000",
            email="venue@bench.test",
        )
        s.add(venue)
        await s.flush()
        ctx = {
            "venue": {
                "name": venue.name,
                "slug": venue.slug,
                "phone": venue.phone,
                "email": venue.email,
                "timezone": venue.timezone,
                "brand_color": "#c8a24a",
            },
            "reservation": {
                "id": str(uuid.uuid4()),
                "status": "confirmed",
                "party_size": 4,
                "tables": ["VIP 3"],
                "sitting": "Night",
                "starts_at": "2026-11-21T22:00:00+00:00",
                "ends_at": "2026-11-22T04:00:00+00:00",
                "currency": "GBP",
                "minimum": 75000,
                "deposit": 18750,
                "notes": None,
            },
            "guest": {"name": "Guest", "email": None, "phone": None},
            "policy": {"cancel_cutoff_minutes": 120},
        }
        for i in range(count):
            await enqueue(
                s,
                tenant_id=tenant.id,
                venue_id=venue.id,
                reservation_id=None,
                kind="confirmation",
                audience="guest",
                to_addr=f"guest{i}@bench.test",
                reply_to=venue.email,
                language="en",
                context=ctx,
                dedupe_key=f"bench:{uuid.uuid4()}",
                due_at=NOW - timedelta(seconds=1),
            )
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Notification)) >= count
    await engine.dispose()


async def fresh_pg(url: str) -> str:
    admin = create_engine(url, isolation_level="AUTOCOMMIT", pool_size=1)
    async with admin.connect() as conn:
        await conn.execute(text("DROP DATABASE IF EXISTS maitre_bench_mail WITH (FORCE)"))
        await conn.execute(text("CREATE DATABASE maitre_bench_mail"))
    await admin.dispose()
    return make_url(url).set(database="maitre_bench_mail").render_as_string(hide_password=False)


def run(url: str, port: int, workers: int, count: int, ids: mp.Queue) -> float:  # type: ignore[type-arg]
    asyncio.run(prepare(url, count))
    go, out = mp.Event(), mp.Queue()
    procs = [mp.Process(target=worker, args=(url, port, go, out)) for _ in range(workers)]
    for p in procs:
        p.start()
    time.sleep(2.0)  # every worker connected and waiting
    start = time.perf_counter()
    go.set()
    results = [out.get(timeout=600) for _ in procs]
    for p in procs:
        p.join()
    elapsed = max(t for _, t in results) - start
    sent = sum(n for n, _ in results)
    seen = Counter(ids.get(timeout=30) for _ in range(count))
    while not ids.empty():
        seen[ids.get()] += 1
    assert sent == count, (sent, count)
    assert len(seen) == count and set(seen.values()) == {1}, "a message went out twice"
    rate = count / elapsed
    split = ", ".join(str(n) for n, _ in results)
    print(
        f"  {workers} worker(s): {count} messages in {elapsed:.2f} s = {rate:.0f} msg/s ({split})"
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--pg", help="PostgreSQL URL (admin database) instead of SQLite")
    args = parser.parse_args()
    mp.set_start_method("spawn")
    port = free_port()
    ready, ids = mp.Event(), mp.Queue()
    server = mp.Process(target=sink, args=(port, ready, ids), daemon=True)
    server.start()
    ready.wait(10)
    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {args.messages} messages")
    try:
        rates = []
        for workers in (1, 2):
            if args.pg:
                url = asyncio.run(
                    fresh_pg(args.pg.replace("postgresql://", "postgresql+asyncpg://"))
                )
            else:
                url = f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/bench-mail.db"
            print(f"{url.split('://')[0]}:")
            rates.append(run(url, port, workers, args.messages, ids))
        ok = rates[0] >= 100 and rates[1] > rates[0]
        print(f"target one >= 100 msg/s, two > one: {'met' if ok else 'NOT met'}")
    finally:
        server.terminate()
        server.join()


if __name__ == "__main__":
    main()
