"""What a request may carry, checked before any route (or the login throttle) reads it.

* Size: a body over ``MAX_BODY_BYTES`` is refused with 413, whether it announces its
  length or arrives chunked; no route sees a byte of it.
* NUL: PostgreSQL refuses U+0000 in text, so a NUL in the path, the query string, a header
  or any string (or key) of a JSON body is refused with 422 naming where it was, before it
  can reach a query. Checking the request, not each schema, covers every route, path
  parameter and free-form body (pricing rules) at once, and the routes still to come.
* Depth: JSON nested deeper than ``MAX_JSON_DEPTH`` is refused with 422. Python's parser
  and the validators after it recurse (a thousand levels is a RecursionError), and no body
  of ours is more than a few levels deep.
* A body sent as JSON (or with no content type, which FastAPI reads as JSON) that is not
  JSON is 422 too, whether or not the route reads it: one answer for malformed input.

The body is buffered (the limit bounds it) and replayed unchanged, so the Stripe webhook
still verifies its signature over the raw bytes.
"""

from __future__ import annotations

import json
from collections.abc import MutableMapping
from typing import Any
from urllib.parse import parse_qsl

from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from .problems import invalid, problem, routes_of

MAX_JSON_DEPTH = 32
NUL = "\x00"
NUL_MESSAGE = "must not contain a NUL character (U+0000)"
WS_POLICY_VIOLATION = 1008


class _TooLarge(Exception):
    pass


class _Disconnected(Exception):
    pass


class Intake:
    """ASGI middleware: refuse oversized bodies (413), NUL characters, and JSON bodies
    nested too deeply or not JSON at all (422) on every route; replay the body it read."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        bad = _nul_outside_body(scope)
        if scope["type"] == "websocket":
            if bad is not None:
                await send({"type": "websocket.close", "code": WS_POLICY_VIOLATION})
                return
            await self.app(scope, receive, send)
            return
        if bad is not None:
            await invalid([bad])(scope, receive, send)
            return
        try:
            body = await self._read(scope, receive)
        except _TooLarge:
            await self._too_large()(scope, receive, send)
            return
        except _Disconnected:
            return  # nobody is left to answer
        refusal = _json_refusal(scope, body)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self.app(scope, replay_body(body, receive), send)

    async def _read(self, scope: Scope, receive: Receive) -> bytes:
        if _declared_length(scope) > self.max_body_bytes:
            raise _TooLarge  # refused before a byte of it is read
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _Disconnected
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                raise _TooLarge  # chunked, or longer than it said
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    def _too_large(self) -> Response:
        return problem(
            413,
            "payload_too_large",
            f"the request body is larger than {self.max_body_bytes} bytes",
            max_bytes=self.max_body_bytes,
        )


def replay_body(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the app ``body`` (already read) once, then waits as before."""
    sent = False

    async def replay() -> MutableMapping[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # later calls wait for the disconnect, as before

    return replay


def _declared_length(scope: Scope) -> int:
    try:
        return int(_header(scope, b"content-length") or 0)
    except ValueError:
        return 0  # the server frames the body; we count what arrives


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


# --- NUL characters ----------------------------------------------------------------------


def _nul_outside_body(scope: Scope) -> dict[str, str] | None:
    """The first NUL in the path, the query string or a header, as a field error."""
    if NUL in scope["path"]:
        return {"field": _path_param(scope), "message": NUL_MESSAGE}
    # Decoded as Starlette decodes it for the routes.
    query = scope.get("query_string", b"").decode("latin-1")
    for name, value in parse_qsl(query, keep_blank_values=True):
        if NUL in name or NUL in value:
            return {"field": _printable(name), "message": NUL_MESSAGE}
    for key, value in scope.get("headers", ()):
        if b"\x00" in key or b"\x00" in value:
            return {"field": _printable(key.decode("latin-1")), "message": NUL_MESSAGE}
    return None


def _path_param(scope: Scope) -> str:
    """The name of the path parameter holding the NUL, from the route that would serve it."""
    if "app" not in scope:
        return "path"
    for route in routes_of(scope["app"]):
        match, child = route.matches(scope)
        if match is Match.NONE:
            continue
        for name, value in child.get("path_params", {}).items():
            if isinstance(value, str) and NUL in value:
                return str(name)
    return "path"


def _printable(name: str) -> str:
    return name.replace(NUL, "\\u0000")


# --- JSON bodies -------------------------------------------------------------------------


def _is_json(scope: Scope) -> bool:
    """As FastAPI decides: no content type, application/json or application/*+json."""
    content_type = _header(scope, b"content-type")
    if content_type is None:
        return True
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def _json_refusal(scope: Scope, body: bytes) -> Response | None:
    if not body or not _is_json(scope):
        return None
    try:
        data = json.loads(body)
    except RecursionError:
        return invalid([_too_deep("body")])
    except ValueError as exc:  # FastAPI would say 400 for bytes that are not text at all
        return invalid([{"field": "body", "message": f"not valid JSON: {exc}"}])
    bad = _walk(data)
    return invalid([bad]) if bad is not None else None


def _walk(data: Any) -> dict[str, str] | None:
    """The first string with a NUL or container nested too deeply, in document order;
    iterative, so the check itself cannot run out of stack."""
    stack: list[tuple[tuple[str, ...], Any, int]] = [((), data, 1)]
    while stack:
        path, value, depth = stack.pop()
        if isinstance(value, dict | list) and depth > MAX_JSON_DEPTH:
            return _too_deep(_dotted(path))
        if isinstance(value, dict):
            for key in value:
                if NUL in key:
                    return {"field": _dotted((*path, key)), "message": NUL_MESSAGE}
            items = [((*path, k), v, depth + 1) for k, v in value.items()]
            stack.extend(reversed(items))
        elif isinstance(value, list):
            items = [((*path, str(i)), v, depth + 1) for i, v in enumerate(value)]
            stack.extend(reversed(items))
        elif isinstance(value, str) and NUL in value:
            return {"field": _dotted(path), "message": NUL_MESSAGE}
    return None


def _too_deep(field: str) -> dict[str, str]:
    return {"field": field, "message": f"JSON nested deeper than {MAX_JSON_DEPTH} levels"}


def _dotted(path: tuple[str, ...]) -> str:
    return ".".join(_printable(p) for p in path) or "body"
