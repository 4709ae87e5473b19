"""Staff accounts: create, list, change a password (which ends that user's sessions).

An email is unique within its tenant only (``uq_staff_users_tenant_id_email``): whether
another tenant has an account under it is none of this tenant's business, so creating one
never says. Sign-in copes with the same email in several tenants (``staff.login``). The
tenant of every account comes from whoever creates it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.actor import Actor
from venue.core.errors import Conflict, InvalidRequest, NotFound
from venue.guests.identity import normalise_email
from venue.journal.audit import record
from venue.models import Host, StaffSession, StaffUser
from venue.staff.sessions import hash_password, password_matches

ROLES = ("owner", "manager", "floor", "host", "finance")
MIN_PASSWORD = 10


class EmailTaken(Conflict):
    code = "email_taken"


def user_dict(user: StaffUser) -> dict[str, Any]:
    return {
        "id": str(user.id),
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "host_id": str(user.host_id) if user.host_id else None,
        "created_at": user.created_at.isoformat() if user.created_at else None,
    }


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidRequest("password", f"use at least {MIN_PASSWORD} characters")
    if len(password) > 500:
        raise InvalidRequest("password", "use at most 500 characters")


async def create_user(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    email: str,
    name: str,
    role: str,
    password: str,
    actor: Actor,
    now: datetime,
    host_id: uuid.UUID | None = None,
) -> StaffUser:
    if role not in ROLES:
        raise InvalidRequest("role", f"one of: {', '.join(ROLES)}")
    clean_name = " ".join(name.split())
    if not clean_name:
        raise InvalidRequest("name", "a name is required")
    try:
        clean_email = normalise_email(email)
    except InvalidRequest as exc:
        raise InvalidRequest("email", exc.message) from exc
    check_password(password)
    if role == "host" and host_id is None:
        raise InvalidRequest("host_id", "a host account is linked to a host record")
    if host_id is not None:
        found = await session.scalar(
            select(Host.id).where(Host.tenant_id == tenant_id, Host.id == host_id)
        )
        if found is None:
            raise InvalidRequest("host_id", "no such host")
    taken = await session.scalar(
        select(func.count(StaffUser.id)).where(
            StaffUser.tenant_id == tenant_id, StaffUser.email == clean_email
        )
    )
    if taken:
        raise EmailTaken("this team already has an account with that email", field="email")
    user = StaffUser(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        email=clean_email,
        name=clean_name,
        role=role,
        password_hash=hash_password(password),
        host_id=host_id,
        created_at=now,
    )
    session.add(user)
    await session.flush()
    record(
        session,
        tenant_id=tenant_id,
        actor=str(actor),
        action="user.created",
        entity="staff_user",
        entity_id=user.id,
        before=None,
        after=user_dict(user),
        at=now,
    )
    return user


async def set_password(
    session: AsyncSession, user: StaffUser, password: str, actor: Actor, now: datetime
) -> int:
    """Store the new hash and revoke every live session of that user; returns how many."""
    check_password(password)
    user.password_hash = hash_password(password)
    result = await session.execute(
        update(StaffSession)
        .where(
            StaffSession.tenant_id == user.tenant_id,
            StaffSession.user_id == user.id,
            StaffSession.revoked_at.is_(None),
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    revoked = int(result.rowcount or 0)  # type: ignore[attr-defined]
    await session.flush()
    record(
        session,
        tenant_id=user.tenant_id,
        actor=str(actor),
        action="user.password_changed",
        entity="staff_user",
        entity_id=user.id,
        before=None,
        after={"sessions_revoked": revoked},
        at=now,
    )
    return revoked


def verify_password(user: StaffUser, password: str) -> bool:
    return password_matches(user.password_hash, password)


async def list_users(session: AsyncSession, tenant_id: uuid.UUID) -> list[StaffUser]:
    return list(
        await session.scalars(
            select(StaffUser).where(StaffUser.tenant_id == tenant_id).order_by(StaffUser.email)
        )
    )


async def user_of(session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID) -> StaffUser:
    user = await session.scalar(
        select(StaffUser).where(StaffUser.tenant_id == tenant_id, StaffUser.id == user_id)
    )
    if user is None:
        raise NotFound("no such user")
    return user


async def tenant_id_by_slug(session: AsyncSession, slug: str) -> uuid.UUID:
    """A tenant named by its own slug or by one of its venues' slugs (for the CLI)."""
    from venue.models import Tenant, Venue

    found = await session.scalar(select(Tenant.id).where(Tenant.slug == slug))
    found = found or await session.scalar(select(Venue.tenant_id).where(Venue.slug == slug))
    if found is None:
        raise NotFound(f"no tenant or venue '{slug}'")
    return found
