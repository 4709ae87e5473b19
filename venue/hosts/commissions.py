"""Commissions: rules, the append-only ledger and its outbox consumer, dashboard queries.

The consumer reads outbox events exactly like the mail planner (see
``OutboxConsumption``: a row per (consumer, event) claimed with ON CONFLICT DO NOTHING,
never a last-id cursor) under its own consumer name ``commissions``. For every
reservation event it computes what the reservation *implies* for each host now and
appends the difference as one line, so whatever order or mix of events arrives, a
reservation's lines sum to :func:`implied`. Nothing here updates or deletes a line.
The lines a pass writes are announced in the same transaction as one outbox event per
tenant (:func:`announce`); the relay publishes it like any other change.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from sqlalchemy import exists, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from venue.core.actor import Actor
from venue.core.channels import commissions_channel
from venue.core.clock import local_to_utc
from venue.core.errors import InvalidRequest, NotFound
from venue.journal import outbox
from venue.journal.audit import emit, record
from venue.models import (
    CommissionEntry,
    CommissionRule,
    Host,
    Night,
    OutboxConsumption,
    OutboxEvent,
    Refund,
    Reservation,
    ReservationSpend,
    Status,
    Venue,
)
from venue.models.commissions import BASES
from venue.money import finance
from venue.notifications.sql import insert_ignore
from venue.reservations import operations

log = logging.getLogger("maitre.commissions")
_S = TypeVar("_S")
CONSUMER = "commissions"
WINDOW = timedelta(days=7)
LIVE_REFUND = ("pending", "succeeded", "requires_action")
KIND_BY_TOPIC = {
    "reservation.confirmed": "accrual",
    "reservation.cancelled": "reversal",
    "reservation.no_show": "reversal",
    "reservation.expired": "reversal",
    "reservation.completed": "settlement",
    "reservation.spend_recorded": "spend_adjustment",
    "reservation.host_reassigned": "reassign_in",
    "payment.refunded": "refund_adjustment",
}
TOPICS = tuple(KIND_BY_TOPIC)  # the consumer's own ``commissions.posted`` is not among them
POSTED = "commissions.posted"
EARNING = (Status.CONFIRMED, Status.SEATED, Status.COMPLETED)


# --- rules ---------------------------------------------------------------------------


def rule_dict(rule: CommissionRule) -> dict[str, Any]:
    return {
        "id": str(rule.id),
        "host_id": str(rule.host_id) if rule.host_id else None,
        "tier": rule.tier,
        "basis": rule.basis,
        "value": rule.value,
        "active": rule.active,
        "created_at": rule.created_at.isoformat(),
    }


async def rules_of(session: AsyncSession, venue: Venue) -> list[CommissionRule]:
    rows = await session.scalars(
        select(CommissionRule)
        .where(
            CommissionRule.tenant_id == venue.tenant_id,
            CommissionRule.venue_id == venue.id,
            CommissionRule.active.is_(True),
        )
        .order_by(CommissionRule.created_at)
    )
    return list(rows)


async def add_rule(
    session: AsyncSession,
    venue: Venue,
    *,
    basis: str,
    value: int,
    host_id: uuid.UUID | None,
    tier: str | None,
    actor: Actor,
    now: datetime,
) -> CommissionRule:
    """Add a rule; an active rule with the same scope (host, tier) is retired by it."""
    if basis not in BASES:
        raise InvalidRequest("basis", f"one of {', '.join(BASES)}")
    if basis.endswith("_pct") and not 0 <= value <= 10000:
        raise InvalidRequest("value", "basis points, 0 to 10000")
    if host_id is not None:
        await operations.host_by_id(session, venue.tenant_id, host_id)
    for old in await rules_of(session, venue):
        if old.host_id == host_id and old.tier == tier:
            await retire_rule(session, venue, old, actor, now)
    rule = CommissionRule(
        id=uuid.uuid4(),
        tenant_id=venue.tenant_id,
        venue_id=venue.id,
        host_id=host_id,
        tier=tier,
        basis=basis,
        value=value,
        active=True,
        created_at=now,
    )
    session.add(rule)
    await session.flush()
    _audit(
        session,
        venue.tenant_id,
        actor,
        "commission_rule.added",
        rule.id,
        None,
        rule_dict(rule),
        now,
    )
    return rule


async def rule_in(session: AsyncSession, venue: Venue, rule_id: uuid.UUID) -> CommissionRule:
    rule = await session.scalar(
        select(CommissionRule).where(
            CommissionRule.tenant_id == venue.tenant_id,
            CommissionRule.venue_id == venue.id,
            CommissionRule.id == rule_id,
        )
    )
    if rule is None:
        raise NotFound("no such commission rule")
    return rule


async def retire_rule(
    session: AsyncSession, venue: Venue, rule: CommissionRule, actor: Actor, now: datetime
) -> None:
    """Rules are retired, not edited: lines already written keep the rule they used."""
    before = rule_dict(rule)
    rule.active = False
    await session.flush()
    _audit(
        session,
        venue.tenant_id,
        actor,
        "commission_rule.retired",
        rule.id,
        before,
        rule_dict(rule),
        now,
    )


def pick_rule(rules: Sequence[CommissionRule], host: Host, tier: str | None) -> dict[str, Any]:
    """The most specific rule (host+tier, host, tier, venue); else the host's own rate
    (``hosts.commission_bp`` of the minimum)."""
    ranked = sorted(
        (r for r in rules if r.host_id in (None, host.id) and r.tier in (None, tier)),
        key=lambda r: (r.host_id is not None, r.tier is not None, r.created_at),
        reverse=True,
    )
    if ranked:
        r = ranked[0]
        return {"rule_id": str(r.id), "basis": r.basis, "value": r.value, "tier": tier}
    return {"rule_id": None, "basis": "minimum_pct", "value": host.commission_bp, "tier": tier}


# --- what a reservation implies ------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    status: str
    minimum: int
    party_size: int
    spend: int | None
    refunded: int


def basis_amount(rule: dict[str, Any], facts: Facts) -> int:
    """The money the rule applies to: the minimum before completion, the actual spend
    (or, without one, the minimum) after it; refunds leave the basis."""
    if facts.status == Status.COMPLETED and facts.spend is not None:
        gross = facts.spend if rule["basis"] == "spend_pct" else facts.minimum
    else:
        gross = facts.minimum
    return max(0, gross - facts.refunded)


def implied(rule: dict[str, Any], facts: Facts) -> int:
    """What a host is owed for a reservation in this state, in minor units."""
    if facts.status not in EARNING:
        return 0
    basis, value = rule["basis"], int(rule["value"])
    if basis == "flat_reservation":
        return value
    if basis == "flat_guest":
        return value * facts.party_size
    return basis_amount(rule, facts) * value // 10000


# --- the consumer --------------------------------------------------------------------


async def pending_events(session: AsyncSession, now: datetime, limit: int) -> list[OutboxEvent]:
    consumed = exists().where(
        OutboxConsumption.consumer == CONSUMER, OutboxConsumption.event_id == OutboxEvent.id
    )
    rows = await session.scalars(
        select(OutboxEvent)
        .where(OutboxEvent.at >= now - WINDOW, OutboxEvent.topic.in_(TOPICS), ~consumed)
        .order_by(OutboxEvent.id)
        .limit(limit)
    )
    return list(rows)


async def consume_once(
    session: AsyncSession, now: datetime, limit: int = 200
) -> tuple[int, list[CommissionEntry]]:
    """Consume up to ``limit`` events in the caller's transaction: (events seen, new lines)."""
    if not await outbox.take_turn(session, CONSUMER):
        return 0, []
    events = await pending_events(session, now, limit)
    written: list[CommissionEntry] = []
    for event in events:
        mine = await insert_ignore(
            session, OutboxConsumption, {"consumer": CONSUMER, "event_id": event.id, "at": now}
        )
        if mine and event.topic in KIND_BY_TOPIC:
            written += await post_event(session, event, now)
    await announce(session, written, now)
    return len(events), written


