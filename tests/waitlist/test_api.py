"""The waitlist through the API: a guest joins a full night, another cancels, the first
gets an offer email with a link, accepts it and is booked; staff see and act on the list."""

from __future__ import annotations

import re
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.staff.conftest import SAT, Tenant, base, book, make_tenant, sign_in
from venue.core.db import session_factory
from venue.models import AuditEntry, Notification
from venue.notifications import planner
from venue.notifications.render import MailSettings, render

SECRET = "t" * 40  # the client fixture's secret_key


async def full(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> tuple[Tenant, list[dict[str, Any]]]:
    t = await make_tenant(engine)
    booked = [
        await book(client, t, [label], name=f"G{label}") for label in ("T1", "T2", "T3", "T4")
    ]
    return t, booked


def pub(t: Tenant) -> str:
    return f"/api/v1/venues/{t.slug}"


async def offer_mail(engine: AsyncEngine, now: Any, tenant_id: Any) -> Notification:
    # The database is shared with other tests: plan every pending event, not one batch.
    async with session_factory(engine)() as s, s.begin():
        while await planner.plan_once(s, now, SECRET, limit=200) == 200:
            pass
    async with session_factory(engine)() as s:
        rows = list(
            await s.scalars(
                select(Notification).where(
                    Notification.kind == "waitlist_offer", Notification.tenant_id == tenant_id
                )
            )
        )
    return rows[-1]


async def test_join_cancel_offer_email_accept(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    t, booked = await full(client, engine)
    clock = client.app.state.clock  # type: ignore[attr-defined]
    joined = await client.post(
        f"{pub(t)}/waitlist",
        json={
            "date": SAT.isoformat(),
            "party_size": 2,
            "name": "Wait",
            "email": "wait@example.com",
        },
    )
    assert joined.status_code == 201, joined.text
    token = joined.json()["token"]
    assert joined.json()["position"] == 1 and joined.json()["status"] == "waiting"
    again = await client.post(
        f"{pub(t)}/waitlist",
        json={
            "date": SAT.isoformat(),
            "party_size": 2,
            "name": "Wait",
            "email": "wait@example.com",
        },
    )
    assert again.status_code == 409 and again.json()["code"] == "waitlist_already_joined"

    csrf = await sign_in(client, t.emails["floor"])
    cancel = await client.post(
        f"{base(t)}/reservations/{booked[2]['id']}/cancel", json={"reason": "rang"}, headers=csrf
    )
    assert cancel.status_code == 200, cancel.text
    client.cookies.clear()
    await client.app.state.waitlist_loop.run_once()  # type: ignore[attr-defined]

    status = (await client.get(f"{pub(t)}/waitlist/{token}")).json()
    assert status["status"] == "offered" and status["offer"]["tables"] == ["T3"]

    mail = await offer_mail(engine, clock(), t.world.venue.tenant_id)
    assert mail.to_addr == "wait@example.com"
    msg = render(mail, MailSettings("m@example.com", "http://test", SECRET))
    text = msg.get_payload()[0].get_payload(decode=True).decode()
    link = re.search(r"http://test/v/[^/]+/offer/([0-9a-f]{64})", text)
    assert link, text
    assert "GMT" in text  # the deadline in the venue's time
    offer_token = link.group(1)

    seen = await client.get(f"{pub(t)}/offers/{offer_token}")
    assert seen.status_code == 200 and seen.json()["status"] == "open"
    accepted = await client.post(f"{pub(t)}/offers/{offer_token}/accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["reservation_status"] == "confirmed"
    assert accepted.json()["needs_payment"] is False
    twice = await client.post(f"{pub(t)}/offers/{offer_token}/accept")
    assert twice.status_code == 409 and twice.json()["code"] == "waitlist_offer_closed"
    manage = await client.get(f"{pub(t)}/reservations/{offer_token}")
    assert manage.status_code == 200 and manage.json()["status"] == "confirmed"
    final = (await client.get(f"{pub(t)}/waitlist/{token}")).json()
    assert final["status"] == "booked" and final["position"] is None

    await sign_in(client, t.emails["finance"])
    month = (await client.get(f"{base(t)}/finance/waitlist")).json()
    assert month["month"] == "2026-11" and month["bookings"] == 1
    assert month["value"] == accepted.json()["minimum"] > 0
    assert month["offers"] == {"accepted": 1}
    before = (await client.get(f"{base(t)}/finance/waitlist", params={"month": "2026-10"})).json()
    assert before["bookings"] == 0 and before["value"] == 0
    bad = await client.get(f"{base(t)}/finance/waitlist", params={"month": "2026-13"})
    assert bad.status_code == 422

    async with session_factory(engine)() as s:
        actions = set(
            await s.scalars(
                select(AuditEntry.action).where(
                    AuditEntry.tenant_id == t.world.venue.tenant_id,
                    AuditEntry.action.like("waitlist.%"),
                )
            )
        )
    assert {
        "waitlist.joined",
        "waitlist.offered",
        "waitlist.offer_accepted",
        "waitlist.entry_booked",
    } <= actions


async def test_the_guest_leaves(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    t = await make_tenant(engine)
    joined = await client.post(
        f"{pub(t)}/waitlist",
        json={"date": SAT.isoformat(), "party_size": 3, "name": "Leo", "phone": "07911 123456"},
    )
    assert joined.status_code == 422 and joined.json()["errors"][0]["field"] == "email"
    joined = await client.post(
        f"{pub(t)}/waitlist",
        json={"date": SAT.isoformat(), "party_size": 3, "name": "Leo", "email": "leo@example.com"},
    )
    token = joined.json()["token"]
    left = await client.post(f"{pub(t)}/waitlist/{token}/leave")
    assert left.status_code == 200 and left.json()["status"] == "left"
    assert (await client.post(f"{pub(t)}/waitlist/{token}/leave")).status_code == 409
    assert (await client.get(f"{pub(t)}/waitlist/nope-nope-nope")).status_code == 404


async def test_bad_fit_choices_are_422_naming_the_field(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    t = await make_tenant(engine)
    body = {"date": SAT.isoformat(), "party_size": 2, "name": "X", "email": "x@example.com"}
    r = await client.post(f"{pub(t)}/waitlist", json={**body, "tiers": ["gold"]})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "tiers"
    r = await client.post(f"{pub(t)}/waitlist", json={**body, "date": "2026-12-25"})
    assert r.status_code == 404


async def test_staff_list_skip_offer_and_book(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    t, booked = await full(client, engine)
    csrf = await sign_in(client, t.emails["floor"])
    add = await client.post(
        f"{base(t)}/waitlist",
        json={"date": SAT.isoformat(), "party_size": 2, "name": "Phone", "phone": "07911 123456"},
        headers=csrf,
    )
    assert add.status_code == 201, add.text
    second = await client.post(
        f"{base(t)}/waitlist",
        json={
            "date": SAT.isoformat(),
            "party_size": 2,
            "name": "Walk",
            "phone": "07911 654321",
            "channel": "walk_in",
        },
        headers=csrf,
    )
    listed = await client.get(f"{base(t)}/waitlist", params={"date": SAT.isoformat()})
    assert [e["name"] for e in listed.json()["entries"]] == ["Phone", "Walk"]
    assert listed.json()["entries"][0]["position"] == 1

    nothing = await client.post(
        f"{base(t)}/waitlist/{add.json()['id']}/offer", json={}, headers=csrf
    )
    assert nothing.status_code == 409 and nothing.json()["code"] == "waitlist_nothing_fits"

    skipped = await client.post(f"{base(t)}/waitlist/{add.json()['id']}/skip", headers=csrf)
    assert skipped.json()["status"] == "skipped"

    cancel = await client.post(
        f"{base(t)}/reservations/{booked[0]['id']}/cancel", json={"reason": "rang"}, headers=csrf
    )
    assert cancel.status_code == 200, cancel.text
    made = await client.post(
        f"{base(t)}/waitlist/{second.json()['id']}/offer", json={}, headers=csrf
    )
    assert made.status_code == 200 and made.json()["offer"]["tables"] == ["T1"]
    booked_now = await client.post(
        f"{base(t)}/waitlist/{second.json()['id']}/book",
        json={"table_ids": [t.tid("T1")]},
        headers=csrf,
    )
    assert booked_now.status_code == 200, booked_now.text
    assert booked_now.json()["status"] == "booked"
