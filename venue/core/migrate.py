"""Alembic, driven from code: ``maitre migrate`` and the tests call ``upgrade``.

Features add migrations on their own branches from a common parent; upgrading to
"heads" applies every branch, so parallel work needs no merge revision.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

from venue.core import approle, rls

MIGRATIONS = Path(__file__).parent.parent / "migrations"
LOCK_KEY = 0x6D61_6974_7265  # "maitre": the advisory lock that serialises migrations


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


async def upgrade(
    engine: AsyncEngine,
    revision: str = "heads",
    *,
    app_role: str | None = None,
    app_password: str | None = None,
) -> None:
    """Migrate as the owner, (re)apply row-level security, and provision ``app_role``
    (venue/approle.py), all in one transaction."""
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Several processes migrating at once (``maitre serve`` on two machines) take
            # turns instead of racing on the same catalog rows.
            await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
        await conn.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))
        await conn.run_sync(rls.apply)
        if app_role:
            await conn.run_sync(lambda sync: approle.provision(sync, app_role, app_password))


async def downgrade(engine: AsyncEngine, revision: str = "base") -> None:
    async with engine.begin() as conn:
        await conn.run_sync(lambda sync: command.downgrade(alembic_config(sync), revision))
