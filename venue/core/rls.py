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


def apply(conn: Connection) -> list[str]:
    """Enable and force the policy on every tenant table; idempotent."""
    if conn.dialect.name != "postgresql":
        return []
    tables = [row[0] for row in conn.execute(_TENANT_TABLES)]
    for table in tables:
        conn.exec_driver_sql(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
        conn.exec_driver_sql(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
        # Recreated each time, so a changed rule reaches existing databases.
        conn.exec_driver_sql(f'DROP POLICY IF EXISTS {POLICY} ON "{table}"')
        conn.exec_driver_sql(
            f'CREATE POLICY {POLICY} ON "{table}" USING ({_RULE}) WITH CHECK ({_RULE})'
        )
    return tables


async def scope_to_tenant(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    """Limit the rest of this transaction to one tenant's rows (no-op on SQLite)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            text("SELECT set_config(:name, :value, true)"),
            {"name": SETTING, "value": str(tenant_id)},
        )
