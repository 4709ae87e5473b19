"""Refunds: by the venue's cancellation policy, for late or duplicate payments, and by
staff override. Each is written ``pending`` with its idempotency key in the caller's
transaction; ``issue`` asks Stripe after that commit, outside any transaction, and
records the answer. Asking twice (a retry, a second cancel) reuses the key, so Stripe
refunds once.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import stripe
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from venue.core.actor import SYSTEM, Actor
from venue.core.errors import InvalidRequest, NotFound
from venue.models import Payment, Refund, Reservation, Venue
from venue.money import ledger as ledger
from venue.money.policies import DEFAULT_REFUND_RULES

from . import policy
from .gateway import StripeGateway

log = logging.getLogger("maitre.payments")
PAID = ("confirmed", "reseated")


@dataclass
class CancellationRefund:
    """What the guest is told when they cancel."""

    amount: int
    currency: str
    refund_bp: int
    refund_ids: list[uuid.UUID] = field(default_factory=list)
    status: str = "none"  # none | pending | succeeded | failed

    def view(self) -> dict[str, Any]:
        return {
            "amount": self.amount,
            "currency": self.currency,
            "refund_bp": self.refund_bp,
            "status": self.status,
        }


async def for_cancellation(
    session: AsyncSession, venue: Venue, res: Reservation, actor: Actor, now: datetime
) -> CancellationRefund | None:
    """The policy refund of a cancelled reservation (None if nothing was paid).

    Keyed per payment, so cancelling again returns the refund already decided rather
    than a second one computed at a later time.
    """
    payments = [p for p in await ledger.payments_of(session, res) if p.outcome in PAID]
    if not payments:
        return None
    rules = await ledger.refund_rules(session, venue) or list(DEFAULT_REFUND_RULES)
    paid = sum(p.amount for p in payments)
    out = CancellationRefund(0, payments[0].currency, 0)
    for payment in payments:
        key = f"refund:cancel:{payment.id}"
        refund = await ledger.refund_by_key(session, key)
        if refund is None:
            decision = policy.decide(rules, payment.amount, res.starts_at, now, venue.timezone)
            left = payment.amount - await ledger.refunded_total(session, payment)
            amount = min(decision.amount, left)
            if amount <= 0:
                continue
            refund = await ledger.add_refund(
                session,
                payment,
                amount=amount,
                reason="policy",
                key=key,
                actor=actor,
                now=now,
                note=f"{decision.refund_bp / 100:g}% by the cancellation policy",
            )
        out.amount += refund.amount
        out.refund_ids.append(refund.id)
        out.status = refund.status
    out.refund_bp = out.amount * 10000 // paid if paid else 0
    return out


async def for_reschedule(
    session: AsyncSession,
    venue: Venue,
    res: Reservation,
    difference: int,
    starts_before: datetime,
    actor: Actor,
    now: datetime,
    *,
    dry_run: bool = False,
) -> CancellationRefund | None:
    """The policy refund of a deposit lowered by a reschedule: the policy's share of the
    ``difference``, counted from the booking as it was (``starts_before``), taken from
    what is left of the payments (None if nothing was paid). Keyed per payment and per
    reservation version, so a retry returns the refund already decided. ``dry_run``
    only computes it (the price shown before the guest confirms)."""
    payments = [p for p in await ledger.payments_of(session, res) if p.outcome in PAID]
    if difference <= 0 or not payments:
        return None
    rules = await ledger.refund_rules(session, venue) or list(DEFAULT_REFUND_RULES)
    decision = policy.decide(rules, difference, starts_before, now, venue.timezone)
    out = CancellationRefund(0, payments[0].currency, decision.refund_bp)
    wanted = decision.amount
    for payment in payments:
        left = payment.amount - await ledger.refunded_total(session, payment)
        amount = min(wanted - out.amount, left)
        if amount <= 0:
            continue
        if dry_run:
            out.amount += amount
            continue
        key = f"refund:reschedule:{res.id}:{res.version}:{payment.id}"
        refund = await ledger.refund_by_key(session, key) or await ledger.add_refund(
            session,
            payment,
            amount=amount,
            reason="reschedule",
            key=key,
            actor=actor,
            now=now,
            note=f"{decision.refund_bp / 100:g}% of the lower deposit, by the cancellation policy",
        )
        out.amount += refund.amount
        out.refund_ids.append(refund.id)
        out.status = refund.status
    return out


async def full(
    session: AsyncSession, payment: Payment, reason: str, actor: Actor, now: datetime
) -> Refund | None:
    """Give a whole payment back (late, duplicate, or its reservation is gone)."""
    key = f"refund:{reason}:{payment.id}"
    found = await ledger.refund_by_key(session, key)
    if found is not None:
        return found
    left = payment.amount - await ledger.refunded_total(session, payment)
    if left <= 0:
        return None
    return await ledger.add_refund(
        session, payment, amount=left, reason=reason, key=key, actor=actor, now=now
    )


# How far back the sweeper looks for lapsed bookings that still hold money (it runs every
# few seconds; a day covers any outage short of one).
LAPSED_LOOKBACK = timedelta(days=1)


async def for_lapsed(session: AsyncSession, now: datetime) -> int:
    """Give back, in full, the deposits of bookings that expired holding them: a guest who
    moved to a table with a higher deposit and never paid the top-up loses the new table,
    not the money already paid (the old table went back on sale with the move). The
    refunds are recorded here, in the sweeper's transaction, and sent to Stripe by the
    payments follow-up job; a refund's key makes a second pass a no-op. Returns how many
    payments were looked at."""
    payments = await ledger.kept_on_lapsed(session, now - LAPSED_LOOKBACK, PAID)
    for payment in payments:
        await full(session, payment, "lapsed", SYSTEM, now)
    return len(payments)


async def by_staff(
    session: AsyncSession,
    res: Reservation,
    amount: int,
    note: str,
    actor: Actor,
    now: datetime,
    request_key: str,
) -> list[Refund]:
    """A manager's refund of any amount up to what is left, with their reason (audited)."""
    payments = await ledger.payments_of(session, res)
    if not payments:
        raise NotFound("nothing was paid for this reservation")
    lefts = [(p, p.amount - await ledger.refunded_total(session, p)) for p in payments]
    available = sum(left for _, left in lefts)
    if amount > available:
        raise InvalidRequest("amount", f"at most {available} can still be refunded")
    made: list[Refund] = []
    for payment, left in lefts:
        if amount <= 0:
            break
        key = f"refund:staff:{request_key}:{payment.id}"
        refund = await ledger.refund_by_key(session, key)
        if refund is None and left > 0:
            refund = await ledger.add_refund(
                session,
                payment,
                amount=min(amount, left),
                reason="staff_override",
                key=key,
                actor=actor,
                now=now,
                note=note,
            )
        if refund is not None:
            made.append(refund)
            amount -= refund.amount
    return made