async def announce(
    session: AsyncSession, written: Sequence[CommissionEntry], now: datetime
) -> None:
    """One outbox event per tenant for the lines just written, in the same transaction:
    the relay publishes it after the commit (a host's socket gets only that host's lines).
    Each line carries its host's name, as the dashboard's lines do."""
    if not written:
        return
    ids = {e.host_id for e in written}
    names = dict((await session.execute(select(Host.id, Host.name).where(Host.id.in_(ids)))).all())
    by_tenant: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for e in written:
        by_tenant.setdefault(e.tenant_id, []).append(entry_dict(e, names.get(e.host_id)))
    for tenant_id, lines in by_tenant.items():
        emit(
            session,
            tenant_id=tenant_id,
            topic=POSTED,
            channel=commissions_channel(tenant_id),
            payload={"entries": lines},
            at=now,
        )


async def post_event(
    session: AsyncSession, event: OutboxEvent, now: datetime
) -> list[CommissionEntry]:
    payload = event.payload
    res_id = payload.get("reservation_id") or payload.get("id")
    if not res_id:
        return []
    res = await session.get(Reservation, uuid.UUID(str(res_id)), populate_existing=True)
    if res is None or res.tenant_id != event.tenant_id:
        return []
    return await post(session, res, event.id, KIND_BY_TOPIC[event.topic], now)


