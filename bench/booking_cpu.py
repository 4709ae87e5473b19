"""CPU per hold and per complete request, in-process: `.venv/bin/python bench/booking_cpu.py [N]`.

Seeds the database ``maitre_bench`` as bench/booking.py does (drops it first), then books N
tables (after 5 warm-up bookings) through the app in this process (httpx's ASGI transport;
no HTTP server, relay or sweeper) and prints the median ``time.process_time`` of the hold
and of the complete request, and the statements a complete sends. The hold is the
yardstick on a shared machine: compare complete ÷ hold between versions run back to back.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import booking as bench  # bench/booking.py, for its seed and names


async def main(n: int) -> None:
    import httpx
    from sqlalchemy import event

    from web.app import create_app
    from web.settings import Settings

    await bench.create_database()
    bench.migrate()
    await bench.seed()
    await bench.analyze()
    app = create_app(
        Settings(database_url=bench.APP_URL, rate_limit_holds=10**9, rate_limit_bookings=10**9),
        run_sweeper=False,
    )
    me = asyncio.current_task()
    sent = [0]

    def count(*_: Any) -> None:
        if asyncio.current_task() is me:  # the request, not the app's background tasks
            sent[0] += 1

    event.listen(app.state.engine.sync_engine, "before_cursor_execute", count)
    holds: list[float] = []
    completes: list[float] = []
    statements: list[int] = []
    api = f"/api/v1/venues/{bench.SLUG}"
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://bench") as client,
    ):
        for i in range(n + 5):
            day = bench.first_day() + timedelta(days=bench.APP_FIRST + i // bench.TABLES)
            body = {
                "date": day.isoformat(),
                "table_ids": [str(bench.table_uuid(i % bench.TABLES))],
                "party_size": 4,
            }
            t0 = time.process_time()
            r = await client.post(f"{api}/holds", json=body)
            t1 = time.process_time()
            assert r.status_code == 201, r.text
            hold = r.json()
            guest = {"name": "Guest", "email": f"cpu{i}@bench.example"}
            sent[0] = 0
            t2 = time.process_time()
            r = await client.post(
                f"{api}/holds/{hold['reservation']['id']}/complete",
                json={"token": hold["token"], "guest": guest},
            )
            t3 = time.process_time()
            assert r.status_code == 200, r.text
            if i >= 5:
                holds.append((t1 - t0) * 1000)
                completes.append((t3 - t2) * 1000)
                statements.append(sent[0])
    await app.state.engine.dispose()
    hold_ms, complete_ms = statistics.median(holds), statistics.median(completes)
    print(
        f"{n} bookings: hold {hold_ms:.1f} ms CPU, complete {complete_ms:.1f} ms CPU "
        f"(median), complete / hold {complete_ms / hold_ms:.2f}; statements per complete "
        f"{statistics.median(statements):.0f}"
    )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 60))
