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

from venue.core import i18n
from venue.core.db import DatabaseUnreachable
from venue.core.errors import DomainError

from .languages import _g, gettext, of_problem

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


# What a guest reads for the refusals they can meet, in their language. English keeps the
# specific `detail` the domain wrote; other languages get this line (the `code` and any
# extra members are the same in every language).
GUEST_DETAILS = {
    "table_unavailable": _g("Just taken: someone else got there first."),
    "staff_unavailable": _g("That time has just been taken. Please choose another."),
    "hold_expired": _g("Your hold ran out. Please choose again."),
    "night_closed": _g("The venue is closed that night. Please pick another night."),
    "booking_cutoff": _g("Online booking for this night has closed. Please call the venue."),
    "booking_not_open": _g("Bookings for that night aren't open yet."),
    "party_size_not_allowed": _g("That table doesn't suit a party of this size."),
    "party_too_large": _g("We can't seat a party that large online. Please call us."),
    "tables_not_joinable": _g("Those tables can't be joined."),
    "guest_daily_cap": _g("You already have the most bookings we allow for one night."),
    "sitting_full": _g("That time has just filled up. Please choose another."),
    "sitting_full_covers": _g("This sitting just filled up. Please choose another time."),
    "sitting_full_tables": _g("The last table for your party at that time has just gone."),
    "sitting_full_pacing": _g("That time has just filled up. A time close to it may be free."),
    "invalid_transition": _g("This booking can't be changed any more."),
    "reservation_changed": _g("Your booking changed meanwhile. Reload and try again."),
    "not_found": _g("We couldn't find that. It may have expired."),
    "already_paid": _g("This deposit is already paid."),
    "cancel_cutoff": _g("It's too close to the night to cancel online. Please call the venue."),
    "reschedule_cutoff": _g("It's too close to the night to change it online."),
    "waitlist_already_joined": _g("You're already on the waitlist for that night."),
    "waitlist_entry_closed": _g("This place on the waitlist is closed."),
    "waitlist_offer_closed": _g("This offer has already been answered."),
    "waitlist_offer_lapsed": _g("This offer ran out and the table went to the next party."),
    "payment_provider_unavailable": _g("The payment page couldn't be opened. Try again soon."),
}
# A field's message by pydantic's error type; `{x}` come from the error's context.
FIELD_MESSAGES = {
    "missing": _g("This is required."),
    "string_too_long": _g("Use at most {max_length} characters."),
    "string_too_short": _g("Use at least {min_length} characters."),
    "greater_than_equal": _g("Use {ge} or more."),
    "less_than_equal": _g("Use {le} or less."),
    "greater_than": _g("Use more than {gt}."),
    "less_than": _g("Use less than {lt}."),
}
EMAIL_MESSAGE = _g("Enter a valid email address.")
CHECK_FIELD = _g("Please check this.")
CHECK_ALL = _g("Please check the highlighted details.")


def _field_message(lang: str, error: dict[str, Any], field: str) -> str:
    kind = str(error.get("type", ""))
    if kind in FIELD_MESSAGES:
        context = {k: str(v) for k, v in (error.get("ctx") or {}).items()}
        try:
            return gettext(lang, FIELD_MESSAGES[kind]).format_map(context)
        except (KeyError, IndexError, ValueError):
            pass
    if field.endswith("email"):
        return gettext(lang, EMAIL_MESSAGE)
    return gettext(lang, CHECK_FIELD)


def _translated(lang: str, exc: DomainError) -> tuple[str, dict[str, Any]]:
    if exc.code == "invalid":
        errors = [{**e, "message": gettext(lang, CHECK_FIELD)} for e in exc.extra.get("errors", [])]
        return gettext(lang, CHECK_ALL), {**exc.extra, "errors": errors}
    if exc.code in GUEST_DETAILS:
        return gettext(lang, GUEST_DETAILS[exc.code]), exc.extra
    return exc.message, exc.extra


async def _domain(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    lang = of_problem(request)
    if lang == i18n.SOURCE:
        return problem(exc.status, exc.code, exc.message, **exc.extra)
    detail, extra = _translated(lang, exc)
    return problem(exc.status, exc.code, detail, **extra)


def invalid(errors: list[dict[str, str]], summary: str | None = None) -> JSONResponse:
    """422 for malformed input, each error naming its field."""
    summary = summary or "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
    return problem(422, "invalid", summary or "invalid request", errors=errors)


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    lang = of_problem(request)
    errors = []
    for e in exc.errors():
        field = _field(tuple(e.get("loc", ())))
        message = e.get("msg", "invalid")
        if lang != i18n.SOURCE:  # field names stay as they are in every language
            message = _field_message(lang, e, field)
        errors.append({"field": field, "message": message})
    return invalid(errors, gettext(lang, CHECK_ALL) if lang != i18n.SOURCE else None)


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
