"""The staff console's JSON API: tonight's floor, reservations and their actions, phone
and walk-in bookings, closures and blocks, the floor plan editor, rules, users, audit.

The tenant is the signed-in staff member's; a venue slug, reservation, table, area or
user id of another tenant is 404. Roles: owner/manager everything; floor staff run the
service; finance reads; hosts get 403 here (their own views are separate).

Row-level security (not yet enabled; the plan for the second wall on PostgreSQL):
- migration ``0005`` (down_revision ``0002``): for every table with ``tenant_id``,
  ``ALTER TABLE t ENABLE ROW LEVEL SECURITY; ALTER TABLE t FORCE ROW LEVEL SECURITY;``
  and ``CREATE POLICY tenant_wall ON t USING (current_setting('app.tenant_id', true)
  IS NULL OR current_setting('app.tenant_id', true) = '' OR tenant_id =
  current_setting('app.tenant_id', true)::uuid) WITH CHECK (same)``. The unset case
  is the policy for system work (relay, sweeper, public pages keyed by slug), which
  runs without the setting; staff requests always run with it.
- ``current_staff`` runs ``SELECT set_config('app.tenant_id', :tid, true)`` (the
  ``SET LOCAL`` form: it ends with the transaction, so pooled connections do not leak
  it) right after resolving the session; the login lookup runs before it, unscoped.
- the app must connect as a non-superuser, non-owner role (superusers and, without
  FORCE, table owners bypass RLS): ``CREATE ROLE maitre_app LOGIN``, grant
  SELECT/INSERT/UPDATE/DELETE on the tables and USAGE on sequences, run migrations as
  the owner. Tests then need a second URL for that role to prove the wall (a staff
  query with a forged tenant filter returns nothing).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.errors import InvalidRequest
from venue.floor import closures, floormap, floorplan
from venue.models import Night, Reservation, StaffUser, Status, Venue
from venue.reservations import operations
from venue.setup import rules as rules_admin
from venue.setup import venues
from venue.staff import users

from .deps import NowDep, SessionDep
from .payments import refund_on_cancel
from .schemas import INT_MAX, Amount, Day, GuestIn, Int, Strict
from .staff_auth import COOKIE, CurrentStaff, Forbidden, Staff, require
from .staff_pricing import own_venue

router = APIRouter(prefix="/api/v1/staff", tags=["staff: console"])
V = "/venues/{slug}"

Manager = Annotated[Staff, require("owner", "manager")]
Floor = Annotated[Staff, require("owner", "manager", "floor")]
Reader = Annotated[Staff, require("owner", "manager", "floor", "finance")]


Body = Strict  # request bodies refuse unknown fields


def actor(who: Staff) -> Any:
    return operations.staff_actor(who.user.id)


# --- me --------------------------------------------------------------------------------


@router.get("/me")
async def me(who: CurrentStaff, session: SessionDep) -> dict[str, Any]:
    """The signed-in user, their CSRF token (for a reloaded page) and their venues."""
    rows = await session.scalars(
        select(Venue).where(Venue.tenant_id == who.user.tenant_id).order_by(Venue.name)
    )
    return {
        **users.user_dict(who.user),
        "csrf_token": who.session.csrf_token,
        "venues": [{"slug": v.slug, "name": v.name, "timezone": v.timezone} for v in rows],
    }


class PasswordIn(Body):
    current_password: str = Field(min_length=1, max_length=500)
    new_password: str = Field(min_length=1, max_length=500)


@router.post("/me/password", status_code=204)
async def change_own_password(
    body: PasswordIn, who: CurrentStaff, session: SessionDep, now: NowDep, response: Response
) -> None:
    """Change your password; every session of yours ends, this one included."""
    if not users.verify_password(who.user, body.current_password):
        raise InvalidRequest("current_password", "that is not your current password")
    await users.set_password(session, who.user, body.new_password, actor(who), now)
    response.delete_cookie(COOKIE, path="/")


# --- users -----------------------------------------------------------------------------


class UserIn(Body):
    email: str = Field(min_length=3, max_length=254)
    name: str = Field(min_length=1, max_length=200)
    role: Literal["owner", "manager", "floor", "host", "finance"]
    password: str = Field(min_length=1, max_length=500)
    host_id: uuid.UUID | None = None


class NewPasswordIn(Body):
    password: str = Field(min_length=1, max_length=500)


@router.get("/users")
async def list_users(who: Manager, session: SessionDep) -> list[dict[str, Any]]:
    """Everyone who can sign in to this tenant."""
    return [users.user_dict(u) for u in await users.list_users(session, who.user.tenant_id)]


@router.post("/users", status_code=201)
async def create_user(
    body: UserIn, who: Manager, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Create an account (only an owner creates owners)."""
    if body.role == "owner" and who.user.role != "owner":
        raise Forbidden("only an owner can create another owner")
    user = await users.create_user(
        session,
        who.user.tenant_id,
        email=body.email,
        name=body.name,
        role=body.role,
        password=body.password,
        host_id=body.host_id,
        actor=actor(who),
        now=now,
    )
    return users.user_dict(user)


