"""``maitre selftest <slug>``: act as a guest against a running instance and report.

It finds something bookable (an appointment start, or a table on a night), books it
through the public API (paying a TEST MODE deposit where one is due), checks that the
confirmation email was delivered (the local outbox, or a mailbox over IMAP when the
instance sends by SMTP), cancels with the link in that email, checks that the staff view
shows the cancellation, and erases every row it made (venue/presets/probe.py). The staff
view is read with a short-lived manager account the probe makes for itself and removes.

It refuses to run when the instance's Stripe key is live unless ``--allow-live-stripe``.
"""

from __future__ import annotations

import asyncio
import imaplib
import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx

from venue.core.db import create_engine, session_factory
from venue.presets import probe

from .settings import Settings

GUEST_NAME = "Maitre Selftest"
WAIT_SECONDS = 60.0


class Refused(Exception):
    """The selftest will not run (a live Stripe key without --allow-live-stripe)."""


class Failed(Exception):
    """A step failed; the message says what was seen."""


@dataclass
class Report:
    slug: str
    steps: list[tuple[str, bool, str]] = field(default_factory=list)

    def ok(self, step: str, detail: str = "") -> None:
        self.steps.append((step, True, detail))

    def fail(self, step: str, detail: str) -> None:
        self.steps.append((step, False, detail))

    @property
    def passed(self) -> bool:
        return bool(self.steps) and all(ok for _, ok, _ in self.steps)

    def text(self) -> str:
        lines = [f"maitre selftest {self.slug}"]
        for step, ok, detail in self.steps:
            lines.append(
                f"  {'PASS' if ok else 'FAIL'}  {step}" + (f": {detail}" if detail else "")
            )
        lines.append("PASSED" if self.passed else "FAILED")
        return "\n".join(lines)


@dataclass
class Probe:
    """What the probe made, so that it can be erased whatever happened."""

    email: str
    started: datetime
    reservation_ids: list[uuid.UUID] = field(default_factory=list)
    account: tuple[str, str, uuid.UUID] | None = None
    empty_days: list[tuple[date, uuid.UUID | None]] = field(default_factory=list)


def refuse_live_stripe(settings: Settings, allow_live: bool) -> None:
    key = settings.stripe_secret_key or ""
    if key.startswith(("sk_live_", "rk_live_")) and not allow_live:
        raise Refused(
            "this instance has a live Stripe key: a selftest would take real money. "
            "Run it against TEST MODE, or pass --allow-live-stripe if you mean it"
        )


async def run(
    settings: Settings,
    slug: str,
    base_url: str,
    *,
    allow_live: bool = False,
    imap: str | None = None,
    guest_email: str | None = None,
    wait: float = WAIT_SECONDS,
) -> Report:
    refuse_live_stripe(settings, allow_live)
    report = Report(slug)
    tag = secrets.token_hex(4)
    found = Probe(guest_email or f"selftest-{tag}@maitre-selftest.example.com", datetime.now(UTC))
    engine = create_engine(settings.database_url)
    sessions = session_factory(engine)
    try:
        async with sessions() as s, s.begin():
            found.account = await probe.open_account(s, slug, found.started)
        async with httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=20) as http:
            try:
                await _steps(http, report, found, slug, imap, wait)
            except Failed as exc:
                report.fail(exc.args[0], exc.args[1] if len(exc.args) > 1 else "")
            except httpx.HTTPError as exc:
                report.fail("reach the instance", f"{type(exc).__name__}: {exc}")
    finally:
        try:
            async with sessions() as s, s.begin():
                removed = await probe.erase(
                    s,
                    slug,
                    reservation_ids=found.reservation_ids,
                    guest_email=found.email,
                    user_id=found.account[2] if found.account else None,
                    since=found.started,
                    empty_days=found.empty_days,
                )
            report.ok("removed every trace", ", ".join(f"{n} {k}" for k, n in removed.items()))
        except Exception as exc:  # the report must say so, whatever it was
            report.fail("removed every trace", f"{type(exc).__name__}: {exc}")
        await engine.dispose()
    return report


