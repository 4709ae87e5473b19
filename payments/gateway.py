"""Stripe, as Maitre uses it: one ``StripeClient`` and the webhook secret.

Every call goes through the official SDK's async methods (``client.v1...``) with an
idempotency key chosen by the caller from a row it wrote first, so a retry after a
crash or a timeout is answered by Stripe with the original object. Without keys the
same client talks to an in-process ``FakeStripe`` (test mode): nothing else changes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import stripe
from stripe.params.checkout import SessionCreateParams, SessionCreateParamsBrandingSettings

from .testmode import FakeStripe, InProcessHTTPClient

TEST_MODE_KEY = "sk_test_maitre_local"
TEST_MODE_WEBHOOK_SECRET = "whsec_maitre_local_test_mode"


class BadSignature(Exception):
    """The webhook body was not signed with our secret (or is too old, or not JSON)."""


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str | None
    status: str
    expires_at: datetime


@dataclass(frozen=True)
class RefundResult:
    id: str
    status: str
    amount: int


class StripeGateway:
    def __init__(
        self, client: stripe.StripeClient, webhook_secret: str, fake: FakeStripe | None = None
    ) -> None:
        self.client = client
        self.webhook_secret = webhook_secret
        # Set in test mode only: the local checkout page plays the guest and Stripe.
        self.fake = fake

    @property
    def test_mode(self) -> bool:
        return self.fake is not None

    async def create_checkout(
        self,
        *,
        amount: int,
        currency: str,
        name: str,
        metadata: dict[str, str],
        expires_at: datetime,
        success_url: str,
        cancel_url: str,
        idempotency_key: str,
        branding: dict[str, Any] | None = None,
    ) -> CheckoutSession:
        params: SessionCreateParams = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": currency.lower(),
                        "unit_amount": amount,
                        "product_data": {"name": name},
                    },
                }
            ],
            "metadata": metadata,
            "client_reference_id": metadata["reservation_id"],
            "payment_intent_data": {"metadata": metadata},
            "expires_at": int(expires_at.timestamp()),
            "success_url": success_url,
            "cancel_url": cancel_url,
        }
        if branding:
            # The venue's name, colours and logo on Stripe's page (Checkout's own
            # branding_settings; what Stripe cannot show it ignores).
            params["branding_settings"] = cast("SessionCreateParamsBrandingSettings", branding)
        session = await self.client.v1.checkout.sessions.create_async(
            params, {"idempotency_key": idempotency_key}
        )
        return _checkout(session)

    async def expire_checkout(self, session_id: str) -> CheckoutSession:
        return _checkout(await self.client.v1.checkout.sessions.expire_async(session_id))

    async def retrieve_checkout(self, session_id: str) -> CheckoutSession:
        return _checkout(await self.client.v1.checkout.sessions.retrieve_async(session_id))

    async def refund(
        self, *, payment_intent: str, amount: int, metadata: dict[str, str], idempotency_key: str
    ) -> RefundResult:
        refund = await self.client.v1.refunds.create_async(
            {
                "payment_intent": payment_intent,
                "amount": amount,
                "reason": "requested_by_customer",
                "metadata": metadata,
            },
            {"idempotency_key": idempotency_key},
        )
        return RefundResult(refund["id"], refund["status"] or "pending", refund["amount"])

    def verify(self, payload: bytes, signature: str | None) -> dict[str, Any]:
        """The event, if ``Stripe-Signature`` is ours over exactly these bytes."""
        try:
            self.client.construct_event(payload, signature, self.webhook_secret)
            event = json.loads(payload)
        except (stripe.SignatureVerificationError, ValueError) as exc:
            raise BadSignature(str(exc)) from exc
        if not isinstance(event, dict) or not isinstance(event.get("id"), str):
            raise BadSignature("not a Stripe event")
        return event


def _checkout(session: Any) -> CheckoutSession:
    return CheckoutSession(
        id=session["id"],
        url=session["url"],
        status=session["status"],
        expires_at=datetime.fromtimestamp(session["expires_at"], UTC),
    )


def make_gateway(
    *,
    secret_key: str | None,
    webhook_secret: str | None,
    api_base: str | None,
    public_url: str,
    clock: Callable[[], datetime],
) -> StripeGateway:
    """The real thing with keys; test mode (in-process fake, local checkout page) without."""
    if secret_key:
        client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_base} if api_base else None,
            max_network_retries=2,
        )
        return StripeGateway(client, webhook_secret or "")
    fake = FakeStripe(
        clock=clock, checkout_base=f"{public_url.rstrip('/')}/pay/test", lenient_refunds=True
    )
    client = stripe.StripeClient(
        TEST_MODE_KEY,
        base_addresses={"api": "http://stripe.test-mode.invalid"},
        http_client=InProcessHTTPClient(fake),
        max_network_retries=0,
    )
    return StripeGateway(client, webhook_secret or TEST_MODE_WEBHOOK_SECRET, fake)