async def post(
    session: AsyncSession, res: Reservation, event_id: int, kind: str, now: datetime
) -> list[CommissionEntry]:
    """Bring every host's balance on ``res`` to what it implies now, one line each."""
    balances = await balances_of(session, res.id)
    hosts = set(balances)
    if res.host_id is not None:
        hosts.add(res.host_id)
    if not hosts:
        return []
    facts = await facts_of(session, res)
    day = await session.scalar(select(Night.business_date).where(Night.id == res.night_id))
    assert day is not None
    written = []
    for host_id in sorted(hosts):
        rule = await rule_for(session, res, host_id)
        current = host_id == res.host_id
        target = implied(rule, facts) if current else 0
        delta = target - balances.get(host_id, 0)
        line_kind = kind if current else ("reassign_out" if kind == "reassign_in" else "reversal")
        # A zero settlement still says "closed and settled"; other zero lines say nothing.
        if delta == 0 and not (current and kind == "settlement" and facts.status == "completed"):
            continue
        entry = CommissionEntry(
            tenant_id=res.tenant_id,
            venue_id=res.venue_id,
            host_id=host_id,
            reservation_id=res.id,
            business_date=day,
            event_id=event_id,
            kind=line_kind,
            amount=delta,
            currency=res.currency,
            basis_amount=basis_amount(rule, facts) if current else 0,
            rule=rule,
            at=now,
        )
        if await _append(session, entry):
            written.append(entry)
    return written


async def _append(session: AsyncSession, entry: CommissionEntry) -> bool:
    """Insert the line unless the ledger already holds its (event, kind, host); on success
    ``entry.id`` is the new row's id (pushed lines carry it, so a client can deduplicate)."""
    dialect: Any = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    cols = [c.key for c in CommissionEntry.__table__.columns if c.key != "id"]
    stmt = (
        dialect.insert(CommissionEntry)
        .values({c: getattr(entry, c) for c in cols})
        .on_conflict_do_nothing()
        .returning(CommissionEntry.id)
    )
    entry.id = await session.scalar(stmt)
    return entry.id is not None


async def balances_of(session: AsyncSession, res_id: uuid.UUID) -> dict[uuid.UUID, int]:
    rows = await session.execute(
        select(CommissionEntry.host_id, func.sum(CommissionEntry.amount))
        .where(CommissionEntry.reservation_id == res_id)
        .group_by(CommissionEntry.host_id)
    )
    return {host_id: int(total or 0) for host_id, total in rows}


async def facts_of(session: AsyncSession, res: Reservation) -> Facts:
    spend = await session.scalar(
        select(ReservationSpend.amount).where(ReservationSpend.reservation_id == res.id)
    )
    refunded = await session.scalar(
        select(func.coalesce(func.sum(Refund.amount), 0)).where(
            Refund.reservation_id == res.id, Refund.status.in_(LIVE_REFUND)
        )
    )
    return Facts(res.status, res.quoted_minimum, res.party_size, spend, int(refunded or 0))


async def rule_for(session: AsyncSession, res: Reservation, host_id: uuid.UUID) -> dict[str, Any]:
    """The rule of the host's first line on this reservation, else the best rule now."""
    first = await session.scalar(
        select(CommissionEntry.rule)
        .where(CommissionEntry.reservation_id == res.id, CommissionEntry.host_id == host_id)
        .order_by(CommissionEntry.id)
        .limit(1)
    )
    if first is not None:
        return dict(first)
    host = await session.get(Host, host_id)
    assert host is not None
    rules = await session.scalars(
        select(CommissionRule).where(
            CommissionRule.tenant_id == res.tenant_id,
            CommissionRule.venue_id == res.venue_id,
            CommissionRule.active.is_(True),
        )
    )
    return pick_rule(list(rules), host, await tier_of(session, res))


