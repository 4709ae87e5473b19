"""Deposit routes: start a Checkout Session, the Stripe webhook, staff refunds, and the
TEST MODE checkout page that stands in for Stripe when no keys are configured.

The test page sends its events through ``payments.webhooks.receive``, signed with the
webhook secret: the same verification and processing as Stripe's own deliveries.
"""

from __future__ import annotations

import html
import json
import uuid
from datetime import datetime
from typing import Annotated, Any

import stripe
from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from payments import checkout, refunds, webhooks
from payments.gateway import BadSignature, StripeGateway
from payments.testmode import sign
from venue.core import i18n
from venue.core.actor import GUEST, Actor
from venue.core.errors import DomainError, NotFound
from venue.models import Reservation, Venue
from venue.money import ledger as ledger
from venue.reservations import booking
from venue.setup import brand

from .. import languages
from ..deps import Manager, Money, NowDep, PublicVenue, SessionDep, Staff
from ..languages import _g
from ..pages import assets
from ..problems import problem
from ..schemas import Amount, ReservationOut

router = APIRouter(tags=["payments"])


class PaymentProviderUnavailable(DomainError):
    status = 502
    code = "payment_provider_unavailable"


def get_gateway(request: Request) -> StripeGateway:
    gateway: StripeGateway = request.app.state.stripe
    return gateway


GatewayDep = Annotated[StripeGateway, Depends(get_gateway)]


def _sessions(request: Request) -> async_sessionmaker[AsyncSession]:
    sessions: async_sessionmaker[AsyncSession] = request.app.state.sessions
    return sessions


class CheckoutOut(BaseModel):
    checkout_url: str = Field(description="send the guest here (Stripe, or the test page)")
    expires_at: datetime = Field(description="the session and the table hold last until then")
    session_id: str
    amount: int = Field(description="deposit in minor units")
    currency: str
    test_mode: bool = Field(description="true: a local page, no real money")


class RefundOut(BaseModel):
    amount: int = Field(description="refunded, in minor units (0: nothing by the policy)")
    currency: str
    refund_bp: int = Field(description="share of the deposit refunded, in basis points")
    status: str = Field(description="none | pending | succeeded | failed")


class CancelOut(ReservationOut):
    refund: RefundOut | None = Field(
        default=None, description="the deposit refund, if a deposit was paid"
    )


# Guest: start paying -------------------------------------------------------------------


@router.post(
    "/api/v1/venues/{slug}/reservations/{token}/checkout",
    response_model=CheckoutOut,
    responses={409: {"description": "already_paid, invalid_transition"}, 410: {}},
)
async def start_checkout(
    request: Request,
    venue: PublicVenue,
    session: SessionDep,
    now: NowDep,
    gateway: GatewayDep,
    token: str,
) -> dict[str, Any]:
    """A Checkout Session for the deposit of a reservation awaiting payment (reused while open)."""
    res = await booking.by_token(session, venue, token)
    plan = await checkout.prepare(session, venue, res, GUEST, now)
    if not plan.ready:
        row = await brand.brand_row(session, venue)
        # Back to the venue's own address when it has one.
        default_base = request.app.state.settings.public_url
        back = f"{brand.base_url(row, default_base)}/v/{venue.slug}/r/{token}"
        branding = brand.checkout_branding(venue, row, default_base)
        name = f"Deposit, {venue.name}"
        await session.commit()  # the attempt and its key exist before Stripe is asked
        try:
            created = await gateway.create_checkout(
                amount=plan.amount,
                currency=plan.currency,
                name=name,
                metadata=plan.metadata,
                expires_at=plan.expires_at,
                success_url=f"{back}?payment=done",
                cancel_url=f"{back}?payment=cancelled",
                idempotency_key=plan.idempotency_key,
                branding=branding,
            )
        except stripe.StripeError as exc:
            raise PaymentProviderUnavailable(
                "the payment provider did not answer; try again in a moment"
            ) from exc
        plan = await checkout.record_created(session, plan, created, now)
    assert plan.url is not None and plan.session_id is not None
    return {
        "checkout_url": plan.url,
        "expires_at": plan.expires_at,
        "session_id": plan.session_id,
        "amount": plan.amount,
        "currency": plan.currency,
        "test_mode": gateway.test_mode,
    }


async def refund_on_cancel(
    request: Request,
    session: AsyncSession,
    venue: Venue,
    res: Reservation,
    actor: Actor,
    now: datetime,
) -> dict[str, Any] | None:
    """After a cancellation in ``session``: refund by policy, stop open checkouts.

    Commits ``session`` so the refund row (and its key) exists before Stripe is asked.
    """
    gateway = get_gateway(request)
    decision = await refunds.for_cancellation(session, venue, res, actor, now)
    stale = [a.session_id for a in await ledger.open_attempts(session, res) if a.session_id]
    await session.commit()
    followup = webhooks.Followup(decision.refund_ids if decision else [], stale)
    await webhooks.run_followup(_sessions(request), gateway, followup, now)
    if decision is None:
        return None
    if decision.refund_ids:
        decision.status = _overall(await ledger.refund_statuses(session, decision.refund_ids))
    return decision.view()