async def _steps(
    http: httpx.AsyncClient, report: Report, found: Probe, slug: str, imap: str | None, wait: float
) -> None:
    api = f"/api/v1/venues/{slug}"
    venue = _json(await http.get(api), "open the venue")
    report.ok("open the venue", f"{venue['name']} ({venue['mode']})")
    assert found.account is not None
    email, password, _ = found.account
    login = _json(
        await http.post("/api/v1/staff/login", json={"email": email, "password": password}),
        "sign in to the staff view",
    )
    staff = {"X-CSRF-Token": login["csrf_token"]}
    rules = _json(await http.get(f"/api/v1/staff/venues/{slug}/rules"), "read the rules")
    soonest = datetime.now(UTC) + timedelta(
        minutes=max(rules["cancel_cutoff_minutes"], rules["cutoff_minutes"]) + 60
    )
    if venue["mode"] == "appointments":
        held, what = await _hold_appointment(http, api, soonest, found)
    elif venue["mode"] == "restaurant":
        held, what = await _hold_party(http, api, soonest, venue)
    else:
        held, what = await _hold_table(http, api, soonest, venue)
    res = held["reservation"]
    found.reservation_ids.append(uuid.UUID(res["id"]))
    report.ok("find something bookable and hold it", what)
    done = _json(
        await http.post(
            f"{api}/holds/{res['id']}/complete",
            json={"token": held["token"], "guest": {"name": GUEST_NAME, "email": found.email}},
        ),
        "book it",
    )
    report.ok("book it", f"{done['status']}")
    if done["status"] == "pending_payment":
        await _pay(http, api, held["token"], wait)
        report.ok("pay the TEST MODE deposit", f"{done['deposit']} minor units")
    text = await (
        _imap_mail(imap, found.email, wait) if imap else _local_mail(http, slug, found.email, wait)
    )
    report.ok("confirmation email delivered", "over IMAP" if imap else "in the local outbox")
    match = re.search(rf"/v/{re.escape(slug)}/r/([A-Za-z0-9_\-.~%]+)", text)
    if not match:
        raise Failed("find the manage link in the email", "no /v/<slug>/r/<token> link in it")
    cancelled = _json(
        await http.post(f"{api}/reservations/{unquote(match.group(1))}/cancel", json={}),
        "cancel through the link in the email",
    )
    if cancelled["status"] != "cancelled":
        raise Failed("cancel through the link in the email", f"status {cancelled['status']}")
    report.ok("cancel through the link in the email")
    seen = _json(
        await http.get(f"/api/v1/staff/venues/{slug}/reservations/{res['id']}"),
        "the staff view shows the cancellation",
    )
    status = seen.get("status") or seen.get("reservation", {}).get("status")
    if status != "cancelled":
        raise Failed("the staff view shows the cancellation", f"it shows {status}")
    report.ok("the staff view shows the cancellation")
    await http.post("/api/v1/staff/logout", headers=staff)


def _json(r: httpx.Response, step: str) -> Any:
    if r.status_code >= 400:
        try:
            detail = r.json().get("detail") or r.text
        except ValueError:
            detail = r.text
        raise Failed(step, f"{r.status_code} {str(detail)[:200]}")
    return r.json()


async def _hold_appointment(
    http: httpx.AsyncClient, api: str, soonest: datetime, found: Probe
) -> tuple[dict[str, Any], str]:
    services = _json(await http.get(f"{api}/services"), "list the services")
    if not services:
        raise Failed("find something bookable and hold it", "the venue offers no services")
    for offset in range(0, 31):
        day = (soonest + timedelta(days=offset)).date()
        for service in services:
            slots = _json(
                await http.get(
                    f"{api}/services/{service['id']}/slots", params={"date": day.isoformat()}
                ),
                "list start times",
            )["slots"]
            if not slots:
                found.empty_days.append((day, uuid.UUID(service["id"])))
            later = [s for s in slots if datetime.fromisoformat(s["starts_at"]) >= soonest]
            if later:
                slot = later[0]
                held = _json(
                    await http.post(
                        f"{api}/appointments/holds",
                        json={"service_id": service["id"], "starts_at": slot["starts_at"]},
                    ),
                    "find something bookable and hold it",
                )
                appt = held["reservation"]["quote"]["appointment"]
                return held, f"{service['name']} with {appt['staff']} at {slot['starts_local']}"
    raise Failed("find something bookable and hold it", "no start time in the next month")


async def _hold_table(
    http: httpx.AsyncClient, api: str, soonest: datetime, venue: dict[str, Any]
) -> tuple[dict[str, Any], str]:
    nights = _json(await http.get(f"{api}/nights", params={"days": 60}), "list the nights")
    party = max(2, venue["min_party"]) if venue["max_party"] >= 2 else venue["min_party"]
    for night in nights:
        opens = datetime.fromisoformat(night["opens_at"].replace("Z", "+00:00"))
        if night["closed"] or night["sold_out"] or opens < soonest:
            continue
        floor = _json(await http.get(f"{api}/nights/{night['date']}/floor"), "read the floor")
        fits = [
            table
            for table in floor["tables"]
            if table["state"] == "free" and table["min_party"] <= party <= table["max_party"]
        ]
        if fits:
            table = fits[0]
            held = _json(
                await http.post(
                    f"{api}/holds",
                    json={"date": night["date"], "table_ids": [table["id"]], "party_size": party},
                ),
                "find something bookable and hold it",
            )
            return held, f"table {table['label']} on {night['date']} for {party}"
    raise Failed("find something bookable and hold it", "no free table on a coming night")


