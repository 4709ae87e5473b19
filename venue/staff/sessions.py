"""Staff sign-in: argon2 password check and server-side sessions.

An email is unique within a tenant, not across them: one person may work for two groups,
and a manager creating an account must learn nothing about other tenants. Sign-in checks
the password against every account under that email (or only the named venue's tenant's)
and signs in to the one it matches; when it matches several, only someone who knows the
password is told to name the venue. A failed sign-in takes as long per account as a
wrong password, so its time can say how many accounts share an email, never where.

The session token is 256 random bits in an HttpOnly cookie; the database keeps its hash,
so revoking a row (logout, password change) ends the session wherever the cookie is.
Login throttling lives in ``web/security.py``; user management in ``users``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.errors import Conflict, DomainError
from venue.core.tokens import hash_token, new_token
from venue.models import StaffSession, StaffUser, Tenant, Venue

HASHER = PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2 hash with ``HASHER``'s parameters (which the hash itself records, so a
    check never depends on the parameters of the day)."""
    return HASHER.hash(password)


# Verified when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))
SESSION_TTL = timedelta(hours=12)


class LoginFailed(DomainError):
    status = 401
    code = "login_failed"


@dataclass(frozen=True)
class SignedIn:
    user: StaffUser
    session: StaffSession
    token: str


class VenueRequired(Conflict):
    code = "venue_required"


async def login(
    session: AsyncSession, email: str, password: str, now: datetime, venue: str | None = None
) -> SignedIn:
    """Sign in by email and password; ``venue`` (a venue's or the tenant's slug) picks the
    account when the same email and password open several tenants."""
    stmt = select(StaffUser).where(StaffUser.email == email.strip().lower())
    if venue:  # the tenant's own slug or one of its venues'
        by_venue = select(Venue.tenant_id).where(Venue.slug == venue)
        named = select(Tenant.id).where(or_(Tenant.slug == venue, Tenant.id.in_(by_venue)))
        stmt = stmt.where(StaffUser.tenant_id.in_(named))
    candidates = list(await session.scalars(stmt.order_by(StaffUser.id)))
    matched = [u for u in candidates if password_matches(u.password_hash, password)]
    if not candidates:
        password_matches(_DUMMY_HASH, password)
    if not matched:
        raise LoginFailed("wrong email or password")
    if len(matched) > 1:
        raise VenueRequired("this email signs in at several venues: say which one", field="venue")
    user = matched[0]
    token = new_token()
    row = StaffSession(
        tenant_id=user.tenant_id,
        user_id=user.id,
        token_hash=hash_token(token),
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + SESSION_TTL,
    )
    session.add(row)
    await session.flush()
    return SignedIn(user, row, token)


def password_matches(password_hash: str, password: str) -> bool:
    """Whether ``password`` is the one hashed; a malformed hash matches nothing (any other
    argon2 error is a fault and raises)."""
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def resolve(
    session: AsyncSession, token: str, now: datetime
) -> tuple[StaffUser, StaffSession] | None:
    row = (
        await session.execute(
            select(StaffUser, StaffSession)
            .join(StaffSession, StaffSession.user_id == StaffUser.id)
            .where(
                StaffSession.token_hash == hash_token(token),
                StaffSession.revoked_at.is_(None),
                StaffSession.expires_at > now,
            )
        )
    ).first()
    return (row[0], row[1]) if row else None


async def logout(session: AsyncSession, row: StaffSession, now: datetime) -> None:
    row.revoked_at = now
    await session.flush()
