"""PostgreSQL row-level security: a second wall behind the application's tenant filters.

Every table with a ``tenant_id`` gets a policy that admits a row only when the
transaction-local setting ``app.tenant_id`` is unset or names the row's tenant. Staff
requests set it (``scope_to_tenant``) as soon as the session is known, so a query that
forgot its ``WHERE tenant_id = ...`` still cannot read or write another tenant's rows.
Public pages (tenant from the venue slug) and system jobs (relay, sweeper, mail) run
unscoped and rely on the application's filters, as before.

Superusers and roles with BYPASSRLS skip every policy: run the app as an ordinary role
(the tests do) for the wall to stand. ``apply`` runs after every ``maitre migrate``, so a
table added by any later migration is covered without remembering to.
"""

from __future__ import annotations

import hashlib
import uuid

from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncSession

POLICY = "tenant_wall"
SETTING = "app.tenant_id"

_TENANT_TABLES = text(
    """
    SELECT c.table_name FROM information_schema.columns c
    JOIN information_schema.tables t
      ON t.table_schema = c.table_schema AND t.table_name = c.table_name
    WHERE c.table_schema = current_schema() AND c.column_name = 'tenant_id'
      AND t.table_type = 'BASE TABLE'
    ORDER BY c.table_name
    """
)
# NULLIF, not a bare cast: PostgreSQL may evaluate either side of OR first, and ''::uuid
# would fail for every unscoped query. Each side is a scalar subquery, so it is computed
# once per statement (an InitPlan) rather than once per row: the app role pays for the
# policy on every unscoped scan (relay, sweeper, public pages), and this makes it cheap.
_RULE = (
    f"(SELECT coalesce(current_setting('{SETTING}', true), '') = '') "
    f"OR tenant_id = (SELECT nullif(current_setting('{SETTING}', true), '')::uuid)"
)


# Marks a policy made from this very rule (a comment on the policy), so a start-up
# migrate at head finds every table as it should be and changes nothing.
MARK = "maitre:" + hashlib.sha256(_RULE.encode()).hexdigest()[:16]

_STATE = text(
    """
    SELECT c.relname, c.relrowsecurity AND c.relforcerowsecurity,
           obj_description(p.oid, 'pg_policy')
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
    LEFT JOIN pg_policy p ON p.polrelid = c.oid AND p.polname = :policy
    WHERE c.relname = ANY(:tables)
    """
)


def tenant_tables(conn: Connection) -> list[str]:
    return [row[0] for row in conn.execute(_TENANT_TABLES)]


def apply(conn: Connection) -> list[str]:
    """Enable and force the policy on every tenant table; idempotent, and a no-op for
    tables already walled by this rule.

    ``ALTER TABLE`` and ``CREATE POLICY`` take a table's ACCESS EXCLUSIVE lock, which
    queues behind every open transaction reading it and blocks every read behind itself:
    a server starting beside running ones must not take it for nothing (it used to, and
    deadlocked with their transactions). Returns the tables it changed."""
    if conn.dialect.name != "postgresql":
        return []
    tables = tenant_tables(conn)
    state = {
        name: (walled, mark)
        for name, walled, mark in conn.execute(_STATE, {"tables": tables, "policy": POLICY})
    }
    changed = []
    for table in tables:
        walled, mark = state.get(table, (False, None))
        if walled and mark == MARK:
            continue
        conn.exec_driver_sql(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
        conn.exec_driver_sql(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
        # Recreated, so a changed rule reaches existing databases.
        conn.exec_driver_sql(f'DROP POLICY IF EXISTS {POLICY} ON "{table}"')
        conn.exec_driver_sql(
            f'CREATE POLICY {POLICY} ON "{table}" USING ({_RULE}) WITH CHECK ({_RULE})'
        )
        conn.exec_driver_sql(f"COMMENT ON POLICY {POLICY} ON \"{table}\" IS '{MARK}'")
        changed.append(table)
    return changed


async def scope_to_tenant(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    """Limit the rest of this transaction to one tenant's rows (no-op on SQLite)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            text("SELECT set_config(:name, :value, true)"),
            {"name": SETTING, "value": str(tenant_id)},
        )
