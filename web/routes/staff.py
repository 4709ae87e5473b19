"""Staff accounts: sign-in over a server-side session cookie (CSRF on every write, see
web/deps.py), the signed-in user and their password, the tenant's users and audit trail."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from venue.core.errors import InvalidRequest
from venue.reservations import operations
from venue.setup import venues
from venue.staff import sessions, users

from ..deps import COOKIE, CurrentStaff, Forbidden, Manager, NowDep, SessionDep
from ..schemas import INT_MAX, Strict

auth_router = APIRouter(prefix="/api/v1/staff", tags=["staff"])
router = APIRouter(prefix="/api/v1/staff", tags=["staff: console"])


# --- signing in ------------------------------------------------------------------------


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


@auth_router.post("/login", response_model=LoginOut)
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


@auth_router.post("/logout", status_code=204)
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


# --- me --------------------------------------------------------------------------------


@router.get("/me")
async def me(who: CurrentStaff, session: SessionDep) -> dict[str, Any]:
    """The signed-in user, their CSRF token (for a reloaded page) and their venues."""
    rows = await venues.venues_of_tenant(session, who.user.tenant_id)
    return {
        **users.user_dict(who.user),
        "csrf_token": who.session.csrf_token,
        "venues": [
            {"slug": v.slug, "name": v.name, "timezone": v.timezone, "mode": v.mode} for v in rows
        ],
    }


class PasswordIn(Strict):
    current_password: str = Field(min_length=1, max_length=500)
    new_password: str = Field(min_length=1, max_length=500)


@router.post("/me/password", status_code=204)
async def change_own_password(
    body: PasswordIn, who: CurrentStaff, session: SessionDep, now: NowDep, response: Response
) -> None:
    """Change your password; every session of yours ends, this one included."""
    if not users.verify_password(who.user, body.current_password):
        raise InvalidRequest("current_password", "that is not your current password")
    # Audited as staff whatever the role: it is the account, not a booking, that changes.
    actor = operations.staff_actor(who.user.id)
    await users.set_password(session, who.user, body.new_password, actor, now)
    response.delete_cookie(COOKIE, path="/")


# --- users -----------------------------------------------------------------------------


class UserIn(Strict):
    email: str = Field(min_length=3, max_length=254)
    name: str = Field(min_length=1, max_length=200)
    role: Literal["owner", "manager", "floor", "host", "finance"]
    password: str = Field(min_length=1, max_length=500)
    host_id: uuid.UUID | None = None


class NewPasswordIn(Strict):
    password: str = Field(min_length=1, max_length=500)


@router.get("/users")
async def list_users(who: Manager, session: SessionDep) -> list[dict[str, Any]]:
    """Everyone who can sign in to this tenant."""
    return [users.user_dict(u) for u in await users.list_users(session, who.user.tenant_id)]


@router.post("/users", status_code=201)
async def create_user(
    body: UserIn, who: Manager, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Create an account (only an owner creates owners)."""
    if body.role == "owner" and who.user.role != "owner":
        raise Forbidden("only an owner can create another owner")
    user = await users.create_user(
        session,
        who.user.tenant_id,
        email=body.email,
        name=body.name,
        role=body.role,
        password=body.password,
        host_id=body.host_id,
        actor=who.actor,
        now=now,
    )
    return users.user_dict(user)


@router.post("/users/{user_id}/password", status_code=204)
async def reset_password(
    user_id: uuid.UUID, body: NewPasswordIn, who: Manager, session: SessionDep, now: NowDep
) -> None:
    """Set someone's password; all their sessions end."""
    user = await users.user_of(session, who.user.tenant_id, user_id)
    if user.role == "owner" and who.user.role != "owner":
        raise Forbidden("only an owner can change an owner's account")
    await users.set_password(session, user, body.password, who.actor, now)


# --- audit -----------------------------------------------------------------------------


@router.get("/audit")
async def audit(
    who: Manager,
    session: SessionDep,
    entity: str | None = None,
    entity_id: str | None = None,
    page: Annotated[int, Query(ge=1, le=INT_MAX)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[dict[str, Any]]:
    """The tenant's audit trail, newest first."""
    return await operations.audit_trail(
        session,
        who.user.tenant_id,
        entity=entity,
        entity_id=entity_id,
        page=page,
        per_page=per_page,
    )
