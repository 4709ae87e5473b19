"""A venue's own words in its guest mail: applied in its language only, sandboxed (refused
at save, never executed), a broken one falls back to the default and alerts the staff,
preview and test send through the API, and walled off from other tenants."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.api.test_pricing_api import add_staff, sign_in
from tests.conftest import FakeClock
from tests.factories import World, create_venue
from venue.core.db import session_factory
from venue.models import AuditEntry, MailTemplate, OutboxEvent, Reservation
from venue.notifications import custom

from .conftest import NOW, Inbox, book, make_loop
from .test_delivery import text_of

ESCAPES = [
    "{{ ''.__class__.__mro__ }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ self._TemplateReference__context }}",
    "{% for x in range(10**9) %}x{% endfor %}",
    "{{ config }}",
    "{{ guest_name.upper() }}",
    "{{ guest_name.__class__ }}",
    "{{ guest_name['__class__'] }}",
    "{{ guest_name|attr('__class__') }}",
    "{{ 9**9**9 }}",
    "{% set x = guest_name %}{{ x }}",
    "{% include '_layout.html' %}",
    "{{ lipsum }}",
    "{{ guest_name",
]


def url(world: World, kind: str = "confirmation", lang: str = "it") -> str:
    return f"/api/v1/staff/venues/{world.venue.slug}/mail-templates/{kind}/{lang}"


def mine(world: World) -> Any:
    return MailTemplate.venue_id == world.venue.id


def audited(world: World) -> Any:
    return AuditEntry.tenant_id == world.venue.tenant_id


def emitted(world: World) -> Any:
    return OutboxEvent.tenant_id == world.venue.tenant_id


async def manager(client: httpx.AsyncClient, engine: AsyncEngine, world: World) -> dict[str, str]:
    client.cookies.clear()
    return await sign_in(client, await add_staff(engine, world, "manager"))


async def set_language(engine: AsyncEngine, res: dict[str, Any], lang: str) -> None:
    async with session_factory(engine)() as s, s.begin():
        await s.execute(
            update(Reservation).where(Reservation.id == uuid.UUID(res["id"])).values(language=lang)
        )


@pytest.mark.parametrize("source", [s for s in ESCAPES if "set" not in s])
def test_the_sandbox_refuses_escapes_when_rendering_too(source: str) -> None:
    """Even a row that skipped the save-time check cannot reach past the strings."""
    with pytest.raises(custom.OverrideFailed):
        custom.render_field("intro", source, custom.SAMPLE)


def test_the_override_is_plain_text_in_the_html_part() -> None:
    html = custom.to_html("Dear <b>{{ guest_name }}</b>,\n\nSee you & soon.")
    assert html == "<p>Dear &lt;b&gt;{{ guest_name }}&lt;/b&gt;,</p>\n<p>See you &amp; soon.</p>"
    out = custom.render_field(
        "intro", "Hi {{ guest_name }}", {**custom.SAMPLE, "guest_name": "<x>"}
    )
    assert custom.to_html(out) == "<p>Hi &lt;x&gt;</p>"


async def test_escapes_are_refused_at_save_naming_the_field(
    client: httpx.AsyncClient, engine: AsyncEngine, world: World
) -> None:
    csrf = await manager(client, engine, world)
    for field in ("subject", "intro", "outro"):
        for source in ESCAPES:
            r = await client.put(url(world), json={"version": 0, field: source}, headers=csrf)
            assert r.status_code == 422, (field, source, r.text)
            assert r.headers["content-type"].startswith("application/problem+json")
            [error] = r.json()["errors"]
            assert error["field"] == field and error["message"], r.text
    r = await client.put(url(world), json={"version": 0, "intro": "{{ nope }}"}, headers=csrf)
    assert r.json()["errors"][0]["message"] == "unknown variable 'nope'"
    async with session_factory(engine)() as s:
        assert await s.scalar(select(MailTemplate.id).where(mine(world))) is None  # nothing stored


async def test_the_override_reaches_guests_in_its_language_only(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    world: World,
    clock: FakeClock,
    smtp: tuple[Inbox, int],
) -> None:
    csrf = await manager(client, engine, world)
    body = {
        "version": 0,
        "subject": "{{ guest_name }}, a presto da {{ venue_name }} ({{ day }})",
        "intro": "Ciao {{ guest_name }}!\n\nVi aspettiamo alle {{ time }} in {{ party_size }}.",
        "outro": "{% if deposit %}Caparra: {{ deposit }}{% endif %}",
    }
    saved = await client.put(url(world), json=body, headers=csrf)
    assert saved.status_code == 200, saved.text
    assert saved.json()["version"] == 1
    stale = await client.put(url(world), json=body, headers=csrf)
    assert stale.status_code == 409
    listed = (await client.get(url(world).rsplit("/", 2)[0])).json()
    assert [(i["kind"], i["language"]) for i in listed["items"]] == [("confirmation", "it")]
    assert "guest_name" in listed["variables"] and "confirmation" in listed["kinds"]

    inbox, port = smtp
    italian = await book(client, world, email="ada+it@example.com")
    await set_language(engine, italian, "it")
    await book(client, world, label="T2", email="ada+en@example.com", phone="07911 654321")
    await make_loop(session_factory(engine), port, clock).run_until_idle()

    [it] = inbox.to("ada+it@example.com")
    assert it["Subject"] == f"Ada Lovelace, a presto da {world.venue.name} (sabato 21 novembre)"
    text = text_of(it)
    assert "Ciao Ada Lovelace!\n\nVi aspettiamo alle 22:00 in 2." in text
    assert "Gentile" not in text  # the default intro is replaced
    assert "sabato 21 novembre 2026, 22:00 GMT" in text  # the details stay generated
    assert "/r/" in text and "Puoi annullare online" in text  # the link and the policy too
    html = it.get_body(("html",))
    assert html is not None and "<p>Ciao Ada Lovelace!</p>" in html.get_content()
    [en] = inbox.to("ada+en@example.com")
    assert en["Subject"].startswith(f"Your table at {world.venue.name}")
    assert "Hello Ada Lovelace," in text_of(en) and "Ciao" not in text_of(en)

    async with session_factory(engine)() as s:
        actions = set(await s.scalars(select(AuditEntry.action).where(audited(world))))
        topics = set(await s.scalars(select(OutboxEvent.topic).where(emitted(world))))
    assert "mail_template.saved" in actions and "mail_template.saved" in topics

    gone = await client.delete(url(world), headers=csrf)
    assert gone.status_code == 204
    assert (await client.get(url(world))).status_code == 404


async def test_a_broken_override_sends_the_default_and_alerts_the_staff(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    world: World,
    clock: FakeClock,
    smtp: tuple[Inbox, int],
) -> None:
    async with session_factory(engine)() as s, s.begin():  # written before a rule tightened
        s.add(
            MailTemplate(
                tenant_id=world.venue.tenant_id,
                venue_id=world.venue.id,
                kind="confirmation",
                language="en",
                subject="Hi {{ guest_name }}",
                intro="{{ guest_name.__class__.__mro__ }}",
                updated_by="test",
                updated_at=NOW,
            )
        )
    inbox, port = smtp
    await book(client, world, email="ada+broken@example.com")
    loop = make_loop(session_factory(engine), port, clock)
    await loop.run_until_idle()

    [mail] = inbox.to("ada+broken@example.com")
    assert mail["Subject"] == "Hi Ada Lovelace"  # the part that works is used
    text = text_of(mail)
    assert "Hello Ada Lovelace," in text and "Your table at" in text  # the default intro
    assert "class" not in text

    alerts = [m for m in inbox.to(world.venue.email or "") if "template" in m["Subject"]]
    [alert] = alerts
    assert alert["Subject"] == f"Your email template could not be used at {world.venue.name}"
    assert "intro" in text_of(alert)
    async with session_factory(engine)() as s:
        row = await s.scalar(select(MailTemplate).where(mine(world)))
        assert row is not None and row.failed_at is not None
        assert row.last_failure is not None and row.last_failure.startswith("intro:")
        actions = set(await s.scalars(select(AuditEntry.action).where(audited(world))))
        topics = set(await s.scalars(select(OutboxEvent.topic).where(emitted(world))))
    assert "mail_template.failed" in actions and "mail_template.failed" in topics


async def test_preview_and_test_send_through_the_api(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    world: World,
    clock: FakeClock,
    smtp: tuple[Inbox, int],
) -> None:
    csrf = await manager(client, engine, world)
    draft = {"subject": "Prenotato: {{ day }}", "intro": "Ciao {{ guest_name }} & co."}
    r = await client.post(url(world, "reminder", "it") + "/preview", json=draft, headers=csrf)
    assert r.status_code == 200, r.text
    shown = r.json()
    assert shown["subject"].startswith("Prenotato: ")
    assert "Ciao Ada Lovelace &amp; co." in shown["html"]
    assert "Ciao Ada Lovelace & co." in shown["text"]
    assert "Quando" in shown["html"] and "20:00" in shown["text"]  # the sample's details
    page = await client.get(url(world, "reminder", "it") + "/preview.html", params=draft)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Ciao Ada Lovelace &amp; co." in page.text
    policy = page.headers["content-security-policy"]
    assert "sandbox" in policy and "script-src" not in policy and "default-src 'none'" in policy
    bad = await client.post(
        url(world, "reminder", "it") + "/preview", json={"outro": "{{ config }}"}, headers=csrf
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "outro"
    unknown = await client.post(url(world, "refund", "it") + "/preview", json={}, headers=csrf)
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "kind"

    sent = await client.post(url(world, "waitlist_offer", "fr") + "/test", json=draft, headers=csrf)
    assert sent.status_code == 202, sent.text
    me = f"manager-{world.venue.slug}@example.com"
    assert sent.json()["to"] == me
    inbox, port = smtp
    await make_loop(session_factory(engine), port, clock).run_until_idle()
    [test] = inbox.to(me)
    assert test["Subject"].startswith("[Test] Prenotato: ")
    assert test["X-Maitre-Test"] == "yes"
    assert "Accepter ou refuser" in text_of(test)  # the generated part, in French
    async with session_factory(engine)() as s:
        actions = set(await s.scalars(select(AuditEntry.action).where(audited(world))))
    assert "mail_template.test_sent" in actions


async def test_another_venues_manager_can_neither_read_nor_write(
    client: httpx.AsyncClient, engine: AsyncEngine, world: World
) -> None:
    csrf = await manager(client, engine, world)
    saved = await client.put(url(world), json={"version": 0, "intro": "Mine"}, headers=csrf)
    assert saved.status_code == 200
    async with session_factory(engine)() as s, s.begin():
        other = await create_venue(s, tables=1)
    csrf = await manager(client, engine, other)
    assert (await client.get(url(world))).status_code == 404
    assert (await client.get(url(world).rsplit("/", 2)[0])).status_code == 404
    put = await client.put(url(world), json={"version": 1, "intro": "Theirs"}, headers=csrf)
    assert put.status_code == 404
    assert (await client.delete(url(world), headers=csrf)).status_code == 404
    preview = await client.post(url(world) + "/preview", json={}, headers=csrf)
    assert preview.status_code == 404
    # Their own list is empty: the row is not theirs to see.
    assert (await client.get(url(other).rsplit("/", 2)[0])).json()["items"] == []
    async with session_factory(engine)() as s:
        row = await s.scalar(select(MailTemplate).where(MailTemplate.venue_id == world.venue.id))
        assert row is not None and row.intro == "Mine"
