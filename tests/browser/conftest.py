"""Browser fixtures: a real ``maitre serve`` on a seeded SQLite file, and Debian's Chromium.

No ``playwright install``: the tests drive the system Chromium. Without it they skip,
unless ``MAITRE_REQUIRE_SERVICES=1`` (CI), where a missing browser fails the run.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

REQUIRE = os.environ.get("MAITRE_REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("MAITRE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SLUG = "velvet"
MAITRE = str(Path(sys.executable).parent / "maitre")


def _unavailable(why: str) -> None:
    if REQUIRE:
        pytest.fail(f"Chromium is required (MAITRE_REQUIRE_SERVICES=1): {why}")
    pytest.skip(why)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    if not Path(CHROMIUM).exists():
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as pw:
        try:
            chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Exception as exc:
            _unavailable(f"Chromium did not start: {exc}")
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def server_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The server's SQLite file, for the few states no API can make."""
    return tmp_path_factory.mktemp("browser") / "maitre.db"


@pytest.fixture(scope="session")
def server_env(server_db: Path) -> dict[str, str]:
    """The environment of the server below (its SQLite file, for tests that add rows)."""
    db = server_db
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "MAITRE_ENV": "development"}
    env.pop("REDIS_URL", None)
    return env


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, server_env: dict[str, str]) -> Iterator[str]:
    """``maitre serve`` on a fresh demo database; the URL once /healthz answers."""
    env = server_env
    subprocess.run([MAITRE, "demo", "--no-serve"], env=env, check=True, capture_output=True)
    port = _free_port()
    log = (tmp_path_factory.getbasetemp() / "serve.log").open("w")
    proc = subprocess.Popen(
        [MAITRE, "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90  # a loaded CI machine starts slowly
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"maitre serve did not come up; see {log.name}")
            time.sleep(0.2)
        _open_service_all_week(base)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _open_service_all_week(base: str) -> None:
    """The tests seat and complete on the next open night, which may be days away on the
    wall clock they run by. Staff may do that only within the venue's service window, a
    rule: widen it to its maximum, a week, as a manager would in the console."""
    with httpx.Client(base_url=base, timeout=10) as http:
        login = http.post(
            "/api/v1/staff/login",
            json={"email": "manager@velvet.example", "password": "velvet-demo"},
        )
        login.raise_for_status()
        csrf = {"X-CSRF-Token": login.json()["csrf_token"]}
        rules = http.get(f"/api/v1/staff/venues/{SLUG}/rules").json()
        http.patch(
            f"/api/v1/staff/venues/{SLUG}/rules",
            json={"version": rules["version"], "service_opens_minutes": 10080},
            headers=csrf,
        ).raise_for_status()
        http.post("/api/v1/staff/logout", headers=csrf).raise_for_status()


@pytest.fixture
def night(server: str) -> dict[str, Any]:
    """The next demo night still open for online booking (past its cutoff is not), read
    again for each test: the session's bookings fill nights as it goes."""
    nights = httpx.get(f"{server}/api/v1/venues/{SLUG}/nights?days=28").json()
    soon = datetime.now(UTC) + timedelta(minutes=45)  # the demo's cutoff is 30 min
    open_ = [
        n
        for n in nights
        if not n["closed"]
        and not n["sold_out"]
        and datetime.fromisoformat(n["opens_at"].replace("Z", "+00:00")) > soon
    ]
    if not open_:
        pytest.fail("the demo has no bookable night")
    # Many tests book on it: the first with at least half its tables free, so the
    # session does not run it out of tables (the demo fills some nights on purpose).
    roomy = [n for n in open_ if n["tables_free"] * 2 >= n["tables_total"]]
    return dict((roomy or sorted(open_, key=lambda n: -n["tables_free"]))[0])


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


PHONE = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "reduced_motion": "reduce",
}
DESKTOP = {"viewport": {"width": 1280, "height": 860}, "reduced_motion": "reduce"}


@pytest.fixture
def new_page(browser: Any) -> Iterator[Any]:
    """Open pages in separate browser contexts (separate guests); JS errors fail the test."""
    contexts: list[Any] = []
    errors: list[str] = []

    def make(**options: Any) -> Any:
        context = browser.new_context(**{**DESKTOP, **options})
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        return page

    yield make
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors: {errors}"
