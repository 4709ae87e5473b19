"""The SQL of deposits: checkout attempts, payments, refunds, refund rules, webhook inbox,
and re-seating a reservation whose payment arrived after its hold lapsed.

Services flush, never commit. Payments and refunds are journalled like every other
write (audit entry; outbox event for what staff or the floor must hear about).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.actor import Actor
from venue.core.channels import night_channel
from venue.core.errors import StaleReservation, TableUnavailable
from venue.floor import availability, claim
from venue.journal.audit import record
from venue.models import (
    CheckoutAttempt,
    Payment,
    Refund,
    RefundRule,
    Reservation,
    Status,
    StripeEvent,
    Venue,
)
from venue.reservations import booking
from venue.setup import venues

LIVE_REFUND = ("pending", "succeeded", "requires_action")


# Checkout attempts -------------------------------------------------------------------


async def latest_attempt(session: AsyncSession, res: Reservation) -> CheckoutAttempt | None:
    return await session.scalar(
        select(CheckoutAttempt)
        .where(
            CheckoutAttempt.tenant_id == res.tenant_id,
            CheckoutAttempt.reservation_id == res.id,
        )
        .order_by(CheckoutAttempt.attempt.desc())
        .limit(1)
    )


async def open_attempts(session: AsyncSession, res: Reservation) -> list[CheckoutAttempt]:
    rows = await session.scalars(
        select(CheckoutAttempt).where(
            CheckoutAttempt.tenant_id == res.tenant_id,
            CheckoutAttempt.reservation_id == res.id,
            CheckoutAttempt.status.in_(["creating", "open"]),
        )
    )
    return list(rows)


async def set_attempt(
    session: AsyncSession, attempt_id: uuid.UUID, now: datetime, **values: Any
) -> None:
    await session.execute(
        update(CheckoutAttempt)
        .where(CheckoutAttempt.id == attempt_id)
        .values(updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )


async def set_session_status(
    session: AsyncSession, session_id: str, status: str, now: datetime
) -> None:
    await session.execute(
        update(CheckoutAttempt)
        .where(CheckoutAttempt.session_id == session_id)
        .values(status=status, updated_at=now)
        .execution_options(synchronize_session=False)
    )


async def extend_payment_hold(
    session: AsyncSession, res: Reservation, until: datetime, actor: Actor, now: datetime
) -> None:
    """Keep a pending payment's tables at least until ``until`` (under its version)."""
    if res.expires_at is not None and res.expires_at >= until:
        return
    before = booking.snapshot(res)
    await booking.write_versioned(
        session,
        res,
        {"expires_at": until, "updated_at": now},
        Reservation.status == Status.PENDING_PAYMENT.value,
    )
    record(
        session,
        tenant_id=res.tenant_id,
        actor=str(actor),
        action="reservation.hold_extended",
        entity="reservation",
        entity_id=res.id,
        before=before,
        after=booking.snapshot(res),
        at=now,
    )


# Webhook inbox -----------------------------------------------------------------------