async def issue(
    sessions: async_sessionmaker[AsyncSession],
    gateway: StripeGateway,
    refund_ids: list[uuid.UUID],
    now: datetime,
) -> None:
    """Ask Stripe for each pending refund (outside any transaction) and record the answer.

    A network failure leaves the row pending for the retry job; Stripe refusing the
    request (nothing left to refund, unknown payment) marks it failed.
    """
    for refund_id in refund_ids:
        async with sessions() as session:
            refund = await session.get(Refund, refund_id)
            payment = await session.get(Payment, refund.payment_id) if refund else None
            if refund is None or payment is None or refund.status != "pending":
                continue
            if payment.payment_intent_id is None:
                log.error("refund %s: payment %s has no payment intent", refund_id, payment.id)
                continue
            intent, amount, key = payment.payment_intent_id, refund.amount, refund.idempotency_key
            metadata = {
                "maitre_refund_id": str(refund.id),
                "reservation_id": str(refund.reservation_id),
            }
        try:
            result = await gateway.refund(
                payment_intent=intent, amount=amount, metadata=metadata, idempotency_key=key
            )
        except stripe.InvalidRequestError as exc:
            log.error("Stripe refused refund %s: %s", refund_id, exc.user_message)
            async with sessions() as session, session.begin():
                await ledger.update_refund(session, refund_id, now, status="failed")
            continue
        except stripe.StripeError:
            log.exception("refund %s not issued yet; the retry job will try again", refund_id)
            continue
        async with sessions() as session, session.begin():
            await ledger.accept_refund(session, refund_id, result.status, result.id, now)
