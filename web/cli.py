"""``maitre``: migrate, serve, worker, demo, venue create, selftest."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
from datetime import UTC, datetime, timedelta

import uvicorn
from sqlalchemy.engine import make_url

from venue.core.db import create_engine, is_sqlite, session_factory
from venue.core.errors import DomainError
from venue.core.migrate import upgrade

from . import metrics  # noqa: F401 - log records carry request_id (the format names it)
from .settings import Settings

DEMO_DB = "sqlite+aiosqlite:///./maitre-demo.db"
DEMO_PASSWORD = "velvet-demo"


async def _migrate(settings: Settings) -> str | None:
    """Migrate as DATABASE_URL (the owner) and provision APP_DATABASE_URL's role; returns
    that role's name when there is one to provision."""
    role = password = None
    if settings.app_database_url and not is_sqlite(settings.app_database_url):
        app = make_url(settings.app_database_url)
        if app.username != make_url(settings.database_url).username:
            role, password = app.username, app.password
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine, app_role=role, app_password=password)
    finally:
        await engine.dispose()
    return role


async def _seed(settings: Settings, *, own_file: bool) -> str:
    """Seed the demo for today. In the demo's own SQLite file, a demo seeded on an earlier
    day is replaced: its "tonight" has passed and its coming nights run out."""
    from venue.core.clock import to_local
    from venue.demo.seed import seed_demo, seeded_on

    now = datetime.now(UTC)
    today = to_local(now - timedelta(hours=6), "Europe/London").date()
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        async with session_factory(engine)() as session:
            day = await seeded_on(session)
        if own_file and day is not None and day != today:
            await engine.dispose()
            path = make_url(settings.database_url).database
            assert path is not None
            os.remove(path)
            print(f"  The demo in {path} is from {day}; starting a fresh one for today.")
            engine = create_engine(settings.database_url)
            await upgrade(engine)
        async with session_factory(engine)() as session, session.begin():
            venue = await seed_demo(session, today, now, staff_password=DEMO_PASSWORD)
            return venue.slug
    finally:
        await engine.dispose()


async def _worker(settings: Settings) -> None:
    """Background jobs for scale-out: hold expiry, the outbox relay, outgoing mail, the
    commission ledger, the waitlist's offers and imported calendars."""
    from realtime import make_broker
    from realtime.leader import leadership_for
    from realtime.relay import OutboxRelay
    from venue.hosts.commissions import CommissionLoop
    from venue.waitlist.loop import WaitlistLoop

    from .dbcheck import check_role
    from .mail import mail_loop
    from .sweeper import refresh_calendars_forever, sweep_forever

    engine = create_engine(settings.app_url, **settings.database_pool())
    await check_role(engine, settings)
    sessions = session_factory(engine)
    broker = make_broker(settings.redis_url)
    await broker.connect()
    clock = lambda: datetime.now(UTC)  # noqa: E731
    relay = OutboxRelay(sessions, broker, clock)
    relay.use(leadership_for(settings.app_url, relay.wake))
    try:
        await asyncio.gather(
            sweep_forever(sessions, clock, settings.sweep_interval_seconds),
            refresh_calendars_forever(sessions, clock, settings.calendar_refresh_seconds),
            relay.run_forever(),
            mail_loop(settings, sessions, clock).run_forever(),
            CommissionLoop(sessions, clock, on_commit=relay.wake).run_forever(),
            WaitlistLoop(sessions, clock, settings.secret_key, on_commit=relay.wake).run_forever(),
        )
    finally:
        await broker.disconnect()
        await engine.dispose()


async def _user_add(settings: Settings, args: argparse.Namespace) -> str:
    """Create a staff account from the command line (audited as the system)."""
    from venue.core.actor import SYSTEM
    from venue.staff import users

    password = args.password or os.environ.get("MAITRE_PASSWORD") or getpass.getpass()
    engine = create_engine(settings.database_url)
    try:
        async with session_factory(engine)() as session, session.begin():
            tenant_id = await users.tenant_id_by_slug(session, args.tenant)
            user = await users.create_user(
                session,
                tenant_id,
                email=args.email,
                name=args.name,
                role=args.role,
                password=password,
                actor=SYSTEM,
                now=datetime.now(UTC),
            )
            return f"created {user.role} {user.email}"
    finally:
        await engine.dispose()


