"""Commissions: the rules that make them, the dashboard and CSV of the ledger, and the
live feed of new ledger lines (``/ws/staff/commissions``, see ``commission_socket``).

Rules: owner/manager change, finance reads too. Money is integer minor units with the
venue's ``currency``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, WebSocket, WebSocketDisconnect
from fastapi.responses import Response
from pydantic import Field

from realtime.events import Message, Resync
from venue.core import channels
from venue.hosts import commissions, hosts
from venue.staff import sessions

from ..deps import COOKIE, Manager, ManagerVenue, MoneyVenue, NowDep, SessionDep
from ..schemas import Amount, Day, Strict

router = APIRouter(prefix="/api/v1/staff/venues/{slug}", tags=["staff: hosts, guests, money"])
ws_router = APIRouter()
MONEY_ROLES = ("owner", "manager", "finance")


class CSVResponse(Response):
    media_type = "text/csv"  # what OpenAPI documents for the CSV exports


def csv_download(body: str, name: str) -> Response:
    return CSVResponse(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


class RuleIn(Strict):
    basis: Literal["minimum_pct", "spend_pct", "flat_reservation", "flat_guest"]
    value: Amount = Field(description="basis points for *_pct, minor units for flat_*")
    host_id: uuid.UUID | None = Field(default=None, description="null: every host")
    tier: str | None = Field(default=None, max_length=40, description="null: every tier")


@router.get("/commission-rules")
async def list_rules(venue: MoneyVenue, session: SessionDep) -> list[dict[str, Any]]:
    """Active rules; the most specific applies (host+tier, host, tier, venue), else the
    host's own ``commission_bp`` of the minimum."""
    return [commissions.rule_dict(r) for r in await commissions.rules_of(session, venue)]


@router.post("/commission-rules", status_code=201)
async def add_rule(
    body: RuleIn, who: Manager, venue: ManagerVenue, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Add a rule (it retires the active rule of the same host and tier)."""
    rule = await commissions.add_rule(session, venue, **body.model_dump(), actor=who.actor, now=now)
    return commissions.rule_dict(rule)


@router.delete("/commission-rules/{rule_id}", status_code=204)
async def retire_rule(
    rule_id: uuid.UUID, who: Manager, venue: ManagerVenue, session: SessionDep, now: NowDep
) -> None:
    """Retire a rule (lines already written keep it)."""
    rule = await commissions.rule_in(session, venue, rule_id)
    await commissions.retire_rule(session, venue, rule, who.actor, now)


@router.get("/commissions")
async def commission_dashboard(
    venue: MoneyVenue,
    session: SessionDep,
    start: Annotated[Day | None, Query(alias="from")] = None,
    end: Annotated[Day | None, Query(alias="to")] = None,
    host_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    """Totals (net and by kind) overall and per host for the period, and the latest lines."""
    if host_id is not None:
        await hosts.host_in(session, venue.tenant_id, host_id)
    period = commissions.Period(start, end)
    return await commissions.dashboard(session, venue, period, host_id, limit=limit)


@router.get("/commissions.csv", response_class=CSVResponse)
async def commission_csv(
    venue: MoneyVenue,
    session: SessionDep,
    start: Annotated[Day | None, Query(alias="from")] = None,
    end: Annotated[Day | None, Query(alias="to")] = None,
    host_id: uuid.UUID | None = None,
) -> Response:
    """Every ledger line of the period (and host) as CSV."""
    if host_id is not None:
        await hosts.host_in(session, venue.tenant_id, host_id)
    body = await commissions.csv_export(session, venue, commissions.Period(start, end), host_id)
    return csv_download(body, f"commissions-{venue.slug}.csv")


# --- live commission dashboard ------------------------------------------------------------


@ws_router.websocket("/ws/staff/commissions")
async def commission_socket(websocket: WebSocket) -> None:
    """New ledger lines, live. Signed in by the staff cookie; owner/manager/finance get
    every line of their tenant, a host only their own.

    Server messages: ``{"type": "hello", "role", "host_id"}`` once; then
    ``{"type": "entries", "entries": [line, ...], "at"}`` (a line is as in
    ``GET .../commissions``); ``{"type": "resync"}`` when lines may have been missed
    (refetch the dashboard); ``{"type": "ping"}`` every 25 s. Close 4401: not signed in
    or wrong role; 4403: a cross-site Origin.
    """
    await websocket.accept()
    origin = websocket.headers.get("origin")
    host_header = websocket.headers.get("host", "")
    if origin and origin.split("://", 1)[-1] != host_header:
        await websocket.close(4403, "cross-site")
        return
    token = websocket.cookies.get(COOKIE)
    app = websocket.app
    async with app.state.sessions() as session:
        found = await sessions.resolve(session, token, app.state.clock()) if token else None
    user = found[0] if found else None
    if user is None or (
        user.role not in MONEY_ROLES and not (user.role == "host" and user.host_id)
    ):
        await websocket.close(4401, "sign in first")
        return
    only = str(user.host_id) if user.role == "host" else None
    await websocket.send_text(json.dumps({"type": "hello", "role": user.role, "host_id": only}))
    channel = channels.commissions_channel(user.tenant_id)
    async with app.state.broker.subscribe(channel) as sub:
        reader = asyncio.create_task(_drain(websocket))
        try:
            while not reader.done():
                try:
                    async with asyncio.timeout(25):
                        event = await sub.get()
                except TimeoutError:
                    await websocket.send_text('{"type":"ping"}')
                    continue
                if event is None:
                    break
                if isinstance(event, Resync):
                    await websocket.send_text('{"type":"resync"}')
                elif isinstance(event, Message):
                    text = _for(event.data, only)
                    if text is not None:
                        await websocket.send_text(text)
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            reader.cancel()
            with contextlib.suppress(BaseException):
                await reader


def _for(data: str, host_id: str | None) -> str | None:
    """The message as this socket may see it (a host: their own lines, or nothing)."""
    if host_id is None:
        return data
    message = json.loads(data)
    message["entries"] = [e for e in message.get("entries", []) if e["host_id"] == host_id]
    return json.dumps(message) if message["entries"] else None


async def _drain(websocket: WebSocket) -> None:
    """Read (and ignore) what the client sends, so a close is noticed."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            await websocket.receive_text()
