"""Property: whatever happens to a host's reservations, in whatever order the consumer
gets to the events, the ledger sums to what the reservations imply."""

from __future__ import annotations

import uuid
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import create_night_for, create_venue
from tests.staff.conftest import SERVICE
from venue.core.actor import SYSTEM
from venue.core.db import session_factory
from venue.hosts import commissions, hosts
from venue.models import CommissionEntry, CommissionRule, Host, Payment, Reservation, Status
from venue.money import ledger
from venue.reservations import booking, operations

from .conftest import NOW, SAT

PATHS = ("confirmed", "cancelled", "no_show", "seated", "completed", "completed_spend",
         "late_spend")  # fmt: skip
rule_st = st.one_of(
    st.none(),
    st.tuples(st.sampled_from(["minimum_pct", "spend_pct"]), st.integers(0, 10000)),
    st.tuples(st.sampled_from(["flat_reservation", "flat_guest"]), st.integers(0, 50000)),
)
plan_st = st.tuples(
    st.sampled_from(PATHS),
    st.integers(0, 400000),  # spend
    st.integers(0, 60000),  # refund (0: none)
    st.booleans(),  # reassign to the other host
    st.booleans(),  # consume before acting
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rule=rule_st, plans=st.lists(plan_st, min_size=1, max_size=4))
async def test_ledger_always_sums_to_what_reservations_imply(
    engine: AsyncEngine,
    rule: tuple[str, int] | None,
    plans: list[tuple[str, int, int, bool, bool]],
) -> None:
    sessions = session_factory(engine)
    async with sessions() as s, s.begin():
        world = await create_venue(s, tables=4)
        await create_night_for(s, world, SAT, now=NOW)
        venue = world.venue
        a = Host(tenant_id=venue.tenant_id, name="A", code="A" + uuid.uuid4().hex[:8])
        b = Host(tenant_id=venue.tenant_id, name="B", code="B" + uuid.uuid4().hex[:8])
        s.add_all([a, b])
        if rule:
            s.add(CommissionRule(tenant_id=venue.tenant_id, venue_id=venue.id, basis=rule[0],
                                 value=rule[1], created_at=NOW))  # fmt: skip
    now = SERVICE  # half an hour before the sitting: the service window is open
    ids = []
    for i, (path, spend, refund, reassign, early) in enumerate(plans):
        now += timedelta(minutes=1)
        async with sessions() as s, s.begin():
            res = await hosts.book_for_client(
                s,
                venue,
                a,
                operations.StaffBooking(
                    SAT, [world.tables[i].id], 2 + i, "host", f"G{i}", f"g{i}@example.com"
                ),
                SYSTEM,
                now,
            )
            ids.append(res.id)
        if early:
            await _consume(engine, now)
        async with sessions() as s, s.begin():
            got_res = await s.get(Reservation, ids[-1])
            assert got_res is not None
            res = got_res
            if reassign:
                await hosts.reassign(s, res, b.id, "correction", SYSTEM, now)
            if refund:
                payment = Payment(tenant_id=venue.tenant_id, reservation_id=res.id,
                                  checkout_session_id=uuid.uuid4().hex, amount=refund,
                                  currency="GBP", outcome="confirmed", created_at=now)  # fmt: skip
                s.add(payment)
                await s.flush()
                await ledger.add_refund(s, payment, amount=refund, reason="staff_override",
                                                 key=uuid.uuid4().hex, actor=SYSTEM, now=now,
                                                 status="succeeded",
                                                 stripe_refund_id=uuid.uuid4().hex)  # fmt: skip
            if path == "cancelled":
                await booking.cancel(s, res, SYSTEM, now, "changed plans")
            elif path == "no_show":
                await booking.transition(s, res, Status.NO_SHOW, SYSTEM, now)
            elif path != "confirmed":
                await booking.transition(s, res, Status.SEATED, SYSTEM, now)
                if path == "completed_spend":
                    await hosts.close(s, venue, res, spend, SYSTEM, now, None)
                elif path in ("completed", "late_spend"):
                    await booking.transition(s, res, Status.COMPLETED, SYSTEM, now)
        if path == "late_spend":
            await _consume(engine, now)
            async with sessions() as s, s.begin():
                late = await s.get(Reservation, ids[-1])
                assert late is not None
                res = late
                await hosts.record_spend(s, res, spend, SYSTEM, now)
    await _consume(engine, now)

    async with sessions() as s:
        for rid in ids:
            final = await s.get(Reservation, rid)
            assert final is not None
            res = final
            facts = await commissions.facts_of(s, res)
            assert res.host_id is not None
            want = commissions.implied(await commissions.rule_for(s, res, res.host_id), facts)
            got = dict(
                (
                    await s.execute(
                        select(CommissionEntry.host_id, func.sum(CommissionEntry.amount))
                        .where(CommissionEntry.reservation_id == rid)
                        .group_by(CommissionEntry.host_id)
                    )
                ).all()
            )
            assert got.get(res.host_id, 0) == want
            assert all(v == 0 for h, v in got.items() if h != res.host_id)


async def _consume(engine: AsyncEngine, now: object) -> None:
    while True:
        async with session_factory(engine)() as s, s.begin():
            seen, _ = await commissions.consume_once(s, now, 500)  # type: ignore[arg-type]
        if not seen:
            return
