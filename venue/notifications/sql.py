"""Small dialect helpers for the notification tables."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


async def insert_ignore(session: AsyncSession, model: Any, values: dict[str, Any]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True when this call wrote the row.

    On PostgreSQL a concurrent insert of the same key waits for the other transaction
    and then does nothing, so exactly one of two racers sees True.
    """
    dialect = session.get_bind().dialect.name
    mod: Any = postgresql if dialect == "postgresql" else sqlite
    stmt = mod.insert(model).values(**values).on_conflict_do_nothing()
    result = await session.execute(stmt)
    return bool(result.rowcount)  # type: ignore[attr-defined]
