"""Engine and session factories.

The parts never read the environment: the composition root (web/) passes the URL in.
SQLite is the embedded default, so it gets the settings that make it behave like a
server database for our purposes: foreign keys on, WAL for concurrent readers, a busy
timeout instead of instant "database is locked", and ``BEGIN IMMEDIATE`` so a write
transaction takes the write lock up front instead of failing when it upgrades a stale
read snapshot.

The pool bounds the connections of a process (``pool_size`` kept, ``max_overflow`` more
under load, ``pool_timeout`` seconds to wait for one, then ``sqlalchemy.exc.TimeoutError``).
A PostgreSQL server that cannot be reached raises ``DatabaseUnreachable`` on connect instead
of a bare ``OSError``, so the web layer can tell it from any other failure and answer 503.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


class DatabaseUnreachable(Exception):
    """No connection to the database server: refused, reset, unresolvable or timed out."""


POOL_OPTIONS = ("pool_size", "max_overflow", "pool_timeout")


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    if is_sqlite(url):
        if make_url(url).database in (None, "", ":memory:"):
            # One shared connection (a static pool): nothing to size.
            kwargs = {k: v for k, v in kwargs.items() if k not in POOL_OPTIONS}
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)
        _tune_sqlite(engine)
        return engine
    kwargs.setdefault("pool_size", 20)
    kwargs.setdefault("max_overflow", 10)
    # No pre-ping: with asyncpg it costs three round trips per checkout (measured in
    # bench/booking.py); recycling connections covers servers that drop idle ones.
    kwargs.setdefault("pool_recycle", 1800)
    engine = create_async_engine(url, **kwargs)
    _typed_connect_errors(engine)
    return engine


def _typed_connect_errors(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "do_connect")
    def _connect(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        try:
            return dialect.connect(*cargs, **cparams)
        except OSError as exc:  # asyncpg lets socket errors (and its timeout) through
            raise DatabaseUnreachable(f"cannot reach the database: {exc}") from exc


def _tune_sqlite(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, emit BEGIN (pysqlite's legacy behaviour).
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
