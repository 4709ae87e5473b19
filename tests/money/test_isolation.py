"""A host sees only their own reservations and commissions; money views need a money
role; another tenant's anything is 404."""

from __future__ import annotations

import httpx

from .conftest import Money, base, consume, host_base, host_book, sign_in


async def test_hosts_see_only_their_own(client: httpx.AsyncClient, mine: Money) -> None:
    jade = await sign_in(client, mine.emails["host"])
    a = await host_book(client, mine, jade, "T3", name="Ann")
    max_ = await sign_in(client, mine.host2_email)
    b = await host_book(client, mine, max_, "T4", name="Bob")
    await consume(client)

    listed = (await client.get(f"{host_base(mine)}/reservations")).json()
    assert [r["id"] for r in listed["items"]] == [b["id"]]
    assert (await client.get(f"{host_base(mine)}/reservations/{a['id']}")).status_code == 404
    mine_one = await client.get(f"{host_base(mine)}/reservations/{b['id']}")
    assert mine_one.status_code == 200 and mine_one.json()["commission"] == b["minimum"] // 10
    assert "history" not in mine_one.json()  # no staff audit trail for hosts
    lines = (await client.get(f"{host_base(mine)}/commissions")).json()
    assert {e["reservation_id"] for e in lines["entries"]} == {b["id"]}
    assert lines["totals"]["net"] == b["minimum"] // 10 and "hosts" not in lines
    csv = await client.get(f"{host_base(mine)}/commissions.csv")
    assert a["id"] not in csv.text and b["id"] in csv.text

    # Never venue totals, never the staff console.
    for path in ("/commissions", "/finance/tonight", "/finance/forecast", "/reservations"):
        assert (await client.get(base(mine) + path)).status_code == 403, path


async def test_host_link_is_given_and_attributes(client: httpx.AsyncClient, mine: Money) -> None:
    await sign_in(client, mine.emails["host"])
    me = (await client.get("/api/v1/host/me")).json()
    code = me["code"]
    assert me["links"][0]["path"] == f"/v/{mine.slug}?host={code}"
    client.cookies.clear()
    held = await client.post(
        f"/api/v1/venues/{mine.slug}/holds",
        json={"date": "2026-11-21", "table_ids": [mine.tid("T3")], "party_size": 2,
              "host_code": code.lower()},
    )  # fmt: skip
    assert held.status_code == 201, held.text
    assert held.json()["reservation"].get("host_id") in (None, str(mine.host_id))


async def test_cross_tenant_is_404(client: httpx.AsyncClient, mine: Money, theirs: Money) -> None:
    jade = await sign_in(client, theirs.emails["host"])
    other = await host_book(client, theirs, jade, "T3")
    await sign_in(client, mine.emails["host"])
    assert (await client.get(f"{host_base(theirs)}/reservations")).status_code == 404
    assert (await client.get(f"{host_base(mine)}/reservations/{other['id']}")).status_code == 404
    await sign_in(client, mine.emails["finance"])
    for path in ("/commissions", "/finance/tonight", "/finance/forecast", "/commissions.csv"):
        assert (await client.get(base(theirs) + path)).status_code == 404, path
        # Our venue, their host: as unknown as a made-up id, never an empty answer.
        if path.startswith("/commissions"):
            probe = await client.get(base(mine) + path, params={"host_id": str(theirs.host_id)})
            assert probe.status_code == 404, path
    await sign_in(client, mine.emails["manager"])
    r = await client.get(f"{base(mine)}/reservations/{other['id']}/attribution")
    assert r.status_code == 404