async def refund_on_cancel_all(
    request: Request,
    session: AsyncSession,
    venue: Venue,
    cancelled: list[Reservation],
    actor: Actor,
    now: datetime,
) -> dict[str, dict[str, Any]]:
    """``refund_on_cancel`` for several reservations cancelled in one transaction (a
    standing reservation's occurrences): one commit, then Stripe; by reservation id,
    those with a refund decision only."""
    gateway = get_gateway(request)
    decisions: dict[str, refunds.CancellationRefund] = {}
    stale: list[str] = []
    for res in cancelled:
        decision = await refunds.for_cancellation(session, venue, res, actor, now)
        if decision is not None:
            decisions[str(res.id)] = decision
        stale += [a.session_id for a in await ledger.open_attempts(session, res) if a.session_id]
    await session.commit()
    ids = [rid for d in decisions.values() for rid in d.refund_ids]
    await webhooks.run_followup(_sessions(request), gateway, webhooks.Followup(ids, stale), now)
    out = {}
    for key, decision in decisions.items():
        if decision.refund_ids:
            decision.status = _overall(await ledger.refund_statuses(session, decision.refund_ids))
        out[key] = decision.view()
    return out


def _overall(statuses: list[str]) -> str:
    for status in ("failed", "pending", "requires_action"):
        if status in statuses:
            return status
    return statuses[0] if statuses else "none"


# Stripe -> us ----------------------------------------------------------------------------


@router.post("/api/v1/payments/stripe/webhook", status_code=200, include_in_schema=False)
async def stripe_webhook(request: Request, now: NowDep, gateway: GatewayDep) -> Response:
    """Stripe's deliveries: verified over the raw body, stored by id, applied once."""
    payload = await request.body()
    try:
        event_id = await webhooks.receive(
            _sessions(request), gateway, payload, request.headers.get("stripe-signature"), now
        )
    except BadSignature as exc:
        return problem(400, "bad_signature", f"webhook signature refused: {exc}")
    request.app.state.relay.wake()
    return Response(json.dumps({"received": event_id}), media_type="application/json")


# TEST MODE: the local checkout page ----------------------------------------------------


# The TEST MODE page's words, in the guest's language.
TEST_PAGE = {
    "title": _g("TEST MODE checkout"),
    "banner": _g("TEST MODE — no real money"),
    "why": _g(
        "This page stands in for Stripe Checkout because no Stripe keys are set. "
        "Paying here sends the same signed webhook Stripe would."
    ),
    "pay": _g("Pay (test)"),
    "cancel": _g("Cancel payment (releases the table)"),
}


def _fake(gateway: StripeGateway, checkout_id: str) -> dict[str, Any]:
    if gateway.fake is None or checkout_id not in gateway.fake.sessions:
        raise NotFound("no such test checkout (test mode forgets them on restart)")
    return gateway.fake.sessions[checkout_id]


@router.get("/pay/test/{checkout_id}", response_class=HTMLResponse, include_in_schema=False)
async def test_checkout_page(
    request: Request, checkout_id: str, gateway: GatewayDep
) -> HTMLResponse:
    found = _fake(gateway, checkout_id)
    lang = languages.of_request(request)

    def say(key: str) -> str:
        return html.escape(languages.gettext(lang, TEST_PAGE[key]))

    amount = i18n.format_money(found["amount_total"], found["currency"].upper(), lang)
    sid = html.escape(checkout_id)
    brand_of_session = found.get("_branding") or {}
    venue_name = brand_of_session.get("[display_name]")
    logo = brand_of_session.get("[logo][url]")
    header = (
        "<header class='business'>"
        + (f"<img class='business-logo' src='{html.escape(logo)}' alt=''>" if logo else "")
        + f"<span class='business-name'>{html.escape(venue_name)}</span></header>"
        if venue_name
        else ""
    )
    deposit = languages.gettext(lang, _g("Deposit {amount}")).format(amount=amount)
    session_line = languages.gettext(lang, _g("Session {id}: {status}")).format(
        id=f"<code>{sid}</code>", status=html.escape(found["status"])
    )
    body = (
        f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{say('title')}</title>"
        f"<link rel='icon' href='{assets.url('favicon.svg')}' type='image/svg+xml'>"
        f"<link rel='stylesheet' href='{assets.url('checkout/test.css')}'>"
        f"<link rel='stylesheet' href='/pay/test/{sid}/brand.css'></head><body>"
        "<main class='test-checkout'>"
        f"{header}"
        f"<p class='banner'>{say('banner')}</p>"
        f"<h1>{html.escape(deposit)}</h1>"
        f"<p>{say('why')}</p>"
        f"<p class='state'>{session_line}</p>"
        f"<form method='post' action='/pay/test/{sid}/pay'>"
        f"<button type='submit' class='pay'>{say('pay')}</button></form>"
        f"<form method='post' action='/pay/test/{sid}/cancel'>"
        f"<button type='submit' class='cancel'>{say('cancel')}</button>"
        "</form></main></body></html>"
    )
    return HTMLResponse(body)


