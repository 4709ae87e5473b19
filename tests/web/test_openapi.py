"""web/openapi.py: every operation documents the problems it can answer."""

from __future__ import annotations

from typing import Any

import httpx

PROBLEM_REF = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


async def _schema(bare: httpx.AsyncClient) -> dict[str, Any]:
    r = await bare.get("/openapi.json")
    assert r.status_code == 200
    return dict(r.json())


def _statuses(schema: dict[str, Any], method: str, path: str) -> set[str]:
    return set(schema["paths"][path][method]["responses"])


async def test_errors_are_documented_as_problems(bare: httpx.AsyncClient) -> None:
    schema = await _schema(bare)
    problem = schema["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "code", "detail"} <= set(problem["required"])
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "422" in responses, (method, path)
            for status, response in responses.items():
                if int(status) >= 400:
                    assert response["content"] == PROBLEM_REF, (method, path, status)
            if "requestBody" in operation:
                assert "413" in responses, (method, path)


async def test_each_operation_lists_the_problems_it_can_meet(bare: httpx.AsyncClient) -> None:
    schema = await _schema(bare)
    staff = "/api/v1/staff/venues/{slug}"
    assert _statuses(schema, "get", "/api/v1/venues/{slug}") == {"200", "404", "422"}
    assert _statuses(schema, "post", "/api/v1/venues/{slug}/holds") == {
        *("201", "404", "409", "413", "422", "429"),
    }
    assert _statuses(schema, "post", "/api/v1/staff/login") == {"200", "401", "413", "422", "429"}
    assert _statuses(schema, "get", "/api/v1/staff/me") == {"200", "401", "422"}
    assert _statuses(schema, "get", f"{staff}/floor-plan") == {"200", "401", "403", "404", "422"}
    assert {"401", "403", "404", "409", "413", "422"} <= _statuses(
        schema, "patch", f"{staff}/floor-plan"
    )
    limited = schema["paths"]["/api/v1/venues/{slug}/holds"]["post"]["responses"]["429"]
    assert "Retry-After" in limited["headers"]


async def test_csv_exports_are_documented_as_csv(bare: httpx.AsyncClient) -> None:
    schema = await _schema(bare)
    ok = schema["paths"]["/api/v1/staff/venues/{slug}/commissions.csv"]["get"]["responses"]["200"]
    assert set(ok["content"]) == {"text/csv"}
