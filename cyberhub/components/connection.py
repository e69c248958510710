"""The "Reconnecting…" notice every page shows while its live connection is down.

A page talks to the server over one websocket. When the server restarts (a deploy, a crash, a
web process replaced) Reflex's client retries on its own with a short backoff, re-sends what the
tab's state needs on reconnect, and keeps events clicked meanwhile in its queue until the socket
is back: nothing to reload. What the person needs is to know it is happening, in words: Reflex's
own toast ("Cannot connect to server: websocket error. Check if server is reachable at …",
after the second failed attempt) stays, and this notice says it plainly from the first one.

The live region (aria-live=polite, atomic) is always in the page, empty while connected: a screen
reader announces text that appears in an existing region, not a region that appears with its text.
It has no role: a page's own status messages (role=status) stay the only "status" on the page.
"""

from __future__ import annotations

import reflex as rx
from reflex.components.core.banner import has_connection_errors

from cyberhub.components.notice import close_button
from cyberhub.state.server_error import ServerErrorState

RECONNECTING = (
    "Connection lost — reconnecting… Keep this page open: it carries on by itself as soon as "
    "the server answers again."
)


def connection_notice() -> rx.Component:
    return rx.el.div(
        rx.cond(
            has_connection_errors,
            rx.el.p(RECONNECTING, class_name="connection-notice-text"),
        ),
        aria_live="polite",
        aria_atomic="true",
        class_name="connection-notice",
        data_testid="connection-notice",
    )


def connection_notice_wrap(stateful: bool) -> rx.Component | None:
    """The app wrap (cyberhub.py) that puts the notice on every page; a page with no state has
    no websocket, hence nothing to say."""
    return rx.fragment(connection_notice()) if stateful else None


def server_error_notice() -> rx.Component:
    """An event that failed on the server says so here (state/server_error.py), closable."""
    S = ServerErrorState
    return rx.cond(
        S.message != "",
        rx.callout.root(
            rx.hstack(
                rx.callout.text(S.message),
                close_button(S.dismiss),
                justify="between",
                align="start",
                width="100%",
            ),
            color_scheme="red",
            role="alert",
            width="100%",
            data_testid="server-error",
        ),
    )
