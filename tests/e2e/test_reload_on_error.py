"""A page that hits Reflex's "TypeError … of null" race reloads once, within the CSP.

Reflex answered that error with a script for the page to eval(); the Content-Security-Policy
refuses eval, so the user stayed on "An error occurred while rendering this page." The reload is
now done by assets/reload_on_error.js (cyberhub/components/reload_on_error.py).

The errors are made in the browser: a render error by nulling a list in one message from the
server (the dashboard reads its length, as in the race), an uncaught one with page.evaluate.
Messages that pass through Playwright's websocket route are run with DevTools' leave to eval, so
the policy would not have refused Reflex's script there: that test checks instead that the server
sends no script at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, Request, WebSocketRoute, expect

from tests.e2e.conftest import BrowserPage, sign_in
from tests.e2e.journeys import throwaway_user
from tests.factories import PASSWORD

RENDER_ERROR = "An error occurred while rendering this page."
NO_ROLE = "Your account has no role yet."
LAST_RELOADED = "reflex_last_reloaded_on_error"  # Reflex's sessionStorage key
# SessionState's part of a message from the server (the page's state changes), when not empty.
SESSION = re.compile(
    r'("reflex___state____state\.cyberhub___state___session____session_state":\{)(?=")'
)
ROLES = re.compile(r'"roles_rx_state_":\[[^\]]*\]')  # SessionState.roles, as the page gets it
NULL_ROLES = '"roles_rx_state_":null'


def restamp_last_reload(page: Page) -> None:
    """The reload noted its time for the 10 s cooldown; note it again now, so that what follows
    falls within it on a slow machine too."""
    assert page.evaluate(f"() => sessionStorage.getItem('{LAST_RELOADED}')"), "no time noted"
    page.evaluate(f"() => sessionStorage.setItem('{LAST_RELOADED}', Date.now().toString())")


class NullRoles:
    """Routes the tab's websockets; once armed, the websockets opened (the next page load's)
    get roles null in every message changing SessionState, until one such message was changed:
    the dashboard then reads `roles.length` of null while rendering. Every message, not the
    first only: the page's on_load answer can set the roles again before React renders the
    null. Disarmed by a changed message, not by the next websocket opened: the page being left
    can open one more (its reconnect) that never gets a message. Messages still arriving on a
    websocket opened before arming are left alone."""

    def __init__(self, page: Page) -> None:
        self.armed = False
        self.scripts: list[str] = []  # scripts the server sent for the page to eval
        # Per websocket opened: [armed when opened, messages with SessionState, of them changed]
        self.sockets: list[list[int]] = []
        page.route_web_socket(re.compile(r"/_event"), self._route)

    def _route(self, ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()
        corrupt = self.armed
        seen = [int(corrupt), 0, 0]
        self.sockets.append(seen)

        def to_page(message: str | bytes) -> None:
            if isinstance(message, str) and SESSION.search(message):
                seen[1] += 1
                if corrupt:
                    self.armed = False
                    seen[2] += 1
                    message = ROLES.sub(NULL_ROLES, message)
                    if NULL_ROLES not in message:
                        message = SESSION.sub(rf"\1{NULL_ROLES},", message, count=1)
            if isinstance(message, str) and '"_call_script"' in message:
                self.scripts.append(message)
            ws.send(message)

        server.on_message(to_page)


class Loads:
    """Counts the page's loads (a reload is one more): the page's own document requests, not its
    "load" events, which a page reloaded before it finished loading (an error at once, on a busy
    machine) never fires."""

    def __init__(self, page: Page) -> None:
        self.page, self.count = page, 0
        page.on("request", self._one)

    def _one(self, request: Request) -> None:
        if request.is_navigation_request() and request.frame == self.page.main_frame:
            self.count += 1

    def wait_for(
        self, count: int, web: BrowserPage, nulls: NullRoles | None = None, timeout_ms: int = 30_000
    ) -> None:
        for _ in range(timeout_ms // 100):
            if self.count >= count:
                break
            self.page.wait_for_timeout(100)
        if self.count != count:  # what the page went through, to say why
            stamp = self.page.evaluate(f"() => sessionStorage.getItem('{LAST_RELOADED}')")
            sockets = nulls.sockets if nulls else None
            raise AssertionError((self.count, stamp, web.console_errors, sockets))


def forget_last_reload(page: Page) -> None:
    """No reload noted in this tab: one the page did by itself before (the race this is about,
    on a busy machine) would hold off the reload the test is waiting for."""
    page.evaluate(f"() => sessionStorage.removeItem('{LAST_RELOADED}')")


@pytest.fixture
def no_role_user(app_url: str, pg_admin_url: str) -> Iterator[str]:
    with throwaway_user(pg_admin_url, "reload") as email:
        yield email


def test_a_render_error_of_null_reloads_the_page_once(web: BrowserPage, no_role_user: str) -> None:
    page = web.page
    nulls = NullRoles(page)
    page.goto("/signin")
    sign_in(page, no_role_user, PASSWORD)
    expect(page.get_by_text(NO_ROLE)).to_be_visible()
    loads = Loads(page)
    forget_last_reload(page)

    # The page loads again; its state arrives with roles null: the error boundary catches the
    # TypeError, and the page reloads by itself and shows the dashboard.
    nulls.armed = True
    page.reload()
    loads.wait_for(2, web, nulls)
    assert nulls.scripts == []
    expect(page.get_by_text(NO_ROLE)).to_be_visible()
    assert not nulls.armed
    restamp_last_reload(page)

    # Again within 10 s: no second reload (no loop); the error screen stays.
    nulls.armed = True
    page.reload()
    expect(page.get_by_text(RENDER_ERROR)).to_be_visible()
    page.wait_for_timeout(2_000)
    assert loads.count == 3
    assert web.csp_violations == []
    assert any("Cannot read properties of null" in e for e in web.console_errors)


def test_an_uncaught_error_of_null_reloads_the_page_once(web: BrowserPage) -> None:
    page = web.page
    page.goto("/signin")
    page.wait_for_load_state("networkidle")
    loads = Loads(page)

    def read_x_of(value: str) -> None:
        """An error in a timer (nothing catches it): TypeError: Cannot read properties of …"""
        page.evaluate(f"() => {{ setTimeout(() => {{ const none = {value}; none.x; }}); }}")

    read_x_of("undefined")  # not of null: no reload
    page.wait_for_timeout(1_500)
    assert loads.count == 0

    forget_last_reload(page)
    read_x_of("null")
    loads.wait_for(1, web)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    page.wait_for_load_state("networkidle")
    restamp_last_reload(page)

    read_x_of("null")  # again within 10 s: no second reload
    page.wait_for_timeout(2_000)
    assert loads.count == 1
    assert web.csp_violations == []
    thrown = web.take_page_errors()  # the three this test threw, and nothing else
    assert len(thrown) == 3, thrown
    assert all(e.startswith("TypeError: Cannot read properties of") for e in thrown), thrown
