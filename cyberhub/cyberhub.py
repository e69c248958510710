"""The Reflex app: every page from the registry, the JSON API mounted under /api/v1."""

from __future__ import annotations

import reflex as rx

import cyberhub.pages  # noqa: F401  (registers every page)
from cyberhub import reflex_fixes
from cyberhub.api import create_api
from cyberhub.components import reload_on_error
from cyberhub.components.connection import connection_notice_wrap
from cyberhub.routes import all_pages
from cyberhub.security_headers import security_headers, use_strict_cors
from cyberhub.services.ai import query_embedder
from cyberhub.services.identity.permissions import Principal
from cyberhub.settings import get_settings
from cyberhub.state.backend_errors import backend_error
from cyberhub.state.live import LiveState
from cyberhub.state.session import SessionState
from cyberhub.upload_guard import session_principal, upload_guard

get_settings().check_production_ready()
reflex_fixes.apply()  # a cancelled event no longer leaves its tab's state lock behind
use_strict_cors()  # no CORS header at all for a refused Origin (see security_headers.py)
reload_on_error.use_static_reload()  # Reflex's reload after a "… of null" needs eval: ours doesn't


async def _upload_principal(client_token: str) -> Principal | None:
    return await session_principal(app, client_token)


app = rx.App(
    # Solid panels: a translucent card re-blurs (64 px backdrop filter) everything under it on
    # every change inside it, which made typing in a form inside a card cost ~40 ms a frame in
    # Chromium without a GPU (bench/brief_preview.py).
    theme=rx.theme(
        appearance="inherit",
        accent_color="teal",
        gray_color="slate",
        radius="medium",
        panel_background="solid",
    ),
    stylesheets=["/styles.css"],
    # "Skip to content" focuses <main>; focus returns to a dialog's opener (assets/a11y.js).
    # A double-click on a button acts once (assets/clicks.js). A "TypeError … of null" reloads
    # the page once (assets/reload_on_error.js; see components/reload_on_error.py).
    head_components=[
        rx.el.script(src="/a11y.js"),
        rx.el.script(src="/clicks.js"),
        rx.el.script(src="/reload_on_error.js"),
    ],
    extra_app_wraps={
        # "Connection lost — reconnecting…" on every page while the websocket is down (a restart).
        (4, "ConnectionNotice"): connection_notice_wrap,
        # Reflex's error boundary, also handing what it caught to reload_on_error.js.
        reload_on_error.ERROR_BOUNDARY_WRAP: reload_on_error.error_boundary,
    },
    # An event that fails because the database or Redis is restarting says so (try again).
    backend_exception_handler=backend_error,
    # Applied in order, each wrapping the app so far (the frontend mount included): the API is
    # mounted, then the upload guard answers oversized or unauthorised POST /_upload requests
    # before Reflex reads their body; security_headers stays last (outermost) so every
    # response gets the headers.
    api_transformer=[
        create_api(),
        upload_guard(_upload_principal),
        security_headers,
    ],
)

# Load the embedding model for search in the background once the backend serves (not under
# tests; see services/ai/query_embedder.py): the app starts without importing torch.
app.register_lifespan_task(query_embedder.warm_up_at_start)

for _page in all_pages():
    app.add_page(
        _page.component,
        route=_page.route,
        title=_page.title,
        description=_page.description or None,
        on_load=(
            SessionState.guard(_page.route)
            if _page.access.kind == "public"
            # Signed-in pages stay live while open (the bell, and the page's Page.live reloads).
            else [SessionState.guard(_page.route), LiveState.listen]
        ),
    )
