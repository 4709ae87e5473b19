"""Guest profiles: built by bookings, edited, merged, exported and erased."""

from __future__ import annotations

import httpx

from .conftest import Money, base, host_book, sign_in


async def test_profile_edit_merge_export_erase(client: httpx.AsyncClient, mine: Money) -> None:
    jade = await sign_in(client, mine.emails["host"])
    a = await host_book(client, mine, jade, "T3", name="Ann Lee")
    b = await host_book(client, mine, jade, "T4", name="Ann Lee")  # same email: same guest
    dup = await host_book(client, mine, jade, "T1", name="Annie")  # a duplicate record
    manager = await sign_in(client, mine.emails["manager"])
    found = (await client.get(f"{base(mine)}/guests", params={"q": "ann"})).json()
    assert len(found) == 2
    keep_id = a["guest"]["id"]
    p = (await client.get(f"{base(mine)}/guests/{keep_id}")).json()
    assert p["brought_by"]["id"] == str(mine.host_id) and len(p["reservations"]) == 2
    assert p["total_minimums"] == a["minimum"] + b["minimum"] and p["visits"] == 0

    r = await client.patch(
        f"{base(mine)}/guests/{keep_id}", json={"tags": ["VIP"], "notes": "likes the booth"},
        headers=manager,
    )  # fmt: skip
    assert r.status_code == 200 and r.json()["tags"] == ["VIP"]
    merged = await client.post(
        f"{base(mine)}/guests/{keep_id}/merge",
        json={"duplicate_id": dup["guest"]["id"]},
        headers=manager,
    )
    assert merged.status_code == 200, merged.text
    assert merged.json()["moved_reservations"] == 1 and len(merged.json()["reservations"]) == 3
    assert len((await client.get(f"{base(mine)}/guests", params={"q": "ann"})).json()) == 1

    export = (await client.get(f"{base(mine)}/guests/{keep_id}/export")).json()
    assert len(export["reservations"]) == 3 and export["profile"]["notes"] == "likes the booth"
    erased = await client.post(
        f"{base(mine)}/guests/{keep_id}/erase", json={"reason": "guest request"}, headers=manager
    )
    assert erased.status_code == 200
    body = erased.json()
    assert body["name"] == "Erased guest" and body["email"] is None and body["tags"] == []
    # Financial records stay: the reservations and their minimums are still counted.
    assert body["total_minimums"] == a["minimum"] + b["minimum"] + dup["minimum"]
    floor = await sign_in(client, mine.emails["floor"])
    denied = await client.post(
        f"{base(mine)}/guests/{keep_id}/erase", json={"reason": "x" * 5}, headers=floor
    )
    assert denied.status_code == 403
