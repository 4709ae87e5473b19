"""Typed dependencies: the request's session and clock, and who is asking about which venue.

The request is the unit of work (commit at the boundary only). The session commits when the
path operation returns and before its response is sent, so a 2xx always means committed,
and whatever the commit lets out (the relay's wake-up, the floor cache's invalidation)
happens after it. That order is the ``scope="function"`` of ``Depends``: FastAPI runs the
exit code of a default (request-scoped) ``yield`` dependency only after the response has
gone out. tests/web/test_commit_before_answer.py checks it through two real server
processes.

Staff requests resolve in one order: the session cookie and CSRF (``current_staff``, which
then sets the transaction's tenant for row-level security), the role (``Manager``,
``Floor``, ...), and only then the venue named by the path's slug (``ManagerVenue``,
``FloorVenue``, ...: another tenant's venue is 404). A route that needs the staff member
too (for the audit's actor) asks for both; FastAPI resolves each dependency once per
request.
"""

# No ``from __future__ import annotations`` here: ``own_venue`` builds its dependency's
# signature from a local (the role), which FastAPI can only read as an evaluated annotation.
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core import rls
from venue.core.actor import Actor
from venue.core.errors import DomainError, NotFound
from venue.hosts import hosts
from venue.models import Host, StaffSession, StaffUser, Venue
from venue.setup import venues
from venue.staff import sessions

COOKIE = "maitre_session"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


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


# --- staff -----------------------------------------------------------------------------


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


@dataclass(frozen=True)
class Staff:
    user: StaffUser
    session: StaffSession

    @property
    def actor(self) -> Actor:
        """Who the audit log and the outbox name for this staff member's writes."""
        return Actor("host" if self.user.role == "host" else "staff", str(self.user.id))


async def current_staff(request: Request, session: SessionDep, now: NowDep) -> Staff:
    """The signed-in staff member; the tenant is theirs, never the request's."""
    token = request.cookies.get(COOKIE)
    found = await sessions.resolve(session, token, now) if token else None
    if found is None:
        raise Unauthorized("sign in first")
    user, row = found
    if request.method not in SAFE_METHODS:
        sent = request.headers.get("x-csrf-token", "")
        if not secrets.compare_digest(sent.encode(), row.csrf_token.encode()):
            raise Forbidden("missing or wrong X-CSRF-Token header")
    await rls.scope_to_tenant(session, user.tenant_id)  # the database's own tenant wall
    return Staff(user, row)


CurrentStaff = Annotated[Staff, Depends(current_staff)]


async def signed_in_role(request: Request, session: SessionDep, now: NowDep) -> str | None:
    """The role of whoever the session cookie signs in, or None: for the page shells, which
    tell their script up front so a signed-out visitor costs no failing ``/me`` call."""
    token = request.cookies.get(COOKIE)
    found = await sessions.resolve(session, token, now) if token else None
    return found[0].role if found else None


SignedInRole = Annotated[str | None, Depends(signed_in_role)]


def require(*roles: str) -> Any:
    """A dependency on the signed-in staff member holding one of ``roles`` (else 403)."""

    async def check(who: CurrentStaff) -> Staff:
        if who.user.role not in roles:
            raise Forbidden(f"needs one of the roles: {', '.join(roles)}")
        return who

    return Depends(check)


def own_venue(role: Any) -> Any:
    """A dependency on the path's venue, after ``role`` (a ``require`` dependency or
    ``Depends(current_staff)``) let the caller in; another tenant's venue is 404."""

    async def venue_of(who: Annotated[Staff, role], session: SessionDep, slug: str) -> Venue:
        venue = await venues.venue_by_slug(session, slug)
        if venue.tenant_id != who.user.tenant_id:
            raise NotFound(f"no venue '{slug}'")
        return venue

    return Depends(venue_of)


_anyone = Depends(current_staff)
_managers = require("owner", "manager")
_floor = require("owner", "manager", "floor")
_readers = require("owner", "manager", "floor", "finance")
_money = require("owner", "manager", "finance")
_hosts = require("host")

Manager = Annotated[Staff, _managers]  # owner, manager: configure the venue
Floor = Annotated[Staff, _floor]  # and floor staff: run tonight's service
Reader = Annotated[Staff, _readers]  # and finance: read the console
Money = Annotated[Staff, _money]  # owner, manager, finance: commissions and finance
HostUser = Annotated[Staff, _hosts]  # a host: their own bookings and commission

StaffVenue = Annotated[Venue, own_venue(_anyone)]
ManagerVenue = Annotated[Venue, own_venue(_managers)]
FloorVenue = Annotated[Venue, own_venue(_floor)]
ReaderVenue = Annotated[Venue, own_venue(_readers)]
MoneyVenue = Annotated[Venue, own_venue(_money)]
HostVenue = Annotated[Venue, own_venue(_hosts)]


async def current_host(who: HostUser, session: SessionDep) -> Host:
    """The host the signed-in ``host`` user acts for."""
    return await hosts.host_of_user(session, who.user)


CurrentHost = Annotated[Host, Depends(current_host)]
