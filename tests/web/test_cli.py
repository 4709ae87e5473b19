"""``maitre serve``: what it hands to uvicorn."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from web import cli


def test_serve_trusts_forwarded_headers_only_from_the_configured_proxies(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(cli.uvicorn, "run", lambda *a, **kw: seen.update(kw))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.7,10.0.0.8")
    monkeypatch.chdir(tmp_path)  # no stray .env
    # serve sets PUBLIC_URL in os.environ when unset: keep that inside this test.
    monkeypatch.setenv("PUBLIC_URL", "http://127.0.0.1:8123")
    cli.main(["serve", "--port", "8123"])
    assert seen["proxy_headers"] is True
    assert seen["forwarded_allow_ips"] == "10.0.0.7,10.0.0.8"
    assert seen["port"] == 8123


def test_demo_prints_one_login_per_role_with_its_start_page() -> None:
    banner = cli._demo_banner("sqlite:///x.db", "http://127.0.0.1:8000", "velvet")
    for role, email, start in (
        ("owner", "owner@velvet.example", "/admin"),
        ("manager", "manager@velvet.example", "/admin"),
        ("floor", "floor@velvet.example", "/admin"),
        ("host", "jade@velvet.example", "/host"),
        ("finance", "finance@velvet.example", "/admin/money"),
    ):
        line = next(ln for ln in banner.splitlines() if ln.split()[:1] == [role])
        assert email in line and line.endswith(f"http://127.0.0.1:8000{start}")
    assert cli.DEMO_PASSWORD in banner
