"""A table the venue's pricing cannot price is unbookable with a reason, never a 500.

Saving rules now refuses a tier with tables and no price, but a venue can still end up
with one: rules saved before that check, or a floor-plan edit that moved a table into a
tier while a rules edit dropped that tier's price (each checked the other's old state).
The rows are written directly here to stand for either.
"""

from __future__ import annotations

import httpx
from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.api.conftest import SAT
from tests.api.test_pricing_api import add_staff, sign_in
from tests.factories import World
from venue.core.db import session_factory
from venue.models import DepositRuleRow, TierPriceRow, VenueRules

NO_VIP = "no price is set for the vip tier"


async def drop_vip_price(engine: AsyncEngine, world: World) -> None:
    """What saving the documented example (it prices only "standard") used to leave."""
    async with session_factory(engine)() as s, s.begin():
        for row in (TierPriceRow, DepositRuleRow):
            await s.execute(delete(row).where(row.venue_id == world.venue.id, row.tier == "vip"))


async def test_a_tier_without_a_price_leaves_the_rest_of_the_venue_bookable(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    slug, v = world.venue.slug, f"/api/v1/venues/{world.venue.slug}"
    await drop_vip_price(engine, world)  # T2 and T4 are vip, T1 and T3 standard

    floor = await client.get(f"{v}/nights/{SAT}/floor")
    assert floor.status_code == 200, floor.text
    tables = {t["label"]: t for t in floor.json()["tables"]}
    for label in ("T2", "T4"):
        assert tables[label]["state"] == "unavailable"
        assert tables[label]["minimum"] is None and tables[label]["deposit"] is None
        assert tables[label]["unavailable_reason"] == NO_VIP
    assert tables["T1"]["state"] == "free" and tables["T1"]["minimum"] == 50000
    assert tables["T1"]["unavailable_reason"] is None
    assert floor.json()["night"]["tables_free"] == 2

    nights = {n["date"]: n for n in (await client.get(f"{v}/nights")).json()}
    assert nights[SAT.isoformat()]["tables_free"] == 2

    fits = await client.get(f"{v}/nights/{SAT}/availability", params={"party_size": 2})
    assert fits.status_code == 200
    assert sorted(t["label"] for t in fits.json()["tables"]) == ["T1", "T3"]

    t2 = world.table("T2").id
    body = {"date": SAT.isoformat(), "table_ids": [str(t2)], "party_size": 2}
    refused = await client.post(f"{v}/holds", json=body)
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "table_not_priced"
    assert NO_VIP in refused.json()["detail"] and refused.json()["table_ids"] == [str(t2)]
    quote = await client.get(f"{v}/nights/{SAT}/tables/{t2}/quote")
    assert quote.status_code == 409 and quote.json()["code"] == "table_not_priced"

    body["table_ids"] = [str(world.table("T1").id)]
    assert (await client.post(f"{v}/holds", json=body)).status_code == 201

    await sign_in(client, await add_staff(engine, world, "manager"))
    staff = await client.get(f"/api/v1/staff/venues/{slug}/nights/{SAT}/floor")
    assert staff.status_code == 200, staff.text
    staff_tables = {t["label"]: t for t in staff.json()["tables"]}
    assert staff_tables["T2"]["unavailable_reason"] == NO_VIP
    assert staff_tables["T1"]["state"] == "held"
    preview = await client.get(
        f"/api/v1/staff/venues/{slug}/pricing/preview", params={"date": SAT.isoformat()}
    )
    assert preview.status_code == 200, preview.text
    by_label = {q["label"]: q for q in preview.json()}
    assert by_label["T2"]["minimum"] is None and by_label["T2"]["unavailable_reason"] == NO_VIP
    assert by_label["T3"]["minimum"] == 50000


async def test_stored_rules_that_no_longer_validate_make_every_table_unavailable(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    async with session_factory(engine)() as s, s.begin():
        await s.execute(
            update(VenueRules)
            .where(VenueRules.venue_id == world.venue.id)
            .values(price_rounding_step=0)
        )
    v = f"/api/v1/venues/{world.venue.slug}"
    floor = await client.get(f"{v}/nights/{SAT}/floor")
    assert floor.status_code == 200, floor.text
    reasons = {t["unavailable_reason"] for t in floor.json()["tables"]}
    assert reasons == {
        "the venue's pricing rules are invalid (rounding_step: must be an integer of at least 1)"
    }
    assert {t["state"] for t in floor.json()["tables"]} == {"unavailable"}
    body = {"date": SAT.isoformat(), "table_ids": [str(world.table("T1").id)], "party_size": 2}
    refused = await client.post(f"{v}/holds", json=body)
    assert refused.status_code == 409 and refused.json()["code"] == "table_not_priced"
