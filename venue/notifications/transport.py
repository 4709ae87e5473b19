"""Where rendered messages go: an SMTP server, or the local outbox (the demo)."""

from __future__ import annotations

import asyncio
from email.message import Message
from typing import Protocol

import aiosmtplib


class PermanentFailure(Exception):
    """The server refused for good (5xx): retrying would not help."""


class Transport(Protocol):
    local: bool

    async def send(self, msg: Message) -> None: ...

    async def close(self) -> None: ...


class LocalTransport:
    """No SMTP configured: the delivery loop stores the message for staff instead."""

    local = True

    async def send(self, msg: Message) -> None:
        return None

    async def close(self) -> None:
        return None


class SmtpTransport:
    """One connection, opened on first use and reused; dropped after any error.

    A 4xx answer (or a network error) raises a plain exception, retried by the loop
    with backoff; a 5xx answer raises :class:`PermanentFailure`.
    """

    local = False

    def __init__(
        self,
        host: str,
        port: int = 25,
        *,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        use_tls: bool = False,
        timeout: float = 20.0,
    ) -> None:
        self._options = {
            "hostname": host,
            "port": port,
            "username": username,
            "password": password,
            "start_tls": starttls,
            "use_tls": use_tls,
            "timeout": timeout,
        }
        self._client: aiosmtplib.SMTP | None = None
        self._lock = asyncio.Lock()

    async def send(self, msg: Message) -> None:
        async with self._lock:
            try:
                if self._client is None or not self._client.is_connected:
                    client = aiosmtplib.SMTP(**self._options)  # type: ignore[arg-type]
                    await client.connect()
                    self._client = client
                await self._client.send_message(msg)
            except aiosmtplib.SMTPRecipientsRefused as exc:
                await self._drop()
                codes = [r.code for r in exc.recipients]
                if codes and all(code >= 500 for code in codes):
                    raise PermanentFailure(str(exc)) from exc
                raise
            except aiosmtplib.SMTPResponseException as exc:
                await self._drop()
                if exc.code >= 500:
                    raise PermanentFailure(f"{exc.code} {exc.message}") from exc
                raise
            except BaseException:
                await self._drop()
                raise

    async def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            try:
                await client.quit()
            except Exception:
                client.close()

    async def close(self) -> None:
        async with self._lock:
            await self._drop()