def _serve(settings: Settings, host: str, port: int, workers: int) -> None:
    uvicorn.run(
        "web.main:app_factory",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=False,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        # Per-message deflate keeps a zlib state per socket (~46 KB each) and compresses
        # every broadcast once per socket: measured in bench/fanout.py, it doubles memory
        # per idle connection and dominates fan-out CPU.
        ws_per_message_deflate=False,
    )


def _demo_banner(database_url: str, base: str, slug: str) -> str:
    """The demo's addresses and one sign-in per role, with the page each role starts at."""
    from venue.demo.salon import SALON_LOGINS, SALON_SLUG
    from venue.demo.seed import DEMO_LOGINS, RESTAURANT_SLUG
    from venue.demo.trattoria import RESTAURANT_LOGINS

    logins = "\n".join(
        f"    {role:<8} {email:<24} {base}{start}" for role, email, _, start in DEMO_LOGINS
    )
    salon = "\n".join(
        f"    {role:<8} {email:<24} {base}{start}" for role, email, _, start in SALON_LOGINS
    )
    return (
        f"\n  Maitre demo: {database_url}\n"
        f"  Guest page      {base}/v/{slug}\n"
        f"  Host link       {base}/v/{slug}?host=JADE\n"
        f"  Restaurant page {base}/v/{RESTAURANT_SLUG} (a party at a time, seated by the venue);"
        f" its staff: {', '.join(email for _, email, _ in RESTAURANT_LOGINS)} at {base}/admin\n"
        f"  Salon page      {base}/v/{SALON_SLUG}   (appointments: services and staff)\n"
        f"  API docs        {base}/docs\n"
        f"  Nights (JSON)   {base}/api/v1/venues/{slug}/nights\n"
        f"  Sign in (every password: {DEMO_PASSWORD}), role, email, where it starts:\n"
        f"{logins}\n"
        f"  The salon's staff (same password; the day view per staff member):\n"
        f"{salon}\n"
        f"  Prove it: maitre selftest {SALON_SLUG} --base-url {base}\n"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="maitre", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="bring the database schema up to date")
    for name, text in (("serve", "run the web app"), ("demo", "seed a demo venue and serve it")):
        p = sub.add_parser(name, help=text)
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=8000)
        p.add_argument("--workers", type=int, default=1)
        if name == "demo":
            p.add_argument(
                "--no-serve",
                action="store_true",
                help="seed the demo into DATABASE_URL (default: ./maitre-demo.db) and exit",
            )
    sub.add_parser("worker", help="background jobs: hold expiry, outbox relay, mail (scale-out)")
    user = sub.add_parser("user", help="staff accounts").add_subparsers(
        dest="action", required=True
    )
    add = user.add_parser(
        "add", help="create a staff account (password: prompt or MAITRE_PASSWORD)"
    )
    add.add_argument("--tenant", required=True, help="tenant slug, or one of its venues' slugs")
    add.add_argument("--email", required=True)
    add.add_argument("--name", required=True)
    add.add_argument(
        "--role", required=True, choices=["owner", "manager", "floor", "host", "finance"]
    )
    add.add_argument("--password", help="avoid: it lands in shell history")
    _venue_parsers(sub)
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s request_id=%(request_id)s %(message)s",
    )

    own_demo_file = args.command == "demo" and "DATABASE_URL" not in os.environ
    if args.command == "demo":
        os.environ.setdefault("DATABASE_URL", DEMO_DB)
    if args.command == "selftest" and "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = _instance_db(args.slug)
    if args.command in ("serve", "demo"):
        # Links in emails and payment redirects; set PUBLIC_URL behind a proxy or domain.
        os.environ.setdefault("PUBLIC_URL", f"http://{args.host}:{args.port}")
    settings = Settings()
    if args.command == "migrate":
        role = asyncio.run(_migrate(settings))
        print("database is up to date" + (f"; {role} may read and write rows" if role else ""))
    elif args.command == "user":
        try:
            print(asyncio.run(_user_add(settings, args)))
        except DomainError as exc:
            raise SystemExit(f"error: {exc.message}") from exc
    elif args.command == "worker":
        asyncio.run(_worker(settings))
    elif args.command == "venue":
        _venue_create(settings, args)
    elif args.command == "selftest":
        _selftest(settings, args)
    elif args.command == "demo":
        own_file = own_demo_file and settings.database_url.endswith("/maitre-demo.db")
        slug = asyncio.run(_seed(settings, own_file=own_file))
        print(_demo_banner(settings.database_url, f"http://{args.host}:{args.port}", slug))
        if not args.no_serve:
            _serve(settings, args.host, args.port, args.workers)
    else:
        asyncio.run(_migrate(settings))
        _serve(settings, args.host, args.port, args.workers)


