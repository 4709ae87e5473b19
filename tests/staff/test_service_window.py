"""Seat, complete and no-show belong to the night: refused before the venue's service window.

Completing a reservation for a night days away would free its table for that night, so it
could be sold twice. The window is a rule (``service_opens_minutes``), edited as data.
"""

from __future__ import annotations

from datetime import timedelta

import httpx

from tests.conftest import FakeClock
from tests.staff.conftest import SAT, SERVICE, Tenant, base, book, sign_in

NIGHT = f"/nights/{SAT.isoformat()}"
SITTING_STARTS = SERVICE + timedelta(minutes=30)  # 22:00 on SAT
DEFAULT_WINDOW = timedelta(minutes=120)


async def _state(client: httpx.AsyncClient, t: Tenant, label: str) -> str:
    floor = (await client.get(f"/api/v1/venues/{t.slug}{NIGHT}/floor")).json()
    return str(next(x["state"] for x in floor["tables"] if x["label"] == label))


async def test_days_before_the_night_staff_cannot_seat_complete_or_no_show(
    client: httpx.AsyncClient, mine: Tenant, clock: FakeClock
) -> None:
    res = await book(client, mine, ["T1"])
    csrf = await sign_in(client, mine.emails["manager"])
    url = f"{base(mine)}/reservations/{res['id']}"
    clock.now = SITTING_STARTS - timedelta(days=5)
    for step in ("seat", "no-show", "complete"):
        r = await client.post(f"{url}/{step}", headers=csrf)
        assert r.status_code == 409, (step, r.text)
        problem = r.json()
        assert problem["code"] == "service_not_open"
        assert "20:00" in problem["detail"] and "120 minutes" in problem["detail"]
    walk_in = await client.post(
        f"{base(mine)}/bookings",
        json={
            "date": SAT.isoformat(),
            "table_ids": [mine.tid("T2")],
            "party_size": 2,
            "channel": "walk_in",
            "guest": {"name": "Early Bird"},
            "seat_now": True,
        },
        headers=csrf,
    )
    assert walk_in.status_code == 409 and walk_in.json()["code"] == "service_not_open"
    # Nothing changed: the table is still taken for that night, nothing was stored.
    assert await _state(client, mine, "T1") == "booked"
    assert await _state(client, mine, "T2") == "free"
    details = (await client.get(url, headers=csrf)).json()
    assert details["status"] == "confirmed"


async def test_from_the_window_on_the_service_runs(
    client: httpx.AsyncClient, mine: Tenant, clock: FakeClock
) -> None:
    res = await book(client, mine, ["T1"])
    clock.now = SITTING_STARTS - DEFAULT_WINDOW - timedelta(seconds=1)
    csrf = await sign_in(client, mine.emails["floor"])
    url = f"{base(mine)}/reservations/{res['id']}"
    assert (await client.post(f"{url}/seat", headers=csrf)).status_code == 409
    clock.now = SITTING_STARTS - DEFAULT_WINDOW
    seated = await client.post(f"{url}/seat", headers=csrf)
    assert seated.status_code == 200 and seated.json()["status"] == "seated"


async def test_the_window_is_the_venues_rule(
    client: httpx.AsyncClient, mine: Tenant, clock: FakeClock
) -> None:
    res = await book(client, mine, ["T1"])
    clock.now = SITTING_STARTS - timedelta(hours=5)
    csrf = await sign_in(client, mine.emails["manager"])
    rules = (await client.get(f"{base(mine)}/rules", headers=csrf)).json()
    assert rules["service_opens_minutes"] == 120
    assert rules["fields"]["service_opens_minutes"]["max"] == 10080
    url = f"{base(mine)}/reservations/{res['id']}"
    assert (await client.post(f"{url}/seat", headers=csrf)).status_code == 409
    bad = await client.patch(
        f"{base(mine)}/rules",
        json={"version": rules["version"], "service_opens_minutes": -1},
        headers=csrf,
    )
    assert bad.status_code == 422
    saved = await client.patch(
        f"{base(mine)}/rules",
        json={"version": rules["version"], "service_opens_minutes": 360},
        headers=csrf,
    )
    assert saved.status_code == 200, saved.text
    seated = await client.post(f"{url}/seat", headers=csrf)
    assert seated.status_code == 200 and seated.json()["status"] == "seated"
