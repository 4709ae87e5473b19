"""The application's own PostgreSQL role: the half of the tenant wall that ``rls`` is not.

Row-level security binds only roles that are neither superuser nor BYPASSRLS. So the
database has two roles: the owner, which ``maitre migrate`` connects as to change the
schema, and the application role, which ``serve`` and ``worker`` connect as. Migrating
creates the application role if it is missing (LOGIN, NOSUPERUSER, NOBYPASSRLS, nothing
else), strips BYPASSRLS from it if someone granted it, and grants it what the app does
to rows and nothing more: data access on every table and sequence, now and (default
privileges) for tables the owner creates later. It may not change the schema, nor the
migration history.

``privileges`` is what the app checks at startup (``web/dbcheck.py``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

HISTORY = "alembic_version"
INSUFFICIENT_PRIVILEGE = "42501"
log = logging.getLogger("maitre.db")


class RoleError(RuntimeError):
    """The named application role cannot be made safe (it is a superuser)."""


@dataclass(frozen=True)
class Privileges:
    role: str
    superuser: bool
    bypass_rls: bool

    @property
    def bypasses_rls(self) -> bool:
        return self.superuser or self.bypass_rls


async def privileges(conn: AsyncConnection) -> Privileges | None:
    """Who this connection is and whether row-level security binds it (None on SQLite)."""
    if conn.dialect.name != "postgresql":
        return None
    row = (
        await conn.execute(
            text(
                "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles "
                "WHERE rolname = current_user"
            )
        )
    ).one()
    return Privileges(str(row[0]), bool(row[1]), bool(row[2]))


def provision(conn: Connection, role: str, password: str | None = None) -> bool:
    """Create or repair the application role and grant it row access; idempotent.

    Runs as the owner, inside the migration's transaction. Returns False (and does
    nothing) on SQLite or when ``role`` is the connecting role itself.
    """
    if conn.dialect.name != "postgresql":
        return False
    if role == conn.scalar(text("SELECT current_user")):
        return False
    found = conn.execute(
        text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :r"), {"r": role}
    ).first()
    if found is None:
        _create(conn, role, password)
    else:
        if found[0]:
            raise RoleError(
                f"the application role {role!r} is a superuser, which row-level security "
                "never binds; name another role in APP_DATABASE_URL"
            )
        if found[1]:
            _run(conn, "ALTER ROLE %I NOBYPASSRLS", role)
        if password:
            _set_password(conn, role, password)
    _grant(conn, role)
    return True


def _set_password(conn: Connection, role: str, password: str) -> None:
    # An owner without CREATEROLE (managed databases) may not; the role was then made by
    # an administrator, with its password, and migrating goes on without it.
    try:
        with conn.begin_nested():
            _run(conn, "ALTER ROLE %I LOGIN PASSWORD %L", role, password)
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) != INSUFFICIENT_PRIVILEGE:
            raise
        log.warning("may not set the password of role %s; it keeps the one it has", role)


def _create(conn: Connection, role: str, password: str | None) -> None:
    # Another migrate (another database on the same cluster) may create it at the same
    # moment: roles are cluster-wide. The savepoint keeps the losing attempt harmless.
    statement = "CREATE ROLE %I LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"
    args = [role]
    if password:
        statement += " PASSWORD %L"
        args.append(password)
    try:
        with conn.begin_nested():
            _run(conn, statement, *args)
    except Exception:
        if conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}) is None:
            raise


def _grant(conn: Connection, role: str) -> None:
    for statement in (
        "GRANT CONNECT ON DATABASE %I TO %I",
        "GRANT USAGE ON SCHEMA %I TO %I",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO %I",
        "GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA %I TO %I",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES "
        "TO %I",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO %I",
    ):
        target = "current_database()" if "DATABASE" in statement else "current_schema()"
        sql = conn.scalar(
            text(f"SELECT format(:s, {target}, CAST(:r AS text))"), {"s": statement, "r": role}
        )
        conn.exec_driver_sql(str(sql))
    # The migration history is the owner's to write.
    _run(conn, "REVOKE INSERT, UPDATE, DELETE ON %I FROM %I", HISTORY, role)


def _run(conn: Connection, statement: str, *args: str) -> None:
    """A utility statement takes no bind parameters: the server quotes them (format)."""
    marks = ", ".join(f"CAST(:a{i} AS text)" for i in range(len(args)))
    sql = conn.scalar(
        text(f"SELECT format(:s, {marks})"),
        {"s": statement, **{f"a{i}": a for i, a in enumerate(args)}},
    )
    conn.exec_driver_sql(str(sql))