async def _hold_party(
    http: httpx.AsyncClient, api: str, soonest: datetime, venue: dict[str, Any]
) -> tuple[dict[str, Any], str]:
    """A restaurant: the first start time offered to a party of two, seated by the venue."""
    nights = _json(await http.get(f"{api}/nights", params={"days": 60}), "list the nights")
    party = max(2, venue["min_party"]) if venue["max_party"] >= 2 else venue["min_party"]
    for night in nights:
        if night["closed"] or night["sold_out"]:
            continue
        listed = _json(
            await http.get(f"{api}/nights/{night['date']}/sittings", params={"party_size": party}),
            "list the start times",
        )
        for start in listed["starts"]:
            at = datetime.fromisoformat(start["starts_at"].replace("Z", "+00:00"))
            if start["bookable"] and at >= soonest:
                held = _json(
                    await http.post(
                        f"{api}/holds",
                        json={
                            "date": night["date"],
                            "party_size": party,
                            "starts_at": start["starts_at"],
                        },
                    ),
                    "find something bookable and hold it",
                )
                tables = ", ".join(held["reservation"]["tables"])
                return held, f"{party} at {start['local_time']} on {night['date']} ({tables})"
    raise Failed("find something bookable and hold it", "no start time on a coming night")


async def _pay(http: httpx.AsyncClient, api: str, token: str, wait: float) -> None:
    checkout = _json(await http.post(f"{api}/reservations/{token}/checkout"), "open the checkout")
    path = urlsplit(checkout["checkout_url"]).path
    if not path.startswith("/pay/test/"):
        raise Failed(
            "pay the TEST MODE deposit",
            "the checkout is Stripe's own page; a deposit can only be paid there by a person",
        )
    paid = await http.post(f"{path}/pay")
    if paid.status_code not in (200, 303):
        raise Failed("pay the TEST MODE deposit", f"{paid.status_code}")
    deadline = asyncio.get_running_loop().time() + wait
    while asyncio.get_running_loop().time() < deadline:
        res = _json(await http.get(f"{api}/reservations/{token}"), "pay the TEST MODE deposit")
        if res["status"] == "confirmed":
            return
        await asyncio.sleep(0.5)
    raise Failed("pay the TEST MODE deposit", "the booking was not confirmed after paying")


async def _local_mail(http: httpx.AsyncClient, slug: str, to: str, wait: float) -> str:
    deadline = asyncio.get_running_loop().time() + wait
    while asyncio.get_running_loop().time() < deadline:
        box = _json(
            await http.get(f"/api/v1/staff/venues/{slug}/mail", params={"limit": 200}),
            "confirmation email delivered",
        )
        mine = [m for m in box if m["to"] == to]
        for m in mine:
            mail = _json(
                await http.get(f"/api/v1/staff/venues/{slug}/mail/{m['id']}"),
                "confirmation email delivered",
            )
            if "/r/" in (mail["text"] or ""):
                return str(mail["text"])
        await asyncio.sleep(1)
    raise Failed(
        "confirmation email delivered",
        "nothing in the local outbox; is SMTP configured? then pass --imap and --guest-email",
    )


async def _imap_mail(url: str | None, to: str, wait: float) -> str:
    """The newest message to ``to`` in the mailbox at ``imaps://user:password@host/INBOX``."""
    assert url is not None
    parts = urlsplit(url)

    def look() -> str | None:
        cls = imaplib.IMAP4_SSL if parts.scheme == "imaps" else imaplib.IMAP4
        with cls(
            parts.hostname or "localhost", parts.port or (993 if parts.scheme == "imaps" else 143)
        ) as box:
            box.login(unquote(parts.username or ""), unquote(parts.password or ""))
            box.select(parts.path.strip("/") or "INBOX")
            _, found = box.search(None, "TO", f'"{to}"')
            ids = found[0].split()
            if not ids:
                return None
            _, data = box.fetch(ids[-1], "(RFC822)")
            raw = data[0][1] if data and isinstance(data[0], tuple) else b""
            msg = message_from_bytes(raw, policy=policy.default)
            body = msg.get_body(("plain",))
            return str(body.get_content()) if body else None

    deadline = asyncio.get_running_loop().time() + wait
    while asyncio.get_running_loop().time() < deadline:
        text = await asyncio.to_thread(look)
        if text:
            return text
        await asyncio.sleep(3)
    raise Failed("confirmation email delivered", f"no message to {to} in the mailbox")
