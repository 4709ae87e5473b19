"""SERVE_BACKGROUND_JOBS=false: `maitre serve` answers requests only; the relay, mail,
sweeper and the outbox consumers run in `maitre worker` processes, off the HTTP cores."""

from __future__ import annotations

import pytest

from tests.conftest import FakeClock, engine_for
from web.app import create_app
from web.settings import Settings


@pytest.mark.parametrize("background", [True, False])
async def test_serve_runs_background_jobs_only_when_told(
    backend: str, clock: FakeClock, background: bool
) -> None:
    _, url = await engine_for(backend)
    settings = Settings(
        database_url=url,
        environment="test",
        secret_key="t" * 40,
        serve_background_jobs=background,
        sweep_interval_seconds=3600,
    )
    app = create_app(settings, clock=clock, run_sweeper=True)
    try:
        async with app.router.lifespan_context(app):
            names = {t.get_coro().__qualname__ for t in app.state.background_tasks}
            if background:
                assert {"OutboxRelay.run_forever", "sweep_forever"} <= names
            else:
                assert names == set()
    finally:
        await app.state.engine.dispose()
