"""Static files: content-hashed URLs, compressed once at startup, cached for a year.

Every file under ``web/static`` is read when the app is built. Its URL carries a hash of
its bytes (``/static/app.3f2a1b9c0d.js``), so a versioned URL's answer never changes and
may be cached ``immutable`` for a year; a deploy that changes a file changes its URL.
Templates ask for the URL with ``static_url("app.js")``.

ES modules import each other by relative URL (``./floor.js``), which would fetch the
unversioned file and defeat the cache. So relative imports in JavaScript are rewritten to
the imported file's versioned name, and a module's hash covers the hashes of what it
imports: changing ``api.js`` gives new URLs to every module that imports it, up to the page.

Text files are compressed ahead of time (brotli and gzip) and the smallest encoding the
client accepts is sent, with ``Vary: Accept-Encoding``. An unversioned URL, or a versioned
one with an older hash, still answers with the current file, cached for five minutes only.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

import brotli
from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse

HASH_LENGTH = 10
IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"
_TEXT = {".js", ".css", ".svg", ".html", ".json", ".txt", ".map", ".ico"}
_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
}
# `from "./x.js"`, `import "../y.js"`, `import("./z.js")`: relative specifiers only.
_IMPORT = re.compile(r"""(\bfrom\s*|\bimport\s*\(?\s*)(["'])(\.{1,2}/[^"'\s]+)\2""")
_VERSIONED = re.compile(rf"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{{{HASH_LENGTH}}})(?P<ext>\.[^./]+)$")


@dataclass(frozen=True)
class Asset:
    path: str  # relative to the static directory, with forward slashes
    digest: str
    media_type: str
    encodings: dict[str, bytes] = field(repr=False)  # "identity", "gzip", "br"

    @property
    def versioned(self) -> str:
        stem, ext = posixpath.splitext(self.path)
        return f"{stem}.{self.digest}{ext}"


class StaticAssets:
    """The static directory as it was at startup, with one URL per version of each file."""

    def __init__(self, directory: Path, prefix: str = "/static") -> None:
        self.directory = directory
        self.prefix = prefix
        self._raw = {
            p.relative_to(directory).as_posix(): p.read_bytes()
            for p in sorted(directory.rglob("*"))
            if p.is_file()
        }
        self._assets: dict[str, Asset] = {}
        for path in self._raw:
            self._build(path, ())

    def _build(self, path: str, visiting: tuple[str, ...]) -> Asset:
        if path in self._assets:
            return self._assets[path]
        body = self._raw[path]
        if path.endswith(".js") and path not in visiting:
            body = self._rewrite_imports(path, body, (*visiting, path))
        digest = hashlib.sha256(body).hexdigest()[:HASH_LENGTH]
        ext = posixpath.splitext(path)[1]
        media = _TYPES.get(ext) or mimetypes.guess_type(path)[0] or "application/octet-stream"
        encodings = {"identity": body}
        if ext in _TEXT:
            for name, packed in (
                # Quality 7: within 10% of the best (11) at a twentieth of the startup time.
                ("br", brotli.compress(body, quality=7)),
                ("gzip", gzip.compress(body, compresslevel=9, mtime=0)),
            ):
                if len(packed) < len(body):
                    encodings[name] = packed
        asset = Asset(path, digest, media, encodings)
        self._assets[path] = asset
        return asset

    def _rewrite_imports(self, path: str, body: bytes, visiting: tuple[str, ...]) -> bytes:
        here = posixpath.dirname(path)

        def versioned(match: re.Match[str]) -> str:
            lead, quote, spec = match.groups()
            target = posixpath.normpath(posixpath.join(here, spec))
            if target not in self._raw or target in visiting:  # unknown, or an import cycle
                return match.group(0)
            name = posixpath.basename(self._build(target, visiting).versioned)
            return f"{lead}{quote}{posixpath.join(posixpath.dirname(spec), name)}{quote}"

        return _IMPORT.sub(versioned, body.decode()).encode()

    def url(self, path: str) -> str:
        """The versioned URL of ``path`` (relative to the static directory)."""
        return f"{self.prefix}/{self._assets[path].versioned}"

    def find(self, requested: str) -> tuple[Asset, bool] | None:
        """The asset a request names, and whether the name carried its current hash."""
        if requested in self._assets:
            return self._assets[requested], False
        match = _VERSIONED.match(requested)
        if match is None:
            return None
        asset = self._assets.get(match["stem"] + match["ext"])
        if asset is None:
            return None
        return asset, match["hash"] == asset.digest

    def response(self, request: Request, requested: str) -> Response:
        found = self.find(requested)
        if found is None:
            return PlainTextResponse("Not Found", status_code=404)
        asset, current = found
        encoding = _pick(asset, request.headers.get("accept-encoding", ""))
        etag = f'"{asset.digest}-{encoding}"'
        headers = {
            "Cache-Control": IMMUTABLE if current else SHORT,
            "ETag": etag,
            "Vary": "Accept-Encoding",
        }
        if encoding != "identity":
            headers["Content-Encoding"] = encoding
        if etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        body = asset.encodings[encoding]
        if request.method == "HEAD":
            headers["Content-Length"] = str(len(body))
            return Response(status_code=200, headers=headers, media_type=asset.media_type)
        return Response(body, headers=headers, media_type=asset.media_type)


def _pick(asset: Asset, accept: str) -> str:
    """The smallest encoding the client accepts (a ``q=0`` refuses one)."""
    accepted = set()
    for part in accept.split(","):
        name, _, params = part.strip().partition(";")
        if params.replace(" ", "") in ("q=0", "q=0.0", "q=0.00", "q=0.000"):
            continue
        accepted.add(name.strip().lower())
    offered = [e for e in ("br", "gzip") if e in asset.encodings and e in accepted]
    return min(offered, key=lambda e: len(asset.encodings[e])) if offered else "identity"


def router(assets: StaticAssets) -> APIRouter:
    """``GET /static/{path}``, ``GET /embed.js`` and ``GET /favicon.ico`` from ``assets``."""
    routes = APIRouter(include_in_schema=False)

    @routes.api_route(assets.prefix + "/{path:path}", methods=["GET", "HEAD"])
    async def static_file(request: Request, path: str) -> Response:
        return assets.response(request, path)

    @routes.api_route("/embed.js", methods=["GET", "HEAD"])
    async def embed_script(request: Request) -> Response:
        """The <maitre-booking> element a venue puts on its own site (one script tag)."""
        return assets.response(request, "embed.js")

    @routes.api_route("/favicon.ico", methods=["GET", "HEAD"])
    async def favicon(request: Request) -> Response:
        return assets.response(request, "favicon.ico")

    return routes
