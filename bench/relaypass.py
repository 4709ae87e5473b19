"""One relay pass over many changed nights: `.venv/bin/python bench/relaypass.py [--nights 40]`.

A fresh PostgreSQL database (``relaypass_<random>``, dropped at the end) with one venue of
``--passes`` + 2 tables and ``--nights`` nights; the floor of the first night is watched
through Redis (so `Broker.listened` is a real ``PUBSUB NUMSUB``). Each pass: one hold on every
night (one commit each), then one timed ``relay_once`` that claims them all. Prints the pass
time, the SQL statements it sent and its `listened` calls. No HTTP server, no other load.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # type: ignore[import-untyped]  # noqa: E402
from sqlalchemy import event  # noqa: E402

from realtime.broker import RedisBroker  # noqa: E402
from realtime.leader import SoleLeadership  # noqa: E402
from realtime.relay import OutboxRelay  # noqa: E402
from tests.factories import create_night_for, create_venue  # noqa: E402
from venue.core.actor import GUEST  # noqa: E402
from venue.core.channels import floor_channel  # noqa: E402
from venue.core.db import create_engine, session_factory  # noqa: E402
from venue.core.migrate import upgrade  # noqa: E402
from venue.reservations import booking  # noqa: E402
from venue.setup.venues import sittings_of  # noqa: E402

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
FIRST = date(2026, 12, 1)


class CountingRedisBroker(RedisBroker):
    listened_calls = 0

    async def listened(self, channels: list[str]) -> set[str] | None:
        self.listened_calls += 1
        return await super().listened(channels)


async def run(pg: str, redis: str, nights: int, passes: int) -> None:
    name = f"relaypass_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(f"{pg}/postgres")
    await admin.execute(f"CREATE DATABASE {name}")
    engine = create_engine(f"{pg.replace('postgresql:', 'postgresql+asyncpg:')}/{name}")
    try:
        await upgrade(engine)
        sessions = session_factory(engine)
        async with sessions() as s, s.begin():
            world = await create_venue(s, tables=passes + 2)
            days = [FIRST + timedelta(days=i) for i in range(nights)]
            first = await create_night_for(s, world, days[0], now=NOW)
            watched = floor_channel((await sittings_of(s, first))[0].id)
            for day in days[1:]:
                await create_night_for(s, world, day, now=NOW)
        broker = CountingRedisBroker(redis)
        await broker.connect()
        relay = OutboxRelay(sessions, broker, lambda: NOW)
        relay.use(SoleLeadership(exclusive=True))
        statements = 0

        def count(*_: Any) -> None:
            nonlocal statements
            statements += 1

        event.listen(engine.sync_engine, "before_cursor_execute", count)
        times: list[float] = []
        sent: list[int] = []
        asked: list[int] = []
        async with broker.subscribe(watched):
            while await relay.relay_once():
                pass
            for table in world.tables[:passes]:
                for day in days:
                    async with sessions() as s, s.begin():
                        venue = await s.merge(world.venue)
                        request = booking.HoldRequest(day, [table.id], 2)
                        await booking.place_hold(s, venue, request, GUEST, NOW)
                statements, broker.listened_calls = 0, 0
                started = time.perf_counter()
                claimed = await relay.relay_once()
                times.append((time.perf_counter() - started) * 1000)
                sent.append(statements)
                asked.append(broker.listened_calls)
                assert claimed == nights, claimed
        await broker.disconnect()
        print(
            f"{nights} nights per pass (1 watched), {passes} passes: pass p50 "
            f"{statistics.median(times):.1f} ms, mean {statistics.fmean(times):.1f}, max "
            f"{max(times):.1f}; SQL statements per pass {statistics.median(sent):.0f}; "
            f"listened calls per pass {statistics.median(asked):.0f}"
        )
    finally:
        await engine.dispose()
        await admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nights", type=int, default=40)
    parser.add_argument("--passes", type=int, default=10)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    asyncio.run(run(args.pg, args.redis, args.nights, args.passes))


if __name__ == "__main__":
    main()
