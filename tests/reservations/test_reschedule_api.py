"""The guest moves their booking from the manage page's API: another night and table in
one step, inside the venue's rules, and a failure half-way leaves the booking as it was."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import FakeClock
from tests.factories import World
from venue.core.channels import night_channel
from venue.core.db import session_factory
from venue.core.errors import TableUnavailable
from venue.floor import claim
from venue.models import AuditEntry, OutboxEvent
from venue.reservations import reschedule

from .conftest import FRI, SAT, base, book, move, reservation, states


async def test_move_to_another_night_and_table(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    booked = await book(client, world, SAT, "T1")
    moved = await move(client, world, booked["token"], FRI, "T3", version=booked.get("version"))
    assert moved.status_code == 200, moved.text
    out = moved.json()
    assert (out["status"], out["date"], out["tables"]) == ("confirmed", FRI.isoformat(), ["T3"])
    assert out["id"] == booked["id"]
    assert out["settlement"]["minimum_difference"] == 0 and out["settlement"]["top_up"] == 0
    assert out["starts_at"].startswith("2026-11-27T22:00")
    # The old night's table is free again, the new one taken; the token still finds it.
    assert (await states(client, world, SAT))["T1"] == "free"
    assert (await states(client, world, FRI))["T3"] == "booked"
    again = await reservation(client, world, booked["token"])
    assert (again["date"], again["tables"]) == (FRI.isoformat(), ["T3"])
    assert again["quote"]["rescheduled"]["from"]["tables"] == ["T1"]

    async with session_factory(engine)() as s:
        rid = booked["id"]
        audit = list(
            await s.scalars(
                select(AuditEntry).where(
                    AuditEntry.entity_id == rid, AuditEntry.action == "reservation.rescheduled"
                )
            )
        )
        events = list(
            await s.scalars(
                select(OutboxEvent)
                .where(OutboxEvent.tenant_id == world.venue.tenant_id)
                .where(OutboxEvent.topic.like("reservation.rescheduled%"))
            )
        )
    [entry] = audit
    assert entry.before is not None and entry.after is not None
    assert (entry.before["date"], entry.before["tables"]) == (SAT.isoformat(), ["T1"])
    assert (entry.after["date"], entry.after["tables"]) == (FRI.isoformat(), ["T3"])
    # Both nights' floors hear of it.
    assert {(e.topic, e.channel) for e in events} == {
        ("reservation.rescheduled", night_channel(world.nights[FRI].id)),
        ("reservation.rescheduled_from", night_channel(world.nights[SAT].id)),
    }


async def test_another_table_the_same_night(client: httpx.AsyncClient, world: World) -> None:
    booked = await book(client, world, SAT, "T1")
    moved = await move(client, world, booked["token"], SAT, "T3")
    assert moved.status_code == 200, moved.text
    assert (await states(client, world, SAT))["T1"] == "free"
    assert (await states(client, world, SAT))["T3"] == "booked"


async def test_the_preview_prices_the_move_and_changes_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    booked = await book(client, world, SAT, "T1")
    body = {"date": FRI.isoformat(), "table_ids": [str(world.table("T2").id)]}
    seen = await client.post(
        f"{base(world)}/reservations/{booked['token']}/reschedule/preview", json=body
    )
    assert seen.status_code == 200, seen.text
    assert seen.json()["tables"] == ["T2"]
    assert seen.json()["settlement"]["minimum_before"] == 50000
    assert seen.json()["settlement"]["minimum_after"] == 100000  # the vip tier
    assert seen.json()["settlement"]["minimum_difference"] == 50000
    assert (await states(client, world, SAT))["T1"] == "booked"
    assert (await states(client, world, FRI))["T2"] == "free"


def problem(r: httpx.Response) -> tuple[int, str, list[str]]:
    assert r.headers["content-type"].startswith("application/problem+json"), r.text
    body = r.json()
    return r.status_code, body["code"], [e["field"] for e in body.get("errors", [])]


async def test_bad_input_is_a_4xx_naming_the_field(client: httpx.AsyncClient, world: World) -> None:
    booked = await book(client, world, SAT, "T1")
    token = booked["token"]
    unknown_night = await move(client, world, token, SAT.replace(day=1), "T3")
    assert problem(unknown_night) == (422, "invalid", ["date"])
    same = await move(client, world, token, SAT, "T1")
    assert problem(same) == (422, "invalid", ["table_ids"])
    no_table = await client.post(
        f"{base(world)}/reservations/{token}/reschedule",
        json={"date": FRI.isoformat(), "table_ids": [str(uuid.uuid4())]},
    )
    assert problem(no_table) == (422, "invalid", ["table_ids"])
    no_sitting = await move(client, world, token, FRI, "T3", sitting_id=str(uuid.uuid4()))
    assert problem(no_sitting) == (422, "invalid", ["sitting_id"])
    malformed = await client.post(
        f"{base(world)}/reservations/{token}/reschedule", json={"date": "soon", "table_ids": []}
    )
    assert malformed.status_code == 422
    assert {"date", "table_ids"} <= {e["field"].split(".")[-1] for e in malformed.json()["errors"]}
    stale = await move(client, world, token, FRI, "T3", version=booked.get("version", 1) + 99)
    assert problem(stale)[:2] == (409, "reservation_changed")
    unknown = await move(client, world, "x" * 40, FRI, "T3")
    assert unknown.status_code == 404
    # Nothing moved.
    assert (await reservation(client, world, token))["tables"] == ["T1"]


async def test_a_taken_table_is_409_and_the_booking_stays(
    client: httpx.AsyncClient, world: World
) -> None:
    mine = await book(client, world, SAT, "T1")
    await book(client, world, FRI, "T3", email="bob@example.com", name="Bob")
    taken = await move(client, world, mine["token"], FRI, "T3")
    assert problem(taken)[:2] == (409, "table_unavailable")
    assert (await reservation(client, world, mine["token"]))["date"] == SAT.isoformat()
    assert (await states(client, world, SAT))["T1"] == "booked"


async def test_the_venue_rules_apply(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    booked = await book(client, world, SAT, "T1")
    # The night asked for is too close (the online booking cutoff: 60 minutes).
    clock.now = clock.now.replace(day=27, hour=21, minute=30)
    late = await move(client, world, booked["token"], FRI, "T3")
    assert problem(late)[:2] == (409, "booking_cutoff")
    # The booking itself is inside the cancel cutoff (120 minutes): call the venue.
    clock.now = clock.now.replace(day=28, hour=20, minute=30)
    cut = await move(client, world, booked["token"], FRI, "T3")
    assert problem(cut)[:2] == (409, "reschedule_cutoff")
    assert cut.json()["phone"] == world.venue.phone
    # A cancelled booking does not move.
    clock.now = clock.now.replace(day=20, hour=12, minute=0)
    assert (await client.post(f"{base(world)}/reservations/{booked['token']}/cancel")).is_success
    gone = await move(client, world, booked["token"], FRI, "T3")
    assert problem(gone)[:2] == (409, "invalid_transition")


async def test_a_failure_in_the_middle_leaves_the_original_intact(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The new table is taken at the last moment: the claim passed, the old allocation is
    already deleted and the reservation rewritten when the write of the new allocation is
    refused (as the exclusion constraint refuses it). Everything rolls back together."""
    booked = await book(client, world, SAT, "T1")

    @asynccontextmanager
    async def refused() -> AsyncIterator[None]:
        yield
        raise TableUnavailable("just taken")

    wall = claim.refused_as_taken
    monkeypatch.setattr(reschedule.claim, "refused_as_taken", refused)
    failed = await move(client, world, booked["token"], FRI, "T3")
    assert problem(failed)[:2] == (409, "table_unavailable")
    monkeypatch.setattr(reschedule.claim, "refused_as_taken", wall)

    after = await reservation(client, world, booked["token"])
    for key in ("status", "date", "tables", "starts_at", "minimum", "deposit", "quote"):
        assert after[key] == booked[key], key
    assert (await states(client, world, SAT))["T1"] == "booked"
    assert (await states(client, world, FRI))["T3"] == "free"
    async with session_factory(engine)() as s:
        written = await s.scalar(
            select(AuditEntry.id).where(
                AuditEntry.entity_id == booked["id"], AuditEntry.action.like("%rescheduled%")
            )
        )
    assert written is None
    # And the same move works once the wall is back.
    retried = await move(client, world, booked["token"], FRI, "T3")
    assert retried.status_code == 200, retried.text


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_the_exclusion_constraint_is_the_last_wall(
    client: httpx.AsyncClient,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With the claim's own check switched off, PostgreSQL still refuses the overlap (the
    exclusion constraint is PostgreSQL's)."""
    mine = await book(client, world, SAT, "T1")
    await book(client, world, FRI, "T3", email="bob@example.com", name="Bob")

    async def blind(*_: object, **__: object) -> None:
        return None

    monkeypatch.setattr(reschedule, "_check_free", blind)
    refused = await move(client, world, mine["token"], FRI, "T3")
    assert problem(refused)[:2] == (409, "table_unavailable")
    assert (await reservation(client, world, mine["token"]))["tables"] == ["T1"]
    assert (await states(client, world, SAT))["T1"] == "booked"
