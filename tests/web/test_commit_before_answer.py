"""A 2xx means committed: the moment it arrives, another process sees the write.

Two real ``maitre serve`` processes share one PostgreSQL database. Each check writes through
one process and, as soon as the success status arrives, reads through the other. A server
that sent its answer before committing (FastAPI runs a ``yield`` dependency's exit code after
the response unless it is scoped to the function) fails these checks most of the time; each
runs many times in a row and many at once so that a window of a millisecond shows.
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from typing import Any

import httpx
import pytest

from tests.web.cluster import DEADLINE, MANAGER_EMAIL, SLUG, STAFF_PASSWORD, Cluster

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ROUNDS = 25  # in a row, through alternating processes
AT_ONCE = 8  # concurrent chains, each on its own table (the demo has 14 standard ones)
API = f"/api/v1/venues/{SLUG}"


def _client(host: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=f"http://{host}", timeout=DEADLINE)


async def _hold(http: httpx.AsyncClient, cluster: Cluster, table: str) -> dict[str, Any]:
    body = {"date": cluster.night.isoformat(), "table_ids": [table], "party_size": 2}
    response = await http.post(f"{API}/holds", json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def _hold_then_read_elsewhere(
    cluster: Cluster, table: str, writer: httpx.AsyncClient, reader: httpx.AsyncClient
) -> None:
    """hold on one process → token lookup, complete, cancel and lookup on the other."""
    held = await _hold(writer, cluster, table)
    token, rid = held["token"], held["reservation"]["id"]

    seen = await reader.get(f"{API}/reservations/{token}")
    assert seen.status_code == 200, f"hold's 201 arrived before its commit: {seen.text}"
    assert seen.json()["status"] == "hold"

    guest = {"name": "Ada Lovelace", "email": f"ada-{uuid.uuid4().hex[:12]}@example.com"}
    done = await reader.post(f"{API}/holds/{rid}/complete", json={"token": token, "guest": guest})
    assert done.status_code == 200, f"complete right after the hold's 201: {done.text}"
    assert done.json()["status"] == "confirmed"
    after_complete = await writer.get(f"{API}/reservations/{token}")
    assert after_complete.json()["status"] == "confirmed", "complete answered before commit"

    cancelled = await writer.post(f"{API}/reservations/{token}/cancel", json={})
    assert cancelled.status_code == 200, cancelled.text
    after_cancel = await reader.get(f"{API}/reservations/{token}")
    assert after_cancel.json()["status"] == "cancelled", "cancel answered before commit"


async def test_a_guest_write_is_visible_on_the_other_process_when_its_answer_arrives(
    cluster: Cluster,
) -> None:
    table = cluster.tables[5]
    async with _client(cluster.a) as a, _client(cluster.b) as b:
        for round_, (writer, reader) in zip(
            range(ROUNDS), itertools.cycle([(a, b), (b, a)]), strict=False
        ):
            try:
                await _hold_then_read_elsewhere(cluster, table, writer, reader)
            except AssertionError as exc:
                raise AssertionError(f"round {round_}: {exc}") from exc


async def test_under_concurrency_every_answer_is_already_committed(cluster: Cluster) -> None:
    tables = cluster.tables[6 : 6 + AT_ONCE]
    assert len(tables) == AT_ONCE
    async with _client(cluster.a) as a, _client(cluster.b) as b:
        for _ in range(3):
            await asyncio.gather(
                *(
                    _hold_then_read_elsewhere(cluster, t, *((a, b) if i % 2 else (b, a)))
                    for i, t in enumerate(tables)
                )
            )


async def _sign_in(http: httpx.AsyncClient, password: str) -> str:
    response = await http.post(
        "/api/v1/staff/login", json={"email": MANAGER_EMAIL, "password": password}
    )
    assert response.status_code == 200, response.text
    return str(response.json()["csrf_token"])


async def test_a_logged_out_session_is_refused_by_the_other_process_at_once(
    cluster: Cluster,
) -> None:
    async with _client(cluster.a) as a, _client(cluster.b) as b:
        for _ in range(ROUNDS):
            csrf = await _sign_in(a, STAFF_PASSWORD)
            b.cookies = a.cookies
            assert (await b.get("/api/v1/staff/me")).status_code == 200
            out = await a.post("/api/v1/staff/logout", headers={"x-csrf-token": csrf})
            assert out.status_code == 204, out.text
            old = await b.get("/api/v1/staff/me")
            assert old.status_code == 401, "logout's 204 arrived before its commit"
            a.cookies.clear()


async def test_a_password_change_ends_old_sessions_on_the_other_process_at_once(
    cluster: Cluster,
) -> None:
    passwords = [STAFF_PASSWORD, "another long passphrase 1"]
    async with _client(cluster.a) as a, _client(cluster.b) as b:
        try:
            for round_ in range(10):
                old, new = passwords[round_ % 2], passwords[(round_ + 1) % 2]
                csrf = await _sign_in(a, old)
                b.cookies = a.cookies
                changed = await a.post(
                    "/api/v1/staff/me/password",
                    json={"current_password": old, "new_password": new},
                    headers={"x-csrf-token": csrf},
                )
                assert changed.status_code == 204, changed.text
                stale = await b.get("/api/v1/staff/me")
                assert stale.status_code == 401, "the password change answered before its commit"
                if round_ == 0:  # once: wrong passwords count towards the sign-in throttle
                    refused = await b.post(
                        "/api/v1/staff/login", json={"email": MANAGER_EMAIL, "password": old}
                    )
                    assert refused.status_code == 401, refused.text
                a.cookies.clear()
                b.cookies.clear()
        finally:  # leave the demo password as the other tests expect it
            a.cookies.clear()
            for password in passwords:
                login = await a.post(
                    "/api/v1/staff/login", json={"email": MANAGER_EMAIL, "password": password}
                )
                if login.status_code == 200 and password != STAFF_PASSWORD:
                    await a.post(
                        "/api/v1/staff/me/password",
                        json={"current_password": password, "new_password": STAFF_PASSWORD},
                        headers={"x-csrf-token": login.json()["csrf_token"]},
                    )
                    break
