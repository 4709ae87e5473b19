"""The OpenAPI document with the errors each operation can answer, as problem+json.

FastAPI documents the successes and a 422 in its own shape; every error here is a
``Problem`` (web/problems.py), and which ones an operation can meet follows from what it
is, so a new route is documented without anyone remembering to:

* 401 and 403: it needs a signed-in staff member (403: a role, or CSRF on a write);
  401 also on the sign-in itself.
* 404: its path names something (a venue, a reservation, a table...), or a query
  parameter does (``entity_id``, ``host_id``: another tenant's id is not found).
* 409: it changes something: a stale version, a taken table, a closed night.
* 413: it takes a body (web/intake.py bounds every body).
* 422: always: malformed input, a NUL anywhere in the request (web/intake.py).
* 429: the throttled paths of web/security.py.

A status a route declares itself (``responses={410: ...}``) gets the Problem schema too.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field

from .deps import current_staff
from .problems import PROBLEM, routes_of
from .security import LOGIN_PATH, throttled

UNSAFE = {"post", "put", "patch", "delete"}
NO_CONFLICT = {LOGIN_PATH, "/api/v1/staff/logout"}
WHY = {
    401: "not signed in (or, signing in, wrong email or password)",
    403: "signed in without the role this needs, or without the X-CSRF-Token header",
    404: "nothing of that name here (or it belongs to another tenant)",
    409: "it conflicts with the current state; `code` says how",
    413: "the request body is over the size limit",
    422: "malformed input; `errors` names each field",
    429: "too many requests; wait `Retry-After` seconds",
}


class FieldError(BaseModel):
    field: str = Field(description="where: a dotted body path, a parameter or a header")
    message: str


class Problem(BaseModel):
    """An error (RFC 9457); ``code`` is stable, scripts branch on it."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    code: str = Field(description="machine-readable, e.g. table_unavailable")
    detail: str = Field(description="for people")
    errors: list[FieldError] | None = Field(default=None, description="422: one per field")


def install(app: FastAPI) -> None:
    """Document the problems of every operation in ``app.openapi()``."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            describe_problems(build(), app)
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def describe_problems(schema: dict[str, Any], app: FastAPI) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name, definition in _definitions().items():
        components[name] = definition
    for route in routes_of(app):
        original = getattr(route, "original_route", route)
        if not isinstance(original, APIRoute) or not original.include_in_schema:
            continue
        path = schema["paths"].get(route.path_format, {})
        for method in original.methods or ():
            operation = path.get(method.lower())
            if operation is not None:
                dependant = getattr(route, "dependant", original.dependant)
                _describe(operation, route.path_format, method.lower(), dependant)
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)


def _describe(operation: dict[str, Any], path: str, method: str, dependant: Dependant) -> None:
    responses = operation.setdefault("responses", {})
    for status in _statuses(path, method, dependant, "requestBody" in operation):
        responses.setdefault(str(status), {})
    for status, response in responses.items():
        if status.isdigit() and int(status) >= 400:
            response["description"] = WHY.get(int(status), response.get("description") or "")
            response["content"] = {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
            if status == "429":
                response["headers"] = {
                    "Retry-After": {"description": "seconds", "schema": {"type": "integer"}}
                }


def _statuses(path: str, method: str, dependant: Dependant, has_body: bool) -> list[int]:
    direct = {d.call for d in dependant.dependencies}
    staff = current_staff in _calls(dependant)
    out = [422]
    if staff or path == LOGIN_PATH:
        out.append(401)
    if staff and (current_staff not in direct or method in UNSAFE):
        out.append(403)
    if "{" in path or any(q.name.endswith("_id") for q in dependant.query_params):
        out.append(404)
    if method in UNSAFE and path not in NO_CONFLICT:
        out.append(409)
    if has_body:
        out.append(413)
    if method == "post" and throttled(path):
        out.append(429)
    return out


def _calls(dependant: Dependant) -> set[Any]:
    found: set[Any] = set()
    stack = list(dependant.dependencies)
    while stack:
        dep = stack.pop()
        found.add(dep.call)
        stack.extend(dep.dependencies)
    return found


def _definitions() -> dict[str, Any]:
    schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    definitions = schema.pop("$defs", {})
    return {**definitions, "Problem": schema}
