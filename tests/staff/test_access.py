"""Every staff endpoint: 401 without a session, 403 without CSRF on writes, 403 for a
role it is not for, and 404 for any id belonging to another tenant. Driven from one
table so a new endpoint cannot be missed (a test checks the table against the app)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.staff.conftest import SAT, Tenant, book, sign_in
from venue.core.db import session_factory
from venue.models import Area, FloorPlan, StaffUser
from web import routes

ALL = {"owner", "manager", "floor", "host", "finance"}
MANAGER = {"owner", "manager"}
FLOOR = {"owner", "manager", "floor"}
READER = {"owner", "manager", "floor", "finance"}
V = "/api/v1/staff/venues/{slug}"
D = f"{V}/nights/{SAT.isoformat()}"

# (method, path, body, roles allowed); {names} are filled from one tenant's ids.
ENDPOINTS: list[tuple[str, str, Any, set[str]]] = [
    ("GET", "/api/v1/staff/me", None, ALL),
    (
        "POST",
        "/api/v1/staff/me/password",
        {"current_password": "x", "new_password": "y" * 12},
        ALL,
    ),
    ("GET", "/api/v1/staff/users", None, MANAGER),
    (
        "POST",
        "/api/v1/staff/users",
        {"email": "new@example.com", "name": "N", "role": "floor", "password": "p" * 12},
        MANAGER,
    ),
    ("POST", "/api/v1/staff/users/{user}/password", {"password": "p" * 12}, MANAGER),
    ("GET", "/api/v1/staff/audit", None, MANAGER),
    ("GET", "/api/v1/staff/audit?entity_id={res}", None, MANAGER),
    ("GET", V + "/nights", None, READER),
    ("GET", D + "/floor", None, READER),
    ("POST", D + "/close", {"reason": "private"}, MANAGER),
    ("POST", D + "/reopen", None, MANAGER),
    ("GET", D + "/blocks", None, READER),
    ("POST", D + "/blocks", {"table_ids": ["{t4}"], "reason": "hire"}, FLOOR),
    ("POST", D + "/blocks", {"area_id": "{area}", "reason": "hire"}, FLOOR),
    ("POST", D + "/unblock", {"table_ids": ["{t4}"]}, FLOOR),
    ("GET", V + "/reservations", None, READER),
    ("GET", V + "/reservations?host_id={host}", None, READER),
    ("GET", V + "/reservations/{res}", None, READER),
    ("POST", V + "/reservations/{res}/seat", None, FLOOR),
    ("POST", V + "/reservations/{res}/complete", None, FLOOR),
    ("POST", V + "/reservations/{res}/no-show", None, FLOOR),
    ("POST", V + "/reservations/{res}/cancel", {"reason": "flood"}, FLOOR),
    ("POST", V + "/reservations/{res}/move", {"table_ids": ["{t3}"]}, FLOOR),
    (
        "POST",
        V + "/bookings",
        {
            "date": SAT.isoformat(),
            "table_ids": ["{t3}"],
            "party_size": 2,
            "channel": "walk_in",
            "guest": {"name": "Walk In"},
        },
        FLOOR,
    ),
    (
        "POST",
        V + "/bookings",
        {
            "date": SAT.isoformat(),
            "table_ids": ["{t4}"],
            "party_size": 2,
            "channel": "walk_in",
            "guest": {"name": "Walk In"},
            "host_id": "{host}",
        },
        FLOOR,
    ),
    ("GET", V + "/hosts", None, READER),
    ("GET", V + "/floor-plan", None, READER),
    ("PATCH", V + "/floor-plan", {"name": "Upstairs"}, MANAGER),
    (
        "POST",
        V + "/floor-plan/tables",
        {"label": "N1", "tier": "standard", "area_id": "{area}"},
        MANAGER,
    ),
    ("PATCH", V + "/floor-plan/tables/{t4}", {"x": 5}, MANAGER),
    ("DELETE", V + "/floor-plan/tables/{t4}", None, MANAGER),
    ("POST", V + "/floor-plan/areas", {"name": "Terrace"}, MANAGER),
    ("PATCH", V + "/floor-plan/areas/{area}", {"name": "Mezzanine"}, MANAGER),
    ("DELETE", V + "/floor-plan/areas/{area}", None, MANAGER),
    ("POST", V + "/floor-plan/links", {"table_ids": ["{t3}", "{t4}"]}, MANAGER),
    ("POST", V + "/floor-plan/links/remove", {"table_ids": ["{t1}", "{t2}"]}, MANAGER),
    ("GET", V + "/rules", None, READER),
    ("PATCH", V + "/rules", {"version": 1, "hold_minutes": 12}, MANAGER),
    ("GET", V + f"/appointments/day?date={SAT.isoformat()}", None, READER),
    ("POST", V + "/appointments/{res}/move", {"starts_at": "2026-11-21T22:00:00Z"}, FLOOR),
    (
        "POST",
        V + "/appointments/walk-ins",
        {
            "service_id": "{staff}",
            "starts_at": "2026-11-21T22:00:00Z",
            "guest": {"name": "Walk In", "phone": "07700 900123"},
        },
        FLOOR,
    ),
    ("GET", V + "/appointments/staff/{staff}/week", None, READER),
    ("PUT", V + "/appointments/staff/{staff}/hours", {"work": {}}, MANAGER),
    (
        "POST",
        V + "/appointments/staff/{staff}/absences",
        {"first_day": SAT.isoformat(), "last_day": SAT.isoformat()},
        MANAGER,
    ),
    ("DELETE", V + "/appointments/staff/{staff}/absences/{staff}", None, MANAGER),
    ("GET", V + f"/waitlist?date={SAT.isoformat()}", None, READER),
    (
        "POST",
        V + "/waitlist",
        {"date": SAT.isoformat(), "party_size": 2, "guest": {"name": "W", "phone": "07700 900123"}},
        FLOOR,
    ),
    ("POST", V + "/waitlist/{staff}/skip", {}, FLOOR),
    ("POST", V + "/waitlist/{staff}/offer", {}, FLOOR),
    ("POST", V + "/waitlist/{staff}/book", {"table_ids": ["{t1}"]}, FLOOR),
    ("GET", V + "/brand", None, MANAGER),
    ("PUT", V + "/brand", {}, MANAGER),
    ("POST", V + "/brand/preview", {}, MANAGER),
    ("PUT", V + "/brand/logo", {}, MANAGER),
    ("PUT", V + "/brand/font", {}, MANAGER),
    ("GET", V + "/mail-templates", None, MANAGER),
    ("GET", V + "/mail-templates/{kind}/{lang}", None, MANAGER),
    ("PUT", V + "/mail-templates/{kind}/{lang}", {"version": 0, "intro": "Hi"}, MANAGER),
    ("DELETE", V + "/mail-templates/{kind}/{lang}", None, MANAGER),
    ("POST", V + "/mail-templates/{kind}/{lang}/preview", {}, MANAGER),
    ("GET", V + "/mail-templates/{kind}/{lang}/preview.html", None, MANAGER),
    ("POST", V + "/mail-templates/{kind}/{lang}/test", {}, MANAGER),
]
# A mail template's kind and language (not ids: the same in every tenant).
MAIL = {"kind": "confirmation", "lang": "it"}
# Endpoints whose only tenant input is the session itself.
SESSION_ONLY = {"/api/v1/staff/me", "/api/v1/staff/me/password", "/api/v1/staff/users"}
SESSION_ONLY |= {"/api/v1/staff/audit"}


async def ids_of(engine: AsyncEngine, client: httpx.AsyncClient, t: Tenant) -> dict[str, str]:
    res = await book(client, t, ["T1"])
    async with session_factory(engine)() as s, s.begin():
        plan = await s.scalar(select(FloorPlan).where(FloorPlan.venue_id == t.world.venue.id))
        assert plan is not None
        area = Area(tenant_id=t.world.venue.tenant_id, floor_plan_id=plan.id, name="Bar")
        s.add(area)
        await s.flush()
        user = await s.scalar(select(StaffUser).where(StaffUser.email == t.emails["floor"]))
        assert user is not None
        return {
            "slug": t.slug,
            "res": res["id"],
            "area": str(area.id),
            "user": str(user.id),
            "host": str(t.host_id),
            "staff": str(uuid.uuid4()),  # a club has no staff members: any id is not found
            **{f"t{i}": t.tid(f"T{i}") for i in range(1, 5)},
            **MAIL,
        }


def fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        for key, v in ids.items():
            value = value.replace("{" + key + "}", v)
        return value
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    return value


async def call(
    client: httpx.AsyncClient, method: str, url: str, body: Any, headers: dict[str, str]
) -> httpx.Response:
    return await client.request(method, url, json=body, headers=headers)


def test_the_table_covers_every_staff_route() -> None:
    covered = {(m, p.split("?")[0]) for m, p, _, _ in ENDPOINTS}
    covered = {(m, p.replace(SAT.isoformat(), "{day}")) for m, p in covered}
    found = set()
    for route in _console_routes():
        path = getattr(route, "path", "")
        for method in getattr(route, "methods", set()) - {"HEAD"}:
            found.add((method, _normalise(path)))
    assert len(found) > 30
    assert found == {(m, _normalise(p)) for m, p in covered}


def _console_routes() -> list[Any]:
    """The staff console's routes (tag ``staff: console``), across the domain routers;
    the outbox's two have their own tests (tests/realtime/test_relay_isolation.py)."""
    return [
        route
        for router in routes.ROUTERS
        for route in router.routes
        if "staff: console" in getattr(route, "tags", [])
        and not getattr(route, "path", "").startswith("/api/v1/staff/outbox")
    ]


