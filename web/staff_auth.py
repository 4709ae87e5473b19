"""Staff sign-in over a server-side session cookie, with CSRF on every write."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from venue.core import rls
from venue.core.errors import DomainError
from venue.models import StaffSession, StaffUser
from venue.staff import sessions

from .deps import NowDep, SessionDep

COOKIE = "maitre_session"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

router = APIRouter(prefix="/api/v1/staff", tags=["staff"])


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


def require(*roles: str) -> object:
    async def check(who: CurrentStaff) -> Staff:
        if who.user.role not in roles:
            raise Forbidden(f"needs one of the roles: {', '.join(roles)}")
        return who

    return Depends(check)


class LoginIn(BaseModel):
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=500)
    venue: str | None = Field(
        default=None,
        max_length=80,
        description="a venue's (or the group's) slug; needed only when the answer is "
        "409 venue_required: this email and password open accounts at several venues",
    )


class LoginOut(BaseModel):
    name: str
    role: str
    csrf_token: str = Field(description="send as X-CSRF-Token on every state-changing request")


@router.post("/login", response_model=LoginOut)
async def login(
    body: LoginIn, request: Request, response: Response, session: SessionDep, now: NowDep
) -> dict[str, str]:
    """Sign in; the session lives in an HttpOnly, SameSite=Strict cookie."""
    signed = await sessions.login(session, body.email, body.password, now, venue=body.venue)
    response.set_cookie(
        COOKIE,
        signed.token,
        max_age=int(sessions.SESSION_TTL.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path="/",
    )
    return {
        "name": signed.user.name,
        "role": signed.user.role,
        "csrf_token": signed.session.csrf_token,
    }


@router.post("/logout", status_code=204)
async def logout(
    who: CurrentStaff, request: Request, response: Response, session: SessionDep, now: NowDep
) -> None:
    """End this session everywhere."""
    await sessions.logout(session, who.session, now)
    response.delete_cookie(
        COOKIE, path="/", secure=_secure(request), httponly=True, samesite="strict"
    )


def _secure(request: Request) -> bool:
    """Secure whenever the public address is https, even if a proxy speaks http to us."""
    public_url: str = request.app.state.settings.public_url
    return request.url.scheme == "https" or public_url.startswith("https://")
