"""Security headers on every HTTP response: pages, static assets, the JSON API and its docs.

`SecurityHeadersMiddleware` wraps the whole backend (cyberhub.py puts it in Reflex's
`api_transformer` list, which runs after the compiled frontend is mounted), so one policy covers
everything served on the app's port. The websocket (`/_event`) is not HTTP and passes through.

The Content-Security-Policy allows no inline script except the exact ones the production build
emits into its HTML (React Router's hydration context and module imports, Reflex's colour-mode
script): their sha256 hashes are read from the built files and cached until the build changes.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from reflex.app import App
from reflex.utils import prerequisites
from reflex_base import constants
from reflex_base.config import get_config
from starlette.applications import Starlette
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cyberhub.settings import Settings, get_settings

# Inline <script> blocks without a src attribute; their text is what the browser hashes.
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
)
# Two years (the usual recommendation); sent only in production with an https PUBLIC_URL.
HSTS = "max-age=63072000"


def allowed_origins(settings: Settings) -> list[str]:
    """The browser origins allowed to call the backend (CORS) and open its websocket.

    The configured public origin only; when that is a loopback or wildcard address, both
    spellings of the local machine (127.0.0.1 and localhost) on the same port, as `make run`
    prints one and browsers are often pointed at the other.
    """
    url = urlsplit(settings.base_url)
    scheme, host, port = url.scheme or "http", url.hostname or "", url.port
    suffix = f":{port}" if port else ""
    origins = [f"{scheme}://{_host_for_url(host)}{suffix}"]
    if host in {"127.0.0.1", "localhost", "0.0.0.0", "::1", "::"}:
        origins += [f"{scheme}://127.0.0.1{suffix}", f"{scheme}://localhost{suffix}"]
    return list(dict.fromkeys(origins))


def _host_for_url(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def inline_script_hashes(html_files: Iterable[Path]) -> list[str]:
    """CSP source expressions ('sha256-...') for every inline script in these HTML files."""
    hashes: set[str] = set()
    for path in html_files:
        for body in _INLINE_SCRIPT.findall(path.read_text(encoding="utf-8", errors="replace")):
            digest = hashlib.sha256(body.encode("utf-8")).digest()
            hashes.add(f"'sha256-{base64.b64encode(digest).decode()}'")
    return sorted(hashes)


def frontend_build_dir() -> Path:
    """Where the production build's HTML is (what Reflex's frontend mount serves)."""
    return prerequisites.get_web_dir() / constants.Dirs.STATIC


@lru_cache(maxsize=4)
def _build_hashes(build_dir: Path, stamp: float) -> tuple[str, ...]:
    del stamp  # part of the cache key only: a new build has new hashes
    return tuple(inline_script_hashes(sorted(build_dir.rglob("*.html"))))


def build_script_hashes(build_dir: Path) -> tuple[str, ...]:
    """The build's inline-script hashes, recomputed only when index.html changes."""
    try:
        stamp = (build_dir / "index.html").stat().st_mtime
    except OSError:
        return ()
    return _build_hashes(build_dir, stamp)


def content_security_policy(origins: list[str], script_hashes: Iterable[str]) -> str:
    """The policy for every response; only the build's own inline scripts may run."""
    websockets = [re.sub(r"^http", "ws", origin) for origin in origins]
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        # Radix Themes and Emotion (and Swagger UI) set styles at runtime through <style>
        # elements and style attributes; CSS cannot run script, so this is the accepted gap.
        "style-src": ["'self'", "'unsafe-inline'"],
        # data: for inline SVG icons in CSS (Radix, KaTeX, Swagger UI); blob: for downloads
        # prepared in the page.
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        # The state websocket (/_event) is on this origin; ws:/wss: spelled out for browsers
        # whose 'self' does not cover them.
        "connect-src": ["'self'", *websockets],
        "frame-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


@dataclass(frozen=True)
class HeaderPolicy:
    """What to add; computed once per process except the build's hashes."""

    origins: list[str]
    hsts: bool
    build_dir: Path | None

    @classmethod
    def from_settings(cls, settings: Settings, build_dir: Path | None) -> HeaderPolicy:
        https = urlsplit(settings.base_url).scheme == "https"
        return cls(allowed_origins(settings), settings.is_production and https, build_dir)

    def headers(self) -> list[tuple[bytes, bytes]]:
        hashes = build_script_hashes(self.build_dir) if self.build_dir else ()
        out = [
            ("content-security-policy", content_security_policy(self.origins, hashes)),
            ("x-content-type-options", "nosniff"),
            ("x-frame-options", "DENY"),
            ("referrer-policy", "strict-origin-when-cross-origin"),
            ("permissions-policy", PERMISSIONS_POLICY),
            ("cross-origin-opener-policy", "same-origin"),
        ]
        if self.hsts:
            out.append(("strict-transport-security", HSTS))
        return [(name.encode(), value.encode()) for name, value in out]


class SecurityHeadersMiddleware:
    """Adds the policy's headers to every HTTP response that does not set its own."""

    def __init__(
        self, app: ASGIApp, policy: HeaderPolicy | None = None, *, build_dir: Path | None = None
    ) -> None:
        self.app = app
        self.policy = policy or HeaderPolicy.from_settings(get_settings(), build_dir)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(n, v) for n, v in self.policy.headers() if n not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def security_headers(app: ASGIApp) -> ASGIApp:
    """Reflex `api_transformer`: the whole backend, frontend mount included, behind the headers."""
    return SecurityHeadersMiddleware(app, build_dir=frontend_build_dir())


class StrictCORSMiddleware(CORSMiddleware):
    """Starlette's CORS without `Access-Control-Allow-Credentials` for origins it refuses.

    Starlette sends that header to any Origin (browsers ignore it without a matching
    Access-Control-Allow-Origin); a refused origin gets no CORS header at all here.
    """

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        _drop_credentials_unless_allowed(response.headers)
        return response

    async def send(self, message: Message, send: Send, request_headers: Headers) -> None:
        async def send_checked(out: Message) -> None:
            if out["type"] == "http.response.start":
                _drop_credentials_unless_allowed(MutableHeaders(scope=out))
            await send(out)

        await super().send(message, send_checked, request_headers)


def _drop_credentials_unless_allowed(headers: MutableHeaders) -> None:
    if "access-control-allow-origin" not in headers:
        del headers["access-control-allow-credentials"]


def _add_strict_cors(api: Starlette) -> None:
    api.add_middleware(
        StrictCORSMiddleware,
        allow_credentials=True,
        allow_methods=["*"],
        allow_headers=["*"],
        allow_origins=list(get_config().cors_allowed_origins),
    )


def use_strict_cors() -> None:
    """Make Reflex add StrictCORSMiddleware wherever it adds CORS (call before rx.App()).

    Reflex 0.10 adds Starlette's CORSMiddleware itself (App._add_cors) around its API, the
    api_transformer app and the outermost app, with the origins of rxconfig's
    cors_allowed_origins; this keeps that and only swaps the middleware class.
    """
    App._add_cors = staticmethod(_add_strict_cors)  # type: ignore[method-assign]
