"""Prometheus metrics of this process, for a scraper on the private network, and the
request id every log line of a request carries.

What is measured here: request latency by route template (``/api/v1/venues/{slug}/holds``,
never the raw path, so the label set stays small), holds placed and refusals by reason
(``answered`` says whether the database was asked or a claim marker answered), completed
bookings, and the database pool (read when scraped). The relay's counters live in
realtime/relay.py; the client's process collectors come with prometheus-client.

Request ids: an ``X-Request-ID`` header a client or proxy sent (up to 64 visible ASCII
characters) is kept, anything else gets a fresh one; either way the response echoes it
and log records made while the request runs carry it as ``request_id``.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

router = APIRouter()

REQUEST_SECONDS = Histogram(
    "maitre_http_request_duration_seconds",
    "Time from a request's arrival to its response's first byte, by route template.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
HOLDS_PLACED = Counter("maitre_holds_placed_total", "Holds placed (committed).")
REFUSALS = Counter(
    "maitre_booking_refusals_total",
    "Holds and completions refused, by stable problem code; answered=marker when a claim "
    "marker answered without the database.",
    ["action", "reason", "answered"],
)
BOOKINGS_COMPLETED = Counter(
    "maitre_bookings_completed_total", "Holds completed, by the status they reached.", ["status"]
)
POOL = Gauge(
    "maitre_db_pool_connections",
    "Database connections of this process's pool when scraped: checked_out, idle, overflow, "
    "size (configured).",
    ["state"],
)

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_VALID_ID = re.compile(r"[!-~]{1,64}")


def refused(action: str, reason: str, *, known: bool = False) -> None:
    REFUSALS.labels(action, reason, "marker" if known else "database").inc()


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    pool: Any = request.app.state.engine.pool
    if hasattr(pool, "checkedout"):  # a queue pool (SQLite in memory has a static one)
        POOL.labels("checked_out").set(pool.checkedout())
        POOL.labels("idle").set(pool.checkedin())
        POOL.labels("overflow").set(max(pool.overflow(), 0))
        POOL.labels("size").set(pool.size())
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


class RequestMetrics:
    """ASGI middleware: times each HTTP request by its route template and gives it a
    request id (kept from ``X-Request-ID`` or made), echoed in the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        rid = _request_id(scope)
        token = REQUEST_ID.set(rid)
        header = (b"x-request-id", rid.encode())

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), header]
                route = scope.get("route")
                REQUEST_SECONDS.labels(
                    scope["method"],
                    getattr(route, "path", "unmatched"),
                    str(message["status"]),
                ).observe(time.perf_counter() - start)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            REQUEST_ID.reset(token)


def _request_id(scope: Scope) -> str:
    for key, value in scope["headers"]:
        if key == b"x-request-id":
            text = value.decode("latin-1")
            if _VALID_ID.fullmatch(text):
                return text
            break
    return uuid.uuid4().hex


def _with_request_id(factory: Any) -> Any:
    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = factory(*args, **kwargs)
        record.request_id = REQUEST_ID.get()
        return record

    make.maitre_request_id = True  # type: ignore[attr-defined]
    return make


# Every log record of the process carries ``request_id`` (a format can name it safely).
if not getattr(logging.getLogRecordFactory(), "maitre_request_id", False):
    logging.setLogRecordFactory(_with_request_id(logging.getLogRecordFactory()))