@router.get("/pay/test/{checkout_id}/brand.css", include_in_schema=False)
async def test_checkout_brand(checkout_id: str, gateway: GatewayDep) -> Response:
    """The colours and corners the session asked Stripe for, as the TEST MODE page's."""
    branding = _fake(gateway, checkout_id).get("_branding") or {}
    css = brand.checkout_stylesheet(
        branding.get("[background_color]"),
        branding.get("[button_color]"),
        branding.get("[border_style]"),
    )
    return Response(css, media_type="text/css", headers={"Cache-Control": "no-store"})


@router.post("/pay/test/{checkout_id}/pay", include_in_schema=False)
async def test_checkout_pay(
    request: Request, checkout_id: str, gateway: GatewayDep, now: NowDep
) -> RedirectResponse:
    found = _fake(gateway, checkout_id)
    assert gateway.fake is not None
    if found["status"] == "open":
        paid = gateway.fake.complete(checkout_id)
        await _deliver(request, gateway, gateway.fake.event("checkout.session.completed", paid))
    return RedirectResponse(found["success_url"], status_code=303)


@router.post("/pay/test/{checkout_id}/cancel", include_in_schema=False)
async def test_checkout_cancel(
    request: Request, checkout_id: str, gateway: GatewayDep, now: NowDep
) -> RedirectResponse:
    found = _fake(gateway, checkout_id)
    assert gateway.fake is not None
    if found["status"] == "open":
        gone = gateway.fake.expire_now(checkout_id)
        await _deliver(request, gateway, gateway.fake.event("checkout.session.expired", gone))
    return RedirectResponse(found["cancel_url"] or "/", status_code=303)


async def _deliver(request: Request, gateway: StripeGateway, event: dict[str, Any]) -> None:
    raw = json.dumps(event)
    signature = sign(raw, gateway.webhook_secret)
    clock = request.app.state.clock
    await webhooks.receive(_sessions(request), gateway, raw.encode(), signature, clock())
    request.app.state.relay.wake()


# Staff ---------------------------------------------------------------------------------


class StaffRefundIn(BaseModel):
    amount: Amount = Field(gt=0, description="minor units, at most what is left to refund")
    reason: str = Field(min_length=3, max_length=300, description="kept in the audit log")


class RefundRow(BaseModel):
    id: uuid.UUID
    amount: int
    currency: str
    reason: str
    note: str | None
    status: str
    actor: str
    created_at: datetime


class PaymentRow(BaseModel):
    id: uuid.UUID
    amount: int
    currency: str
    outcome: str
    checkout_session_id: str
    created_at: datetime
    refunds: list[RefundRow]


async def _staff_reservation(session: AsyncSession, who: Staff, rid: uuid.UUID) -> Reservation:
    res = await ledger.reservation_for(session, who.user.tenant_id, rid)
    if res is None:
        raise NotFound("no such reservation")
    return res


async def _payments_view(session: AsyncSession, res: Reservation) -> list[dict[str, Any]]:
    out = []
    for payment in await ledger.payments_of(session, res):
        rows = await ledger.refunds_of(session, payment)
        out.append(
            {
                **{k: getattr(payment, k) for k in PaymentRow.model_fields if k != "refunds"},
                "refunds": [{k: getattr(r, k) for k in RefundRow.model_fields} for r in rows],
            }
        )
    return out


@router.get("/api/v1/staff/reservations/{reservation_id}/payments", tags=["staff"])
async def staff_payments(
    reservation_id: uuid.UUID,
    session: SessionDep,
    who: Money,
) -> list[PaymentRow]:
    """Deposits paid for a reservation and every refund of them."""
    res = await _staff_reservation(session, who, reservation_id)
    return [PaymentRow.model_validate(p) for p in await _payments_view(session, res)]


@router.post("/api/v1/staff/reservations/{reservation_id}/refunds", status_code=201, tags=["staff"])
async def staff_refund(
    request: Request,
    reservation_id: uuid.UUID,
    body: StaffRefundIn,
    session: SessionDep,
    now: NowDep,
    gateway: GatewayDep,
    who: Manager,
    idempotency_key: Annotated[str | None, Header(max_length=80)] = None,
) -> list[PaymentRow]:
    """Refund any amount up to what is left, overriding the policy; the reason is audited."""
    res = await _staff_reservation(session, who, reservation_id)
    key = idempotency_key or uuid.uuid4().hex
    made = await refunds.by_staff(session, res, body.amount, body.reason, who.actor, now, key)
    await session.commit()
    await refunds.issue(_sessions(request), gateway, [r.id for r in made], now)
    return [PaymentRow.model_validate(p) for p in await _payments_view(session, res)]
