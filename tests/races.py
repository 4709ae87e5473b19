"""The race harness the concurrency suites share.

``race`` runs N attempts at once on real connections and counts their outcomes;
``control_database`` is a PostgreSQL database built from the models alone (no exclusion
constraints, no triggers, no row-level security), so a control case can show what a
guard prevents by taking it away.
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import PG_URL
from venue.core.db import create_engine, session_factory
from venue.models import Base


async def race(n: int, attempt: Callable[[int], Awaitable[str]]) -> Counter[str]:
    """Start ``n`` attempts together; each returns the name of its outcome."""
    return Counter(await asyncio.gather(*(attempt(i) for i in range(n))))


@asynccontextmanager
async def control_database(
    name: str, pool_size: int = 32
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on a fresh database made by ``create_all`` (named per process, so two
    suites running at once never share one), dropped afterwards."""
    db = f"maitre_control_{name}_{os.getpid()}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT", pool_size=1)
    async with admin.connect() as conn:
        await conn.execute(text(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"))
        await conn.execute(text(f"CREATE DATABASE {db}"))
    url = make_url(PG_URL).set(database=db).render_as_string(hide_password=False)
    engine = create_engine(url, pool_size=pool_size, max_overflow=0, pool_timeout=120)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        yield session_factory(engine)
    finally:
        await engine.dispose()
        async with admin.connect() as conn:
            await conn.execute(text(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"))
        await admin.dispose()
