"""A list page's search or filter answer puts its address in the bar only while the list is on
screen: a card opened while the answer was on its way stays open (the catalog and the director's
missions list share this through `state/url_query.AddressedList`).

The race is made certain in the browser: while "held", the server's messages to the tab wait in
the websocket route, so the search is still unanswered when the card is clicked.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, Route, WebSocketRoute, expect

from cyberhub.services.admin.demo import DEMO_PASSWORD
from tests.e2e.conftest import BrowserPage, sign_in

STUDENT = "student@cyberhub.example"


class HeldAnswers:
    """Routes the tab's websockets; `hold()` keeps the server's messages, `release()` sends them."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.holding = False
        self.held: list[tuple[WebSocketRoute, str | bytes]] = []
        page.route_web_socket(re.compile(r"/_event"), self._route)

    def _route(self, ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def to_page(message: str | bytes) -> None:
            if self.holding:
                self.held.append((ws, message))
            else:
                ws.send(message)

        server.on_message(to_page)

    def hold(self) -> None:
        self.holding = True

    def wait(self) -> None:
        """Until a held answer is there (a busy machine answers in more than a moment)."""
        for _ in range(100):
            if self.held:
                return
            self.page.wait_for_timeout(100)
        raise AssertionError("the search's answer should be on its way")

    def release(self) -> None:
        self.holding = False
        held, self.held = self.held, []
        for ws, message in held:
            ws.send(message)


def test_a_card_opened_while_the_search_is_answered_stays_open(web: BrowserPage) -> None:
    page = web.page
    answers = HeldAnswers(page)
    page.goto("/signin")
    sign_in(page, STUDENT, DEMO_PASSWORD)
    expect(page).not_to_have_url(re.compile(r"/signin"))
    page.goto("/missions")
    main = page.locator("main")
    card = main.locator(".rt-Card a").first
    expect(card).to_be_visible()
    href = card.get_attribute("href") or ""
    title = card.get_by_role("heading").inner_text()
    assert re.fullmatch(r"/missions/\d+", href), href

    answers.hold()
    page.get_by_label("Search").fill("phishing")
    page.get_by_label("Search").press("Enter")
    answers.wait()  # the search is sent; its answer waits in the route
    card.click()
    expect(page).to_have_url(re.compile(re.escape(href) + "$"))
    answers.release()

    # The search's answer arrives after the card opened: the mission stays on screen.
    expect(page.get_by_role("heading", level=1)).to_have_text(title, timeout=15_000)
    page.wait_for_timeout(1_000)
    expect(page).to_have_url(re.compile(re.escape(href) + "$"))

    # Back returns to the catalog as it was; a search answered on screen still puts its address
    # in the bar (and Back then returns to the list before it).
    page.go_back()
    expect(page).to_have_url(re.compile(r"^[^?]*/missions/?$"))
    expect(main.locator(".rt-Card").first).to_be_visible()
    # the list of this address is loaded (the box showed the answered search until then)
    expect(page.get_by_label("Search")).to_have_value("")
    page.get_by_label("Search").fill("phishing")
    page.get_by_label("Search").press("Enter")
    expect(page).to_have_url(re.compile(r"/missions/?\?q=phishing$"))
    expect(main.get_by_text(re.compile(r"^\d+ missions?$"))).to_be_visible()
    page.go_back()
    expect(page).to_have_url(re.compile(r"^[^?]*/missions/?$"))


class HeldScripts:
    """Routes the tab's script requests; while `holding`, the ones asked for wait (the next
    page's code on a slow network)."""

    def __init__(self, page: Page) -> None:
        self.holding = False
        self.held: list[Route] = []
        page.route(re.compile(r"\.m?js(\?.*)?$"), self._route)

    def _route(self, route: Route) -> None:
        if self.holding:
            self.held.append(route)
        else:
            route.continue_()

    def release(self) -> None:
        self.holding = False
        held, self.held = self.held, []
        for route in held:
            route.continue_()


def test_a_card_opened_while_the_list_is_still_drawn_stays_open(web: BrowserPage) -> None:
    """The search's answer arrives while the card's page is still loading its code (the list
    still drawn, the router's navigation pending): the click wins."""
    page = web.page
    answers, scripts = HeldAnswers(page), HeldScripts(page)
    page.goto("/signin")
    sign_in(page, STUDENT, DEMO_PASSWORD)
    expect(page).not_to_have_url(re.compile(r"/signin"))
    page.goto("/missions")
    main = page.locator("main")
    card = main.locator(".rt-Card a").first
    expect(card).to_be_visible()
    page.wait_for_load_state("networkidle")
    href = card.get_attribute("href") or ""
    title = card.get_by_role("heading").inner_text()

    answers.hold()
    scripts.holding = True
    page.get_by_label("Search").fill("phishing")
    page.get_by_label("Search").press("Enter")
    answers.wait()
    card.click()
    for _ in range(50):
        if scripts.held:
            break
        page.wait_for_timeout(100)
    assert scripts.held, "the card's page should be loading its code"
    answers.release()  # the answer first, the card's page code after it
    page.wait_for_timeout(1_000)
    scripts.release()

    expect(page.get_by_role("heading", level=1)).to_have_text(title, timeout=15_000)
    page.wait_for_timeout(1_000)
    expect(page).to_have_url(re.compile(re.escape(href) + "$"))


def test_a_link_past_the_last_page_shows_the_last_and_says_so_in_the_address(
    web: BrowserPage,
) -> None:
    """A stale link (the list got shorter since it was made) shows the last page, and the
    address becomes that page's in place of the stale one: Back leaves the list, it does not
    return to the page that does not exist."""
    page = web.page
    page.goto("/signin")
    sign_in(page, STUDENT, DEMO_PASSWORD)
    expect(page).not_to_have_url(re.compile(r"/signin"))
    page.goto("/settings")
    expect(page.locator("main")).to_be_visible()
    page.goto("/missions?page=9999")
    expect(page.locator("main .rt-Card a").first).to_be_visible()
    expect(page).to_have_url(re.compile(r"/missions(\?page=\d{1,3})?$"))
    page.go_back()
    expect(page).to_have_url(re.compile(r"/settings$"))


def test_the_admin_users_search_and_filter_survive_a_reload(web: BrowserPage) -> None:
    """/admin/users keeps its search and role filter in the address: a reload (or a shared
    link) shows the same list."""
    page = web.page
    page.goto("/signin")
    sign_in(page, "admin@cyberhub.example", DEMO_PASSWORD)
    expect(page).not_to_have_url(re.compile(r"/signin"))
    page.goto("/admin/users")
    table = page.get_by_test_id("users-table")
    expect(table).to_be_visible()
    box = page.get_by_label("Search users")
    box.fill("cyberhub.example")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/admin/users\?q=cyberhub\.example$"))
    page.get_by_label("Filter by role").click()
    page.get_by_role("option", name="Mentor", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/users\?role=mentor&q=cyberhub\.example$"))
    expect(table).to_contain_text("mentor@cyberhub.example")
    expect(table).not_to_contain_text("student@cyberhub.example")

    page.reload()
    expect(page.get_by_label("Search users")).to_have_value("cyberhub.example")
    expect(page.get_by_label("Filter by role")).to_contain_text("Mentor")
    expect(page.get_by_test_id("users-table")).to_contain_text("mentor@cyberhub.example")
    expect(page.get_by_test_id("users-table")).not_to_contain_text("student@cyberhub.example")