@router.post("/users/{user_id}/password", status_code=204)
async def reset_password(
    user_id: uuid.UUID, body: NewPasswordIn, who: Manager, session: SessionDep, now: NowDep
) -> None:
    """Set someone's password; all their sessions end."""
    user = await users.user_of(session, who.user.tenant_id, user_id)
    _may_manage(who, user)
    await users.set_password(session, user, body.password, actor(who), now)


def _may_manage(who: Staff, user: StaffUser) -> None:
    if user.role == "owner" and who.user.role != "owner":
        raise Forbidden("only an owner can change an owner's account")


# --- audit -----------------------------------------------------------------------------


@router.get("/audit")
async def audit(
    who: Manager,
    session: SessionDep,
    entity: str | None = None,
    entity_id: str | None = None,
    page: Annotated[int, Query(ge=1, le=INT_MAX)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[dict[str, Any]]:
    """The tenant's audit trail, newest first."""
    return await operations.audit_trail(
        session,
        who.user.tenant_id,
        entity=entity,
        entity_id=entity_id,
        page=page,
        per_page=per_page,
    )


# --- nights, tonight's floor -----------------------------------------------------------


async def _night(session: SessionDep, venue: Venue, day: date) -> Night:
    return await venues.night_on(session, venue, day)


@router.get(V + "/nights")
async def list_nights(
    slug: str,
    who: Reader,
    session: SessionDep,
    now: NowDep,
    start: Annotated[Day | None, Query(alias="from")] = None,
    days: Annotated[int, Query(ge=1, le=120)] = 14,
) -> list[dict[str, Any]]:
    """Nights from a date (default: the current business date), with free tables."""
    venue = await own_venue(session, who, slug)
    first = start or (now - timedelta(hours=6)).date()
    nights = await venues.nights_between(session, venue, first, first + timedelta(days=days - 1))
    return await floormap.nights_summary(session, venue, nights, now)


@router.get(V + "/nights/{day}/floor")
async def night_floor(
    slug: str,
    day: Day,
    who: Reader,
    session: SessionDep,
    now: NowDep,
    sitting: uuid.UUID | None = None,
) -> dict[str, Any]:
    """The live floor for staff: each table's state, reservation, guest, party, minimum,
    block reason; totals of guests and tables against capacity. Live updates arrive on
    the public floor WebSocket; refetch this on each delta for the staff overlay."""
    venue = await own_venue(session, who, slug)
    night = await _night(session, venue, day)
    return await operations.staff_floor(session, venue, night, sitting, now)


class CloseIn(Body):
    reason: str = Field(min_length=1, max_length=300)


@router.post(V + "/nights/{day}/close")
async def close_night(
    slug: str, day: Day, body: CloseIn, who: Manager, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Close the night to all new bookings; live bookings stay (their count is returned)."""
    venue = await own_venue(session, who, slug)
    night = await _night(session, venue, day)
    await closures.set_closed(session, night, True, body.reason, actor(who), now)
    return await _night_out(session, venue, night, now)


@router.post(V + "/nights/{day}/reopen")
async def reopen_night(
    slug: str, day: Day, who: Manager, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Open a closed night for bookings again."""
    venue = await own_venue(session, who, slug)
    night = await _night(session, venue, day)
    await closures.set_closed(session, night, False, None, actor(who), now)
    return await _night_out(session, venue, night, now)


async def _night_out(session: SessionDep, venue: Venue, night: Night, now: Any) -> dict[str, Any]:
    summary = (await floormap.nights_summary(session, venue, [night], now))[0]
    return {**summary, "live_reservations": await closures.live_count(session, night, now)}


class BlockIn(Body):
    table_ids: list[uuid.UUID] = Field(default_factory=list, max_length=200)
    area_id: uuid.UUID | None = None
    reason: str = Field(min_length=1, max_length=300)


class UnblockIn(Body):
    table_ids: list[uuid.UUID] = Field(default_factory=list, max_length=200)
    area_id: uuid.UUID | None = None


@router.get(V + "/nights/{day}/blocks")
async def list_blocks(
    slug: str, day: Day, who: Reader, session: SessionDep
) -> list[dict[str, Any]]:
    """Tables out of sale that night, with the reason."""
    venue = await own_venue(session, who, slug)
    night = await _night(session, venue, day)
    return [_block_out(b) for b in await closures.blocks_of(session, night)]


def _block_out(b: Any) -> dict[str, Any]:
    source = str(b.source_import_id) if b.source_import_id else None
    return {
        "table_id": str(b.table_id),
        "reason": b.reason,
        "created_at": b.created_at,
        "source_import_id": source,  # set when an imported calendar made the block
    }


@router.post(V + "/nights/{day}/blocks", status_code=201)
async def block_tables(
    slug: str, day: Day, body: BlockIn, who: Floor, session: SessionDep, now: NowDep
) -> list[dict[str, Any]]:
    """Block tables (or every table of an area) for the night; 409 table_has_booking
    while a live booking sits on one of them."""
    venue = await own_venue(session, who, slug)
    night = await _night(session, venue, day)
    tables = await closures.tables_to_block(session, venue, body.table_ids, body.area_id)
    made = await closures.block(session, venue, night, tables, body.reason, actor(who), now)
    return [_block_out(b) for b in made]


@router.post(V + "/nights/{day}/unblock")
async def unblock_tables(
    slug: str, day: Day, body: UnblockIn, who: Floor, session: SessionDep, now: NowDep
) -> dict[str, int]:
    """Put blocked tables (or an area's) back on sale for the night."""
    venue = await own_venue(session, who, slug)
    night = await _night(session, venue, day)
    tables = await closures.tables_to_block(session, venue, body.table_ids, body.area_id)
    return {"unblocked": await closures.unblock(session, venue, night, tables, actor(who), now)}


# --- reservations ----------------------------------------------------------------------


@router.get(V + "/reservations")
async def search_reservations(
    slug: str,
    who: Reader,
    session: SessionDep,
    day: Annotated[Day | None, Query(alias="date")] = None,
    status: Annotated[list[Status] | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=100, description="guest name/email/phone")] = None,
    host_id: uuid.UUID | None = None,
    page: Annotated[int, Query(ge=1, le=INT_MAX)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    """Search by night, status (repeatable), guest and host; paginated."""
    venue = await own_venue(session, who, slug)
    if host_id is not None:
        await operations.host_of(session, venue, host_id)
    items, total = await operations.search(
        session,
        venue,
        operations.Search(
            day=day,
            statuses=tuple(s.value for s in status or ()),
            text=q,
            host_id=host_id,
            page=page,
            per_page=per_page,
        ),
    )
    return {"items": items, "total": total, "page": page, "per_page": per_page}


@router.get(V + "/reservations/{res_id}")
async def reservation_details(
    slug: str, res_id: uuid.UUID, who: Reader, session: SessionDep
) -> dict[str, Any]:
    """Contact, requests, tables, money, payments and the full history."""
    venue = await own_venue(session, who, slug)
    res = await operations.reservation_of(session, venue, res_id)
    return await operations.details(session, venue, res)


class VersionIn(Body):
    version: Amount | None = Field(default=None, description="409 reservation_changed if stale")


class CancelIn(VersionIn):
    reason: str = Field(min_length=1, max_length=300)


class MoveIn(VersionIn):
    table_ids: list[uuid.UUID] = Field(min_length=1, max_length=8)


async def _act(
    slug: str, res_id: uuid.UUID, who: Staff, session: SessionDep
) -> tuple[Venue, Reservation]:
    venue = await own_venue(session, who, slug)
    return venue, await operations.reservation_of(session, venue, res_id)


async def _lifecycle(
    to: Status,
    slug: str,
    res_id: uuid.UUID,
    who: Staff,
    session: AsyncSession,
    now: datetime,
    body: VersionIn | None,
) -> dict[str, Any]:
    """One step of tonight's service under the version the staff member saw."""
    venue, res = await _act(slug, res_id, who, session)
    await operations.advance(
        session, venue, res, to, actor(who), now, body.version if body else None
    )
    return await operations.details(session, venue, res)


@router.post(V + "/reservations/{res_id}/seat")
async def seat(
    slug: str,
    res_id: uuid.UUID,
    who: Floor,
    session: SessionDep,
    now: NowDep,
    body: VersionIn | None = None,
) -> dict[str, Any]:
    """confirmed -> seated."""
    return await _lifecycle(Status.SEATED, slug, res_id, who, session, now, body)


@router.post(V + "/reservations/{res_id}/complete")
async def complete(
    slug: str,
    res_id: uuid.UUID,
    who: Floor,
    session: SessionDep,
    now: NowDep,
    body: VersionIn | None = None,
) -> dict[str, Any]:
    """seated -> completed (the table is free again)."""
    return await _lifecycle(Status.COMPLETED, slug, res_id, who, session, now, body)


@router.post(V + "/reservations/{res_id}/no-show")
async def no_show(
    slug: str,
    res_id: uuid.UUID,
    who: Floor,
    session: SessionDep,
    now: NowDep,
    body: VersionIn | None = None,
) -> dict[str, Any]:
    """confirmed -> no_show."""
    return await _lifecycle(Status.NO_SHOW, slug, res_id, who, session, now, body)


@router.post(V + "/reservations/{res_id}/cancel")
async def cancel(
    request: Request,
    slug: str,
    res_id: uuid.UUID,
    body: CancelIn,
    who: Floor,
    session: SessionDep,
    now: NowDep,
) -> dict[str, Any]:
    """Cancel with a reason; the guest is told and refunded by the venue's policy."""
    venue, res = await _act(slug, res_id, who, session)
    await operations.cancel(session, res, actor(who), now, body.reason, body.version)
    refund = await refund_on_cancel(request, session, venue, res, actor(who), now)
    return {**await operations.details(session, venue, res), "refund": refund}


@router.post(V + "/reservations/{res_id}/move")
async def move(
    slug: str, res_id: uuid.UUID, body: MoveIn, who: Floor, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Move to other table(s) atomically; several tables join them for a large party."""
    venue, res = await _act(slug, res_id, who, session)
    await operations.move(session, venue, res, body.table_ids, actor(who), now, body.version)
    return await operations.details(session, venue, res)


class StaffBookingIn(Body):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "date": "2026-11-28",
                    "table_ids": ["6f1c1a7e-0000-4000-8000-000000000000"],
                    "party_size": 4,
                    "channel": "phone",
                    "guest": {"name": "Ada Lovelace", "phone": "+44 7700 900123"},
                    "notes": "Birthday",
                }
            ]
        },
    )

    date: Day
    table_ids: list[uuid.UUID] = Field(min_length=1, max_length=8)
    party_size: int = Field(ge=1, le=500)
    channel: Literal["phone", "walk_in"]
    guest: GuestIn
    sitting_id: uuid.UUID | None = None
    host_id: uuid.UUID | None = None
    notes: str | None = Field(default=None, max_length=1000)
    seat_now: bool = Field(default=False, description="walk-ins: seat at once")


@router.post(V + "/bookings", status_code=201)
async def staff_booking(
    slug: str, body: StaffBookingIn, who: Floor, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """A phone or walk-in booking: confirmed at once, past the online cutoff and the
    per-guest cap, attributed to you."""
    venue = await own_venue(session, who, slug)
    res = await operations.book_for_guest(
        session,
        venue,
        operations.StaffBooking(
            business_date=body.date,
            table_ids=body.table_ids,
            party_size=body.party_size,
            channel=body.channel,
            guest_name=body.guest.name,
            guest_email=body.guest.email,
            guest_phone=body.guest.phone,
            sitting_id=body.sitting_id,
            host_id=body.host_id,
            notes=body.notes,
            seat_now=body.seat_now,
        ),
        actor(who),
        now,
    )
    return await operations.details(session, venue, res)


@router.get(V + "/hosts")
async def list_hosts(slug: str, who: Reader, session: SessionDep) -> list[dict[str, Any]]:
    """Hosts (promoters) to attribute bookings to and filter by."""
    venue = await own_venue(session, who, slug)
    return [
        {"id": str(h.id), "name": h.name, "code": h.code}
        for h in await operations.hosts(session, venue)
    ]


# --- floor plan ------------------------------------------------------------------------


class PlanIn(Body):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    width: int | None = Field(default=None, ge=100, le=10000)
    height: int | None = Field(default=None, ge=100, le=10000)


class TableIn(Body):
    label: str = Field(min_length=1, max_length=20)
    tier: str = Field(min_length=1, max_length=40)
    min_party: int = Field(default=1, ge=1, le=500)
    max_party: int = Field(default=4, ge=1, le=500)
    shape: Literal["round", "square", "rect", "booth", "bar"] = "round"
    x: int = Field(default=0, ge=0, le=10000)
    y: int = Field(default=0, ge=0, le=10000)
    width: int = Field(default=60, ge=10, le=2000)
    height: int = Field(default=60, ge=10, le=2000)
    rotation: int = Field(default=0, ge=0, lt=360)
    area_id: uuid.UUID | None = None
    base_minimum: Amount | None = None


class TablePatch(Body):
    label: str | None = Field(default=None, min_length=1, max_length=20)
    tier: str | None = Field(default=None, min_length=1, max_length=40)
    min_party: int | None = Field(default=None, ge=1, le=500)
    max_party: int | None = Field(default=None, ge=1, le=500)
    shape: Literal["round", "square", "rect", "booth", "bar"] | None = None
    x: int | None = Field(default=None, ge=0, le=10000)
    y: int | None = Field(default=None, ge=0, le=10000)
    width: int | None = Field(default=None, ge=10, le=2000)
    height: int | None = Field(default=None, ge=10, le=2000)
    rotation: int | None = Field(default=None, ge=0, lt=360)
    area_id: uuid.UUID | None = None
    base_minimum: Amount | None = None


class AreaIn(Body):
    name: str = Field(min_length=1, max_length=120)
    x: int = Field(default=0, ge=0, le=10000)
    y: int = Field(default=0, ge=0, le=10000)
    width: int = Field(default=0, ge=0, le=10000)
    height: int = Field(default=0, ge=0, le=10000)


class AreaPatch(Body):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    x: int | None = Field(default=None, ge=0, le=10000)
    y: int | None = Field(default=None, ge=0, le=10000)
    width: int | None = Field(default=None, ge=0, le=10000)
    height: int | None = Field(default=None, ge=0, le=10000)


class LinkIn(Body):
    table_ids: list[uuid.UUID] = Field(min_length=2, max_length=2)


def _patch(body: BaseModel, nullable: tuple[str, ...] = ()) -> dict[str, Any]:
    """Fields sent; ``null`` clears only the nullable ones (area, base minimum)."""
    sent = body.model_dump(exclude_unset=True)
    for key, value in sent.items():
        if value is None and key not in nullable:
            raise InvalidRequest(key, "cannot be null")
    return sent


@router.get(V + "/floor-plan")
async def get_floor_plan(slug: str, who: Reader, session: SessionDep) -> dict[str, Any]:
    """The plan as data: size, tiers, areas, tables with geometry, join links."""
    venue = await own_venue(session, who, slug)
    return await floorplan.floor_plan(session, venue)


@router.patch(V + "/floor-plan")
async def patch_floor_plan(
    slug: str, body: PlanIn, who: Manager, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Rename or resize the plan."""
    venue = await own_venue(session, who, slug)
    await floorplan.update_plan(session, venue, _patch(body), actor(who), now)
    return await floorplan.floor_plan(session, venue)


@router.post(V + "/floor-plan/tables", status_code=201)
async def add_table(
    slug: str, body: TableIn, who: Manager, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Add a table (its tier must have a price)."""
    venue = await own_venue(session, who, slug)
    table = await floorplan.add_table(session, venue, body.model_dump(), actor(who), now)
    return floorplan.table_dict(table)


@router.patch(V + "/floor-plan/tables/{table_id}")
async def patch_table(
    slug: str,
    table_id: uuid.UUID,
    body: TablePatch,
    who: Manager,
    session: SessionDep,
    now: NowDep,
) -> dict[str, Any]:
    """Move, resize, rotate, relabel, re-tier or re-area a table (send only what changes)."""
    venue = await own_venue(session, who, slug)
    table = await floorplan.table_of(session, venue, table_id)
    data = _patch(body, ("area_id", "base_minimum"))
    table = await floorplan.update_table(session, venue, table, data, actor(who), now)
    return floorplan.table_dict(table)


@router.delete(V + "/floor-plan/tables/{table_id}", status_code=204)
async def delete_table(
    slug: str, table_id: uuid.UUID, who: Manager, session: SessionDep, now: NowDep
) -> None:
    """Delete a table; 409 table_has_future_bookings (with ``count``) until they move."""
    venue = await own_venue(session, who, slug)
    table = await floorplan.table_of(session, venue, table_id)
    await floorplan.delete_table(session, venue, table, actor(who), now)


@router.post(V + "/floor-plan/areas", status_code=201)
async def add_area(
    slug: str, body: AreaIn, who: Manager, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Add an area (a room or section tables are grouped into)."""
    venue = await own_venue(session, who, slug)
    area = await floorplan.add_area(session, venue, body.model_dump(), actor(who), now)
    return floorplan.area_dict(area)


@router.patch(V + "/floor-plan/areas/{area_id}")
async def patch_area(
    slug: str, area_id: uuid.UUID, body: AreaPatch, who: Manager, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Rename, move or resize an area."""
    venue = await own_venue(session, who, slug)
    area = await floorplan.area_of(session, venue, area_id)
    area = await floorplan.update_area(session, venue, area, _patch(body), actor(who), now)
    return floorplan.area_dict(area)


@router.delete(V + "/floor-plan/areas/{area_id}", status_code=204)
async def delete_area(
    slug: str, area_id: uuid.UUID, who: Manager, session: SessionDep, now: NowDep
) -> None:
    """Delete an area; its tables stay, outside any area."""
    venue = await own_venue(session, who, slug)
    area = await floorplan.area_of(session, venue, area_id)
    await floorplan.delete_area(session, venue, area, actor(who), now)


async def _pair(session: SessionDep, venue: Venue, body: LinkIn) -> tuple[Any, Any]:
    a = await floorplan.table_of(session, venue, body.table_ids[0])
    b = await floorplan.table_of(session, venue, body.table_ids[1])
    return a, b


@router.post(V + "/floor-plan/links", status_code=204)
async def link_tables(
    slug: str, body: LinkIn, who: Manager, session: SessionDep, now: NowDep
) -> None:
    """Allow two tables to be joined for one party."""
    venue = await own_venue(session, who, slug)
    a, b = await _pair(session, venue, body)
    await floorplan.set_link(session, venue, a, b, True, actor(who), now)


@router.post(V + "/floor-plan/links/remove", status_code=204)
async def unlink_tables(
    slug: str, body: LinkIn, who: Manager, session: SessionDep, now: NowDep
) -> None:
    """Stop allowing two tables to be joined."""
    venue = await own_venue(session, who, slug)
    a, b = await _pair(session, venue, body)
    await floorplan.set_link(session, venue, a, b, False, actor(who), now)


# --- rules -----------------------------------------------------------------------------


class RulesIn(Body):
    version: Amount = Field(description="the version you read; 409 rules_changed if stale")
    hold_minutes: Int | None = None
    payment_hold_minutes: Int | None = None
    cutoff_minutes: Int | None = None
    booking_window_days: Int | None = None
    min_party: Int | None = None
    max_party: Int | None = None
    per_guest_daily_cap: Int | None = None
    price_rounding_step: Int | None = None
    cancel_cutoff_minutes: Int | None = None
    service_opens_minutes: Int | None = None


@router.get(V + "/rules")
async def get_rules(slug: str, who: Reader, session: SessionDep) -> dict[str, Any]:
    """The booking rules, their version and each field's bounds and meaning."""
    venue = await own_venue(session, who, slug)
    rules = await venues.rules_of(session, venue)
    return {**rules_admin.rules_dict(rules), "fields": rules_admin.rules_help()}


@router.patch(V + "/rules")
async def patch_rules(
    slug: str, body: RulesIn, who: Manager, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Change some rules; every invalid field is explained at once (422 rules_invalid)."""
    venue = await own_venue(session, who, slug)
    changes = _patch(body)
    version = changes.pop("version")
    rules = await rules_admin.update_rules(session, venue, changes, version, actor(who), now)
    return {**rules_admin.rules_dict(rules), "fields": rules_admin.rules_help()}
