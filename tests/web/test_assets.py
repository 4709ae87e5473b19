"""Static files: versioned URLs cached for a year, compressed, and still served unversioned."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import brotli
import httpx

from web.assets import IMMUTABLE, SHORT, StaticAssets
from web.pages import STATIC_DIR

LINKED = re.compile(r'(?:src|href)="(/static/[^"]+)"')


async def test_pages_link_versioned_urls_cached_for_a_year(bare: httpx.AsyncClient) -> None:
    page = await bare.get("/admin/login")
    urls = LINKED.findall(page.text)
    assert {u.rsplit("/", 1)[-1].split(".")[0] for u in urls} >= {"maitre", "console", "login"}
    for url in urls:
        assert re.search(r"\.[0-9a-f]{10}\.\w+$", url), url
        got = await bare.get(url)
        assert got.status_code == 200, url
        assert got.headers["cache-control"] == IMMUTABLE == "public, max-age=31536000, immutable"
        assert got.headers["vary"] == "Accept-Encoding"


async def test_text_is_compressed_for_clients_that_accept_it(bare: httpx.AsyncClient) -> None:
    plain = (STATIC_DIR / "maitre.css").read_bytes()
    url = StaticAssets(STATIC_DIR).url("maitre.css")

    raw = await bare.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers
    assert raw.content == plain
    assert raw.headers["content-type"] == "text/css; charset=utf-8"

    async with bare.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as zipped:
        assert zipped.headers["content-encoding"] == "gzip"
        packed = b"".join([chunk async for chunk in zipped.aiter_raw()])
    assert gzip.decompress(packed) == plain
    assert len(packed) < len(plain) / 3

    async with bare.stream("GET", url, headers={"Accept-Encoding": "gzip, br"}) as best:
        assert best.headers["content-encoding"] == "br"
        packed = b"".join([chunk async for chunk in best.aiter_raw()])
    assert brotli.decompress(packed) == plain

    refused = await bare.get(url, headers={"Accept-Encoding": "br;q=0, gzip;q=0"})
    assert "content-encoding" not in refused.headers


async def test_unversioned_and_stale_urls_still_work_with_a_short_cache(
    bare: httpx.AsyncClient,
) -> None:
    plain = await bare.get("/static/maitre.css")
    assert plain.status_code == 200
    assert plain.headers["cache-control"] == SHORT
    stale = await bare.get("/static/maitre.0123456789.css")
    assert stale.status_code == 200
    assert stale.headers["cache-control"] == SHORT
    assert stale.content == plain.content
    for missing in ("/static/nope.css", "/static/../app.py", "/static/%2e%2e/pages.py"):
        assert (await bare.get(missing)).status_code == 404, missing


async def test_a_matching_etag_is_not_modified(bare: httpx.AsyncClient) -> None:
    url = StaticAssets(STATIC_DIR).url("app.js")
    first = await bare.get(url, headers={"Accept-Encoding": "gzip"})
    again = await bare.get(
        url, headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.content == b""
    head = await bare.head(url, headers={"Accept-Encoding": "gzip"})
    assert head.status_code == 200
    assert head.headers["content-type"] == "text/javascript; charset=utf-8"


async def test_modules_import_each_other_by_versioned_name(bare: httpx.AsyncClient) -> None:
    assets = StaticAssets(STATIC_DIR)
    app_js = (await bare.get(assets.url("app.js"))).text
    assert f'from "./{assets.url("floor.js").rsplit("/", 1)[-1]}"' in app_js
    tonight = (await bare.get(assets.url("console/tonight.js"))).text
    imported = re.findall(r'from "(\.{1,2}/[^"]+)"', tonight)
    assert imported
    for spec in imported:
        assert re.search(r"\.[0-9a-f]{10}\.js$", spec), spec
        url = httpx.URL("http://test" + assets.url("console/tonight.js")).join(spec)
        got = await bare.get(url)
        assert got.status_code == 200
        assert got.headers["cache-control"] == IMMUTABLE


def test_changing_an_imported_module_changes_the_importers_url(tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "util.js").write_text("export const x = 1;\n")
    (tmp_path / "page.js").write_text('import { x } from "./lib/util.js";\nconsole.log(x);\n')
    (tmp_path / "other.js").write_text("export const y = 2;\n")
    before = StaticAssets(tmp_path)
    (tmp_path / "lib" / "util.js").write_text("export const x = 2;\n")
    after = StaticAssets(tmp_path)
    assert before.url("page.js") != after.url("page.js")
    assert before.url("other.js") == after.url("other.js")
    found = after.find(after.url("page.js").removeprefix("/static/"))
    assert found is not None
    assert after.url("lib/util.js").rsplit("/", 1)[-1] in found[0].encodings["identity"].decode()


def test_an_import_cycle_does_not_loop(tmp_path: Path) -> None:
    (tmp_path / "a.js").write_text('import "./b.js";\n')
    (tmp_path / "b.js").write_text('import "./a.js";\n')
    assets = StaticAssets(tmp_path)
    assert assets.url("a.js") != assets.url("b.js")


async def test_favicon_ico_is_served(bare: httpx.AsyncClient) -> None:
    icon = await bare.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"
