"""Stripe webhooks: verify, keep in the inbox, apply exactly once, in any order.

``receive`` verifies ``Stripe-Signature`` over the raw bytes (nothing is stored for a
bad one), inserts the event by id (a redelivery inserts nothing), then applies it in a
transaction that first claims the inbox row: of two concurrent deliveries one applies,
the other finds the row processed. Each handler reads the reservation's current state
and only moves it forward, so order does not matter: an ``expired`` after a
``completed`` finds a confirmed reservation and leaves it alone; a ``completed`` after
its hold lapsed re-seats the guest if the tables are still free, or refunds them.
Stripe calls that follow (refunds, expiring superseded sessions) happen after commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import stripe
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from venue.core.actor import Actor
from venue.core.errors import StaleReservation
from venue.models import Refund, Reservation, Status
from venue.money import ledger as ledger
from venue.reservations import booking

from . import refunds
from .gateway import StripeGateway

log = logging.getLogger("maitre.payments")
STRIPE = Actor("system", "stripe")
APPLY_ATTEMPTS = 4


@dataclass
class Followup:
    """Stripe calls to make once the transaction that decided them has committed."""

    refunds: list[uuid.UUID] = field(default_factory=list)
    expire_sessions: list[str] = field(default_factory=list)


async def receive(
    sessions: async_sessionmaker[AsyncSession],
    gateway: StripeGateway,
    payload: bytes,
    signature: str | None,
    now: datetime,
) -> str:
    """Verify (raises ``BadSignature``), store and apply one delivery; the event id."""
    event = gateway.verify(payload, signature)
    async with sessions() as session, session.begin():
        await ledger.store_event(session, event, now)
    followup = await apply(sessions, event["id"], now)
    await run_followup(sessions, gateway, followup, now)
    return str(event["id"])


async def apply(
    sessions: async_sessionmaker[AsyncSession], event_id: str, now: datetime
) -> Followup:
    """Apply a stored event unless it already was (a reservation changed under us: again)."""
    for _ in range(APPLY_ATTEMPTS):
        followup = Followup()
        try:
            async with sessions() as session, session.begin():
                row = await ledger.claim_event(session, event_id, now)
                if row is not None:
                    await dispatch(session, row.payload, now, followup)
            return followup
        except StaleReservation:
            continue
        except Exception as exc:
            async with sessions() as session, session.begin():
                await ledger.note_failure(session, event_id, repr(exc))
            raise
    raise StaleReservation("the reservation kept changing; Stripe will deliver again")


async def run_followup(
    sessions: async_sessionmaker[AsyncSession],
    gateway: StripeGateway,
    followup: Followup,
    now: datetime,
) -> None:
    await refunds.issue(sessions, gateway, followup.refunds, now)
    for session_id in followup.expire_sessions:
        try:
            await gateway.expire_checkout(session_id)
        except stripe.StripeError as exc:  # already complete or expired: nothing to do
            log.info("could not expire checkout session %s: %s", session_id, exc)


async def dispatch(
    session: AsyncSession, event: dict[str, Any], now: datetime, followup: Followup
) -> None:
    kind = event.get("type")
    obj = event.get("data", {}).get("object", {})
    if kind == "checkout.session.completed":
        if obj.get("payment_status") in ("paid", "no_payment_required"):
            await _paid(session, obj, now, followup)
        else:  # an async method (bank debit): wait for async_payment_succeeded/failed
            await ledger.set_session_status(session, obj["id"], "processing", now)
    elif kind == "checkout.session.async_payment_succeeded":
        await _paid(session, obj, now, followup)
    elif kind in ("checkout.session.expired", "checkout.session.async_payment_failed"):
        status = "expired" if kind.endswith("expired") else "failed"
        await _lapsed(session, obj, status, now)
    elif kind == "charge.refunded":
        await _refunded(session, obj, now)


async def _reservation(session: AsyncSession, obj: dict[str, Any]) -> Reservation | None:
    meta = obj.get("metadata") or {}
    try:
        tenant_id, res_id = uuid.UUID(meta["tenant_id"]), uuid.UUID(meta["reservation_id"])
    except (KeyError, TypeError, ValueError):
        log.warning("Stripe object %s carries no reservation of ours", obj.get("id"))
        return None
    return await ledger.reservation_for(session, tenant_id, res_id)


async def _paid(
    session: AsyncSession, obj: dict[str, Any], now: datetime, followup: Followup
) -> None:
    sid = obj["id"]
    if await ledger.payment_by_session(session, sid) is not None:
        return  # the same money reported twice (completed, then async_payment_succeeded)
    res = await _reservation(session, obj)
    if res is None:
        return
    await ledger.set_session_status(session, sid, "complete", now)
    money = {
        "session_id": sid,
        "intent_id": obj.get("payment_intent"),
        "amount": int(obj.get("amount_total") or 0),
        "currency": str(obj.get("currency") or res.currency),
        "actor": STRIPE,
        "now": now,
    }
    live = res.expires_at is not None and res.expires_at > now
    if res.status == Status.PENDING_PAYMENT and live:
        await booking.transition(session, res, Status.CONFIRMED, STRIPE, now)
        await ledger.add_payment(session, res, outcome="confirmed", **money)
        others = await ledger.open_attempts(session, res)
        followup.expire_sessions += [a.session_id for a in others if a.session_id]
        return
    if res.status in (Status.PENDING_PAYMENT, Status.EXPIRED):
        seated = await ledger.reseat(session, res, STRIPE, now)
        outcome = "reseated" if seated else "refunded"
        payment = await ledger.add_payment(session, res, outcome=outcome, **money)
        if not seated:
            await _refund_all(session, payment, "late_payment", followup, now)
        ledger.late_payment_notice(session, res, payment, outcome, STRIPE, now)
        return
    # Paid twice, or the guest cancelled while paying: the money goes back.
    payment = await ledger.add_payment(session, res, outcome="refunded", **money)
    reason = "duplicate_payment" if res.status != Status.CANCELLED else "cancelled_meanwhile"
    await _refund_all(session, payment, reason, followup, now)


async def _refund_all(
    session: AsyncSession, payment: Any, reason: str, followup: Followup, now: datetime
) -> None:
    refund = await refunds.full(session, payment, reason, STRIPE, now)
    if refund is not None:
        followup.refunds.append(refund.id)


async def _lapsed(session: AsyncSession, obj: dict[str, Any], status: str, now: datetime) -> None:
    """The session expired or its payment failed: release the table unless another
    attempt is still open or the money is in."""
    await ledger.set_session_status(session, obj["id"], status, now)
    res = await _reservation(session, obj)
    if res is None or res.status != Status.PENDING_PAYMENT:
        return
    if await ledger.open_attempts(session, res) or await ledger.payments_of(session, res):
        return
    await booking.transition(session, res, Status.EXPIRED, STRIPE, now)


async def _refunded(session: AsyncSession, charge: dict[str, Any], now: datetime) -> None:
    """Record refunds Stripe reports, ours (matched by metadata) and any made elsewhere."""
    intent = charge.get("payment_intent")
    payment = await ledger.payment_by_intent(session, intent) if intent else None
    if payment is None:
        return
    for item in (charge.get("refunds") or {}).get("data") or []:
        found = await ledger.refund_by_stripe_id(session, item["id"])
        ours = (item.get("metadata") or {}).get("maitre_refund_id")
        if found is None and ours:
            with contextlib.suppress(ValueError):
                found = await session.get(Refund, uuid.UUID(ours))
        if found is not None:
            await ledger.accept_refund(session, found.id, item["status"], item["id"], now)
        else:
            await ledger.add_refund(
                session,
                payment,
                amount=int(item["amount"]),
                reason="external",
                key=f"stripe:{item['id']}",
                actor=STRIPE,
                now=now,
                status=item["status"],
                stripe_refund_id=item["id"],
            )
    gap = int(charge.get("amount_refunded") or 0) - await ledger.refunded_total(session, payment)
    if gap > 0:  # refunded in the dashboard, and the event did not list it
        await ledger.add_refund(
            session,
            payment,
            amount=gap,
            reason="external",
            key=f"stripe:{charge.get('id')}:{charge.get('amount_refunded')}",
            actor=STRIPE,
            now=now,
            status="succeeded",
        )


async def retry_pending(
    sessions: async_sessionmaker[AsyncSession], gateway: StripeGateway, now: datetime
) -> None:
    """The retry job: events that failed to apply and refunds Stripe has not accepted."""
    async with sessions() as session:
        events = await ledger.unprocessed_events(session)
        pending = await ledger.pending_refunds(session)
    for event_id in events:
        try:
            await run_followup(sessions, gateway, await apply(sessions, event_id, now), now)
        except Exception:
            log.exception("event %s still fails to apply", event_id)
    await refunds.issue(sessions, gateway, pending, now)


async def retry_forever(
    sessions: async_sessionmaker[AsyncSession],
    gateway: StripeGateway,
    clock: Callable[[], datetime],
    interval: float = 60.0,
) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            await retry_pending(sessions, gateway, clock())
        except Exception:
            log.exception("payments retry pass failed; trying again")