async def tier_of(session: AsyncSession, res: Reservation) -> str | None:
    """A reservation's tier: its most expensive table's (joined tables may differ)."""
    return (await finance.tiers_of(session, [res])).get(res.id)


# --- dashboard -----------------------------------------------------------------------


def entry_dict(e: CommissionEntry, host_name: str | None = None) -> dict[str, Any]:
    return {
        "id": e.id,
        "host_id": str(e.host_id),
        "host_name": host_name,
        "reservation_id": str(e.reservation_id),
        "date": e.business_date.isoformat(),
        "kind": e.kind,
        "amount": e.amount,
        "currency": e.currency,
        "basis_amount": e.basis_amount,
        "rule": e.rule,
        "event_id": e.event_id,
        "at": e.at.isoformat(),
    }


# Which date a period filters ledger lines by.
POSTED = "posted"  # the venue-local day the line was posted: a booking's accrual the day
# it is made, its settlement the night it closes (what a host and finance call "earned
# this month"; it matches the live feed)
NIGHT = "night"  # the business date of the reservation's night
PERIOD_BASES = (POSTED, NIGHT)


@dataclass(frozen=True)
class Period:
    start: date | None = None
    end: date | None = None  # inclusive
    by: str = POSTED  # one of PERIOD_BASES


def _scoped(
    query: _S,
    venue: Venue,
    period: Period,
    host_id: uuid.UUID | None,
    reservation_id: uuid.UUID | None = None,
) -> _S:
    """Narrow a ledger query to the venue, period, host and reservation."""
    stmt: Any = query.where(  # type: ignore[attr-defined]
        CommissionEntry.tenant_id == venue.tenant_id, CommissionEntry.venue_id == venue.id
    )
    if reservation_id is not None:
        stmt = stmt.where(CommissionEntry.reservation_id == reservation_id)
    if period.by == NIGHT:
        if period.start:
            stmt = stmt.where(CommissionEntry.business_date >= period.start)
        if period.end:
            stmt = stmt.where(CommissionEntry.business_date <= period.end)
    else:  # posted on these venue-local days: from the first midnight to the one after
        if period.start:
            stmt = stmt.where(
                CommissionEntry.at >= local_to_utc(period.start, time(0), venue.timezone)
            )
        if period.end:
            after = period.end + timedelta(days=1)
            stmt = stmt.where(CommissionEntry.at < local_to_utc(after, time(0), venue.timezone))
    if host_id is not None:
        stmt = stmt.where(CommissionEntry.host_id == host_id)
    return stmt


async def dashboard(
    session: AsyncSession,
    venue: Venue,
    period: Period,
    host_id: uuid.UUID | None = None,
    *,
    reservation_id: uuid.UUID | None = None,
    limit: int = 200,
) -> dict[str, Any]:
    """Totals by host and kind for the period, and its latest lines."""
    sums = await session.execute(
        _scoped(
            select(
                CommissionEntry.host_id,
                Host.name,
                CommissionEntry.kind,
                func.sum(CommissionEntry.amount),
                func.count(func.distinct(CommissionEntry.reservation_id)),
            ).join(Host, Host.id == CommissionEntry.host_id),
            venue,
            period,
            host_id,
            reservation_id,
        ).group_by(CommissionEntry.host_id, Host.name, CommissionEntry.kind)
    )
    hosts: dict[uuid.UUID, dict[str, Any]] = {}
    totals = _zero()
    for hid, name, kind, amount, _n in sums:
        h = hosts.setdefault(hid, {"host_id": str(hid), "host_name": name, **_zero()})
        for bucket in (h, totals):
            bucket["by_kind"][kind] = bucket["by_kind"].get(kind, 0) + int(amount or 0)
            bucket["net"] += int(amount or 0)
    counts = await session.execute(
        _scoped(
            select(
                CommissionEntry.host_id, func.count(func.distinct(CommissionEntry.reservation_id))
            ),
            venue,
            period,
            host_id,
            reservation_id,
        ).group_by(CommissionEntry.host_id)
    )
    for hid, n in counts:
        hosts[hid]["reservations"] = int(n)
        totals["reservations"] += int(n)
    rows = await session.execute(
        _scoped(
            select(CommissionEntry, Host.name).join(Host, Host.id == CommissionEntry.host_id),
            venue,
            period,
            host_id,
            reservation_id,
        )
        .order_by(CommissionEntry.id.desc())
        .limit(limit)
    )
    return {
        "currency": venue.currency,
        "from": period.start.isoformat() if period.start else None,
        "to": period.end.isoformat() if period.end else None,
        "by": period.by,
        "totals": totals,
        "hosts": sorted(hosts.values(), key=lambda h: -h["net"]),
        "entries": [entry_dict(e, name) for e, name in rows],
    }


