"""The mail loop run by ``maitre worker`` (and inside ``maitre serve``): plan, deliver.

Any number of loops may run against one database; see the package docstring for the
exactly-once argument and its one at-least-once window.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from venue.models import LocalMail, Notification

from . import overrides, planner, queue
from .render import MailSettings, render_mail
from .transport import PermanentFailure, Transport

log = logging.getLogger("maitre.mail")


@dataclass(frozen=True)
class MailConfig:
    mail_from: str
    public_url: str
    link_secret: str
    batch: int = 50
    lease: timedelta = timedelta(seconds=120)
    # Stop taking from a batch once this little of its lease is left; the rest goes back.
    lease_margin: timedelta = timedelta(seconds=30)
    max_attempts: int = 8
    backoff_base: float = 30.0
    interval: float = 1.0

    @property
    def render_settings(self) -> MailSettings:
        return MailSettings(self.mail_from, self.public_url, self.link_secret)


class MailLoop:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        transport: Transport,
        config: MailConfig,
        clock: Callable[[], datetime],
    ) -> None:
        self._sessions = sessions
        self._transport = transport
        self._config = config
        self._clock = clock
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run_forever(self) -> None:
        try:
            while True:
                self._wake.clear()
                try:
                    while await self.plan_once():
                        pass
                    while await self.deliver_once():
                        pass
                except Exception:
                    log.exception("mail pass failed; will retry")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._config.interval)
        finally:
            await self._transport.close()

    async def run_until_idle(self) -> None:
        """Plan and deliver everything due now (tests, ``maitre`` one-shots)."""
        while await self.plan_once():
            pass
        while await self.deliver_once():
            pass

    async def plan_once(self) -> int:
        async with self._sessions() as session, session.begin():
            return await planner.plan_once(session, self._clock(), self._config.link_secret)

    async def claim(self) -> list[Notification]:
        async with self._sessions() as session, session.begin():
            return await queue.claim(
                session, self._clock(), limit=self._config.batch, lease=self._config.lease
            )

    async def deliver_once(self) -> int:
        """Claim a batch and send it; returns how many were claimed."""
        batch = await self.claim()
        done: list[Notification] = []
        try:
            for n in batch:
                assert n.leased_until is not None
                if self._clock() >= n.leased_until - self._config.lease_margin:
                    break  # too late to start: another worker may soon take it over
                await self.deliver(n)
                done.append(n)
        finally:
            rest = [n.id for n in batch if n not in done]
            if rest and batch[0].lease_id is not None:
                # Best effort: a cancelled or crashed worker leaves them to lease expiry.
                with contextlib.suppress(Exception):
                    await asyncio.shield(self._release(rest, batch[0].lease_id))
        return len(batch)

    async def _release(self, ids: list, lease_id: object) -> None:
        async with self._sessions() as session, session.begin():
            await queue.release(session, ids, lease_id)  # type: ignore[arg-type]

    async def deliver(self, n: Notification) -> None:
        cfg = self._config
        try:
            rendered = render_mail(n, cfg.render_settings)
            msg = rendered.message
            if not self._transport.local:
                await self._transport.send(msg)
        except Exception as exc:
            permanent = isinstance(exc, PermanentFailure | LookupError | ValueError)
            async with self._sessions() as session, session.begin():
                status = await queue.mark_failed(
                    session,
                    n,
                    self._clock(),
                    f"{type(exc).__name__}: {exc}",
                    permanent=permanent,
                    max_attempts=cfg.max_attempts,
                    backoff_base=cfg.backoff_base,
                )
            log.warning("mail %s to %s: %s (%s)", n.kind, n.to_addr, exc, status)
            return
        async with self._sessions() as session, session.begin():
            now = self._clock()
            if not await queue.mark_sent(session, n, now):
                log.warning("mail %s: lease lost before it was marked sent", n.id)
                return
            if rendered.failures:  # the default text went out instead: tell the staff
                await overrides.report_failure(session, n, rendered.failures, now)
            if self._transport.local:
                session.add(
                    LocalMail(
                        tenant_id=n.tenant_id,
                        venue_id=n.venue_id,
                        notification_id=n.id,
                        to_addr=n.to_addr,
                        subject=str(msg["Subject"]),
                        raw=msg.as_string(),
                        at=now,
                    )
                )
