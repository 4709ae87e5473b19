"""Answers to rows: the venue, its rules and refund policy, then its tables and nights or
its services, resources and staff. Nothing here needs a deploy; everything is editable
afterwards. Audited as the actor who ran it."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from venue.appointments import setup as appt_setup
from venue.core.actor import Actor
from venue.core.clock import to_local
from venue.core.errors import Conflict
from venue.dining import nights as dining_nights
from venue.dining import rules as dining_rules
from venue.journal.audit import record
from venue.models import (
    Area,
    DepositRuleRow,
    FloorPlan,
    RefundRule,
    Tenant,
    TierPriceRow,
    Venue,
    VenueRules,
    VenueTable,
)
from venue.setup.nights import SittingSpec, create_night

from .answers import Answers


class SlugTaken(Conflict):
    code = "slug_taken"


async def create_venue(
    session: AsyncSession,
    answers: Answers,
    actor: Actor,
    now: datetime,
    *,
    tenant_id: uuid.UUID | None = None,
) -> Venue:
    """A new venue (in a new tenant unless one is given) set up from ``answers``."""
    if await session.scalar(select(Venue.id).where(Venue.slug == answers.slug)):
        raise SlugTaken(f"a venue called '{answers.slug}' exists already; choose another slug")
    if tenant_id is None:
        tenant = Tenant(name=answers.name, slug=f"{answers.slug}-{uuid.uuid4().hex[:6]}")
        session.add(tenant)
        await session.flush()
        tenant_id = tenant.id
    venue = Venue(
        tenant_id=tenant_id,
        slug=answers.slug,
        name=answers.name,
        timezone=answers.timezone,
        currency=answers.currency,
        country=answers.country,
        phone=answers.phone,
        email=answers.email,
        mode=answers.mode,
        created_at=now,
    )
    session.add(venue)
    await session.flush()
    session.add(VenueRules(tenant_id=tenant_id, venue_id=venue.id, **answers.rules))
    for hours, bp in answers.refunds:
        session.add(
            RefundRule(
                tenant_id=tenant_id, venue_id=venue.id, hours_before_start=hours, refund_bp=bp
            )
        )
    await session.flush()
    record(
        session,
        tenant_id=tenant_id,
        actor=str(actor),
        action="venue.created",
        entity="venue",
        entity_id=venue.id,
        before=None,
        after={"slug": venue.slug, "name": venue.name, "mode": venue.mode},
        at=now,
    )
    if answers.mode == "restaurant":
        await _tables(session, venue, answers)
        await _dining(session, venue, answers, actor, now)
    elif answers.shape == "tables":
        await _tables(session, venue, answers)
        await _nights(session, venue, answers, actor, now)
    else:
        await _appointments(session, venue, answers, actor, now)
    return venue


async def _tables(session: AsyncSession, venue: Venue, answers: Answers) -> None:
    scope = {"tenant_id": venue.tenant_id, "venue_id": venue.id}
    plan = FloorPlan(**scope, name="Main", width=1000, height=120 + 130 * len(answers.tables))
    session.add(plan)
    await session.flush()
    mode, value = answers.deposit
    for row, group in enumerate(answers.tables):
        area = Area(tenant_id=venue.tenant_id, floor_plan_id=plan.id, name=group.tier.title())
        session.add(area)
        await session.flush()
        for i in range(group.count):
            session.add(
                VenueTable(
                    **scope,
                    floor_plan_id=plan.id,
                    area_id=area.id,
                    label=f"{group.tier[0].upper()}{i + 1}",
                    tier=group.tier,
                    min_party=group.seats[0],
                    max_party=group.seats[1],
                    shape="rect" if group.seats[1] > 6 else "round",
                    x=60 + (i % 12) * 75,
                    y=70 + row * 130 + (i // 12) * 65,
                )
            )
        session.add(
            TierPriceRow(
                **scope,
                tier=group.tier,
                base_minimum=group.minimum,
                floor=None,
                ceiling=None,
                position=row,
            )
        )
        session.add(
            DepositRuleRow(
                **scope, tier=group.tier, mode={"fixed": "flat"}.get(mode, mode), value=value
            )
        )
    await session.flush()


async def _nights(
    session: AsyncSession, venue: Venue, answers: Answers, actor: Actor, now: datetime
) -> None:
    today = to_local(now, venue.timezone).date()
    for offset in range(answers.nights_ahead):
        day: date = today + timedelta(days=offset)
        spans = answers.hours.get(day.weekday())
        if not spans:
            continue
        opens, closes = spans[0][0], spans[-1][1]
        sittings = [SittingSpec(n, a, b) for n, a, b in answers.sittings] or None
        await create_night(
            session, venue, day, opens, closes, actor=actor, now=now, sittings=sittings
        )


# A restaurant's turn times by party size (minutes), as the console then edits them.
TURNS = ((1, 90), (3, 105), (5, 120), (7, 150))


def _minus(at: time, minutes: int) -> time:
    return (datetime.combine(date.min, at) - timedelta(minutes=minutes)).time()


async def _dining(
    session: AsyncSession, venue: Venue, answers: Answers, actor: Actor, now: datetime
) -> None:
    """A restaurant's service periods (its sittings, or each opening span, on each open
    weekday), with starts every 15 minutes until a two-party turn before the end and a
    covers limit of four fifths of the seats; then its nights opened from them."""
    seats = sum(group.count * group.seats[1] for group in answers.tables)
    covers = max(1, seats * 4 // 5)
    periods = []
    for weekday, spans in sorted(answers.hours.items()):
        named = answers.sittings or [(f"Service {i + 1}", a, b) for i, (a, b) in enumerate(spans)]
        for name, first, end in named:
            last = _minus(end, TURNS[0][1]) if end > first else first
            periods.append(
                dining_rules.Period(
                    name=name,
                    first_start=first,
                    last_start=max(first, last),
                    covers_limit=covers,
                    weekday=weekday,
                )
            )
    await dining_rules.replace(session, venue, periods, TURNS, actor=str(actor), now=now)
    today = to_local(now, venue.timezone).date()
    for offset in range(answers.nights_ahead):
        day = today + timedelta(days=offset)
        if answers.hours.get(day.weekday()):
            await dining_nights.open_night(session, venue, day, actor=actor, now=now)


async def _appointments(
    session: AsyncSession, venue: Venue, answers: Answers, actor: Actor, now: datetime
) -> None:
    made = {}
    for pos, s in enumerate(answers.services):
        spec = appt_setup.ServiceSpec(
            s.name, s.minutes, s.price, s.deposit, s.before, s.after, s.resource
        )
        made[s.name] = await appt_setup.add_service(session, venue, spec, actor, now, pos)
    for name, kind in answers.resources:
        await appt_setup.add_resource(session, venue, name, kind, actor, now)
    for pos, m in enumerate(answers.staff):
        spec_m = appt_setup.StaffSpec(m.name, m.services, m.hours, m.breaks, m.max_per_day)
        await appt_setup.add_staff(session, venue, spec_m, made, actor, now, pos)
