"""Issue 17 item 13 on a phone (390×844): the pages whose tables have row actions show each row
as a card, so the page never scrolls sideways and every row's action is on screen and usable."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from cyberhub.services.admin.demo import DEMO_PASSWORD
from tests.e2e.conftest import BrowserPage, sign_in
from tests.e2e.journeys import director_with_own_mission
from tests.factories import PASSWORD as MADE_PASSWORD

PASSWORD = "copper-meadow-signal-41"
# The element's ancestors whose content is wider than they are and that scroll sideways.
SIDEWAYS_SCROLLERS = """el => {
  const found = [];
  for (let e = el.parentElement; e; e = e.parentElement) {
    const x = getComputedStyle(e).overflowX;
    if ((x === "auto" || x === "scroll") && e.scrollWidth > e.clientWidth + 1) {
      found.push(`${e.tagName}.${e.className} ${e.scrollWidth}>${e.clientWidth}`);
    }
  }
  return found;
}"""


@pytest.fixture
def phone(browser: Browser, app_url: str) -> Iterator[BrowserPage]:
    bp = BrowserPage(browser, app_url, width=390, height=844)
    yield bp
    bp.context.close()


def _signed_in(page: Page, email: str, path: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"/signin?next={path}")
    sign_in(page, email, password)
    # The path itself, not the sign-in page's "?next=<path>" (which matched at once, so the
    # sign-in's own navigation then destroyed the page being measured).
    expect(page).to_have_url(re.compile(r"^[^?]*" + re.escape(path) + r"/?(\?.*)?$"))


def _no_sideways_scroll(page: Page) -> None:
    # A role home may still be redirecting (/dashboard → the role's page): measure the page it lands on.
    page.wait_for_load_state("networkidle")
    expect(page.locator("main")).to_be_visible()
    width = page.evaluate("document.scrollingElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    assert width <= inner, f"{page.url}: the page is {width} px wide on a {inner} px screen"


def _usable(page: Page, actions: Locator, at_least: int = 1) -> None:
    """Each of the (first three) actions is visible, inside the screen's width, and clickable."""
    expect(actions.first).to_be_visible()
    count = actions.count()
    assert count >= at_least, f"{page.url}: {count} actions"
    _no_sideways_scroll(page)
    for i in range(min(count, 3)):
        action = actions.nth(i)
        # Nothing around it scrolls sideways (a table in a scrolling box would: its last
        # column, where the actions are, is then off screen until one swipes).
        sideways = action.evaluate(SIDEWAYS_SCROLLERS)
        assert sideways == [], f"{page.url}: scrolls sideways around the action: {sideways}"
        action.evaluate("el => el.scrollIntoView({block: 'center', inline: 'nearest'})")
        expect(action).to_be_in_viewport()
        box = action.bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (page.url, box)
        action.click(trial=True)  # nothing on top of it, enabled: a tap would reach it


def test_admin_users_organization_members_and_jobs_on_a_phone(phone: BrowserPage) -> None:
    page = phone.page
    _signed_in(page, "admin@cyberhub.example", "/admin/users")
    # Each account's name opens its page: the row's action.
    _usable(page, page.get_by_test_id("users-table").get_by_role("link"), at_least=3)

    page.goto("/admin/organizations")
    page.get_by_role("link", name="Ongoza CyberHub Academy").click()
    expect(page).to_have_url(re.compile(r"/admin/organizations/\d+"))
    _usable(page, page.get_by_role("button", name=re.compile(r"^Remove ")))

    page.goto("/admin/jobs")
    expect(page.get_by_role("heading", name="Jobs", level=1)).to_be_visible()
    expect(page.get_by_test_id("queues").or_(page.get_by_text("Queues")).first).to_be_visible()
    _no_sideways_scroll(page)
    page.goto("/admin/audit")
    expect(page.get_by_role("heading", name=re.compile("Audit"), level=1)).to_be_visible()
    _no_sideways_scroll(page)


def test_mentor_queue_and_learners_on_a_phone(phone: BrowserPage) -> None:
    page = phone.page
    _signed_in(page, "mentor@cyberhub.example", "/dashboard/mentor")
    queue = page.get_by_test_id("queue-row")
    _usable(page, queue.get_by_role("link", name="Open"))
    learners = page.get_by_test_id("learner-row")
    _usable(page, learners.get_by_role("button").or_(learners.get_by_role("link")))


def test_director_cohort_roster_and_mentors_on_a_phone(phone: BrowserPage) -> None:
    page = phone.page
    _signed_in(page, "director@cyberhub.example", "/dashboard/director")
    _no_sideways_scroll(page)
    page.get_by_role("link", name="Nairobi Spring Cohort").first.click()
    expect(page).to_have_url(re.compile(r"/director/cohorts/\d+"))
    roster = page.get_by_test_id("roster")
    _usable(page, roster.get_by_role("button", name=re.compile(r"^Withdraw ")))
    _usable(page, roster.get_by_role("combobox", name=re.compile(r"^Mentor of ")))
    _usable(page, page.get_by_test_id("mentors").get_by_role("button", name=re.compile("^Remove")))


@pytest.fixture
def own_mission(app_url: str, pg_admin_url: str) -> Iterator[tuple[str, str]]:
    with director_with_own_mission(pg_admin_url, "Rotate the keys") as made:
        yield made


def test_director_missions_on_a_phone(phone: BrowserPage, own_mission: tuple[str, str]) -> None:
    """Each row's Publish / Unpublish / Archive on screen: a director's own mission (the demo
    director's programmes run library missions only, which are read, not edited)."""
    email, title = own_mission
    page = phone.page
    _signed_in(page, email, "/director/missions", MADE_PASSWORD)
    missions = page.get_by_test_id("missions-table")
    _usable(
        page,
        missions.get_by_role("button", name=re.compile(rf"^(Publish|Unpublish|Archive) {title}")),
    )


def test_learner_api_keys_on_a_phone(phone: BrowserPage, app_url: str) -> None:
    email = f"phone-{uuid.uuid4().hex[:8]}@example.org"
    r = httpx.post(
        f"{app_url}/api/v1/auth/signup",
        json={
            "email": email,
            "password": PASSWORD,
            "full_name": "Akinyi Phone",
            "consents": ["terms", "privacy"],
        },
        timeout=20,
    )
    assert r.status_code == 201, r.text
    auth = {"Authorization": f"Bearer {r.json()['access_token']}"}
    for name in ("Reporting script", "Grades export"):
        r = httpx.post(
            f"{app_url}/api/v1/api-keys",
            json={"name": name, "scopes": ["read"], "password": PASSWORD},
            headers=auth,
            timeout=20,
        )
        assert r.status_code == 201, r.text
    page = phone.page
    _signed_in(page, email, "/settings/api-keys", PASSWORD)
    _usable(page, page.get_by_role("button", name=re.compile(r"^Revoke ")), at_least=2)
    # On a phone each row is a card whose values are named by their column.
    card = page.locator("tr").filter(has_text="Grades export")
    expect(card).to_be_visible()
    label = card.locator("td").first.evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"Name"', label
    expect(page.locator("thead").first).to_be_hidden()
    assert phone.console_errors == []
