"""Security headers, per-IP rate limits on public bookings, and login throttling.

Both are plain ASGI middleware so they see every response, including errors. Counters
are fixed windows kept in this process, and also in Redis when ``REDIS_URL`` is set
(``INCR`` then ``EXPIRE`` on the first hit, so every app process shares them); the larger
count decides. A limit never fails open: if Redis is down, or slower than
``RATE_LIMIT_REDIS_TIMEOUT_SECONDS``, each process still holds it on its own count (at most
the limit per process instead of per deployment) and logs one warning per outage.

The client address is the connection's; behind a proxy set ``FORWARDED_ALLOW_IPS`` to
the proxy's address (``maitre serve`` hands it to uvicorn) so it is the guest's, not the
proxy's.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .intake import replay_body
from .problems import PROBLEM
from .settings import Settings

log = logging.getLogger("maitre.security")

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self' ws: wss:; frame-ancestors 'none'"
)
HOLD_PATH = re.compile(r"^/api/v1/venues/[^/]+/(appointments/)?holds/?$")
COMPLETE_PATH = re.compile(r"^/api/v1/venues/[^/]+/holds/[^/]+/complete/?$")
WAITLIST_PATH = re.compile(r"^/api/v1/venues/[^/]+/waitlist/?$")


def throttled(path: str) -> bool:
    """Whether a POST to ``path`` may be answered 429 (the paths ``Throttle`` counts)."""
    return path == LOGIN_PATH or any(
        p.match(path) for p in (HOLD_PATH, COMPLETE_PATH, WAITLIST_PATH)
    )


LOGIN_PATH = "/api/v1/staff/login"
DEFAULT_PREFIX = "maitre:rl"
_T = TypeVar("_T")


class SecurityHeaders:
    """CSP, no sniffing, no framing, a strict referrer; HSTS only over HTTPS."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower(): v for k, v in headers}
                policy = present.get(b"content-security-policy", b"")
                framable = b"frame-ancestors" in policy and b"frame-ancestors 'none'" not in policy
                for key, value in _security_headers(https):
                    # A page that lists who may frame it (an embeddable guest page) must
                    # not also be denied by X-Frame-Options.
                    if key not in present and not (framable and key == b"x-frame-options"):
                        headers.append((key, value))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def _security_headers(https: bool) -> list[tuple[bytes, bytes]]:
    out = [
        (b"content-security-policy", CSP.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"strict-origin-when-cross-origin"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]
    if https:
        out.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
    return out


# --- counters --------------------------------------------------------------------------


class Limiter(Protocol):
    async def hit(self, key: str, window: int) -> tuple[int, int]:
        """Count one event; returns (count in the window, seconds until it resets)."""
        ...

    async def peek(self, key: str) -> tuple[int, int]: ...

    async def reset(self, key: str) -> None: ...

    async def close(self) -> None: ...


class MemoryLimiter:
    """Fixed windows in this process (one machine, SQLite, tests)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._windows: dict[str, tuple[float, int]] = {}

    def _live(self, key: str) -> tuple[float, int] | None:
        found = self._windows.get(key)
        if found is not None and found[0] <= self._clock():
            del self._windows[key]
            return None
        return found

    async def hit(self, key: str, window: int) -> tuple[int, int]:
        found = self._live(key)
        ends, count = found if found else (self._clock() + window, 0)
        self._windows[key] = (ends, count + 1)
        if len(self._windows) > 100_000:
            self._prune()
        return count + 1, max(1, math.ceil(ends - self._clock()))

    async def peek(self, key: str) -> tuple[int, int]:
        found = self._live(key)
        if found is None:
            return 0, 0
        return found[1], max(1, math.ceil(found[0] - self._clock()))

    async def reset(self, key: str) -> None:
        self._windows.pop(key, None)

    async def close(self) -> None:
        return None

    def _prune(self) -> None:
        now = self._clock()
        for key in [k for k, (ends, _) in self._windows.items() if ends <= now]:
            del self._windows[key]


class RedisLimiter:
    """Fixed windows in Redis, shared by every app process.

    The pool is bounded and waits for a free connection, so a burst queues behind a few
    connections instead of failing (the default pool raises past 100 at once). Every call
    has a deadline: a slow Redis raises here and ``FallbackLimiter`` counts alone.
    """

    def __init__(self, url: str, prefix: str, *, connections: int = 20, timeout: float = 1.0):
        self._url = url
        self._prefix = prefix
        self._connections = connections
        self._timeout = timeout
        self._client: Any = None

    def _redis(self) -> Any:
        if self._client is None:
            import redis.asyncio as aioredis

            pool = aioredis.BlockingConnectionPool.from_url(
                self._url,
                max_connections=self._connections,
                timeout=self._timeout,
                socket_timeout=self._timeout,
                socket_connect_timeout=self._timeout,
            )
            self._client = aioredis.Redis.from_pool(pool)
        return self._client

    async def hit(self, key: str, window: int) -> tuple[int, int]:
        full = f"{self._prefix}:{key}"
        timeout = asyncio.timeout(self._timeout)
        async with timeout, self._redis().pipeline(transaction=True) as pipe:
            pipe.incr(full)
            pipe.expire(full, window, nx=True)
            pipe.ttl(full)
            count, _, ttl = await pipe.execute()
        return int(count), max(1, int(ttl))

    async def peek(self, key: str) -> tuple[int, int]:
        full = f"{self._prefix}:{key}"
        timeout = asyncio.timeout(self._timeout)
        async with timeout, self._redis().pipeline(transaction=False) as pipe:
            pipe.get(full)
            pipe.ttl(full)
            count, ttl = await pipe.execute()
        return int(count or 0), max(1, int(ttl))

    async def reset(self, key: str) -> None:
        async with asyncio.timeout(self._timeout):
            await self._redis().delete(f"{self._prefix}:{key}")

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


class FallbackLimiter:
    """A shared limiter (Redis) backed by this process's own count, so limits never fail
    open.

    Every hit is counted in both and the larger count decides: one process never lets more
    than the limit through whatever Redis does, and while Redis answers all processes
    together don't either. (In a burst beyond the limit the two counts see the requests in
    different orders, so slightly fewer than the limit may pass; never more.) When the
    shared limiter fails it is left alone for ``retry_seconds`` (then one request probes
    it), so an outage costs neither a timeout per request nor a traceback per request: one
    warning when it starts, one when Redis answers again.
    """

    def __init__(
        self,
        shared: Limiter,
        *,
        local: Limiter | None = None,
        retry_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.shared = shared
        self.local = local or MemoryLimiter(clock)
        self._retry_seconds = retry_seconds
        self._clock = clock
        self._down = False
        self._next_try = 0.0

    async def hit(self, key: str, window: int) -> tuple[int, int]:
        own = await self.local.hit(key, window)
        return _stricter(own, await self._shared(lambda: self.shared.hit(key, window)))

    async def peek(self, key: str) -> tuple[int, int]:
        own = await self.local.peek(key)
        return _stricter(own, await self._shared(lambda: self.shared.peek(key)))

    async def reset(self, key: str) -> None:
        await self.local.reset(key)
        await self._shared(lambda: self.shared.reset(key))

    async def close(self) -> None:
        await self.shared.close()

    async def _shared(self, call: Callable[[], Awaitable[_T]]) -> _T | None:
        now = self._clock()
        if self._down and now < self._next_try:
            return None
        self._next_try = now + self._retry_seconds  # one probe at a time during an outage
        try:
            result = await call()
        except Exception as exc:
            if not self._down:
                self._down = True
                log.warning(
                    "rate limits: Redis unavailable or too slow (%s: %s); each process "
                    "counts on its own until it answers",
                    type(exc).__name__,
                    exc,
                )
            return None
        if self._down:
            self._down = False
            log.warning("rate limits: Redis answers again; counting across processes")
        return result


def _stricter(own: tuple[int, int], shared: tuple[int, int] | None) -> tuple[int, int]:
    """The larger count (then the later reset); this process's alone without Redis."""
    return own if shared is None else max(own, shared)


