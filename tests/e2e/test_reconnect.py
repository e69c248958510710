"""A tab whose server goes away (a restart) says it is reconnecting, then carries on by itself.

The e2e app is shared by the whole run (and its frontend build knows only its port), so the
restart is played in the browser: every websocket to /_event goes through a route that passes it
to the server while "up"; going "down" closes the open ones, and while down each new attempt is
refused the way the client sees a server that is not there yet (a connect error, after which
Reflex's client retries with backoff).
"""

from __future__ import annotations

import re

from playwright.sync_api import WebSocketRoute, expect

from cyberhub.components.connection import RECONNECTING
from tests.e2e.conftest import BrowserPage

# engine.io v4's handshake, then socket.io's CONNECT_ERROR for the app's namespace.
OPEN = '0{"sid":"down","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}'
REFUSED = '44/_event,{"message":"server restarting"}'


def test_a_lost_connection_says_reconnecting_then_the_page_works(web: BrowserPage) -> None:
    page = web.page
    server = {"up": True, "refused": 0}
    open_routes: list[WebSocketRoute] = []

    def route(ws: WebSocketRoute) -> None:
        if server["up"]:
            open_routes.append(ws)
            ws.connect_to_server()
            return

        def refuse(message: str | bytes) -> None:
            if isinstance(message, str) and message.startswith("40"):
                server["refused"] += 1
                ws.send(REFUSED)

        ws.on_message(refuse)
        ws.send(OPEN)

    page.route_web_socket(re.compile(r"/_event"), route)
    page.goto("/signup")
    notice = page.get_by_test_id("connection-notice")
    expect(notice).to_have_attribute("aria-live", "polite")
    expect(notice).to_have_text("")
    page.get_by_label("Full name").fill("Ada Restart")
    page.get_by_label("Email").fill("ada-restart@example.org")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("alert")).to_contain_text("at least 10 characters")

    # The server goes away: the tab says so in words, in its live region, and keeps trying.
    server["up"] = False
    for ws in open_routes:
        ws.close()
    expect(notice).to_have_text(RECONNECTING)
    page.wait_for_timeout(1500)
    assert server["refused"] >= 2, server  # it retried on its own
    # Typed meanwhile: kept.
    page.get_by_label("Password").fill("orange-river-canoe-77")

    # Back: the notice goes without a reload, and the page answers again.
    server["up"] = True
    expect(notice).to_have_text("", timeout=15_000)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("alert")).to_contain_text("Accept the terms and the privacy notice")
    expect(page.get_by_label("Email")).to_have_value("ada-restart@example.org")
