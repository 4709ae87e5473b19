"""Typed dependencies: the request is the unit of work (commit at the boundary only).

The session commits when the path operation returns and before its response is sent, so a
2xx always means committed, and whatever the commit lets out (the relay's wake-up, the floor
cache's invalidation) happens after it. That order is the ``scope="function"`` of
``Depends``: FastAPI runs the exit code of a default (request-scoped) ``yield`` dependency
only after the response has gone out. tests/web/test_commit_before_answer.py checks it
through two real server processes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy.ext.asyncio import AsyncSession

from venue.models import Venue
from venue.setup import venues


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's session; committed before the answer leaves, rolled back on error."""
    async with request.app.state.sessions() as session:
        try:
            yield session
            await session.commit()
            if request.method not in ("GET", "HEAD"):
                request.app.state.floor_cache.invalidate()  # read your own writes
            request.app.state.relay.wake()  # publish the outbox rows of this commit now
        except BaseException:
            await session.rollback()
            raise


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def get_now(request: Request) -> datetime:
    """Async on purpose: FastAPI runs a plain ``def`` dependency in its thread pool, and
    that hand-off cost about 1 ms of every request on the 2-core machine (bench/booking.py)."""
    clock: Callable[[], datetime] = request.app.state.clock
    return clock()


NowDep = Annotated[datetime, Depends(get_now)]


async def get_public_venue(session: SessionDep, slug: Annotated[str, Path(max_length=80)]) -> Venue:
    """The tenant of a public request comes from the venue slug in the path, nowhere else."""
    return await venues.venue_by_slug(session, slug)


PublicVenue = Annotated[Venue, Depends(get_public_venue)]