def make_limiter(settings: Settings) -> Limiter:
    if not settings.redis_url:
        return MemoryLimiter()
    prefix = settings.rate_limit_prefix
    if settings.environment == "test" and prefix == DEFAULT_PREFIX:
        # Each test app counts on its own, as it would in process: tests share one
        # Redis and one client address, and must not spend each other's allowance.
        prefix = f"{prefix}:{uuid.uuid4().hex}"
    redis = RedisLimiter(
        settings.redis_url,
        prefix,
        connections=settings.rate_limit_redis_connections,
        timeout=settings.rate_limit_redis_timeout_seconds,
    )
    return FallbackLimiter(redis)


# --- the middleware --------------------------------------------------------------------


def too_many(retry_after: int, detail: str) -> list[Message]:
    body = json.dumps(
        {
            "type": "https://maitre.dev/problems/rate_limited",
            "title": "rate limited",
            "status": 429,
            "code": "rate_limited",
            "detail": detail,
            "retry_after": retry_after,
        }
    ).encode()
    return [
        {
            "type": "http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", PROBLEM.encode()),
                (b"retry-after", str(retry_after).encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        },
        {"type": "http.response.body", "body": body},
    ]


class Throttle:
    """Per-IP limits on public holds and bookings, and staff sign-in throttling.

    Sign-in attempts are counted per account *and* address together, so wrong passwords
    sent from one address slow down that address only: the rightful owner elsewhere still
    signs in. The first ``login_max_failures`` attempts of a window are free; each one
    after that must pass a gate that then stays shut for a delay that doubles with every
    further attempt (``login_delay_seconds``, 2x, 4x, ... up to the window), let through
    or not, so hammering only lengthens the wait. Counting happens before the password is
    checked, so a burst of parallel guesses is throttled too. A right password (200, or
    409 asking for the venue) clears the pair. Independently, ``login_max_failures_per_ip``
    failures from one address, whatever the accounts, refuse that address for the rest
    of the window.
    """

    def __init__(self, app: ASGIApp, settings: Settings, limiter: Limiter | None = None) -> None:
        self.app = app
        self.settings = settings
        self.limiter = limiter or make_limiter(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, self._closing(send))
            return
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        ip = _client_ip(scope)
        if path == LOGIN_PATH:
            await self._login(scope, receive, send, ip)
            return
        limit = None
        if HOLD_PATH.match(path):
            limit = ("holds", self.settings.rate_limit_holds)
        elif COMPLETE_PATH.match(path):
            limit = ("bookings", self.settings.rate_limit_bookings)
        elif WAITLIST_PATH.match(path):
            limit = ("waitlist", self.settings.rate_limit_waitlist)
        if limit is not None:
            window = self.settings.rate_limit_window_seconds
            count, retry = await self._safe_hit(f"{limit[0]}:ip:{ip}", window)
            if count > limit[1]:
                await _reply(send, too_many(retry, "too many requests; try again shortly"))
                return
        await self.app(scope, receive, send)

    async def _safe_hit(self, key: str, window: int) -> tuple[int, int]:
        try:
            return await self.limiter.hit(key, window)
        except Exception:
            log.warning("rate limiter unavailable; letting the request through", exc_info=True)
            return 0, 0

    async def _safe_peek(self, key: str) -> tuple[int, int]:
        try:
            return await self.limiter.peek(key)
        except Exception:
            log.warning("rate limiter unavailable; letting the request through", exc_info=True)
            return 0, 0

    async def _login(self, scope: Scope, receive: Receive, send: Send, ip: str) -> None:
        body, replay = await _buffer(receive)
        account = _email_of(body) or ""
        by_ip, pair, gate = (
            f"login:ip:{ip}",
            f"login:pair:{account}:{ip}",
            f"login:gate:{account}:{ip}",
        )
        retry = await self._login_wait(by_ip, pair if account else None, gate)
        if retry is not None:
            await _reply(
                send, too_many(retry, "too many failed sign-ins; wait before trying again")
            )
            return
        status: dict[str, int] = {}

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        await self.app(scope, replay, watch)
        if status.get("code") == 401:
            await self._safe_hit(by_ip, self.settings.login_window_seconds)
        elif status.get("code") in (200, 409) and account:  # the password was right
            try:
                await self.limiter.reset(pair)
                await self.limiter.reset(gate)
            except Exception:
                log.warning("rate limiter unavailable", exc_info=True)

    async def _login_wait(self, by_ip: str, pair: str | None, gate: str) -> int | None:
        """Seconds to wait before this sign-in attempt may go ahead, or None: go ahead."""
        window = self.settings.login_window_seconds
        failures, retry = await self._safe_peek(by_ip)
        if failures >= self.settings.login_max_failures_per_ip:
            return retry
        if pair is None:
            return None
        attempts, _ = await self._safe_hit(pair, window)  # before the check: bursts count
        beyond = attempts - self.settings.login_max_failures
        if beyond <= 0:
            return None
        delay = min(self.settings.login_delay_seconds * 2 ** min(beyond - 1, 30), window)
        passed, retry = await self._safe_hit(gate, delay)  # the first through shuts it
        return retry if passed > 1 else None

    def _closing(self, send: Send) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "lifespan.shutdown.complete":
                await self.limiter.close()
            await send(message)

        return wrapped


async def _reply(send: Send, messages: list[Message]) -> None:
    for message in messages:
        await send(message)


async def _buffer(receive: Receive) -> tuple[bytes, Receive]:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False) or sum(map(len, chunks)) > 64_000:
            break
    body = b"".join(chunks)
    return body, replay_body(body, receive)


def _email_of(body: bytes) -> str | None:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # not JSON, or nested past the parser's stack
        return None
    email = data.get("email") if isinstance(data, dict) else None
    return email.strip().lower()[:254] if isinstance(email, str) and email.strip() else None


def _client_ip(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"