async def store_event(session: AsyncSession, event: dict[str, Any], now: datetime) -> bool:
    """Keep a verified event by its id; False if it was already there (a redelivery)."""
    values = {
        "id": event["id"],
        "type": str(event.get("type", ""))[:80],
        "payload": event,
        "received_at": now,
        "attempts": 0,
    }
    dialect = session.get_bind().dialect.name
    stmt: Any
    if dialect == "postgresql":
        stmt = postgresql.insert(StripeEvent).values(**values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        stmt = sqlite.insert(StripeEvent).values(**values).on_conflict_do_nothing()
    else:  # pragma: no cover - only the two supported backends
        stmt = insert(StripeEvent).values(**values)
    result = await session.execute(stmt)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def claim_event(session: AsyncSession, event_id: str, now: datetime) -> StripeEvent | None:
    """Mark the event processed in the transaction that applies it.

    Of two concurrent claims the second waits for the first's row lock and then finds
    ``processed_at`` set (zero rows): it does nothing. A rolled-back attempt leaves the
    event unprocessed for the next delivery.
    """
    result = await session.execute(
        update(StripeEvent)
        .where(StripeEvent.id == event_id, StripeEvent.processed_at.is_(None))
        .values(processed_at=now, attempts=StripeEvent.attempts + 1, last_error=None)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return await session.get(StripeEvent, event_id, populate_existing=True)


async def note_failure(session: AsyncSession, event_id: str, error: str) -> None:
    await session.execute(
        update(StripeEvent)
        .where(StripeEvent.id == event_id, StripeEvent.processed_at.is_(None))
        .values(attempts=StripeEvent.attempts + 1, last_error=error[:2000])
    )


async def unprocessed_events(session: AsyncSession, limit: int = 50) -> list[str]:
    rows = await session.scalars(
        select(StripeEvent.id)
        .where(StripeEvent.processed_at.is_(None))
        .order_by(StripeEvent.received_at)
        .limit(limit)
    )
    return list(rows)


# Payments and refunds ----------------------------------------------------------------


async def reservation_for(
    session: AsyncSession, tenant_id: uuid.UUID, reservation_id: uuid.UUID
) -> Reservation | None:
    return await session.scalar(
        select(Reservation)
        .where(Reservation.tenant_id == tenant_id, Reservation.id == reservation_id)
        .execution_options(populate_existing=True)
    )


async def payment_by_session(session: AsyncSession, session_id: str) -> Payment | None:
    return await session.scalar(select(Payment).where(Payment.checkout_session_id == session_id))


async def payment_by_intent(session: AsyncSession, intent_id: str) -> Payment | None:
    return await session.scalar(select(Payment).where(Payment.payment_intent_id == intent_id))


async def payments_of(session: AsyncSession, res: Reservation) -> list[Payment]:
    rows = await session.scalars(
        select(Payment)
        .where(Payment.tenant_id == res.tenant_id, Payment.reservation_id == res.id)
        .order_by(Payment.created_at)
    )
    return list(rows)


async def add_payment(
    session: AsyncSession,
    res: Reservation,
    *,
    session_id: str,
    intent_id: str | None,
    amount: int,
    currency: str,
    outcome: str,
    actor: Actor,
    now: datetime,
) -> Payment:
    payment = Payment(
        id=uuid.uuid4(),
        tenant_id=res.tenant_id,
        reservation_id=res.id,
        checkout_session_id=session_id,
        payment_intent_id=intent_id,
        amount=amount,
        currency=currency.upper(),
        outcome=outcome,
        created_at=now,
    )
    session.add(payment)
    await session.flush()
    after = {
        "reservation_id": str(res.id),
        "amount": amount,
        "currency": payment.currency,
        "checkout_session_id": session_id,
        "outcome": outcome,
    }
    record(
        session,
        tenant_id=res.tenant_id,
        actor=str(actor),
        action="payment.received",
        entity="payment",
        entity_id=payment.id,
        before=None,
        after=after,
        at=now,
        topic="payment.received",
        payload=after,
    )
    return payment


async def refunds_of(session: AsyncSession, payment: Payment) -> list[Refund]:
    rows = await session.scalars(
        select(Refund)
        .where(Refund.tenant_id == payment.tenant_id, Refund.payment_id == payment.id)
        .order_by(Refund.created_at)
        .execution_options(populate_existing=True)
    )
    return list(rows)


async def refunded_total(session: AsyncSession, payment: Payment) -> int:
    total = await session.scalar(
        select(func.coalesce(func.sum(Refund.amount), 0)).where(
            Refund.payment_id == payment.id, Refund.status.in_(LIVE_REFUND)
        )
    )
    return int(total or 0)


async def refund_statuses(session: AsyncSession, refund_ids: list[uuid.UUID]) -> list[str]:
    """The refunds' statuses as stored now (read again: another session stored them)."""
    rows = [await session.get(Refund, i, populate_existing=True) for i in refund_ids]
    return [r.status for r in rows if r is not None]


async def refund_by_key(session: AsyncSession, key: str) -> Refund | None:
    return await session.scalar(select(Refund).where(Refund.idempotency_key == key))


async def refund_by_stripe_id(session: AsyncSession, stripe_id: str) -> Refund | None:
    return await session.scalar(select(Refund).where(Refund.stripe_refund_id == stripe_id))


async def add_refund(
    session: AsyncSession,
    payment: Payment,
    *,
    amount: int,
    reason: str,
    key: str,
    actor: Actor,
    now: datetime,
    note: str | None = None,
    status: str = "pending",
    stripe_refund_id: str | None = None,
) -> Refund:
    refund = Refund(
        id=uuid.uuid4(),
        tenant_id=payment.tenant_id,
        payment_id=payment.id,
        reservation_id=payment.reservation_id,
        amount=amount,
        currency=payment.currency,
        reason=reason,
        note=note,
        status=status,
        stripe_refund_id=stripe_refund_id,
        idempotency_key=key,
        actor=str(actor),
        created_at=now,
        updated_at=now,
    )
    session.add(refund)
    await session.flush()
    record(
        session,
        tenant_id=payment.tenant_id,
        actor=str(actor),
        action=f"refund.{reason}",
        entity="refund",
        entity_id=refund.id,
        before=None,
        after=refund_view(refund),
        at=now,
    )
    if stripe_refund_id is not None:
        _refund_accepted(session, refund, now)
    return refund


async def update_refund(
    session: AsyncSession, refund_id: uuid.UUID, now: datetime, **values: Any
) -> None:
    await session.execute(
        update(Refund)
        .where(Refund.id == refund_id)
        .values(updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )


async def accept_refund(
    session: AsyncSession, refund_id: uuid.UUID, status: str, stripe_refund_id: str, now: datetime
) -> None:
    """Stripe took the refund: attach its id and status. The first time, tell the guest
    (outbox ``payment.refunded``); a repeat only refreshes the status."""
    result = await session.execute(
        update(Refund)
        .where(Refund.id == refund_id, Refund.stripe_refund_id.is_(None))
        .values(status=status, stripe_refund_id=stripe_refund_id, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        await update_refund(session, refund_id, now, status=status)
        return
    refund = await session.get(Refund, refund_id, populate_existing=True)
    assert refund is not None
    _refund_accepted(session, refund, now)


def _refund_accepted(session: AsyncSession, refund: Refund, now: datetime) -> None:
    payload = refund_view(refund)
    record(
        session,
        tenant_id=refund.tenant_id,
        actor="system:stripe",
        action="refund.accepted",
        entity="refund",
        entity_id=refund.id,
        before=None,
        after=payload,
        at=now,
        topic="payment.refunded",
        payload=payload,
    )


async def kept_on_lapsed(
    session: AsyncSession, since: datetime, kept: tuple[str, ...], limit: int = 200
) -> list[Payment]:
    """Payments still counted as kept (``kept`` outcomes) on reservations that expired
    since ``since`` (a system job over every tenant). Only a booking that was paid and then
    waited for more can expire holding money: a reschedule whose top-up never came."""
    rows = await session.scalars(
        select(Payment)
        .join(Reservation, Reservation.id == Payment.reservation_id)
        .where(
            Reservation.status == Status.EXPIRED.value,
            Reservation.updated_at >= since,
            Payment.outcome.in_(kept),
        )
        .order_by(Payment.created_at)
        .limit(limit)
    )
    return list(rows)


async def pending_refunds(session: AsyncSession, limit: int = 50) -> list[uuid.UUID]:
    rows = await session.scalars(
        select(Refund.id).where(Refund.status == "pending").order_by(Refund.created_at).limit(limit)
    )
    return list(rows)


def refund_view(refund: Refund) -> dict[str, Any]:
    return {
        "id": str(refund.id),
        "reservation_id": str(refund.reservation_id),
        "payment_id": str(refund.payment_id),
        "amount": refund.amount,
        "currency": refund.currency,
        "reason": refund.reason,
        "note": refund.note,
        "status": refund.status,
        "stripe_refund_id": refund.stripe_refund_id,
        "actor": refund.actor,
    }


# Refund rules ------------------------------------------------------------------------


async def refund_rules(session: AsyncSession, venue: Venue) -> list[tuple[int, int]] | None:
    """The venue's rules, or None if it has written none (the caller picks a default)."""
    rows = await session.execute(
        select(RefundRule.hours_before_start, RefundRule.refund_bp)
        .where(RefundRule.tenant_id == venue.tenant_id, RefundRule.venue_id == venue.id)
        .order_by(RefundRule.hours_before_start.desc())
    )
    found = [(h, bp) for h, bp in rows]
    return found or None


async def set_refund_rules(
    session: AsyncSession, venue: Venue, rules: list[tuple[int, int]]
) -> None:
    await session.execute(
        delete(RefundRule).where(
            RefundRule.tenant_id == venue.tenant_id, RefundRule.venue_id == venue.id
        )
    )
    session.add_all(
        RefundRule(tenant_id=venue.tenant_id, venue_id=venue.id, hours_before_start=h, refund_bp=b)
        for h, b in rules
    )
    await session.flush()


# Late payments -----------------------------------------------------------------------


async def reseat(session: AsyncSession, res: Reservation, actor: Actor, now: datetime) -> bool:
    """Confirm a reservation whose hold lapsed, if its tables are still free.

    The tables are claimed through ``claim.tables`` like a hold's. Runs in a savepoint,
    so a loss (the tables went to someone else, or the exclusion constraint refuses)
    leaves nothing behind and returns False.
    """
    venue = await session.get(Venue, res.venue_id)
    if venue is None or res.status not in (Status.EXPIRED, Status.PENDING_PAYMENT):
        return False
    try:
        async with session.begin_nested(), claim.refused_as_taken():
            if res.status == Status.PENDING_PAYMENT:  # lapsed but not yet swept
                await booking.transition(session, res, Status.EXPIRED, actor, now)
            await _reclaim(session, venue, res, actor, now)
    except (TableUnavailable, StaleReservation):
        await session.refresh(res)
        return False
    return True


async def _reclaim(
    session: AsyncSession, venue: Venue, res: Reservation, actor: Actor, now: datetime
) -> None:
    night = await venues.night_on_id(session, venue, res.night_id)
    sitting = await venues.sitting_of(session, night, res.sitting_id)
    tables = await booking.tables_of(session, res)
    ids = [t.id for t in tables]

    async def check(_: claim.Versions) -> None:
        state = await availability.night_state(session, venue, night, sitting, tables, now)
        if not all(s.free for s in state.tables):
            raise TableUnavailable("the table went to someone else")

    await claim.tables(session, venue.tenant_id, ids, check)
    # Other lapsed holds on these tables still count for the exclusion constraint.
    await booking.expire_lapsed(session, venue.tenant_id, ids, sitting, actor, now)
    before = booking.snapshot(res)
    await booking.write_versioned(
        session,
        res,
        {"status": Status.CONFIRMED.value, "expires_at": None, "updated_at": now},
        Reservation.status == Status.EXPIRED.value,
    )
    after = booking.snapshot(res)
    record(
        session,
        tenant_id=res.tenant_id,
        actor=str(actor),
        action="reservation.reseated",
        entity="reservation",
        entity_id=res.id,
        before=before,
        after=after,
        at=now,
        topic="reservation.confirmed",
        channel=night_channel(res.night_id),
        payload={**after, "table_ids": [str(t) for t in ids], "reseated": True},
    )


def late_payment_notice(
    session: AsyncSession,
    res: Reservation,
    payment: Payment,
    outcome: str,
    actor: Actor,
    now: datetime,
) -> None:
    """Audit and tell staff (through the outbox) what became of a late payment."""
    after = {
        "reservation_id": str(res.id),
        "payment_id": str(payment.id),
        "amount": payment.amount,
        "currency": payment.currency,
        "outcome": outcome,
        "status": res.status,
    }
    record(
        session,
        tenant_id=res.tenant_id,
        actor=str(actor),
        action="payment.late",
        entity="reservation",
        entity_id=res.id,
        before=None,
        after=after,
        at=now,
        topic="payment.late",
        payload=after,
    )
