"""Tells the server the browser's time zone, once, for a signed-in user who has none stored.

The guard sets `SessionState.ask_zone` (only while the user's zone is unset, once per tab); this
element then mounts and sends `Intl...timeZone` to `SessionState.store_browser_zone`. The
expression is compiled into the page bundle (no eval), so the strict CSP allows it.
"""

from __future__ import annotations

import reflex as rx
from reflex.vars import Var

from cyberhub.state.session import SessionState

BROWSER_ZONE_JS = "Intl.DateTimeFormat().resolvedOptions().timeZone"


def browser_zone_probe() -> rx.Component:
    zone: Var[str] = Var(_js_expr=f"({BROWSER_ZONE_JS})", _var_type=str)
    return rx.cond(
        SessionState.ask_zone,
        rx.box(on_mount=SessionState.store_browser_zone(zone), display="none"),
    )