def _normalise(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


async def test_without_a_session_every_endpoint_is_401(
    client: httpx.AsyncClient, mine: Tenant
) -> None:
    keys = ("res", "area", "user", "host", "staff", "t1", "t2", "t3", "t4")
    ids = {k: str(uuid.uuid4()) for k in keys}
    ids["slug"] = mine.slug
    ids |= MAIL
    for method, path, body, _ in ENDPOINTS:
        r = await call(client, method, fill(path, ids), fill(body, ids), {})
        assert r.status_code == 401, (method, path, r.text)
        assert r.json()["code"] == "unauthorized"


async def test_writes_without_csrf_are_403(
    client: httpx.AsyncClient, engine: AsyncEngine, mine: Tenant
) -> None:
    ids = await ids_of(engine, client, mine)
    await sign_in(client, mine.emails["owner"])
    for method, path, body, _ in ENDPOINTS:
        if method == "GET":
            continue
        for headers in ({}, {"X-CSRF-Token": "forged"}):
            r = await call(client, method, fill(path, ids), fill(body, ids), headers)
            assert r.status_code == 403, (method, path, r.text)
            assert "CSRF" in r.json()["detail"]


async def test_each_role_is_refused_what_it_is_not_for(
    client: httpx.AsyncClient, engine: AsyncEngine, mine: Tenant
) -> None:
    ids = await ids_of(engine, client, mine)
    for role in ("host", "finance", "floor"):
        csrf = await sign_in(client, mine.emails[role])
        for method, path, body, allowed in ENDPOINTS:
            if role in allowed:
                continue
            r = await call(client, method, fill(path, ids), fill(body, ids), csrf)
            assert r.status_code == 403, (role, method, path, r.text)
            assert r.json()["code"] == "forbidden"


async def test_another_tenants_ids_are_404_everywhere(
    client: httpx.AsyncClient, engine: AsyncEngine, mine: Tenant, theirs: Tenant
) -> None:
    my_ids = await ids_of(engine, client, mine)
    their_ids = await ids_of(engine, client, theirs)
    csrf = await sign_in(client, mine.emails["owner"])
    probes = 0
    for method, path, body, _ in ENDPOINTS:
        if path.split("?")[0] in SESSION_ONLY and "{" not in path:
            continue
        # Their venue by slug, and our venue with each of their ids in turn.
        variants = [their_ids]
        for key in ("res", "area", "user", "host", "t1", "t2", "t3", "t4"):
            if "{" + key + "}" in f"{path}{body}":
                variants.append({**my_ids, key: their_ids[key]})
        for ids in variants:
            r = await call(client, method, fill(path, ids), fill(body, ids), csrf)
            assert r.status_code == 404, (method, path, ids == their_ids, r.text)
            probes += 1
    assert probes > 40
    # Our own reservation's trail is there (the 404 above is not for every id).
    own = await client.get("/api/v1/staff/audit", params={"entity_id": my_ids["res"]})
    assert own.status_code == 200 and own.json()
    # And nothing of theirs changed: their booking is still confirmed on T1.
    await sign_in(client, theirs.emails["manager"])
    r = await client.get(f"/api/v1/staff/venues/{theirs.slug}/reservations/{their_ids['res']}")
    assert r.json()["status"] == "confirmed" and r.json()["tables"][0]["label"] == "T1"


async def test_lists_show_only_the_own_tenant(
    client: httpx.AsyncClient, mine: Tenant, theirs: Tenant
) -> None:
    await book(client, theirs, ["T2"], name="Theirs")
    await sign_in(client, mine.emails["manager"])
    emails = {u["email"] for u in (await client.get("/api/v1/staff/users")).json()}
    assert emails == set(mine.emails.values())
    me = (await client.get("/api/v1/staff/me")).json()
    assert [v["slug"] for v in me["venues"]] == [mine.slug]
    audit = (await client.get("/api/v1/staff/audit", params={"per_page": 200})).json()
    assert all("Theirs" not in str(e) for e in audit)