def _venue_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from .venue_setup import PRESET_NAMES

    venue = sub.add_parser("venue", help="venues").add_subparsers(dest="action", required=True)
    create = venue.add_parser(
        "create",
        help="set a venue up: answer a few questions, or take a preset and/or a YAML file",
    )
    create.add_argument("--preset", choices=PRESET_NAMES)
    create.add_argument("--answers", metavar="FILE", help="YAML answers (over the preset)")
    create.add_argument("--name")
    create.add_argument("--slug")
    create.add_argument("--timezone")
    create.add_argument("--currency")
    create.add_argument("--manager-email", help="also create a manager account")
    create.add_argument("--base-url", default="http://127.0.0.1:8000")
    test = sub.add_parser(
        "selftest", help="book, pay, get the email, cancel and clean up as a guest would"
    )
    test.add_argument("slug")
    test.add_argument("--base-url", default="http://127.0.0.1:8000")
    test.add_argument("--allow-live-stripe", action="store_true")
    test.add_argument("--imap", help="imaps://user:password@host/INBOX when mail goes by SMTP")
    test.add_argument("--guest-email", help="the mailbox's address (with --imap)")
    test.add_argument("--wait", type=float, default=60.0, help="seconds to wait for mail")


def _venue_create(settings: Settings, args: argparse.Namespace) -> None:
    from .venue_setup import create, gather, interactive

    overrides = {
        "name": args.name,
        "slug": args.slug,
        "timezone": args.timezone,
        "currency": args.currency,
    }
    data = gather(args.preset, args.answers, overrides, interactive())
    password = None
    if args.manager_email:
        password = os.environ.get("MAITRE_PASSWORD") or getpass.getpass("Manager password: ")
    try:
        slug, mode = asyncio.run(
            create(settings, data, manager_email=args.manager_email, manager_password=password)
        )
    except DomainError as exc:
        field = ", ".join(e["field"] for e in exc.extra.get("errors", []))
        raise SystemExit(f"error: {field + ': ' if field else ''}{exc.message}") from exc
    print(f"created {mode} venue '{slug}'")
    print(f"  Guest page  {args.base_url}/v/{slug}")
    print(f"  Then prove it: maitre selftest {slug} --base-url {args.base_url}")


def _instance_db(slug: str) -> str:
    """Without DATABASE_URL: the database of ``maitre serve`` (./maitre.db) if it has the
    venue, else the demo's file (``maitre demo``), where a selftest of the demo looks."""
    import sqlite3

    for url in (Settings.model_fields["database_url"].default, DEMO_DB):
        path = make_url(url).database
        if path and os.path.exists(path):
            with sqlite3.connect(path) as db:
                try:
                    if db.execute("SELECT 1 FROM venues WHERE slug = ?", (slug,)).fetchone():
                        return str(url)
                except sqlite3.Error:
                    continue
    return str(Settings.model_fields["database_url"].default)


def _selftest(settings: Settings, args: argparse.Namespace) -> None:
    from .selftest import Refused, run

    try:
        report = asyncio.run(
            run(
                settings,
                args.slug,
                args.base_url,
                allow_live=args.allow_live_stripe,
                imap=args.imap,
                guest_email=args.guest_email,
                wait=args.wait,
            )
        )
    except Refused as exc:
        raise SystemExit(f"refused: {exc}") from exc
    except DomainError as exc:
        raise SystemExit(f"error: {exc.message}") from exc
    print(report.text())
    raise SystemExit(0 if report.passed else 1)
