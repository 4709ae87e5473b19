"""A real SMTP server (aiosmtpd) in the test process, and a booked guest to mail."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from tests.conftest import FakeClock
from tests.factories import World, create_night_for, create_venue
from venue.core.db import session_factory
from venue.notifications import MailConfig, MailLoop, SmtpTransport

SAT = date(2026, 11, 21)
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
GUEST = {"name": "Ada Lovelace", "email": "ada@example.com", "phone": "07911 123456"}
SECRET = "s" * 40
PUBLIC = "http://test"


@dataclass
class Inbox:
    """What the SMTP server accepted; ``refuse`` answers the next N messages with 451
    (only those to an address containing ``refuse_to``, when set: the queue is shared
    with other tests' messages)."""

    messages: list[EmailMessage] = field(default_factory=list)
    refuse: int = 0
    refuse_to: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        with self.lock:
            if self.refuse > 0 and (self.refuse_to is None or self.refuse_to in str(msg["To"])):
                self.refuse -= 1
                return "451 4.3.0 try again later"
            self.messages.append(msg)
        return "250 OK"

    def to(self, addr: str) -> list[EmailMessage]:
        return [m for m in self.messages if addr in str(m["To"])]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def make_loop(
    sessions: async_sessionmaker[AsyncSession], port: int, clock: FakeClock, **kw: Any
) -> MailLoop:
    config = MailConfig("bookings@maitre.test", PUBLIC, SECRET, **kw)
    return MailLoop(sessions, SmtpTransport("127.0.0.1", port, starttls=False), config, clock)


@pytest.fixture
async def world(engine: AsyncEngine) -> World:
    async with session_factory(engine)() as s, s.begin():
        w = await create_venue(s, tables=4)
        w.venue.email = f"{w.venue.slug}@venue.test"
        await create_night_for(s, w, SAT, now=NOW)
        return w


def base(world: World) -> str:
    return f"/api/v1/venues/{world.venue.slug}"


async def book(
    client: httpx.AsyncClient, world: World, day: date = SAT, label: str = "T1", **guest: str
) -> dict[str, Any]:
    body = {"date": day.isoformat(), "table_ids": [str(world.table(label).id)], "party_size": 2}
    placed = await client.post(f"{base(world)}/holds", json=body)
    assert placed.status_code == 201, placed.text
    rid, token = placed.json()["reservation"]["id"], placed.json()["token"]
    done = await client.post(
        f"{base(world)}/holds/{rid}/complete",
        json={"token": token, "guest": {**GUEST, **guest}},
    )
    assert done.status_code == 200, done.text
    return {**done.json(), "token": token}
