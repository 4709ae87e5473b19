"""Starting a Stripe Checkout Session for a reservation waiting in ``pending_payment``.

Two steps around the Stripe call, so no database transaction waits on the network:
``prepare`` writes the attempt (its idempotency key ``checkout:<reservation>:<n>``) and
stretches the hold over the session's lifetime, the caller commits and calls Stripe,
then ``record_created`` stores the session's id and URL. A crash or timeout between
the two leaves the attempt ``creating``; the next request repeats the call with the
same key and Stripe answers with the session it already made.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.actor import Actor
from venue.core.errors import Conflict, HoldExpired, InvalidTransition, StaleReservation
from venue.models import CheckoutAttempt, Reservation, Status, Venue
from venue.money import ledger as ledger
from venue.reservations import reschedule
from venue.setup import venues

from .gateway import CheckoutSession

STRIPE_MINIMUM = timedelta(minutes=30)
# Stripe counts its 30 minutes from when it receives the request, not from our clock.
MARGIN = timedelta(minutes=1)
# A guest who pays in the session's last second still finds the table held when the
# webhook lands a moment later.
GRACE = timedelta(minutes=5)
# An open session with less than this left is not handed out again: a new one is made.
REUSE_MIN = timedelta(minutes=5)


class AlreadyPaid(Conflict):
    code = "already_paid"


@dataclass(frozen=True)
class CheckoutPlan:
    attempt_id: uuid.UUID
    idempotency_key: str
    reservation_id: uuid.UUID
    tenant_id: uuid.UUID
    amount: int
    currency: str
    expires_at: datetime
    session_id: str | None = None
    url: str | None = None

    @property
    def ready(self) -> bool:
        return self.url is not None

    @property
    def metadata(self) -> dict[str, str]:
        return {"reservation_id": str(self.reservation_id), "tenant_id": str(self.tenant_id)}


async def prepare(
    session: AsyncSession, venue: Venue, res: Reservation, actor: Actor, now: datetime
) -> CheckoutPlan:
    """The attempt to use: the current open one, or a new one with the hold stretched."""
    if res.status == Status.CONFIRMED and await ledger.payments_of(session, res):
        raise AlreadyPaid("the deposit is already paid")
    if res.status != Status.PENDING_PAYMENT:
        raise InvalidTransition(f"a {res.status} reservation has nothing to pay")
    if res.expires_at is None or res.expires_at <= now:
        raise HoldExpired("the hold has expired; choose the table again")
    latest = await ledger.latest_attempt(session, res)
    reusable = latest is not None and latest.status in ("creating", "open")
    if latest is not None and reusable and latest.expires_at > now + REUSE_MIN:
        return _plan(latest)
    rules = await venues.rules_of(session, venue)
    lifetime = max(STRIPE_MINIMUM, timedelta(minutes=rules.payment_hold_minutes))
    number = latest.attempt + 1 if latest else 1
    attempt = CheckoutAttempt(
        id=uuid.uuid4(),
        tenant_id=res.tenant_id,
        reservation_id=res.id,
        attempt=number,
        idempotency_key=f"checkout:{res.id}:{number}",
        amount=reschedule.amount_due(res),  # a rescheduled booking pays the difference
        currency=res.currency,
        status="creating",
        expires_at=now + lifetime + MARGIN,
        created_at=now,
        updated_at=now,
    )
    session.add(attempt)
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent request made this attempt first
        raise StaleReservation("a payment is being started already; try again") from exc
    await ledger.extend_payment_hold(session, res, attempt.expires_at + GRACE, actor, now)
    return _plan(attempt)


async def record_created(
    session: AsyncSession, plan: CheckoutPlan, created: CheckoutSession, now: datetime
) -> CheckoutPlan:
    await ledger.set_attempt(
        session,
        plan.attempt_id,
        now,
        session_id=created.id,
        url=created.url,
        status="open" if created.status == "open" else created.status,
        expires_at=created.expires_at,
    )
    return CheckoutPlan(
        **{**plan.__dict__, "session_id": created.id, "url": created.url},
    )


def _plan(attempt: CheckoutAttempt) -> CheckoutPlan:
    return CheckoutPlan(
        attempt_id=attempt.id,
        idempotency_key=attempt.idempotency_key,
        reservation_id=attempt.reservation_id,
        tenant_id=attempt.tenant_id,
        amount=attempt.amount,
        currency=attempt.currency,
        expires_at=attempt.expires_at,
        session_id=attempt.session_id,
        url=attempt.url,
    )