async def feed(
    session: AsyncSession, tenant_id: uuid.UUID, host_id: uuid.UUID | None, limit: int = 50
) -> dict[str, Any]:
    """The live feed's snapshot: the latest lines of the tenant, or of one host."""
    stmt = (
        select(CommissionEntry, Host.name)
        .join(Host, Host.id == CommissionEntry.host_id)
        .where(CommissionEntry.tenant_id == tenant_id)
    )
    if host_id is not None:
        stmt = stmt.where(CommissionEntry.host_id == host_id)
    rows = await session.execute(stmt.order_by(CommissionEntry.id.desc()).limit(limit))
    return {
        "host_id": str(host_id) if host_id else None,
        "entries": [entry_dict(e, name) for e, name in rows],
    }


def _zero() -> dict[str, Any]:
    return {"net": 0, "reservations": 0, "by_kind": {}}


CSV_COLUMNS = (
    "id",
    "at",
    "date",
    "host_id",
    "host_name",
    "reservation_id",
    "kind",
    "amount",
    "currency",
    "basis_amount",
    "basis",
    "rate",
    "event_id",
)


async def csv_export(
    session: AsyncSession, venue: Venue, period: Period, host_id: uuid.UUID | None = None
) -> str:
    """Every line of the period, oldest first (amounts in minor units)."""
    rows = await session.execute(
        _scoped(
            select(CommissionEntry, Host.name).join(Host, Host.id == CommissionEntry.host_id),
            venue,
            period,
            host_id,
        ).order_by(CommissionEntry.id)
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for e, name in rows:
        d = entry_dict(e, name)
        writer.writerow(
            [
                d["id"],
                d["at"],
                d["date"],
                d["host_id"],
                _cell(name),
                d["reservation_id"],
                d["kind"],
                d["amount"],
                d["currency"],
                d["basis_amount"],
                e.rule.get("basis"),
                e.rule.get("value"),
                d["event_id"],
            ]
        )
    return out.getvalue()


def _cell(text: str | None) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: defuse them."""
    text = text or ""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _audit(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    action: str,
    entity_id: uuid.UUID,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    now: datetime,
) -> None:
    record(
        session,
        tenant_id=tenant_id,
        actor=str(actor),
        action=action,
        entity="commission_rule",
        entity_id=entity_id,
        before=before,
        after=after,
        at=now,
    )


# --- the loop (``maitre worker`` and ``maitre serve``) -------------------------------


class CommissionLoop:
    """Consume the outbox into the ledger; the new lines reach live dashboards the way
    every change does: an outbox event (``commissions.posted`` on the tenant's
    ``commissions:`` channel) written in the same transaction, published by the relay
    after the commit (realtime/relay.py), streamed by the hub. A rolled-back pass posts
    nothing and announces nothing. Any number of loops may run: the consumption rows
    make each event theirs once.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Callable[[], datetime],
        *,
        on_commit: Callable[[], None] | None = None,
        interval: float = 1.0,
        batch: int = 200,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._on_commit = on_commit  # the in-process relay's wake: publish now, not next tick
        self._interval = interval
        self._batch = batch
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run_forever(self) -> None:
        while True:
            self._wake.clear()
            try:
                while await self.run_once():
                    pass
            except Exception:
                log.exception("commission pass failed; will retry")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval)

    async def run_once(self) -> int:
        """One batch: returns how many events it consumed."""
        async with self._sessions() as session, session.begin():
            seen, written = await consume_once(session, self._clock(), self._batch)
        if written and self._on_commit is not None:
            self._on_commit()
        return seen
