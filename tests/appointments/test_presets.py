"""Presets, answers files and ``maitre selftest``, end to end: each preset is created by
``maitre venue create`` into the database of a running ``maitre serve``, and the selftest
passes against it (booking, TEST MODE deposit, email, cancel by link, staff view) and
leaves no row behind."""

from __future__ import annotations

import contextlib
import io
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from venue.core.errors import InvalidRequest
from venue.presets.answers import parse
from venue.presets.catalog import PRESETS, preset
from web.cli import main
from web.venue_setup import gather, questions

MAITRE = str(Path(sys.executable).parent / "maitre")
# Rows a selftest must not leave behind (counted before and after).
TRACES = (
    "reservations",
    "guests",
    "appointments",
    "local_mail",
    "notifications",
    "audit_entries",
    "outbox_events",
    "staff_users",
    "staff_sessions",
    "reservation_links",
    "payments",
    "checkout_attempts",
    "turnaways",
)


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    db = tmp_path_factory.mktemp("presets") / "maitre.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "MAITRE_ENV": "development"}
    env.pop("REDIS_URL", None)
    subprocess.run([MAITRE, "migrate"], env=env, check=True, capture_output=True)
    port = _port()
    base = f"http://127.0.0.1:{port}"
    env["PUBLIC_URL"] = base
    log = (tmp_path_factory.getbasetemp() / "presets-serve.log").open("w")
    proc = subprocess.Popen(
        [MAITRE, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "serve did not start"
            time.sleep(0.2)
        yield base, env
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


def cli(args: list[str], env: dict[str, str], subprocess_: bool) -> tuple[int, str, str]:
    """``maitre <args>``: as its own process, or (cheaper: no interpreter start-up and
    imports, twice per preset) through the same ``main`` in a thread of this process,
    under the same environment."""
    if subprocess_:
        done = subprocess.run(
            [MAITRE, *args], env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL
        )
        return done.returncode, done.stdout, done.stderr
    out, err, code = io.StringIO(), io.StringIO(), [0]

    def run() -> None:
        try:
            main(args)
        except SystemExit as exc:
            code[0] = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            if isinstance(exc.code, str):
                err.write(exc.code)

    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            worker = threading.Thread(target=run)  # its own event loop, not pytest's
            worker.start()
            worker.join()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return code[0], out.getvalue(), err.getvalue()


def counts(env: dict[str, str]) -> dict[str, int]:
    path = env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TRACES}


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_each_preset_makes_a_venue_the_selftest_passes_against(
    name: str, instance: tuple[str, dict[str, str]]
) -> None:
    base, env = instance
    # The salon goes through real `maitre` processes; the others through the same CLI
    # entry point in this process.
    own_process = name == "salon"
    code, out, err = cli(
        ["venue", "create", "--preset", name, "--base-url", base], env, own_process
    )
    assert code == 0, err[-2000:]
    slug = PRESETS[name]["slug"]
    assert f"{base}/v/{slug}" in out
    page = httpx.get(f"{base}/v/{slug}")
    assert page.status_code == 200
    before = counts(env)
    code, out, err = cli(["selftest", slug, "--base-url", base, "--wait", "30"], env, own_process)
    assert code == 0, out + err[-2000:]
    assert "PASSED" in out and "FAIL " not in out
    if PRESETS[name].get("deposit", {}).get("mode", "none") != "none" or any(
        s.get("deposit") for s in PRESETS[name].get("services", [])[:1]
    ):
        assert "pay the TEST MODE deposit" in out
    assert counts(env) == before, out


def test_selftest_refuses_a_live_stripe_key(instance: tuple[str, dict[str, str]]) -> None:
    base, env = instance
    live = {**env, "STRIPE_SECRET_KEY": "sk_live_x", "STRIPE_WEBHOOK_SECRET": "whsec_x"}
    refused = subprocess.run(
        [MAITRE, "selftest", "salon", "--base-url", base], env=live, capture_output=True, text=True
    )
    assert refused.returncode != 0 and "live Stripe key" in refused.stderr


def test_a_yaml_answers_file_over_a_preset(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        "preset: salon\nname: Cuts on Main\nslug: cuts-on-main\ntimezone: America/New_York\n"
        "currency: usd\nservices:\n  - {name: Buzz cut, minutes: 20, price: 2500}\n"
        "staff:\n  - {name: Dee, lunch: '12:00-12:30', days_off: [sun]}\n",
        encoding="utf-8",
    )
    data = gather(None, str(answers), {"name": None}, None)
    parsed = parse(data)
    assert parsed.name == "Cuts on Main" and parsed.currency == "USD"
    assert [s.name for s in parsed.services] == ["Buzz cut"]
    dee = parsed.staff[0]
    assert dee.services == ["Buzz cut"] and 6 not in dee.hours
    assert all(b == [(b[0][0], b[0][1])] for b in dee.breaks.values())


def test_bad_answers_name_their_field() -> None:
    for key, value, field in (
        ("timezone", "Mars/Base", "timezone"),
        ("slug", "No Spaces", "slug"),
        ("currency", "pounds", "currency"),
    ):
        with pytest.raises(InvalidRequest) as err:
            parse(preset("salon", **{key: value}))
        assert err.value.extra["errors"][0]["field"] == field
    bad = preset("salon")
    bad["services"][0]["deposit"] = 10**6
    with pytest.raises(InvalidRequest) as err:
        parse(bad)
    assert err.value.extra["errors"][0]["field"] == "services.0.deposit"
    with pytest.raises(SystemExit):
        gather(None, None, {}, None)  # nothing given and no terminal to ask at


def test_the_questions_make_answers_a_venue_can_be_made_from() -> None:
    replies = iter(
        [
            "appointments",
            "Fade Lab",
            "fade-lab",
            "",
            "",
            "mon,tue",
            "10:00-18:00",
            "Fade:30:2500,Shave:20:1500:500",
            "Jo,Kim",
            "13:00-13:30",
            "45",
            "12",
            "y",
        ]
    )
    parsed = parse(questions(lambda _: next(replies)))
    assert parsed.slug == "fade-lab" and parsed.mode == "appointments"
    assert [s.deposit for s in parsed.services] == [0, 500]
    assert set(parsed.staff[0].hours) == {0, 1} and parsed.rules["cancel_cutoff_minutes"] == 720
    tables = iter(
        [
            "tables",
            "restaurant",
            "Bistro",
            "bistro-one",
            "",
            "",
            "fri,sat",
            "18:00-23:00",
            "Early=18:00-20:00,Late=20:30-23:00",
            "8x2-4",
            "1000",
            "60",
            "24",
            "n",
        ]
    )
    parsed = parse(questions(lambda _: next(tables)))
    assert parsed.mode == "restaurant" and len(parsed.sittings) == 2
    assert parsed.deposit == ("fixed", 1000) and parsed.refunds == [(24, 0)]


def test_a_restaurant_preset_can_take_its_deposit_per_cover() -> None:
    parsed = parse(preset("restaurant", deposit={"mode": "per_cover", "value": 1000}))
    assert parsed.deposit == ("per_cover", 1000)
    with pytest.raises(InvalidRequest) as err:
        parse(preset("restaurant", deposit={"mode": "per_head", "value": 1000}))
    assert err.value.extra["errors"][0]["field"] == "deposit.mode"
