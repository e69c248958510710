"""Reflex configuration, read from CyberHub's settings (see cyberhub/settings.py, .env.example)."""

import reflex as rx

from cyberhub.security_headers import allowed_origins
from cyberhub.settings import get_settings

_settings = get_settings()

# Where browsers open the state websocket, baked into the frontend build: the public URL when
# there is one (a load balancer in front of several web processes, on any port), else this
# process's own port (Reflex's default http://localhost:APP_PORT, whose host the page swaps for
# its own).
_public = {"api_url": _settings.public_url.rstrip("/")} if _settings.public_url else {}

config = rx.Config(
    app_name="cyberhub",
    # Reflex keeps per-tab UI state in Redis when one is configured, so several backend
    # workers (WEB_WORKERS) can serve one user. scripts/run.py passes the embedded Redis URL.
    redis_url=_settings.redis_url or None,
    frontend_port=_settings.app_port,
    backend_port=_settings.app_port,
    # Only the public origin (PUBLIC_URL, else http://APP_HOST:APP_PORT) may call the backend
    # with credentials or open the state websocket; Reflex's default "*" echoed any Origin.
    # socket.io checks the websocket's Origin against the same list.
    cors_allowed_origins=allowed_origins(_settings),
    telemetry_enabled=False,
    show_built_with_reflex=False,
    **_public,
    plugins=[
        rx.plugins.RadixThemesPlugin(),
        rx.plugins.SitemapPlugin(),
    ],
)
