"""Schemathesis over every operation of the app's own OpenAPI, anonymously and as a
signed-in manager: no answer is a 5xx, and every answer is as documented (its status,
content type, headers and body schema).

Each operation gets ``MAITRE_FUZZ_EXAMPLES`` examples (default 8) per caller, drawn with
a fixed seed so CI is repeatable; raise it locally to search further. Examples come from
three strategies: everything generated; the tenant's real slug, night, reservation, table
and host in the path, so they reach the code behind the 404s; and, with those, data
outside the schema, which must be refused with a documented 4xx.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import HAS_PG, FakeClock, engine_for, need
from tests.staff.conftest import NOW, PASSWORD, SAT, Tenant, book
from web.app import create_app
from web.settings import Settings

EXAMPLES = int(os.environ.get("MAITRE_FUZZ_EXAMPLES", "8"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
pytestmark = pytest.mark.postgres

# Signing out would end the manager's session for every operation after it.
ANONYMOUS_ONLY = {"POST /api/v1/staff/logout"}


@pytest.fixture
def backend() -> str:
    """PostgreSQL only, as CI runs it: the fuzzer takes minutes per backend here."""
    need(HAS_PG, "PostgreSQL (DATABASE_URL)")
    return "postgres"


@pytest.fixture
async def known(client: httpx.AsyncClient, mine: Tenant) -> dict[str, str]:
    """Real values for the path parameters, so examples get past the 404s."""
    booking = await book(client, mine, ["T3"], name="Fuzz")
    rid = booking["id"]
    return {
        "slug": mine.slug,
        "day": SAT.isoformat(),
        "res_id": rid,
        "reservation_id": rid,
        "table_id": mine.tid("T2"),
        "host_id": str(mine.host_id),
    }


@pytest.fixture
async def app(backend: str, known: dict[str, str]) -> AsyncIterator[Any]:
    _, url = await engine_for(backend)
    app = create_app(
        Settings(database_url=url, environment="test", secret_key="t" * 40),
        clock=FakeClock(NOW),
        run_sweeper=False,
    )
    yield app
    asgi.shutdown_lifespans()  # the app's lifespan ran on schemathesis' own event loop


def test_every_operation_answers_as_documented(
    app: Any, mine: Tenant, known: dict[str, str]
) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    manager = _sign_in(app, mine.emails["manager"])
    failures: list[str] = []
    count = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        fixed = {k: v for k, v in known.items() if "{" + k + "}" in operation.path}
        for who, auth in (("anonymous", {}), ("manager", manager)):
            if who == "manager" and operation.label in ANONYMOUS_ONLY:
                continue
            strategy = st.one_of(
                operation.as_strategy(),
                operation.as_strategy(path_parameters=fixed),
                operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=fixed),
            )
            try:
                count += _fuzz(strategy, auth)
            except (Exception, FailureGroup) as exc:
                failures.append(f"{who} {operation.label}: {exc}")
    print(f"fuzzed {count} requests")
    assert not failures, "\n\n".join(failures)
    assert count > 0


def _fuzz(strategy: Any, auth: dict[str, Any]) -> int:
    sent = 0

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        nonlocal sent
        response = case.call(headers=auth.get("headers"), cookies=auth.get("cookies"))
        sent += 1
        case.validate_response(response, checks=CHECKS)

    run()
    return sent


def _sign_in(app: Any, email: str) -> dict[str, Any]:
    with asgi.get_client(app) as client:
        r = client.post(
            "http://testserver/api/v1/staff/login", json={"email": email, "password": PASSWORD}
        )
    assert r.status_code == 200, r.text
    return {
        "headers": {"X-CSRF-Token": r.json()["csrf_token"]},
        "cookies": {"maitre_session": r.cookies["maitre_session"]},
    }
