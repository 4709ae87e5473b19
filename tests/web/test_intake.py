"""No input produces a 500: NUL characters, JSON nested a thousand deep, dates at the ends
of the calendar, integers past their column and oversized bodies each get a 4xx
problem+json naming the field, and nothing is stored."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import Message, Receive, Scope, Send

from payments.testmode import sign
from tests.conftest import FakeClock, engine_for
from tests.staff.conftest import SAT, Tenant, base, book, sign_in
from venue.models import Base
from web.app import create_app
from web.intake import Intake
from web.settings import Settings

NUL = "\u0000"
PROBLEM = "application/problem+json"


async def footprint(engine: AsyncEngine) -> dict[str, int]:
    """Rows in every table: a refused request must leave each count as it was."""
    async with engine.connect() as conn:
        return {
            table.name: int(await conn.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
        }


def field_of(r: httpx.Response) -> str:
    assert r.headers["content-type"] == PROBLEM, r.text
    errors = r.json()["errors"]
    assert len(errors) == 1, errors
    return str(errors[0]["field"])


def hold_body(t: Tenant, **extra: Any) -> dict[str, Any]:
    return {"date": SAT.isoformat(), "table_ids": [t.tid("T1")], "party_size": 2, **extra}


async def as_manager(c: httpx.AsyncClient, t: Tenant) -> dict[str, str]:
    return await sign_in(c, t.emails["manager"])


# --- NUL -------------------------------------------------------------------------------

Request = Callable[[], Awaitable[httpx.Response]]


async def _login(c: httpx.AsyncClient, t: Tenant) -> Request:
    body = {"email": f"manager{NUL}-{t.slug}@example.com", "password": "x"}
    return lambda: c.post("/api/v1/staff/login", json=body)


async def _guest_name(c: httpx.AsyncClient, t: Tenant) -> Request:
    hold = (await c.post(f"/api/v1/venues/{t.slug}/holds", json=hold_body(t))).json()
    url = f"/api/v1/venues/{t.slug}/holds/{hold['reservation']['id']}/complete"
    return lambda: c.post(url, json={"token": hold["token"], "guest": {"name": f"Ada{NUL}"}})


async def _host_code(c: httpx.AsyncClient, t: Tenant) -> Request:
    body = hold_body(t, host_code=f"J{NUL}")
    return lambda: c.post(f"/api/v1/venues/{t.slug}/holds", json=body)


async def _area_name(c: httpx.AsyncClient, t: Tenant) -> Request:
    csrf = await as_manager(c, t)
    url = f"{base(t)}/floor-plan/areas"
    return lambda: c.post(url, json={"name": f"Terrace{NUL}"}, headers=csrf)


async def _table_label(c: httpx.AsyncClient, t: Tenant) -> Request:
    csrf = await as_manager(c, t)
    body = {"label": f"T{NUL}9", "tier": "standard"}
    return lambda: c.post(f"{base(t)}/floor-plan/tables", json=body, headers=csrf)


async def _search_q(c: httpx.AsyncClient, t: Tenant) -> Request:
    await as_manager(c, t)
    return lambda: c.get(f"{base(t)}/reservations", params={"q": f"Ada{NUL}"})


async def _guest_search(c: httpx.AsyncClient, t: Tenant) -> Request:
    await as_manager(c, t)
    return lambda: c.get(f"{base(t)}/guests", params={"q": NUL})


async def _slug(c: httpx.AsyncClient, t: Tenant) -> Request:
    return lambda: c.get(f"/api/v1/venues/{t.slug}%00/nights")


async def _json_key(c: httpx.AsyncClient, t: Tenant) -> Request:
    body = {f"da{NUL}te": SAT.isoformat(), **hold_body(t)}
    return lambda: c.post(f"/api/v1/venues/{t.slug}/holds", json=body)


async def _pricing_label(c: httpx.AsyncClient, t: Tenant) -> Request:
    csrf = await as_manager(c, t)
    rules = (await c.get(f"{base(t)}/pricing")).json()
    rules["adjustments"] = [
        {"kind": "weekday", "mode": "fixed", "value": 1, "weekdays": [5], "label": NUL}
    ]
    return lambda: c.put(f"{base(t)}/pricing", json=rules, headers=csrf)


async def _header(c: httpx.AsyncClient, t: Tenant) -> Request:
    booking = await book(c, t, ["T2"])
    csrf = await as_manager(c, t)
    url = f"/api/v1/staff/reservations/{booking['id']}/refunds"
    body = {"amount": 100, "reason": "goodwill"}
    return lambda: c.post(url, json=body, headers={**csrf, "Idempotency-Key": f"k{NUL}"})


Case = Callable[[httpx.AsyncClient, Tenant], Awaitable[Request]]
NUL_CASES: dict[str, tuple[Case, str]] = {
    "login email": (_login, "email"),
    "guest name": (_guest_name, "guest.name"),
    "host code": (_host_code, "host_code"),
    "area name": (_area_name, "name"),
    "table label": (_table_label, "label"),
    "reservation search": (_search_q, "q"),
    "guest search": (_guest_search, "q"),
    "venue slug in the path": (_slug, "slug"),
    "a key of the body": (_json_key, "da\\u0000te"),
    "pricing rules (a free-form body)": (_pricing_label, "adjustments.0.label"),
    "a header": (_header, "idempotency-key"),
}


@pytest.mark.parametrize("case", NUL_CASES)
async def test_a_nul_character_is_refused_naming_the_field(
    client: httpx.AsyncClient, engine: AsyncEngine, mine: Tenant, case: str
) -> None:
    prepare, field = NUL_CASES[case]
    send = await prepare(client, mine)
    before = await footprint(engine)
    r = await send()
    assert r.status_code == 422 and r.json()["code"] == "invalid"
    assert field_of(r) == field and "NUL" in r.json()["detail"]
    assert await footprint(engine) == before


# --- JSON nested a thousand deep -------------------------------------------------------


def deep(levels: int = 1000) -> str:
    return "[" * levels + "]" * levels


async def test_json_nested_a_thousand_deep_is_refused(
    client: httpx.AsyncClient, engine: AsyncEngine, mine: Tenant
) -> None:
    csrf = await as_manager(client, mine)
    gateway = client.app.state.stripe  # type: ignore[attr-defined]
    event = '{"id": "evt_deep", "type": "checkout.session.completed", "data": ' + deep() + "}"
    before = await footprint(engine)
    for url, body, headers in (
        ("/api/v1/staff/login", deep(), {}),
        ("/api/v1/staff/login", '{"email": ' + deep() + "}", {}),
        (f"/api/v1/venues/{mine.slug}/holds", deep(), {}),
        (f"{base(mine)}/floor-plan/areas", '{"name": "A", "x": ' + deep() + "}", csrf),
        (
            "/api/v1/payments/stripe/webhook",
            event,
            {"stripe-signature": sign(event, gateway.webhook_secret)},
        ),
    ):
        r = await client.post(
            url, content=body, headers={"content-type": "application/json", **headers}
        )
        assert r.status_code == 422, (url, r.text)
        assert r.headers["content-type"] == PROBLEM
        assert "nested deeper than 32" in r.json()["detail"]
    pricing = (await client.get(f"{base(mine)}/pricing")).json()
    pricing["tiers"] = json.loads(deep(40))
    r = await client.put(f"{base(mine)}/pricing", json=pricing, headers=csrf)
    assert r.status_code == 422 and field_of(r).startswith("tiers.0.0.0")
    assert await footprint(engine) == before


async def test_a_json_body_that_is_not_text_is_422(client: httpx.AsyncClient, mine: Tenant) -> None:
    """Found by the schema fuzzer: bytes that are not UTF-8 were a bare 400 from FastAPI."""
    r = await client.post(
        f"/api/v1/venues/{mine.slug}/holds",
        content=b'"R\xff\x14\xfe"',
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 422 and field_of(r) == "body"
    assert r.json()["errors"][0]["message"].startswith("not valid JSON")


async def test_json_a_few_levels_deep_is_served(client: httpx.AsyncClient, mine: Tenant) -> None:
    nested = {"a": {"b": [[{"c": [1, 2, {"d": "e"}]}]]}}
    r = await client.post(f"/api/v1/venues/{mine.slug}/holds", json=hold_body(mine, x=nested))
    assert r.status_code == 422 and field_of(r) == "x"  # the schema's own refusal


# --- bodies over the limit -------------------------------------------------------------


@asynccontextmanager
async def small_app(backend: str, clock: FakeClock) -> AsyncIterator[httpx.AsyncClient]:
    _, url = await engine_for(backend)
    settings = Settings(
        database_url=url, environment="test", secret_key="t" * 40, max_body_bytes=2048
    )
    app = create_app(settings, clock=clock, run_sweeper=False)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c
    await app.state.engine.dispose()


async def chunks(body: bytes) -> AsyncIterator[bytes]:
    for i in range(0, len(body), 500):
        yield body[i : i + 500]


async def test_a_body_over_the_limit_is_413_on_every_route(
    backend: str, clock: FakeClock, engine: AsyncEngine, mine: Tenant
) -> None:
    padded = json.dumps({**hold_body(mine), "notes": "x" * 3000}).encode()
    async with small_app(backend, clock) as c:
        before = await footprint(engine)
        for url in (
            "/api/v1/staff/login",
            f"/api/v1/venues/{mine.slug}/holds",
            "/api/v1/payments/stripe/webhook",
            f"{base(mine)}/floor-plan/areas",
            "/no/such/route",
        ):
            for content in (padded, chunks(padded)):  # with Content-Length, then chunked
                r = await c.post(url, content=content)
                assert r.status_code == 413, (url, r.text)
                assert r.headers["content-type"] == PROBLEM
                assert r.json()["code"] == "payload_too_large" and r.json()["max_bytes"] == 2048
        assert await footprint(engine) == before
        # Up to the limit is served, chunked or not.
        body = json.dumps(hold_body(mine)).encode()
        body += b" " * (2048 - len(body))
        placed = await c.post(
            f"/api/v1/venues/{mine.slug}/holds",
            content=chunks(body),
            headers={"content-type": "application/json"},
        )
        assert placed.status_code == 201, placed.text


# --- dates at the ends of the calendar -------------------------------------------------


async def test_dates_at_the_ends_of_the_calendar_are_refused(
    client: httpx.AsyncClient, engine: AsyncEngine, mine: Tenant
) -> None:
    await as_manager(client, mine)
    public = f"/api/v1/venues/{mine.slug}"
    before = await footprint(engine)
    for url, field in (
        (f"{public}/nights?from=9999-12-31&days=120", "from"),
        (f"{public}/nights?from=0001-01-01", "from"),
        (f"{public}/nights/9999-12-31/floor", "day"),
        (f"{public}/nights/9999-12-31/availability?party_size=2", "day"),
        (f"{base(mine)}/nights?from=9999-12-31&days=120", "from"),
        (f"{base(mine)}/finance/forecast?from=9999-12-31", "from"),
        (f"{base(mine)}/finance/forecast?from=0001-01-01", "from"),
        (f"{base(mine)}/commissions?to=9999-12-31", "to"),
    ):
        r = await client.get(url)
        assert r.status_code == 422, (url, r.text)
        assert field_of(r) == field
    r = await client.post(f"{public}/holds", json=hold_body(mine, date="9999-12-31"))
    assert r.status_code == 422 and field_of(r) == "date"
    assert await footprint(engine) == before
    # The last day we accept is answered, however many days follow it.
    last = await client.get(f"{public}/nights?from=2999-12-31&days=120")
    assert last.status_code == 200 and last.json() == []
    first = await client.get(f"{base(mine)}/finance/forecast?from=1900-01-01")
    assert first.status_code == 200


# --- integers past their column --------------------------------------------------------


async def test_integers_past_their_column_are_refused_naming_the_field(
    client: httpx.AsyncClient, engine: AsyncEngine, mine: Tenant
) -> None:
    booking = await book(client, mine, ["T2"])
    csrf = await as_manager(client, mine)
    res = f"{base(mine)}/reservations/{booking['id']}"
    big = 2**31
    before = await footprint(engine)
    for method, url, body, field in (
        ("POST", f"{res}/close", {"spend": big}, "spend"),
        ("POST", f"{res}/spend", {"spend": big}, "spend"),
        ("POST", f"{res}/seat", {"version": big}, "version"),
        (
            "POST",
            f"{base(mine)}/commission-rules",
            {"basis": "flat_guest", "value": 10**30},
            "value",
        ),
        (
            "POST",
            f"{base(mine)}/floor-plan/tables",
            {"label": "T9", "tier": "standard", "base_minimum": 10**30},
            "base_minimum",
        ),
        (
            "PATCH",
            f"{base(mine)}/rules",
            {"version": 1, "hold_minutes": -(2**31) - 1},
            "hold_minutes",
        ),
        (
            "PUT",
            f"{base(mine)}/refund-policy",
            {"rules": [{"hours_before_start": big, "refund_bp": 0}]},
            "rules.0.hours_before_start",
        ),
        (
            "POST",
            f"/api/v1/staff/reservations/{booking['id']}/refunds",
            {"amount": big, "reason": "goodwill"},
            "amount",
        ),
    ):
        r = await client.request(method, url, json=body, headers=csrf)
        assert r.status_code == 422, (url, r.text)
        assert field_of(r) == field
    r = await client.get(f"{base(mine)}/reservations", params={"page": 10**30})
    assert r.status_code == 422 and field_of(r) == "page"
    assert await footprint(engine) == before
    # What the column holds is accepted.
    most = {"label": "T9", "tier": "standard", "base_minimum": big - 1}
    made = await client.post(f"{base(mine)}/floor-plan/tables", json=most, headers=csrf)
    assert made.status_code == 201 and made.json()["base_minimum"] == big - 1


async def test_the_body_is_counted_as_it_arrives_whatever_its_length_header_says() -> None:
    """A Content-Length the server let through but int() refuses ('²' is a digit to
    str.isdigit) is not trusted either way: the bytes are counted."""
    seen: list[bytes] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append((await receive())["body"])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def run(body: bytes) -> int:
        messages = [{"type": "http.request", "body": body, "more_body": False}]
        sent: list[Message] = []

        async def receive() -> Message:
            return messages.pop(0) if messages else {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            sent.append(message)

        headers = [(b"content-length", "²".encode("latin-1")), (b"content-type", b"text/plain")]
        scope = {"type": "http", "method": "POST", "path": "/", "headers": headers}
        await Intake(app, max_body_bytes=1024)(scope, receive, send)
        return int(sent[0]["status"])

    assert await run(b"x" * 1024) == 204 and seen == [b"x" * 1024]
    assert await run(b"x" * 1025) == 413
