"""Staff sign-in: argon2 password check and server-side sessions.

The session token is 256 random bits in an HttpOnly cookie; the database keeps its hash,
so revoking a row (logout, password change) ends the session wherever the cookie is.
Login throttling and the user-management screens belong with the staff console.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .errors import DomainError
from .models import StaffSession, StaffUser
from .tokens import hash_token, new_token

HASHER = PasswordHasher()
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


async def login(session: AsyncSession, email: str, password: str, now: datetime) -> SignedIn:
    users = list(
        await session.scalars(select(StaffUser).where(StaffUser.email == email.strip().lower()))
    )
    user = users[0] if len(users) == 1 else None
    try:
        HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        user = None
    if user is None:
        raise LoginFailed("wrong email or password")
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
