"""Every error as application/problem+json with a stable ``code``; never a bare 500.

A database that cannot take the request now is a 503 with ``Retry-After``, not a 500:
``overloaded`` when no pooled connection came free in time or the server is out of
connections or resources, ``unavailable`` when it refuses or drops connections (down,
restarting, unreachable). The same mapping answers for errors raised in middleware or
while committing, through the catch-all handler; one log line per ten seconds, no traceback.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Any

import fastapi.routing
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection
from starlette.routing import Match

from venue.core.db import DatabaseUnreachable
from venue.core.errors import DomainError

log = logging.getLogger("maitre")
PROBLEM = "application/problem+json"
HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized", 403: "forbidden"}


def problem(status: int, code: str, detail: str, **extra: Any) -> JSONResponse:
    body = {
        "type": f"https://maitre.dev/problems/{code}",
        "title": code.replace("_", " "),
        "status": status,
        "code": code,
        "detail": detail,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts) or "body"


async def _domain(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return problem(exc.status, exc.code, exc.message, **exc.extra)


def invalid(errors: list[dict[str, str]]) -> JSONResponse:
    """422 for malformed input, each error naming its field."""
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
    return problem(422, "invalid", summary or "invalid request", errors=errors)


async def _validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return invalid(
        [
            {"field": _field(tuple(e.get("loc", ()))), "message": e.get("msg", "invalid")}
            for e in exc.errors()
        ]
    )


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
    response = problem(exc.status_code, code, str(exc.detail))
    response.headers.update(exc.headers or {})
    if exc.status_code == 405:
        response.headers["Allow"] = ", ".join(allowed_methods(request))
    return response


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path. The router names only the first
    route's, and a path often has several (GET and PATCH of one resource)."""
    methods: set[str] = set()
    for route in routes_of(request.app):
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods |= getattr(route, "methods", None) or set()
    return sorted(methods)


def routes_of(app: Any) -> Iterable[Any]:
    """Every route of the app, flat: newer FastAPI keeps included routers nested."""
    routes = app.router.routes
    flatten = getattr(fastapi.routing, "iter_route_contexts", None)
    return flatten(routes) if flatten is not None else routes


OVERLOADED = ("overloaded", 2, "too busy right now, try again in a moment")
UNAVAILABLE = ("unavailable", 5, "temporarily unavailable, try again in a moment")


def database_busy(exc: BaseException) -> tuple[str, int, str] | None:
    """(code, retry after, detail) when the database cannot take a request right now."""
    if isinstance(exc, PoolTimeout):
        return OVERLOADED
    if isinstance(exc, DatabaseUnreachable):
        return UNAVAILABLE
    if isinstance(exc, DBAPIError):
        state = str(getattr(exc.orig, "sqlstate", None) or "")
        if state == "53300":  # too many connections (the server's or the role's limit)
            return OVERLOADED
        # 08: connection exception; 57P0x: shutting down, restarting, not yet accepting.
        if exc.connection_invalidated or state.startswith(("08", "57P")):
            return UNAVAILABLE
    return None


class _Quiet:
    """At most one log line per interval for a condition that repeats on every request."""

    def __init__(self, interval: float = 10.0) -> None:
        self.interval = interval
        self._next = 0.0
        self._skipped = 0

    def warning(self, message: str, *args: Any) -> None:
        now = time.monotonic()
        if now < self._next:
            self._skipped += 1
            return
        more = f" (and {self._skipped} more since the last line)" if self._skipped else ""
        log.warning(message + more, *args)
        self._next, self._skipped = now + self.interval, 0


_busy_log = _Quiet()


def busy_response(conn: HTTPConnection, exc: BaseException) -> JSONResponse | None:
    """The 503 for a database that cannot take the request, or None for other errors."""
    found = database_busy(exc)
    if found is None:
        return None
    code, retry_after, detail = found
    method, path = conn.scope.get("method", "WEBSOCKET"), conn.scope.get("path", "")
    # The driver's message, not str(exc): that carries the statement's parameters.
    reason = getattr(exc, "orig", None) or exc
    _busy_log.warning("database %s on %s %s: %s", code, method, path, reason)
    response = problem(503, code, detail, retry_after=retry_after)
    response.headers["Retry-After"] = str(retry_after)
    return response


async def _database(conn: HTTPConnection, exc: Exception) -> JSONResponse:
    response = busy_response(conn, exc)
    if response is None:
        raise exc  # not ours: on to the catch-all (a logged 500)
    return response


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    busy = busy_response(request, exc)  # raised outside the routes (middleware, commit)
    if busy is not None:
        return busy
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(500, "internal_error", "something went wrong on our side")


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
    for database_error in (PoolTimeout, DatabaseUnreachable, DBAPIError):
        app.add_exception_handler(database_error, _database)
    app.add_exception_handler(Exception, _unexpected)
