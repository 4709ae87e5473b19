"""A change committed through one ``maitre serve`` reaches the sockets held by another.

What a load balancer in front of several app processes relies on: a change committed through
one process reaches the floor-map sockets held by another, and a Redis outage loses nothing a
client can see (the outbox keeps the change, the relay retries, every socket gets a fresh
snapshot once Redis is back). The two servers come from the ``cluster`` fixture.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
import websockets

from tests.web.cluster import (
    DEADLINE,
    MANAGER_EMAIL,
    SLUG,
    STAFF_PASSWORD,
    Cluster,
    floor_clients,
    floor_states,
    hold,
    poll,
    relay_failures,
    relays_retried_without_marking,
    unpublished_outbox_rows,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
HOST_EMAIL = "jade@velvet.example"  # the demo's host


# --- the tests --------------------------------------------------------------------------------


async def test_a_hold_made_through_one_process_reaches_a_socket_on_the_other(
    cluster: Cluster,
) -> None:
    table = cluster.tables[0]
    async with floor_clients(cluster, [cluster.b]) as (on_b,):
        assert on_b.states[table] == "free"
        response = await hold(cluster.a, cluster.night, table)
        assert response.status_code == 201, response.text
        await on_b.wait_for(lambda: on_b.states.get(table) == "held")
        assert on_b.deltas >= 1 and on_b.snapshots == 1


async def test_every_socket_converges_on_the_database_after_redis_restarts(
    cluster: Cluster,
) -> None:
    before, during, after = cluster.tables[1], cluster.tables[2], cluster.tables[3]
    hosts = [cluster.a, cluster.b] * 3
    async with floor_clients(cluster, hosts) as views:
        assert (await hold(cluster.b, cluster.night, before)).status_code == 201
        for view in views:  # the stream works before the outage, on both processes
            await view.wait_for(lambda v=view: v.states.get(before) == "held")

        failures_seen = [relay_failures(log) for log in cluster.logs]
        await cluster.redis.kill()
        response = await hold(cluster.a, cluster.night, during)
        assert response.status_code == 201, response.text  # the booking does not need Redis
        # The change waits in the outbox: the relay retries and may not mark it published.
        await relays_retried_without_marking(cluster, failures_seen)

        await cluster.redis.start()  # same port: both processes reconnect on their own
        await poll(lambda: _none_unpublished(cluster))
        truth = await floor_states(cluster, cluster.b)
        assert truth[during] == "held"
        for view in views:
            await view.wait_for(lambda v=view: v.snapshots >= 2 and v.states == truth)

        # And the stream carries on after the resync.
        assert (await hold(cluster.b, cluster.night, after)).status_code == 201
        truth = await floor_states(cluster, cluster.a)
        for view in views:
            await view.wait_for(lambda v=view: v.states == truth)


async def _none_unpublished(cluster: Cluster) -> bool:
    return await unpublished_outbox_rows(cluster) == 0


async def test_a_table_taken_again_after_another_process_freed_it_shows_taken(
    cluster: Cluster,
) -> None:
    """Hold through A, release through B, hold the same table through A again.

    One process is the relay (the advisory lock); the other's commits reach it through
    NOTIFY, so it publishes all three changes. Every socket must end on "held".
    """
    table = cluster.tables[4]
    async with floor_clients(cluster, [cluster.a, cluster.b]) as views:
        first = await hold(cluster.a, cluster.night, table)
        assert first.status_code == 201, first.text
        for view in views:
            await view.wait_for(lambda v=view: v.states.get(table) == "held")
        reservation = first.json()
        async with httpx.AsyncClient(base_url=f"http://{cluster.b}", timeout=DEADLINE) as http:
            released = await http.post(
                f"/api/v1/venues/{SLUG}/holds/{reservation['reservation']['id']}/release",
                json={"token": reservation["token"]},
            )
        assert released.status_code == 200, released.text
        for view in views:
            await view.wait_for(lambda v=view: v.states.get(table) == "free")
        again = await hold(cluster.a, cluster.night, table)
        assert again.status_code == 201, again.text
        assert (await floor_states(cluster, cluster.a))[table] == "held"
        for view in views:
            await view.wait_for(lambda v=view: v.states.get(table) == "held")


async def test_exactly_one_process_is_the_relay(cluster: Cluster) -> None:
    leaders = []
    async with httpx.AsyncClient(timeout=DEADLINE) as http:
        for host in (cluster.a, cluster.b):
            text = (await http.get(f"http://{host}/metrics")).text
            line = next(x for x in text.splitlines() if x.startswith("maitre_outbox_relay_leader"))
            leaders.append(float(line.split()[-1]))
    assert sorted(leaders) == [0.0, 1.0]


async def test_a_commission_posted_through_one_process_reaches_sockets_on_the_other(
    cluster: Cluster,
) -> None:
    """Jade books through A; the manager's and Jade's commission feeds on B hear of it."""
    async with (
        httpx.AsyncClient(base_url=f"http://{cluster.a}", timeout=DEADLINE) as on_a,
        httpx.AsyncClient(base_url=f"http://{cluster.b}", timeout=DEADLINE) as manager_on_b,
        httpx.AsyncClient(base_url=f"http://{cluster.b}", timeout=DEADLINE) as jade_on_b,
    ):
        csrf = await _sign_in(on_a, HOST_EMAIL)
        await _sign_in(manager_on_b, MANAGER_EMAIL)
        await _sign_in(jade_on_b, HOST_EMAIL)
        url = f"ws://{cluster.b}/ws/staff/commissions"
        async with (
            websockets.connect(url, additional_headers=_cookie(manager_on_b)) as manager_ws,
            websockets.connect(url, additional_headers=_cookie(jade_on_b)) as jade_ws,
        ):
            seqs: dict[Any, int] = {}
            assert (await _frame(manager_ws, seqs))["role"] == "manager"
            jade_id = (await _frame(jade_ws, seqs))["host_id"]
            for ws in (manager_ws, jade_ws):
                assert (await _frame(ws, seqs))["type"] == "snapshot"
            booked = await on_a.post(
                f"/api/v1/host/venues/{SLUG}/bookings",
                json={
                    "date": cluster.night.isoformat(),
                    "table_ids": [cluster.tables[8]],
                    "party_size": 2,
                    "guest": {"name": "Cross Process", "email": "cross@example.com"},
                },
                headers=csrf,
            )
            assert booked.status_code == 201, booked.text
            for ws in (manager_ws, jade_ws):
                line = await _line_of(ws, seqs, booked.json()["id"])
                assert line["kind"] == "accrual" and line["host_id"] == jade_id


async def _sign_in(http: httpx.AsyncClient, email: str) -> dict[str, str]:
    r = await http.post("/api/v1/staff/login", json={"email": email, "password": STAFF_PASSWORD})
    assert r.status_code == 200, r.text
    return {"X-CSRF-Token": r.json()["csrf_token"]}


def _cookie(http: httpx.AsyncClient) -> dict[str, str]:
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in http.cookies.items())}


async def _frame(ws: Any, seqs: dict[Any, int]) -> dict[str, Any]:
    """The next frame that is not a ping; deltas must not skip a seq (a snapshot carries
    the channel position it includes)."""
    while True:
        async with asyncio.timeout(DEADLINE):
            frame: dict[str, Any] = json.loads(await ws.recv())
        if frame["type"] == "ping":
            continue
        if frame["type"] == "delta":
            assert frame["seq"] == seqs.get(ws, 0) + 1, frame
        if "seq" in frame:
            seqs[ws] = frame["seq"]
        return frame


async def _line_of(ws: Any, seqs: dict[Any, int], reservation_id: str) -> dict[str, Any]:
    """The pushed line of the reservation (the demo's own history may be pushed first)."""
    while True:
        frame = await _frame(ws, seqs)
        if frame["type"] == "delta":
            for line in frame["data"]["entries"]:
                if line["reservation_id"] == reservation_id:
                    return dict(line)
