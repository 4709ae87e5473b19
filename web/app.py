"""The FastAPI application, built from Settings (the composition root)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from payments.gateway import make_gateway
from payments.webhooks import retry_forever
from realtime import Hub, make_broker
from realtime.leader import leadership_for
from realtime.relay import OutboxRelay
from venue.core.db import create_engine, session_factory
from venue.hosts.commissions import CommissionLoop
from venue.journal.turnaways import Batched
from venue.waitlist.loop import WaitlistLoop

from . import assets, live, metrics, openapi, pages, problems, routes
from .console import router as console_pages
from .dbcheck import check_role
from .floorcache import FloorCache
from .intake import Intake
from .mail import mail_loop
from .money_pages import router as money_pages
from .security import SecurityHeaders, Throttle
from .settings import Settings
from .sweeper import refresh_calendars_forever, sweep_forever

log = logging.getLogger("maitre")


def utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = utc_now,
    run_sweeper: bool = True,
) -> FastAPI:
    engine = create_engine(settings.app_url, **settings.database_pool())
    sessions = session_factory(engine)
    broker = make_broker(settings.redis_url)
    relay = OutboxRelay(sessions, broker, clock)
    # One relay per deployment publishes (an advisory lock on PostgreSQL); it hears every
    # process's commits through NOTIFY, this process's also through `relay.wake`.
    relay.use(leadership_for(settings.app_url, relay.wake))
    hub = Hub(broker, live.snapshot_loader(sessions, clock))
    mail = mail_loop(settings, sessions, clock)
    commission_loop = CommissionLoop(sessions, clock, on_commit=relay.wake)
    waitlist_loop = WaitlistLoop(sessions, clock, settings.secret_key, on_commit=relay.wake)
    stripe = make_gateway(
        secret_key=settings.stripe_secret_key,
        webhook_secret=settings.stripe_webhook_secret,
        api_base=settings.stripe_api_base,
        public_url=settings.public_url,
        clock=clock,
    )
    if stripe.test_mode:
        log.warning("payments in TEST MODE: no Stripe keys, a local page takes no real money")

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await check_role(engine, settings)
        await broker.connect()
        # With SERVE_BACKGROUND_JOBS off, workers run all of it and this process only
        # answers requests (its commits still reach the relay through NOTIFY).
        background = settings.serve_background_jobs
        tasks = [asyncio.create_task(relay.run_forever())] if background else []
        if run_sweeper and background:  # background jobs; tests drive them by hand
            tasks.append(asyncio.create_task(mail.run_forever()))
            tasks.append(asyncio.create_task(retry_forever(sessions, stripe, clock)))
            tasks.append(asyncio.create_task(commission_loop.run_forever()))
            tasks.append(asyncio.create_task(waitlist_loop.run_forever()))
            tasks.append(
                asyncio.create_task(sweep_forever(sessions, clock, settings.sweep_interval_seconds))
            )
            tasks.append(
                asyncio.create_task(
                    refresh_calendars_forever(sessions, clock, settings.calendar_refresh_seconds)
                )
            )
        app.state.background_tasks = tasks
        # Everything built so far lives as long as the process: move it out of the cyclic
        # collector's way, so full collections walk only what requests create.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            await app.state.turnaways.drain()
            relay.stop()  # let a pass under way commit rather than cancel it mid-transaction
            if tasks:
                await asyncio.wait(tasks[:1], timeout=10)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await broker.disconnect()
            await engine.dispose()

    app = FastAPI(
        title="Maitre",
        version="0.1.0",
        description="Real-time floor-map reservations. Errors are application/problem+json "
        "with a stable `code`.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = sessions
    app.state.waitlist_loop = waitlist_loop
    app.state.clock = clock
    app.state.broker = broker
    app.state.relay = relay
    app.state.hub = hub
    app.state.floor_cache = FloorCache(settings.floor_cache_seconds)
    app.state.turnaways = Batched(sessions)
    app.state.mail = mail
    app.state.commissions = commission_loop
    app.state.stripe = stripe
    problems.install(app)
    openapi.install(app)
    for router in routes.ROUTERS:  # the JSON API, one router per domain (web/routes/)
        app.include_router(router)
    app.include_router(live.router)
    app.include_router(pages.router)
    app.include_router(assets.router(pages.assets))
    app.include_router(console_pages)
    app.include_router(money_pages)
    app.include_router(metrics.router)
    app.add_middleware(Throttle, settings=settings)
    # Outside the throttle, which reads login bodies; inside the headers, which every
    # refusal gets too.
    app.add_middleware(Intake, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(metrics.RequestMetrics)  # outermost: times and names every request

    @app.get("/", include_in_schema=False)
    async def root() -> RedirectResponse:
        return RedirectResponse("/docs")

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
