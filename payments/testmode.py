"""TEST MODE's Stripe: a local stand-in for the part of the Stripe API Maitre uses.

``FakeStripe`` keeps Checkout Sessions, PaymentIntents and Refunds in memory and answers
``POST /v1/checkout/sessions`` (with ``Idempotency-Key`` replay), ``GET
/v1/checkout/sessions/{id}``, ``POST /v1/checkout/sessions/{id}/expire``, ``POST
/v1/refunds`` (replayed too) and ``GET /v1/payment_intents/{id}``, with Stripe's error
shape. It is reached two ways, always through the official SDK:

- ``InProcessHTTPClient(fake)`` is an ``stripe.HTTPClient`` for test mode (no keys): the
  SDK builds and parses real requests, only the socket is skipped;
- the tests put it behind a real HTTP server on 127.0.0.1 (tests/payments/fake_server.py)
  and point ``StripeClient(base_addresses={"api": ...})`` at it.

``complete``/``expire_now``/``event`` play Stripe's side: a guest paying, a session
lapsing, and the event that Stripe would send about it.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import stripe

Json = dict[str, Any]
MIN_EXPIRY = 30 * 60
MAX_EXPIRY = 24 * 3600


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    params: dict[str, str]
    idempotency_key: str | None


class StripeError(Exception):
    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


def _real_now() -> datetime:
    return datetime.now(UTC)


class FakeStripe:
    def __init__(
        self,
        *,
        clock: Callable[[], datetime] = _real_now,
        checkout_base: str = "https://checkout.stripe.test/pay",
        lenient_refunds: bool = False,
    ) -> None:
        self.clock = clock
        self.checkout_base = checkout_base.rstrip("/")
        # Test mode forgets everything on restart: refund unknown intents as asked.
        self.lenient_refunds = lenient_refunds
        self.sessions: dict[str, Json] = {}
        self.intents: dict[str, Json] = {}
        self.refunds: dict[str, Json] = {}
        self.requests: list[Recorded] = []
        self._replays: dict[str, tuple[dict[str, str], int, Json]] = {}
        self._lock = threading.RLock()

    # The HTTP face -------------------------------------------------------------------

    def handle(
        self, method: str, url: str, headers: Mapping[str, str], body: str | bytes | None
    ) -> tuple[int, Json]:
        path = urlsplit(url).path
        text = body.decode() if isinstance(body, bytes) else (body or "")
        query = urlsplit(url).query
        params = dict(parse_qsl(text if method == "POST" else query, keep_blank_values=True))
        lowered = {k.lower(): v for k, v in headers.items()}
        key = lowered.get("idempotency-key")
        with self._lock:
            self.requests.append(Recorded(method, path, params, key))
            if not lowered.get("authorization", "").startswith("Bearer sk_"):
                return 401, _error("invalid_request_error", "Invalid API Key provided")
            if key is not None and method == "POST":
                seen = self._replays.get(f"{path}:{key}")
                if seen is not None:
                    if seen[0] != params:
                        return 400, _error(
                            "idempotency_error",
                            "Keys for idempotent requests can only be used with the same "
                            "parameters they were first used with.",
                        )
                    return seen[1], seen[2]
            try:
                status, answer = 200, self._route(method, path, params)
            except StripeError as exc:
                status, answer = exc.status, _error("invalid_request_error", exc.message, exc.code)
            if key is not None and method == "POST":
                self._replays[f"{path}:{key}"] = (params, status, answer)
            return status, answer

    def calls(self, method: str, prefix: str) -> list[Recorded]:
        """The requests received (replays included) for paths starting with ``prefix``."""
        with self._lock:
            return [r for r in self.requests if r.method == method and r.path.startswith(prefix)]

    def _route(self, method: str, path: str, params: dict[str, str]) -> Json:
        parts = path.strip("/").split("/")
        match method, parts:
            case "POST", ["v1", "checkout", "sessions"]:
                return self._create_session(params)
            case "GET", ["v1", "checkout", "sessions", sid]:
                return self._session(sid)
            case "POST", ["v1", "checkout", "sessions", sid, "expire"]:
                return self._expire(sid)
            case "POST", ["v1", "refunds"]:
                return self._refund(params)
            case "GET", ["v1", "payment_intents", pid]:
                if pid not in self.intents:
                    raise StripeError(404, f"No such payment_intent: '{pid}'", "resource_missing")
                return self.intents[pid]
        raise StripeError(404, f"Unrecognized request URL ({method}: {path})")

    def _create_session(self, p: dict[str, str]) -> Json:
        now = int(self.clock().timestamp())
        expires_at = int(p.get("expires_at") or now + MAX_EXPIRY)
        if not now + MIN_EXPIRY <= expires_at <= now + MAX_EXPIRY:
            raise StripeError(
                400,
                "The `expires_at` timestamp must be between 30 minutes and 24 hours from "
                "Checkout Session creation.",
                "parameter_invalid_integer",
            )
        for required in ("success_url", "line_items[0][price_data][unit_amount]"):
            if required not in p:
                raise StripeError(400, f"Missing required param: {required}.", "parameter_missing")
        amount = int(p["line_items[0][price_data][unit_amount]"]) * int(
            p.get("line_items[0][quantity]", "1")
        )
        sid = f"cs_test_{secrets.token_hex(12)}"
        self.sessions[sid] = {
            "id": sid,
            "object": "checkout.session",
            "mode": p.get("mode", "payment"),
            "status": "open",
            "payment_status": "unpaid",
            "amount_total": amount,
            "currency": p["line_items[0][price_data][currency]"],
            "client_reference_id": p.get("client_reference_id"),
            "metadata": _nested(p, "metadata"),
            "payment_intent": None,
            "success_url": p["success_url"],
            "cancel_url": p.get("cancel_url"),
            "created": now,
            "expires_at": expires_at,
            "livemode": False,
            "url": f"{self.checkout_base}/{sid}",
            "_intent_metadata": _nested(p, "payment_intent_data[metadata]"),
            # What Stripe would brand its page with (the TEST MODE page shows it too).
            "_branding": {
                k[len("branding_settings") :]: v
                for k, v in p.items()
                if k.startswith("branding_settings[")
            },
        }
        return self._public(self.sessions[sid])

    def _session(self, sid: str) -> Json:
        if sid not in self.sessions:
            raise StripeError(404, f"No such checkout.session: '{sid}'", "resource_missing")
        return self._public(self.sessions[sid])

    def _expire(self, sid: str) -> Json:
        session = self.sessions.get(sid)
        if session is None:
            raise StripeError(404, f"No such checkout.session: '{sid}'", "resource_missing")
        if session["status"] != "open":
            raise StripeError(
                400,
                f'Only Checkout Sessions with a status in ["open"] can be expired. This '
                f'Checkout Session has a status of "{session["status"]}".',
                "checkout_session_not_open" if session["status"] == "complete" else None,
            )
        session["status"] = "expired"
        session["url"] = None
        return self._public(session)

    def _refund(self, p: dict[str, str]) -> Json:
        pid = p.get("payment_intent")
        if not pid:
            raise StripeError(400, "Missing required param: payment_intent.", "parameter_missing")
        intent = self.intents.get(pid)
        if intent is None and not self.lenient_refunds:
            raise StripeError(404, f"No such payment_intent: '{pid}'", "resource_missing")
        if intent is None:
            intent = {"id": pid, "amount_received": int(p["amount"]), "currency": "gbp"}
            intent["latest_charge"], intent["amount_refunded"] = f"ch_{pid}", 0
            self.intents[pid] = intent
        left = intent["amount_received"] - intent["amount_refunded"]
        amount = int(p.get("amount") or left)
        if amount <= 0 or amount > left:
            raise StripeError(
                400,
                f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})",
                "charge_already_refunded" if left == 0 else "amount_too_large",
            )
        intent["amount_refunded"] += amount
        rid = f"re_test_{secrets.token_hex(12)}"
        self.refunds[rid] = {
            "id": rid,
            "object": "refund",
            "amount": amount,
            "currency": intent["currency"],
            "payment_intent": pid,
            "charge": intent["latest_charge"],
            "status": "succeeded",
            "reason": p.get("reason"),
            "metadata": _nested(p, "metadata"),
            "created": int(self.clock().timestamp()),
        }
        return self.refunds[rid]

    @staticmethod
    def _public(session: Json) -> Json:
        return {k: v for k, v in session.items() if not k.startswith("_")}

    # Stripe's side -------------------------------------------------------------------

    def complete(self, sid: str, *, paid: bool = True) -> Json:
        """The guest pays (``paid=False``: an async method that settles later)."""
        with self._lock:
            session = self.sessions[sid]
            pid = f"pi_test_{secrets.token_hex(12)}"
            self.intents[pid] = {
                "id": pid,
                "object": "payment_intent",
                "amount": session["amount_total"],
                "amount_received": session["amount_total"] if paid else 0,
                "amount_refunded": 0,
                "currency": session["currency"],
                "status": "succeeded" if paid else "processing",
                "latest_charge": f"ch_test_{secrets.token_hex(12)}",
                "metadata": session["_intent_metadata"],
            }
            session.update(
                status="complete", payment_status="paid" if paid else "unpaid", payment_intent=pid
            )
            session["url"] = None
            return self._public(session)

    def settle(self, sid: str, *, succeeded: bool = True) -> Json:
        """An async payment method settles (or fails) after the session completed."""
        with self._lock:
            session = self.sessions[sid]
            intent = self.intents[session["payment_intent"]]
            if succeeded:
                intent.update(status="succeeded", amount_received=intent["amount"])
                session["payment_status"] = "paid"
            else:
                intent["status"] = "requires_payment_method"
            return self._public(session)

    def expire_now(self, sid: str) -> Json:
        with self._lock:
            return self._expire(sid)

    def charge_of(self, pid: str) -> Json:
        """The charge object of ``charge.refunded`` for an intent, with its refunds."""
        with self._lock:
            intent = self.intents[pid]
            refunds = [r for r in self.refunds.values() if r["payment_intent"] == pid]
            return {
                "id": intent["latest_charge"],
                "object": "charge",
                "amount": intent["amount_received"],
                "amount_refunded": intent["amount_refunded"],
                "currency": intent["currency"],
                "payment_intent": pid,
                "refunded": intent["amount_refunded"] == intent["amount_received"],
                "refunds": {"object": "list", "data": refunds},
            }

    def event(self, type_: str, obj: Json) -> Json:
        return {
            "id": f"evt_test_{secrets.token_hex(12)}",
            "object": "event",
            "api_version": stripe.api_version,
            "created": int(self.clock().timestamp()),
            "livemode": False,
            "pending_webhooks": 1,
            "type": type_,
            "data": {"object": obj},
        }


def _nested(params: dict[str, str], prefix: str) -> dict[str, str]:
    head = f"{prefix}["
    return {
        k[len(head) : -1]: v
        for k, v in params.items()
        if k.startswith(head) and "][" not in k[len(head) :]
    }


def _error(kind: str, message: str, code: str | None = None) -> Json:
    error: Json = {"type": kind, "message": message}
    if code:
        error["code"] = code
    return {"error": error}


def sign(payload: str, secret: str, timestamp: int | None = None) -> str:
    """A ``Stripe-Signature`` header, computed by the SDK's own signer."""
    return stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp)


class InProcessHTTPClient(stripe.HTTPClient):
    """The SDK's transport, answered by a ``FakeStripe`` in this process (test mode)."""

    name = "maitre-test-mode"

    def __init__(self, fake: FakeStripe) -> None:
        super().__init__()
        self.fake = fake

    def _answer(
        self, method: str, url: str, headers: Mapping[str, str], post_data: Any
    ) -> tuple[bytes, int, Mapping[str, str]]:
        status, body = self.fake.handle(method.upper(), url, headers, post_data)
        return json.dumps(body).encode(), status, {"Content-Type": "application/json"}

    def request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        post_data: Any = None,
        *,
        _usage: list[str] | None = None,
    ) -> tuple[Any, int, Mapping[str, str]]:
        return self._answer(method, url, headers or {}, post_data)

    async def request_async(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        post_data: Any = None,
        *,
        _usage: list[str] | None = None,
    ) -> tuple[Any, int, Mapping[str, str]]:
        return self._answer(method, url, headers or {}, post_data)

    def close(self) -> None:
        pass

    async def close_async(self) -> None:
        pass
